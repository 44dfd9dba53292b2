import 'reflect-metadata';
import '../load-env';
import { ConfigError, databaseUrl as databaseUrlFrom } from '../config/config.schema';
import { BackupError, backupDatabase, restoreDatabase } from './database-backup';

const USAGE = `Usage:
  npm run backup -- FILE              write a consistent copy of DATABASE_URL's database to FILE (safe while DevHub runs)
  npm run restore -- FILE [--force]   put FILE back into DATABASE_URL's database; it must be empty unless --force
                                      (--force replaces everything in it: stop DevHub first)`;

/** `npm run backup -- FILE` and `npm run restore -- FILE [--force]`. Exit codes: 0 done, 1 failed, 2 usage, 78 settings. */
export async function runBackupCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const force = rest.includes('--force');
  const files = rest.filter((a) => a !== '--force');
  if ((command !== 'backup' && command !== 'restore') || files.length !== 1 || (force && command === 'backup') || files[0].startsWith('-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let databaseUrl: string;
  try {
    // only DATABASE_URL: a backup needs no secrets, and must not generate any
    databaseUrl = databaseUrlFrom(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const started = Date.now();
  try {
    const result = command === 'backup' ? await backupDatabase(databaseUrl, files[0]) : await restoreDatabase(databaseUrl, files[0], { force });
    const verb = command === 'backup' ? 'Backed up' : 'Restored';
    process.stdout.write(
      `${verb} the ${result.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} database ${command === 'backup' ? 'to' : 'from'} ${result.file} (${formatBytes(result.bytes)}, ${Date.now() - started} ms)\n`,
    );
    if (command === 'restore') process.stdout.write('Start DevHub: pending migrations, if the backup is older than this version, run at start-up.\n');
    return 0;
  } catch (err) {
    if (err instanceof BackupError) {
      process.stderr.write(`${command} failed: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

function formatBytes(n: number): string {
  return n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)} MB` : `${Math.ceil(n / 1000)} kB`;
}

if (require.main === module) {
  runBackupCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
