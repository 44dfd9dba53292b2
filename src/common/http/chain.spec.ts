import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { chain } from './chain';

const req = {} as Request;
const res = {} as Response;

function run(...handlers: RequestHandler[]): Promise<unknown> {
  return new Promise((resolve) => chain(...handlers)(req, res, ((err?: unknown) => resolve(err ?? 'done')) as NextFunction));
}

describe('chain', () => {
  it('runs the handlers in order, then continues', async () => {
    const seen: number[] = [];
    const step = (n: number): RequestHandler => (_q, _s, next) => {
      seen.push(n);
      next();
    };
    await expect(run(step(1), step(2), step(3))).resolves.toBe('done');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops at an error passed on, thrown, or rejected, and hands it to next', async () => {
    const after = jest.fn();
    const boom = new Error('boom');
    await expect(run((_q, _s, next) => next(boom), after)).resolves.toBe(boom);
    const throws: RequestHandler = () => {
      throw boom;
    };
    const rejects: RequestHandler = async () => {
      throw boom;
    };
    await expect(run(throws, after)).resolves.toBe(boom);
    await expect(run(rejects, after)).resolves.toBe(boom);
    expect(after).not.toHaveBeenCalled();
  });

  it('leaves the response to a handler that ends it without calling next', async () => {
    const next = jest.fn();
    const after = jest.fn();
    chain((_q, _s) => undefined, after)(req, res, next);
    await new Promise((r) => setImmediate(r));
    expect(next).not.toHaveBeenCalled();
    expect(after).not.toHaveBeenCalled();
  });
});
