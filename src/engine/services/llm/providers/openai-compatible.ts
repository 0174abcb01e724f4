/**
 * OpenAI-compatible chat completions through the official `openai` SDK (v6, Node 20): OpenAI,
 * Ollama, vLLM, LM Studio, llama.cpp server, OpenRouter, Portkey… — anything with a base URL.
 * Responses are parsed with zod: a compatible server is outside data, whatever the SDK's types say.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import { z } from 'zod';
import { ProviderError, type Provider, type ProviderAnswer, type ProviderRequest } from '../provider';
import { toProviderError } from './http-errors';
import { cappedFetch } from './capped-fetch';

const usageSchema = z.object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() }).nullish();

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: usageSchema,
});

const chunkSchema = z.object({
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }).nullish(), finish_reason: z.string().nullish() })),
  usage: usageSchema,
  id: z.string().optional(),
  model: z.string().optional(),
});

export interface OpenAiTarget {
  baseUrl: string;
  apiKey: string | null;
  headers: Record<string, string>;
}

export function createOpenAiCompatibleProvider(target: OpenAiTarget, maxResponseBytes: number): Provider {
  const client = new OpenAI({
    // Local servers need no key, but the SDK insists on one (and would read OPENAI_API_KEY otherwise).
    apiKey: target.apiKey ?? 'no-key',
    baseURL: target.baseUrl,
    maxRetries: 0,
    // The gateway owns timeouts (per attempt, stall, deadline) through the abort signal.
    timeout: 24 * 3_600_000,
    fetch: cappedFetch(maxResponseBytes),
    defaultHeaders: target.headers,
  });
  // api.openai.com refuses `max_tokens` for reasoning models; most compatible servers know only `max_tokens`.
  const officialOpenAi = /^https:\/\/api\.openai\.com(\/|$)/.test(target.baseUrl);
  const what = `${target.baseUrl}`;

  return {
    kind: 'openai-compatible',
    async send(request, options) {
      const body = buildBody(request, officialOpenAi);
      try {
        if (!request.stream) {
          const completion: unknown = await client.chat.completions.create({ ...body, stream: false }, { signal: options.signal });
          return fromCompletion(completion);
        }
        const stream = await client.chat.completions.create(
          { ...body, stream: true, stream_options: { include_usage: true } },
          { signal: options.signal },
        );
        return await fromStream(stream, options);
      } catch (e) {
        throw toProviderError(e, what);
      }
    },
  };
}

function buildBody(request: ProviderRequest, officialOpenAi: boolean): ChatCompletionCreateParamsBase {
  const p = request.params;
  const messages: ChatCompletionCreateParamsBase['messages'] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const m of request.messages) messages.push({ role: m.role, content: m.content });
  const body: ChatCompletionCreateParamsBase = { model: request.model, messages };
  if (officialOpenAi) body.max_completion_tokens = p.maxTokens;
  else body.max_tokens = p.maxTokens;
  if (p.temperature !== undefined) body.temperature = p.temperature;
  if (p.topP !== undefined) body.top_p = p.topP;
  if (p.stop && p.stop.length > 0) body.stop = p.stop;
  if (p.seed !== undefined) body.seed = p.seed;
  if (request.json?.mode === 'schema' && request.json.schema) {
    body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: request.json.schema, strict: false } };
  } else if (request.json && request.json.mode !== 'prompt-only') {
    body.response_format = { type: 'json_object' };
  }
  return body;
}

function fromCompletion(completion: unknown): ProviderAnswer {
  const parsed = completionSchema.safeParse(completion);
  if (!parsed.success) throw new ProviderError('bad-response', `the response is not a chat completion: ${z.prettifyError(parsed.error).slice(0, 300)}`);
  const choice = parsed.data.choices[0]!;
  const finishReason = choice.finish_reason ?? null;
  return {
    text: choice.message.content ?? '',
    finishReason,
    truncated: finishReason === 'length',
    refusal: choice.message.refusal ?? null,
    usage: { promptTokens: parsed.data.usage?.prompt_tokens ?? null, completionTokens: parsed.data.usage?.completion_tokens ?? null },
    raw: completion,
  };
}

async function fromStream(stream: AsyncIterable<unknown>, options: { onChunk?: () => void; onText?: (t: string) => void }): Promise<ProviderAnswer> {
  let text = '';
  let refusal = '';
  let finishReason: string | null = null;
  let usage: { promptTokens: number | null; completionTokens: number | null } = { promptTokens: null, completionTokens: null };
  let chunks = 0;
  let id: string | undefined;
  let model: string | undefined;
  for await (const raw of stream) {
    options.onChunk?.();
    const chunk = chunkSchema.safeParse(raw);
    if (!chunk.success) throw new ProviderError('bad-response', `a stream chunk is not a chat completion chunk: ${z.prettifyError(chunk.error).slice(0, 300)}`);
    chunks++;
    id ??= chunk.data.id;
    model ??= chunk.data.model;
    const choice = chunk.data.choices[0];
    if (choice?.delta?.content) {
      text += choice.delta.content;
      options.onText?.(text);
    }
    if (choice?.delta?.refusal) refusal += choice.delta.refusal;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
    if (chunk.data.usage) usage = { promptTokens: chunk.data.usage.prompt_tokens ?? null, completionTokens: chunk.data.usage.completion_tokens ?? null };
  }
  // A stream that ends without a finish reason was cut short, even if the socket closed politely.
  if (finishReason === null) throw new ProviderError('cut', `the stream ended after ${chunks} chunks without a finish reason`);
  return {
    text,
    finishReason,
    truncated: finishReason === 'length',
    refusal: refusal || null,
    usage,
    raw: { stream: true, id: id ?? null, model: model ?? null, chunks, finish_reason: finishReason, usage },
  };
}
