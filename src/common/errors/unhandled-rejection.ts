import type { LoggerService } from '@nestjs/common';
import { describeError } from './sentry-event';
import type { SentryReporter } from './sentry-reporter';

/**
 * The `process.on('unhandledRejection')` listener: logs the rejection and reports it. With a
 * listener Node no longer exits on one; a forgotten `.catch` should not take the server down.
 */
export function unhandledRejectionListener(logger: LoggerService, reporter: SentryReporter) {
  return (reason: unknown): void => {
    const { type, value, stack } = describeError(reason);
    logger.error(`unhandled promise rejection: ${type}: ${value}`, stack, 'Process');
    reporter.report(reason, { tags: { source: 'unhandledRejection' } });
  };
}
