import 'reflect-metadata';
import './load-env';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/config.schema';
import { JsonLogger } from './common/logging/json-logger';
import { SentryReporter } from './common/errors/sentry-reporter';
import { unhandledRejectionListener } from './common/errors/unhandled-rejection';
import { applyServerTimeouts, installGracefulShutdown } from './common/http/graceful-shutdown';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = new JsonLogger(config.logLevel);
  const app = await createApp(config, logger);
  // logged and reported; the server keeps running (Node's default would exit)
  process.on('unhandledRejection', unhandledRejectionListener(logger, app.get(SentryReporter)));
  const server = await app.listen(config.port, config.host);
  applyServerTimeouts(server);
  installGracefulShutdown({ server, closeApp: () => app.close(), timeoutMs: config.shutdownTimeoutMs, logger, exit: (code) => process.exit(code) });
  const { port } = server.address() as { port: number };
  logger.log(`DevHub listening on http://${config.host}:${port} (public URL ${config.baseUrl})`, 'Bootstrap');
}

main().catch((err) => {
  process.stderr.write(`DevHub failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
