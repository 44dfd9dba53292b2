import { HttpException, HttpStatus } from '@nestjs/common';

/** The GitHub feature's errors, turned into JSON or an error page by the global filter. */
export class GithubNotFoundError extends HttpException {
  constructor(what = 'Insight') {
    super(`${what} not found.`, HttpStatus.NOT_FOUND);
  }
}
