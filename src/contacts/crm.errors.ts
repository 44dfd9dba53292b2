import { HttpException, HttpStatus } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids are UUIDs, so anything else names no row: callers answer 404 without querying (PostgreSQL
 * would refuse a NUL byte in a parameter with an error, i.e. a 500).
 */
export function isId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

/** Not found, or not yours: both look the same from outside. */
export class ContactNotFoundError extends HttpException {
  constructor(what = 'Contact') {
    super(`${what} not found.`, HttpStatus.NOT_FOUND);
  }
}
