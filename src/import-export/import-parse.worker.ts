/**
 * Runs in a worker thread (see import-parser.ts): decoding and parsing an upload is CPU work that,
 * on the main thread, kept every other request waiting (a hostile 5 MB file held /healthz for
 * seconds). Answers each message with the parsed document or the import error to show.
 */
import { parentPort } from 'node:worker_threads';
import { decodeUpload, readImportDocument } from './import-document';
import { ImportError } from './import-export.errors';
import type { ParseReply, ParseRequest } from './import-parser';

parentPort!.on('message', (msg: ParseRequest) => {
  let reply: ParseReply;
  try {
    const text = msg.text ?? decodeUpload(Buffer.from(msg.bytes!.buffer, msg.bytes!.byteOffset, msg.bytes!.byteLength), msg.filename);
    reply = { id: msg.id, ok: true, text: msg.text === undefined ? text : undefined, doc: readImportDocument(text, msg.filename) };
  } catch (err) {
    reply =
      err instanceof ImportError
        ? { id: msg.id, ok: false, code: err.code, message: err.message }
        : { id: msg.id, ok: false, code: 'failed', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err), unexpected: true };
  }
  parentPort!.postMessage(reply);
});
