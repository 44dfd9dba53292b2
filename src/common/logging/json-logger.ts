import type { LoggerService } from '@nestjs/common';
import type { LogLevel } from '../../config/config.schema';
import { redact, redactValue } from './redact';
import { requestContext } from './request-context';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * One JSON object per line on stdout, with the request id of the request being served.
 * Every message and field goes through redact(): no e-mail addresses, phone numbers or tokens.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  private emit(level: LogLevel, message: unknown, context?: string, extra?: Record<string, unknown>) {
    if (ORDER[level] > ORDER[this.level]) return;
    const ctx = requestContext.getStore();
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      ...(context ? { context } : {}),
      ...(ctx ? { requestId: ctx.requestId } : {}),
      msg: typeof message === 'string' ? redact(message) : redactValue(message),
      ...(extra ? (redactValue(extra) as Record<string, unknown>) : {}),
    };
    this.write(JSON.stringify(entry));
  }

  log(message: unknown, context?: string) {
    this.emit('info', message, context);
  }
  info(message: unknown, extra?: Record<string, unknown>, context?: string) {
    this.emit('info', message, context, extra);
  }
  error(message: unknown, traceOrContext?: string, context?: string) {
    const extra = context && traceOrContext ? { stack: traceOrContext } : undefined;
    this.emit('error', message, context ?? traceOrContext, extra);
  }
  warn(message: unknown, context?: string) {
    this.emit('warn', message, context);
  }
  debug(message: unknown, context?: string) {
    this.emit('debug', message, context);
  }
  verbose(message: unknown, context?: string) {
    this.emit('debug', message, context);
  }
  fatal(message: unknown, context?: string) {
    this.emit('error', message, context);
  }
  request(fields: Record<string, unknown>) {
    this.emit('info', 'request', 'http', fields);
  }
}
