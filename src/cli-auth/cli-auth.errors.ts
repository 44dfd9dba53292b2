import { HttpException, HttpStatus } from '@nestjs/common';

export type CliAuthErrorCode = 'unknown_code' | 'unknown_request' | 'rate_limited' | 'key_refused';

const STATUS: Record<CliAuthErrorCode, HttpStatus> = {
  unknown_code: HttpStatus.NOT_FOUND,
  unknown_request: HttpStatus.NOT_FOUND,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  key_refused: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** The CLI log-in's one error type: JSON under /api, a message on the /cli/authorize page. */
export class CliAuthError extends HttpException {
  /** read by the exception filter (Retry-After on a 429) */
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: CliAuthErrorCode,
    message: string,
    retryAfterSeconds?: number,
  ) {
    super(message, STATUS[code]);
    if (retryAfterSeconds !== undefined) this.headers = { 'Retry-After': String(retryAfterSeconds) };
  }
}
