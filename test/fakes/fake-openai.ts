import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeOpenAiMode = 'good' | 'malformed' | 'unknown_contact' | 'refusal' | 'error500' | 'hang' | 'no_structured_output';

export interface RecordedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** the raw request body, exactly as sent */
  raw: string;
  body: { model?: string; messages?: Array<{ role: string; content: string }>; response_format?: unknown };
}

export interface FakeOpenAi {
  /** OPENAI_BASE_URL for the app (…/v1) */
  baseUrl: string;
  requests: RecordedRequest[];
  mode: FakeOpenAiMode;
  /** milliseconds before a (non-hanging) answer */
  delayMs: number;
  /** prompt_tokens in the answer: a fixed 321, or estimated from the prompt (about 4 characters a token) */
  usage: 'fixed' | 'estimate';
  close(): Promise<void>;
}

/** The aliases (C1, C2…) of the contacts in a digest prompt, in the order they were listed. */
export function aliasesIn(body: RecordedRequest['body']): string[] {
  const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
  return [...user.matchAll(/"alias":\s*"(C\d+)"/g)].map((m) => m[1]!);
}

function baseCompletion(model: string, content: string | null, extra: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null, ...extra } }],
    usage: { prompt_tokens: 321, completion_tokens: 45, total_tokens: 366 },
  };
}

/**
 * An OpenAI-compatible chat completions server on loopback that records every request body and
 * answers in the mode it is set to: a good digest (the candidates in reverse order with a model
 * reason and draft), malformed JSON, an unknown contact alias, a refusal, a 500, or no answer at all
 * (it holds the connection until the client gives up or the server closes).
 */
export async function startFakeOpenAi(mode: FakeOpenAiMode = 'good'): Promise<FakeOpenAi> {
  const hanging = new Set<ServerResponse>();
  const fake: FakeOpenAi = { baseUrl: '', requests: [], mode, delayMs: 0, usage: 'fixed', close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: RecordedRequest['body'] = {};
      try {
        body = JSON.parse(raw);
      } catch {
        /* recorded as is */
      }
      fake.requests.push({ path: req.url ?? '', headers: req.headers, raw, body });
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const send = (status: number, payload: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      const model = body.model ?? 'fake';
      const promptChars = (body.messages ?? []).reduce((n, m) => n + (m.content?.length ?? 0), 0);
      const completion = (m: string, content: string | null, extra: Record<string, unknown> = {}) => {
        const c = baseCompletion(m, content, extra);
        if (fake.usage === 'estimate') c.usage.prompt_tokens = Math.ceil(promptChars / 4);
        return c;
      };
      const answer = () => {
        const goodPriorities = () =>
          aliasesIn(body)
            .reverse()
            .map((alias) => ({ contact: alias, reason: `Model reason for ${alias}.`, draft: `Model draft for ${alias}.` }));
        switch (fake.mode) {
          case 'hang':
            hanging.add(res);
            res.on('close', () => hanging.delete(res));
            return;
          case 'error500':
            return send(500, { error: { message: 'upstream exploded', type: 'server_error' } });
          case 'refusal':
            return send(200, completion(model, null, { refusal: 'I cannot help with that.' }));
          case 'malformed':
            return send(200, completion(model, '{"priorities": [ {"contact": "C1", "reason": '));
          case 'unknown_contact':
            return send(200, completion(model, JSON.stringify({ priorities: [{ contact: 'C99', reason: 'Made up', draft: 'Hi' }] })));
          case 'no_structured_output':
            if (body.response_format) return send(400, { error: { message: 'response_format is not supported', type: 'invalid_request_error' } });
            // without response_format it answers well
            return send(200, completion(model, JSON.stringify({ priorities: goodPriorities() })));
          default:
            return send(200, completion(model, JSON.stringify({ priorities: goodPriorities() })));
        }
      };
      if (fake.delayMs > 0 && fake.mode !== 'hang') setTimeout(answer, fake.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.baseUrl = `http://127.0.0.1:${port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
