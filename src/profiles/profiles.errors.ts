import { HttpException, HttpStatus, NotFoundException } from '@nestjs/common';

/**
 * Unknown, private and not-yours profiles all look the same from outside: one 404 with one message,
 * so nobody can tell a private profile from a missing one.
 */
export class ProfileNotFoundException extends NotFoundException {
  constructor() {
    super('This page does not exist.');
  }
}

/** 429 with Retry-After and the rate-limit headers (the global filter copies `headers`). */
export class RateLimitedException extends HttpException {
  constructor(readonly headers: Record<string, string>) {
    super('Too many requests. Slow down and try again in a minute.', HttpStatus.TOO_MANY_REQUESTS);
  }
}
