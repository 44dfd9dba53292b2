import type { Response } from 'express';
import { yieldToEventLoop } from '../event-loop';

/**
 * Writes one piece of a streamed answer with backpressure: when the socket is full, resolves once it
 * drains; when it took the piece, after a turn of the event loop (a fast reader never makes us wait
 * for 'drain', and other requests still get their turn between pieces). Resolves to false, writing
 * nothing more, once the client has gone away.
 */
export async function writeChunk(res: Response, chunk: string): Promise<boolean> {
  if (gone(res)) return false;
  if (res.write(chunk)) {
    await yieldToEventLoop();
  } else {
    await new Promise<void>((resolve) => {
      const go = () => {
        res.off('drain', go);
        res.off('close', go);
        resolve();
      };
      res.on('drain', go);
      res.on('close', go);
    });
  }
  return !gone(res);
}

const gone = (res: Response) => res.destroyed || !res.socket || res.socket.destroyed;
