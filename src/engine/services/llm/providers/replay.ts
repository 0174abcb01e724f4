/**
 * The replay provider: answers from recorded responses keyed by the rendered request (model,
 * system, messages, parameters, schema). Recordings come from fixture files — shipped ones in
 * resources/llm-replay/ and the user's in <data folder>/llm-replay/ — which can be written from
 * a run's trace (`recordingsFromTrace`). A request with no recording is a clear error, never a
 * made-up answer. Everything it answers is labelled "replay".
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { callRecordSchema, type LlmCallRecord } from '../../../../shared/llm';
import type { RunTrace } from '../../../../shared/runs';
import { ProviderError, type Provider, type ProviderAnswer, type ProviderRequest } from '../provider';
import { replayKey } from '../keys';

const paramsSchema = z.object({
  maxTokens: z.number(),
  temperature: z.number().optional(),
  topP: z.number().optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().optional(),
});

const entrySchema = z.object({
  request: z.object({
    model: z.string(),
    system: z.string().default(''),
    /** Shorthand for a single user message. */
    prompt: z.string().optional(),
    messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })).optional(),
    params: paramsSchema,
    schema: z.record(z.string(), z.unknown()).nullable().default(null),
  }),
  response: z.object({
    text: z.string(),
    finishReason: z.string().default('stop'),
    usage: z.object({ promptTokens: z.number().nullable(), completionTokens: z.number().nullable() }).default({ promptTokens: null, completionTokens: null }),
  }),
});
export type ReplayEntry = z.input<typeof entrySchema>;

export const replayFixtureSchema = z.object({ version: z.literal(1), description: z.string().optional(), entries: z.array(entrySchema) });
export type ReplayFixture = z.input<typeof replayFixtureSchema>;

export class ReplayBook {
  private readonly answers = new Map<string, ProviderAnswer>();
  private readonly perModel = new Map<string, number>();
  readonly sources: string[] = [];

  /** Reads every *.json fixture in the folders that exist; a broken file is reported, not fatal. */
  static load(dirs: string[], log: (line: string) => void = () => {}): ReplayBook {
    const book = new ReplayBook();
    for (const dir of dirs) {
      if (!existsSync(dir)) continue;
      book.sources.push(dir);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
        try {
          book.addFixture(JSON.parse(readFileSync(join(dir, file), 'utf8')));
        } catch (e) {
          log(`replay fixture ${join(dir, file)} ignored: ${e instanceof z.ZodError ? z.prettifyError(e) : e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    return book;
  }

  addFixture(fixture: unknown): number {
    const parsed = replayFixtureSchema.parse(fixture);
    for (const e of parsed.entries) {
      const messages = e.request.messages ?? [{ role: 'user' as const, content: e.request.prompt ?? '' }];
      const key = replayKey({ model: e.request.model, system: e.request.system, messages, params: e.request.params, schema: e.request.schema });
      if (!this.answers.has(key)) this.perModel.set(e.request.model, (this.perModel.get(e.request.model) ?? 0) + 1);
      const finish = e.response.finishReason;
      this.answers.set(key, {
        text: e.response.text,
        finishReason: finish,
        truncated: finish === 'length' || finish === 'max_tokens',
        refusal: null,
        usage: e.response.usage,
        raw: { replay: true, finishReason: finish },
      });
    }
    return parsed.entries.length;
  }

  /** How many recorded answers this model has (the Test button's check in replay mode). */
  recordedFor(model: string): number {
    return this.perModel.get(model) ?? 0;
  }

  get size(): number {
    return this.answers.size;
  }

  lookup(request: ProviderRequest): ProviderAnswer | undefined {
    return this.answers.get(replayKey({ ...request, schema: request.json?.schema ?? null }));
  }
}

export function createReplayProvider(book: ReplayBook): Provider {
  return {
    kind: 'replay',
    async send(request, options) {
      const answer = book.lookup(request);
      if (!answer) {
        const prompt = request.messages.at(-1)?.content ?? '';
        const where = book.sources.length > 0 ? book.sources.join(', ') : 'resources/llm-replay';
        throw new ProviderError(
          'replay-miss',
          `replay: no recorded response for this request (model "${request.model}", prompt "${prompt.slice(0, 80)}${prompt.length > 80 ? '…' : ''}"); record it from a live run or add it to a fixture in ${where}`,
        );
      }
      options.onChunk?.();
      options.onText?.(answer.text);
      return answer;
    },
  };
}

/**
 * Fixture entries for every successful LLM call in a run's trace: record once, replay offline.
 * "Record for replay" takes live answers only (the default); a demo pack takes every answer a run
 * got (`labels: ['live', 'replay', 'synthetic']`), so a run that was itself replayed plays again.
 */
export function recordingsFromTrace(trace: RunTrace, options: { labels?: readonly LlmCallRecord['label'][] } = {}): ReplayFixture {
  const labels = options.labels ?? ['live'];
  const records: LlmCallRecord[] = [];
  for (const node of Object.values(trace.nodes)) {
    const out = node.output;
    const call = typeof out === 'object' && out !== null && 'call' in out ? callRecordSchema.safeParse(Reflect.get(out, 'call')) : null;
    if (call?.success && labels.includes(call.data.label)) records.push(call.data);
  }
  return {
    version: 1,
    description: `recorded from run ${trace.run.id} of "${trace.run.flowName}"`,
    entries: records.map((r) => ({
      request: { model: r.model, system: r.request.system, prompt: r.request.prompt, params: paramsSchema.parse(r.request.params), schema: r.request.schema },
      response: { text: r.response.text, finishReason: r.response.finishReason ?? 'stop', usage: { promptTokens: r.usage.promptTokens, completionTokens: r.usage.completionTokens } },
    })),
  };
}
