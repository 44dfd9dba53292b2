import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { AppRequest } from '../http/request-types';
import type { JsonLogger } from './json-logger';
import { requestContext } from './request-context';

const VALID_ID = /^[A-Za-z0-9._-]{8,100}$/;

/** Gives every request an id (kept from X-Request-Id when sane), logs one line when it ends. */
export function requestLogger(logger: JsonLogger) {
  return (req: AppRequest, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && VALID_ID.test(incoming) ? incoming : randomUUID();
    req.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // the path only: query strings can carry reset tokens or search terms with personal data
      requestContext.run({ requestId }, () =>
        logger.request({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }),
      );
    });
    requestContext.run({ requestId }, () => next());
  };
}
