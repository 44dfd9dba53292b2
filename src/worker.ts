import 'reflect-metadata';
import './load-env';
import { createServer } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/config.schema';
import { JsonLogger } from './common/logging/json-logger';
import { SentryReporter } from './common/errors/sentry-reporter';
import { unhandledRejectionListener } from './common/errors/unhandled-rejection';

/**
 * `npm run worker`: runs the jobs only (no pages, no API), with GET /healthz on WORKER_PORT.
 * SIGTERM/SIGINT stop taking work, let running jobs finish or abort them (their slot or job goes
 * back to the queue for another process), close the database and exit.
 */
async function main() {
  let config;
  try {
    config = { ...loadConfig(), jobsEnabled: true };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = new JsonLogger(config.logLevel);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger, abortOnError: false });
  process.on('unhandledRejection', unhandledRejectionListener(logger, app.get(SentryReporter)));
  const health = createServer((req, res) => {
    const ok = req.method === 'GET' && req.url?.split('?')[0] === '/healthz';
    res.writeHead(ok ? 200 : 404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(ok ? { status: 'ok', role: 'worker' } : { statusCode: 404, error: 'Not Found', message: 'Only /healthz is served here.' }));
  });
  await new Promise<void>((resolve) => health.listen(config.workerPort, config.host, resolve));
  const { port } = health.address() as { port: number };
  logger.log(`DevHub worker running jobs; health on http://${config.host}:${port}/healthz`, 'Bootstrap');
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    health.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

main().catch((err) => {
  process.stderr.write(`DevHub worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
