/**
 * Anthropic Messages through `@anthropic-ai/sdk` (v1, Node 20). Structured output uses
 * `output_config.format` (JSON schema). The current Messages API (and this SDK's types) no longer
 * take temperature or top_p, and never had a seed: those parameters are not sent to Anthropic.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages/messages';
import { z } from 'zod';
import { ProviderError, type Provider, type ProviderAnswer, type ProviderRequest } from '../provider';
import { toProviderError } from './http-errors';
import { cappedFetch } from './capped-fetch';

const messageSchema = z.object({
  content: z.array(z.object({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish(),
});

const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: z.object({ id: z.string().optional(), model: z.string().optional(), usage: z.object({ input_tokens: z.number().nullish() }).nullish() }) }),
  z.object({ type: z.literal('content_block_delta'), delta: z.object({ type: z.string(), text: z.string().optional() }) }),
  z.object({ type: z.literal('message_delta'), delta: z.object({ stop_reason: z.string().nullish() }), usage: z.object({ output_tokens: z.number().nullish() }).nullish() }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('content_block_start') }),
  z.object({ type: z.literal('content_block_stop') }),
]);

export interface AnthropicTarget {
  baseUrl: string;
  apiKey: string | null;
  headers: Record<string, string>;
}

export function createAnthropicProvider(target: AnthropicTarget, maxResponseBytes: number): Provider {
  const client = new Anthropic({
    apiKey: target.apiKey ?? 'no-key',
    // The SDK appends /v1/messages itself: a base URL copied with /v1 would double it.
    baseURL: target.baseUrl.replace(/\/v1\/?$/, ''),
    maxRetries: 0,
    timeout: 24 * 3_600_000,
    fetch: cappedFetch(maxResponseBytes),
    defaultHeaders: target.headers,
  });
  const what = target.baseUrl;
  return {
    kind: 'anthropic',
    async send(request, options) {
      const body = buildBody(request);
      try {
        if (!request.stream) {
          const message: unknown = await client.messages.create({ ...body, stream: false }, { signal: options.signal });
          return fromMessage(message);
        }
        const stream = await client.messages.create({ ...body, stream: true }, { signal: options.signal });
        return await fromStream(stream, options);
      } catch (e) {
        throw toProviderError(e, what);
      }
    },
  };
}

function buildBody(request: ProviderRequest): MessageCreateParamsBase {
  const p = request.params;
  const body: MessageCreateParamsBase = {
    model: request.model,
    max_tokens: p.maxTokens,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (request.system) body.system = request.system;
  if (p.stop && p.stop.length > 0) body.stop_sequences = p.stop;
  if (request.json?.mode === 'schema' && request.json.schema) body.output_config = { format: { type: 'json_schema', schema: request.json.schema } };
  return body;
}

const truncatedReasons = new Set(['max_tokens', 'model_context_window_exceeded']);

function fromMessage(message: unknown): ProviderAnswer {
  const parsed = messageSchema.safeParse(message);
  if (!parsed.success) throw new ProviderError('bad-response', `the response is not an Anthropic message: ${z.prettifyError(parsed.error).slice(0, 300)}`);
  const m = parsed.data;
  const text = m.content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
  const stop = m.stop_reason ?? null;
  return {
    text,
    finishReason: stop,
    truncated: stop !== null && truncatedReasons.has(stop),
    refusal: stop === 'refusal' ? text || 'the model refused to answer' : null,
    usage: { promptTokens: m.usage?.input_tokens ?? null, completionTokens: m.usage?.output_tokens ?? null },
    raw: message,
  };
}

async function fromStream(stream: AsyncIterable<unknown>, options: { onChunk?: () => void; onText?: (t: string) => void }): Promise<ProviderAnswer> {
  let text = '';
  let stop: string | null = null;
  let stopped = false;
  let events = 0;
  let id: string | null = null;
  let model: string | null = null;
  const usage: { promptTokens: number | null; completionTokens: number | null } = { promptTokens: null, completionTokens: null };
  for await (const raw of stream) {
    options.onChunk?.();
    events++;
    const event = eventSchema.safeParse(raw);
    if (!event.success) continue; // pings and event types this build does not know carry nothing we use
    const e = event.data;
    if (e.type === 'message_start') {
      id = e.message.id ?? null;
      model = e.message.model ?? null;
      usage.promptTokens = e.message.usage?.input_tokens ?? null;
    } else if (e.type === 'content_block_delta' && e.delta.type === 'text_delta' && e.delta.text) {
      text += e.delta.text;
      options.onText?.(text);
    } else if (e.type === 'message_delta') {
      stop = e.delta.stop_reason ?? stop;
      if (e.usage?.output_tokens !== undefined && e.usage.output_tokens !== null) usage.completionTokens = e.usage.output_tokens;
    } else if (e.type === 'message_stop') {
      stopped = true;
    }
  }
  if (!stopped) throw new ProviderError('cut', `the stream ended after ${events} events without message_stop`);
  return {
    text,
    finishReason: stop,
    truncated: stop !== null && truncatedReasons.has(stop),
    refusal: stop === 'refusal' ? text || 'the model refused to answer' : null,
    usage,
    raw: { stream: true, id, model, events, stop_reason: stop, usage },
  };
}
