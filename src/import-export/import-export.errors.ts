import { HttpException, HttpStatus } from '@nestjs/common';

export type ImportErrorCode =
  | 'no_file'
  | 'empty'
  | 'too_large'
  | 'too_many_rows'
  | 'wrong_type'
  | 'unrecognized'
  | 'syntax'
  | 'limits'
  | 'not_found'
  | 'expired'
  | 'failed';

const STATUS: Record<ImportErrorCode, number> = {
  no_file: HttpStatus.UNPROCESSABLE_ENTITY,
  empty: HttpStatus.UNPROCESSABLE_ENTITY,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  too_many_rows: HttpStatus.PAYLOAD_TOO_LARGE,
  wrong_type: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  unrecognized: HttpStatus.UNPROCESSABLE_ENTITY,
  syntax: HttpStatus.UNPROCESSABLE_ENTITY,
  limits: HttpStatus.UNPROCESSABLE_ENTITY,
  not_found: HttpStatus.NOT_FOUND,
  expired: HttpStatus.GONE,
  failed: HttpStatus.INTERNAL_SERVER_ERROR,
};

/** The import feature's one error type: a code for tests and logs, a message for the user. */
export class ImportError extends HttpException {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message, STATUS[code]);
  }
}
