import 'reflect-metadata';
import './load-env';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { ConfigError, loadConfig } from './config/config.schema';
import { JsonLogger } from './common/logging/json-logger';
import { DEMO_EMAIL, DEMO_PASSWORD, DemoSeedService } from './seed/demo-seed.service';

/** `npm run seed`: migrations first, then the demo account. */
async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: new JsonLogger('warn') });
  try {
    const result = await app.get(DemoSeedService).run();
    process.stdout.write(`Demo account ${result.created ? 'created' : 'refreshed'}: log in at ${config.baseUrl}/login as ${DEMO_EMAIL} / ${DEMO_PASSWORD}\n`);
    if (result.profile) process.stdout.write(`Its public profile: ${config.baseUrl}/@${result.profile}\n`);
  } finally {
    await app.close();
  }
}

main().catch((err) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `Seed failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
