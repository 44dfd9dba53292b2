import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/test-app';

export const CLI = join(__dirname, '..', '..', 'cli', 'dist', 'devhub.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A running `devhub` child process; its output so far, and its end. */
export interface CliProcess {
  output(): { stdout: string; stderr: string };
  write(text: string): void;
  end(): void;
  done: Promise<CliResult>;
  kill(): void;
}

/** A home of its own for each test's CLI: config in a temp folder, no colour, nothing inherited from the developer. */
export class CliHome {
  readonly dir = mkdtempSync(join(tmpdir(), 'devhub-cli-'));
  readonly configPath = join(this.dir, '.devhub', 'config.json');

  constructor(readonly baseUrl: string) {}

  env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: this.dir,
      DEVHUB_CONFIG: this.configPath,
      DEVHUB_URL: this.baseUrl,
      NO_COLOR: '1',
      COLUMNS: '200',
      LANG: 'C.UTF-8',
      ...extra,
    };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    return env;
  }

  /** Starts `devhub …` (asynchronously: the app under test runs in this process and must keep answering). */
  start(args: string[], extraEnv: Record<string, string | undefined> = {}): CliProcess {
    return this.spawn(process.execPath, [CLI, ...args], extraEnv);
  }

  /**
   * Starts `devhub …` on a pseudo-terminal (util-linux `script`), so it prompts as it does for a
   * person: stdin and stdout are a TTY. What the test writes is typed into the terminal.
   */
  startInTerminal(args: string[], extraEnv: Record<string, string | undefined> = {}): CliProcess {
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, CLI, ...args].map(quote).join(' ');
    return this.spawn('script', ['-qfec', command, '/dev/null'], { TERM: 'xterm', COLUMNS: '100', LINES: '30', ...extraEnv });
  }

  private spawn(file: string, argv: string[], extraEnv: Record<string, string | undefined>): CliProcess {
    const child = spawn(file, argv, { env: this.env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<CliResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    return { output: () => ({ stdout, stderr }), write: (t) => child.stdin.write(t), end: () => child.stdin.end(), done, kill: () => child.kill() };
  }

  run(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliResult> {
    const p = this.start(args, extraEnv);
    p.end();
    return p.done;
  }

  /** Runs with --json and parses stdout; fails with the CLI's own words when it did not succeed. */
  async json<T = any>(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<T> {
    const r = await this.run([...args, '--json'], extraEnv);
    if (r.code !== 0) throw new Error(`devhub ${args.join(' ')} --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Runs and expects exit 0; returns stdout. */
  async ok(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<string> {
    const r = await this.run(args, extraEnv);
    if (r.code !== 0) throw new Error(`devhub ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Waits until the running CLI has printed something matching `pattern` on stdout or stderr. */
export async function waitForOutput(p: CliProcess, pattern: RegExp, what = String(pattern)): Promise<RegExpExecArray> {
  return waitFor(() => {
    const { stdout, stderr } = p.output();
    return pattern.exec(stdout) ?? pattern.exec(stderr) ?? undefined;
  }, what, 20_000);
}
