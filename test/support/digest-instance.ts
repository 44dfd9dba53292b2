/**
 * A second DevHub instance in its own process, for "two instances build each digest once":
 * boots the app on DATABASE_URL (no HTTP), prints "ready", waits for "go <ISO time>" on stdin,
 * runs one run-daily-agent pass at that time and prints its counts as JSON.
 * node -r ./test/support/swc-register.js test/support/digest-instance.ts
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { DigestService } from '../../src/agent/digest.service';
import { createApp } from '../../src/app.setup';
import { JsonLogger } from '../../src/common/logging/json-logger';
import { loadConfig } from '../../src/config/config.schema';

async function main() {
  const config = loadConfig(process.env);
  const app = await createApp(config, new JsonLogger('error', () => undefined));
  await app.init();
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const m = /^go (\S+)$/.exec(line.trim());
    if (!m) continue;
    const counts = await app.get(DigestService).runDaily(new Date(m[1]!));
    process.stdout.write(`${JSON.stringify(counts)}\n`);
    break;
  }
  await app.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
