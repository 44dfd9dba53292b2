import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, Injectable, PayloadTooLargeException } from '@nestjs/common';
import type { Response } from 'express';
import { SentryReporter } from '../common/errors/sentry-reporter';
import { HttpExceptionFilter } from '../common/filters/http-exception.filter';
import { ImportError } from './import-export.errors';
import { importTooLargeError } from './import.service';
import { uploadPageModel } from './import-views';

/**
 * Turns what can go wrong with an upload (multer's size and field limits, an unreadable file)
 * into the upload page with the message beside the file field. Everything else (CSRF, sign-in)
 * goes to the app's own filter, which logs and reports what nobody expected. (A failed confirm is
 * reported by ImportService itself, with the error behind it.)
 */
@Catch()
@Injectable()
export class ImportUploadFilter implements ExceptionFilter {
  private readonly fallback: HttpExceptionFilter;

  constructor(reporter: SentryReporter) {
    this.fallback = new HttpExceptionFilter({ errorReporter: reporter });
  }

  catch(exception: unknown, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse<Response>();
    let error: ImportError | null = null;
    if (exception instanceof ImportError) error = exception;
    else if (exception instanceof PayloadTooLargeException) error = importTooLargeError();
    else if (exception instanceof BadRequestException) {
      error = new ImportError('no_file', 'The upload could not be read. Choose one CSV or vCard file and send the form again.');
    }
    if (!error || res.headersSent) return this.fallback.catch(exception, host);
    // the rest of an oversized upload is not worth reading
    if (error.code === 'too_large') res.setHeader('Connection', 'close');
    res.status(error.getStatus()).render('import-export/upload', uploadPageModel(error.message));
  }
}
