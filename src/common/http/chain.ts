import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Several Express middlewares run in order as one, so a single check in front of them can skip the
 * whole group (app.setup.ts: /api skips the page-only chain). An error, passed on or thrown, goes to
 * `next` as Express would pass it.
 */
export function chain(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let i = 0;
    const step = (err?: unknown): void => {
      // as Express reads next(): any truthy value but 'route' is an error ('router' leaves, as there)
      if (err && err !== 'route') return next(err);
      const handler = handlers[i++];
      if (!handler) return next();
      try {
        const result = handler(req, res, step) as unknown;
        if (result instanceof Promise) result.catch((e: unknown) => step(e || new Error('Rejected promise')));
      } catch (e) {
        step(e || new Error('middleware threw'));
      }
    };
    step();
  };
}
