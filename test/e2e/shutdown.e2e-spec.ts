import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/test-app';

const ROOT = join(__dirname, '..', '..');

interface Server {
  child: ChildProcess;
  port: number;
  out: () => string;
  exit: Promise<{ code: number | null; signal: string | null }>;
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'devhub-shutdown-'));
  const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'devhub.db')}`, LOG_LEVEL: 'info', JOBS_ENABLED: 'false', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const port = await waitFor(() => Number(/listening on http:\/\/[^:]+:(\d+)/.exec(out)?.[1]) || undefined, 'the server to listen', 150_000);
  return { child, port, out: () => out, exit };
}

/** A raw socket, so a test can send half a request; `closed` resolves when the server ends it. */
function rawSocket(port: number) {
  const socket = connect(port, '127.0.0.1');
  let data = '';
  socket.on('data', (d) => (data += d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.on('close', () => r()));
  const ready = new Promise<void>((r) => socket.on('connect', () => r()));
  return { socket: socket as Socket, received: () => data, closed, ready };
}

describe('graceful shutdown', () => {
  // child processes and restarts: a budget for a loaded machine, not a speed check
  jest.setTimeout(180_000);

  it('finishes requests in flight, closes idle keep-alive sockets at once, cuts a stalled client at SHUTDOWN_TIMEOUT and exits 0', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT: '2s' });
    const order: string[] = [];

    const idle = rawSocket(server.port);
    await idle.ready;
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    await waitFor(() => idle.received().includes('"status":"ok"'), 'the keep-alive answer');
    void idle.closed.then(() => order.push('idle keep-alive socket closed'));

    const stalled = rawSocket(server.port);
    await stalled.ready;
    stalled.socket.write('POST /api/contacts HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n');
    void stalled.closed.then(() => order.push('stalled client cut'));

    const finishing = rawSocket(server.port);
    await finishing.ready;
    finishing.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');

    server.child.kill('SIGTERM');
    await waitFor(() => server.out().includes('no new connections'), 'the shutdown to start');
    // the request in flight completes after the signal, and is answered
    finishing.socket.write('\r\n');
    await waitFor(() => finishing.received().includes('"status":"ok"'), 'the in-flight request to be answered');
    expect(finishing.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(finishing.received().toLowerCase()).toContain('connection: close');
    order.push('in-flight request answered');

    // no new connections
    const late = rawSocket(server.port);
    const refused = await Promise.race([late.ready.then(() => false), late.closed.then(() => true)]);
    expect(refused).toBe(true);

    const { code } = await server.exit;
    expect(code).toBe(0);
    expect(order[order.length - 1]).toBe('stalled client cut');
    expect(order).toContain('idle keep-alive socket closed');
    expect(order.indexOf('idle keep-alive socket closed')).toBeLessThan(order.indexOf('stalled client cut'));
    expect(server.out()).toContain('shutdown deadline of 2000 ms reached');
    expect(server.out()).toContain('database closed');
    expect(server.out()).toContain('shut down on SIGTERM');
  });

  it('refuses a SHUTDOWN_TIMEOUT that is not a duration with one clear line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devhub-shutdown-'));
    const child = spawn(process.execPath, ['-r', './test/support/swc-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${join(dir, 'x.db')}`, SHUTDOWN_TIMEOUT: 'soon' },
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    expect(err.trim()).toBe('Invalid configuration: SHUTDOWN_TIMEOUT must be a duration from 0 ms to 600 s such as 30s or 500ms (got "soon")');
  });
});
