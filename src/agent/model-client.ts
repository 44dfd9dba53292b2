import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import OpenAI from 'openai';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { TransactionService } from '../database/transaction.service';
import { AgentModelCache } from './agent-report.entity';
import { ANSWER_SCHEMA, DigestPrompt, estimateTokens } from './digest-prompt';

export type ModelFailure = 'timeout' | 'error' | 'refusal' | 'malformed' | 'unknown_contact';

export class ModelCallError extends Error {
  constructor(
    readonly failure: ModelFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ModelAnswer {
  text: string;
  promptTokens: number;
  completionTokens: number;
  cached: boolean;
}

/** At most `limit` calls at once; the rest wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * The digest's only way to a model: any OpenAI-compatible server (OPENAI_BASE_URL), at most
 * OPENAI_CONCURRENCY calls in flight per instance, OPENAI_TIMEOUT each, no retries (the rules
 * answer instead). Answers are cached by SHA-256 of model + prompt, so the same prompt is never
 * sent twice. Nothing is logged of the prompt or the answer.
 */
@Injectable()
export class ModelClient {
  private readonly logger = new Logger('DigestModel');
  private readonly client?: OpenAI;
  private readonly gate: Semaphore;
  /** servers that refused `response_format: json_schema` once are asked with instructions only */
  private structuredOutput = true;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionService,
  ) {
    this.gate = new Semaphore(config.openai.concurrency);
    if (config.openai.enabled) {
      this.client = new OpenAI({
        apiKey: config.openai.apiKey ?? 'not-needed',
        baseURL: config.openai.baseUrl,
        timeout: config.openai.timeoutMs,
        maxRetries: 0,
      });
    }
  }

  get enabled(): boolean {
    return Boolean(this.client);
  }

  get inFlight(): number {
    return this.gate.inFlight;
  }

  modelFor(plan: string): string {
    return plan === 'pro' || plan === 'premium' ? this.config.openai.modelPaid : this.config.openai.model;
  }

  static cacheKey(model: string, prompt: DigestPrompt): string {
    return createHash('sha256').update(JSON.stringify([model, prompt.system, prompt.user, ANSWER_SCHEMA])).digest('hex');
  }

  async cached(model: string, prompt: DigestPrompt): Promise<ModelAnswer | null> {
    const row = await this.tx.manager.getRepository(AgentModelCache).findOne({ where: { key: ModelClient.cacheKey(model, prompt) } });
    return row ? { text: row.answer, promptTokens: row.promptTokens, completionTokens: row.completionTokens, cached: true } : null;
  }

  /** Stores an answer that passed validation (a bad one is not worth repeating). */
  async remember(model: string, prompt: DigestPrompt, answer: ModelAnswer): Promise<void> {
    const key = ModelClient.cacheKey(model, prompt);
    await this.tx.run(async (m) => {
      const repo = m.getRepository(AgentModelCache);
      if (await repo.exists({ where: { key } })) return;
      await repo.insert({ key, model, answer: answer.text, promptTokens: answer.promptTokens, completionTokens: answer.completionTokens });
    });
  }

  async complete(model: string, prompt: DigestPrompt, signal?: AbortSignal): Promise<ModelAnswer> {
    const client = this.client;
    if (!client) throw new ModelCallError('error', 'no model configured');
    return this.gate.use(async () => {
      // our own deadline, so a server that never answers is told apart from one that failed
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), this.config.openai.timeoutMs);
      const onAbort = () => deadline.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await this.ask(client, model, prompt, deadline.signal);
      } catch (err) {
        throw deadline.signal.aborted ? new ModelCallError('timeout', 'no answer in time') : err;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  private async ask(client: OpenAI, model: string, prompt: DigestPrompt, signal: AbortSignal): Promise<ModelAnswer> {
    {
      const messages = [
        { role: 'system' as const, content: prompt.system },
        { role: 'user' as const, content: prompt.user },
      ];
      const ask = (structured: boolean) =>
        client.chat.completions.create(
          {
            model,
            messages,
            temperature: 0,
            ...(structured ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'digest', strict: true, schema: ANSWER_SCHEMA as unknown as Record<string, unknown> } } } : {}),
          },
          { signal, timeout: this.config.openai.timeoutMs + 1000 },
        );
      let res: OpenAI.Chat.Completions.ChatCompletion;
      try {
        try {
          res = await ask(this.structuredOutput);
        } catch (err) {
          // a server without structured output answers 400 (or 422) to response_format: ask again with the instructions alone
          if (this.structuredOutput && err instanceof OpenAI.APIError && (err.status === 400 || err.status === 422)) {
            this.structuredOutput = false;
            res = await ask(false);
          } else throw err;
        }
      } catch (err) {
        throw this.failure(err);
      }
      const choice = res.choices?.[0];
      const msg = choice?.message as (OpenAI.Chat.Completions.ChatCompletionMessage & { refusal?: string | null }) | undefined;
      if (msg?.refusal || choice?.finish_reason === 'content_filter') throw new ModelCallError('refusal', 'the model declined to answer');
      const text = msg?.content ?? '';
      if (!text.trim()) throw new ModelCallError('malformed', 'empty answer');
      return {
        text,
        promptTokens: res.usage?.prompt_tokens ?? estimateTokens(prompt.system + prompt.user),
        completionTokens: res.usage?.completion_tokens ?? estimateTokens(text),
        cached: false,
      };
    }
  }

  private failure(err: unknown): ModelCallError {
    if (err instanceof OpenAI.APIConnectionTimeoutError || err instanceof OpenAI.APIUserAbortError) {
      return new ModelCallError('timeout', 'no answer in time');
    }
    if (err instanceof OpenAI.APIError) {
      const status = err.status ? `HTTP ${err.status}` : 'no connection';
      this.logger.warn(`model call failed: ${status}`);
      return new ModelCallError('error', status);
    }
    this.logger.warn('model call failed');
    return new ModelCallError('error', err instanceof Error ? err.name : 'unknown error');
  }
}
