import type { Request } from 'express';
import type { FlashMessage } from '../common/http/request-types';

/** A new session id at log-in (no fixation); flash messages carry over. */
export function startSession(req: Request, userId: string): Promise<void> {
  const carried: FlashMessage[] = req.session.flash ?? [];
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.userId = userId;
      if (carried.length) req.session.flash = carried;
      req.session.save((e) => (e ? reject(e) : resolve()));
    }),
  );
}

export function endSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
