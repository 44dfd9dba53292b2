import { createServer, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Response } from 'express';
import { writeChunk } from './write-chunk';

/** A server whose one handler streams with writeChunk; `done` resolves with how many pieces it wrote. */
async function streamingServer(pieces: number, size: number) {
  let finish!: (written: number) => void;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const server: Server = createServer(async (_req, res) => {
    let written = 0;
    for (let i = 0; i < pieces; i++) {
      if (!(await writeChunk(res as unknown as Response, `${String(i).padStart(8, '0')}${'x'.repeat(size - 8)}`))) break;
      written++;
    }
    res.end();
    finish(written);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, done, port: (server.address() as AddressInfo).port };
}

describe('writeChunk', () => {
  it('delivers every piece in order to a reader that keeps up', async () => {
    const { server, done, port } = await streamingServer(200, 64 * 1024);
    try {
      const body = await new Promise<string>((resolve, reject) =>
        get({ port, host: '127.0.0.1' }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        }).on('error', reject),
      );
      expect(await done).toBe(200);
      expect(body.length).toBe(200 * 64 * 1024);
      expect(body.slice(199 * 64 * 1024, 199 * 64 * 1024 + 8)).toBe('00000199');
    } finally {
      server.close();
    }
  });

  it('stops writing once the client has gone away, instead of waiting for a drain that never comes', async () => {
    const { server, done, port } = await streamingServer(10_000, 1024 * 1024);
    try {
      const req = get({ port, host: '127.0.0.1' }, (res) => res.once('data', () => req.destroy()));
      req.on('error', () => undefined);
      expect(await done).toBeLessThan(10_000);
    } finally {
      server.close();
    }
  });
});
