import { HttpException, HttpStatus } from '@nestjs/common';

/** Not found, or not yours: both look the same from outside. */
export class ContactNotFoundError extends HttpException {
  constructor(what = 'Contact') {
    super(`${what} not found.`, HttpStatus.NOT_FOUND);
  }
}
