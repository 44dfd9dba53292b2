import type { Server } from 'node:http';
import type { LoggerService } from '@nestjs/common';

/** A client gets this long to send a request's headers, and this long for the whole request (a 5 MB import upload included). */
export const HEADERS_TIMEOUT_MS = 15_000;
export const REQUEST_TIMEOUT_MS = 60_000;
/** Idle keep-alive sockets are closed after this (below a typical load balancer's 60 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** So a slow or stalled client cannot hold a socket (and a shutdown) for minutes. */
export function applyServerTimeouts(server: Server) {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
}

export interface ShutdownSteps {
  server: Server;
  /** the app's own shutdown: flush buffers, close the database (Nest's app.close()) */
  closeApp: (signal: string) => Promise<void>;
  timeoutMs: number;
  logger: LoggerService;
  exit: (code: number) => void;
}

/**
 * SIGTERM / SIGINT: stop accepting connections, close idle keep-alive sockets at once, let requests
 * in flight finish (their responses say `Connection: close`), and when `timeoutMs` has passed destroy
 * whatever sockets are left (a client that sent half a request, a slow download). Then the app's own
 * shutdown runs (buffered profile views are written, the database closed) and the process exits 0.
 * A second signal, or an app shutdown that hangs, exits at once with 1.
 */
export function installGracefulShutdown(steps: ShutdownSteps, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']) {
  let stopping = false;
  const { server, logger } = steps;
  server.on('request', (_req, res) => {
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
  });
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`second ${signal}: exiting now`, 'Shutdown');
      return steps.exit(1);
    }
    stopping = true;
    const started = Date.now();
    logger.log(`${signal}: no new connections; waiting up to ${steps.timeoutMs} ms for requests in flight`, 'Shutdown');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), steps.timeoutMs);
    });
    // keep-alive sockets that finish their request while we wait are closed as soon as they go idle
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const outcome = await Promise.race([closed.then(() => 'drained' as const), deadline]);
    clearInterval(sweep);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      logger.warn(`shutdown deadline of ${steps.timeoutMs} ms reached: closing the connections still open`, 'Shutdown');
      server.closeAllConnections();
      await closed;
    }
    // the app's own shutdown gets a bounded time too; it never keeps the process alive
    const hard = setTimeout(() => {
      logger.error('application shutdown did not finish in 10 s: exiting', 'Shutdown');
      steps.exit(1);
    }, 10_000);
    hard.unref();
    try {
      await steps.closeApp(signal);
    } catch (err) {
      logger.error(`application shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 'Shutdown');
      clearTimeout(hard);
      return steps.exit(1);
    }
    clearTimeout(hard);
    logger.log(`shut down on ${signal} in ${Date.now() - started} ms`, 'Shutdown');
    steps.exit(0);
  };
  for (const s of signals) process.on(s, (sig: NodeJS.Signals) => void shutdown(sig));
}
