import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DATABASE_URL = 'sqlite::memory:';

/**
 * `npm run openapi [FILE]`: writes the API's OpenAPI document (default ./openapi.json) without
 * serving anything, from an app on a throw-away in-memory database. The CLI's types are generated
 * from it, so a change to the API that the CLI does not follow fails the CLI's build.
 */
async function main() {
  const out = resolve(process.argv[2] ?? 'openapi.json');
  const dir = mkdtempSync(join(tmpdir(), 'devhub-openapi-'));
  // entity modules read DATABASE_URL when they load, so it is set before the app's code is imported
  process.env.DATABASE_URL = DATABASE_URL;
  const { BODY_LIMIT_LABEL, createApp } = await import('./app.setup');
  const { buildApiDocument } = await import('./common/api/openapi');
  const { JsonLogger } = await import('./common/logging/json-logger');
  const { loadConfig } = await import('./config/config.schema');
  try {
    const config = loadConfig({
      NODE_ENV: 'development',
      LOG_LEVEL: 'error',
      DATA_DIR: dir,
      DATABASE_URL,
      JOBS_ENABLED: 'false',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // the server URL in the document is the default one, not this machine's
      BASE_URL: 'http://localhost:3000',
    });
    const app = await createApp(config, new JsonLogger('error'));
    const doc = buildApiDocument(app, config, BODY_LIMIT_LABEL);
    await app.close();
    writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`wrote ${out} (${Object.keys(doc.paths).length} paths)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
