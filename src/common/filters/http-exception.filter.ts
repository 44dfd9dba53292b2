import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { FormError } from '../forms/validate-form';
import { LoginRequiredException } from '../http/signed-in.guard';
import { AppRequest, isApiPath } from '../http/request-types';

/**
 * One place that turns errors into responses: the contract's JSON shape under /api,
 * an HTML error page everywhere else. Unexpected errors are logged (redacted) and shown as 500
 * without internals.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<AppRequest>();
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
    } else if (exception instanceof FormError) {
      status = HttpStatus.BAD_REQUEST;
      message = Object.entries(exception.fields)
        .map(([field, text]) => `${field}: ${text}`)
        .join('; ');
    } else if (isBodyParserError(exception)) {
      status = exception.status;
      message = exception.type === 'entity.too.large' ? 'The request body is too large.' : 'The request body could not be parsed.';
    } else {
      this.logger.error(exception instanceof Error ? `${exception.name}: ${exception.message}` : 'non-error thrown', exception instanceof Error ? exception.stack : undefined);
    }
    if (status >= 500 && exception instanceof HttpException) this.logger.error(`${status}: ${message}`);

    for (const [k, v] of Object.entries(extraHeaders)) res.setHeader(k, v);
    const error = STATUS_CODES[status] ?? 'Error';
    if (isApiPath(req.path) || !req.accepts('html')) {
      return res.status(status).json({ statusCode: status, error, message });
    }
    const view = status === 404 ? 'errors/404' : status >= 500 ? 'errors/500' : 'errors/error';
    res.status(status).render(view, { title: status === 404 ? 'Page not found' : error, status, error, message, requestId: req.requestId });
  }
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && typeof (e as { type?: unknown }).type === 'string';
}
