import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { describeFault, isDatabaseFault } from '../../database/database-errors';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import type { ApiRateLimitFallback } from '../api/api-rate-limit-fallback';
import type { ApiRequest } from '../api/api-request';
import type { SentryReporter } from '../errors/sentry-reporter';
import { FormError } from '../forms/validate-form';
import { LoginRequiredException } from '../http/signed-in.guard';
import { AppRequest, isApiPath } from '../http/request-types';

export interface HttpExceptionFilterOptions {
  /** counts /api requests refused before any route's guards ran, and adds their rate-limit headers */
  apiRateLimit?: ApiRateLimitFallback;
  /** the body size limit as people read it ("1 MB"), for the 413 message */
  bodyLimitLabel?: string;
  /** unexpected errors (500s) go to Sentry too when SENTRY_DSN is set */
  errorReporter?: SentryReporter;
}

/** /api paths that are not the key-authenticated API: the public profile JSON and the API docs. */
const OUTSIDE_KEYED_API = /^\/api\/(profiles|docs|openapi)(\/|\.|$)/;

/**
 * One place that turns errors into responses: the contract's JSON shape under /api,
 * an HTML error page everywhere else. Unexpected errors are logged (redacted), reported to Sentry
 * when it is set up, and shown as 500 without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly options: HttpExceptionFilterOptions = {}) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<AppRequest>();
    if (res.headersSent) return;

    // an unknown /api route or a body the parser refused: no guard has counted this request yet
    const apiReq = req as ApiRequest;
    const fallback = this.options.apiRateLimit;
    if (fallback && isApiPath(req.path) && apiReq.apiPrincipal === undefined && !res.hasHeader('X-RateLimit-Limit') && !OUTSIDE_KEYED_API.test(req.path)) {
      void fallback
        .apply(apiReq, res)
        .then((overLimit) => this.respond(overLimit ?? exception, req, res))
        .catch(() => this.respond(exception, req, res));
      return;
    }
    this.respond(exception, req, res);
  }

  private respond(exception: unknown, req: AppRequest, res: Response) {
    if (res.headersSent) return;

    if (exception instanceof LoginRequiredException && !isApiPath(req.path)) {
      return res.redirect(303, `/login?next=${encodeURIComponent(exception.next)}`);
    }

    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'Something went wrong on our side. It has been logged; please try again.';
    let extraHeaders: Record<string, string> = {};
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse();
      const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : String(raw ?? exception.message);
      const headers = (exception as HttpException & { headers?: Record<string, string> }).headers;
      if (headers) extraHeaders = headers;
      const parserError = bodyParserCause(exception);
      if (parserError?.type === 'entity.too.large') message = `The request body is larger than the ${this.options.bodyLimitLabel ?? 'size'} limit.`;
      else if (parserError?.type === 'entity.parse.failed') message = `The request body is not valid JSON (${message}).`;
      else if (parserError?.type === 'entity.too.deep') status = HttpStatus.BAD_REQUEST;
    } else if (exception instanceof FormError) {
      status = HttpStatus.BAD_REQUEST;
      message = Object.entries(exception.fields)
        .map(([field, text]) => `${field}: ${text}`)
        .join('; ');
    } else if (isDatabaseFault(exception)) {
      // a read (or a write outside TransactionService) that the database could not serve: not a bug
      status = HttpStatus.SERVICE_UNAVAILABLE;
      message = 'The database is unavailable right now. Please try again in a moment.';
      extraHeaders = { 'Retry-After': '5' };
      this.logger.error(`503: database unavailable (${describeFault(exception)})`);
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      message =
        exception.type === 'entity.too.large'
          ? 'The request body is too large.'
          : exception.type === 'entity.too.deep' && exception instanceof Error
            ? exception.message
            : 'The request body could not be parsed.';
    } else {
      this.logger.error(exception instanceof Error ? `${exception.name}: ${exception.message}` : 'non-error thrown', exception instanceof Error ? exception.stack : undefined);
      this.report(exception, req);
    }
    if (status >= 500 && exception instanceof HttpException) {
      this.logger.error(`${status}: ${message}`);
      this.report(exception, req);
    }

    for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
    const error = STATUS_CODES[status] ?? 'Error';
    if (isApiPath(req.path) || !req.accepts('html')) {
      return res.status(status).json({ statusCode: status, error, message });
    }
    const view = status === 404 ? 'errors/404' : status >= 500 ? 'errors/500' : 'errors/error';
    res.status(status).render(view, { title: status === 404 ? 'Page not found' : error, status, error, message, requestId: req.requestId });
  }

  /** The method and path only: headers, cookies, body and query string never leave the process. */
  private report(exception: unknown, req: AppRequest) {
    this.options.errorReporter?.report(exception, { request: { method: req.method, path: req.path }, requestId: req.requestId });
  }
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && typeof (e as { type?: unknown }).type === 'string';
}

/** body-parser's error, which Nest's Express adapter wraps in an HttpException as its cause */
function bodyParserCause(e: HttpException): { type: string } | null {
  const cause = (e as { cause?: unknown }).cause;
  return isBodyParserError(cause) ? cause : null;
}
