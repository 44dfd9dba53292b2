import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';

export const DEFAULT_URL = 'http://localhost:3000';

export interface StoredConfig {
  url?: string;
  token?: string;
  /** the name the key was created under, shown by `devhub whoami` */
  keyName?: string;
}

export interface Settings {
  url: string;
  token: string | null;
  /** where the token came from, so `logout` can say what it could not forget */
  tokenSource: 'env' | 'config' | null;
  configPath: string;
}

export function configPath(env = process.env): string {
  return env.DEVHUB_CONFIG || join(homedir(), '.devhub', 'config.json');
}

export function readConfig(path = configPath()): StoredConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`Cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as StoredConfig) : {};
  } catch {
    throw new CliError(`${path} is not valid JSON. Fix it, or delete it and run \`devhub login\` again.`);
  }
}

/** Written whole to a temp file with mode 0600, then renamed over the old one: never half-written, never readable by others. */
export function writeConfig(config: StoredConfig, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function removeConfigToken(path = configPath()): void {
  const config = readConfig(path);
  delete config.token;
  delete config.keyName;
  if (Object.keys(config).length) writeConfig(config, path);
  else rmSync(path, { force: true });
}

export const normaliseUrl = (url: string) => url.trim().replace(/\/+$/, '');

/** DEVHUB_URL and DEVHUB_TOKEN win over the file; --url wins over both. */
export function loadSettings(urlOption?: string, env = process.env): Settings {
  const path = configPath(env);
  const stored = readConfig(path);
  const url = normaliseUrl(urlOption || env.DEVHUB_URL || stored.url || DEFAULT_URL);
  if (!/^https?:\/\/[^/]+/i.test(url)) throw new CliError(`Not an http(s) URL: ${url}`, 2);
  const token = env.DEVHUB_TOKEN || stored.token || null;
  return { url, token, tokenSource: env.DEVHUB_TOKEN ? 'env' : stored.token ? 'config' : null, configPath: path };
}
