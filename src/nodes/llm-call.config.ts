/**
 * The llm-call node's configuration and how it becomes a gateway request. Kept apart from the
 * node definition because the engine's Test button and the inspector use it too.
 */
import { z } from 'zod';
import { templateString } from '../shared/config-fields';
import { renderFieldText } from '../shared/template';
import { LLM_PROVIDERS, isOfflineProvider, looksLikeApiKey, secretRefName, type LlmProviderKind, type LlmRequest, type LlmTarget } from '../shared/llm';

const KEY_IN_FLOW = 'looks like an API key: store it as a secret ("New secret…" at the API key field) and write secret:NAME here (flows never hold key values)';

/** An API key field: empty (no key) or a `secret:NAME` reference — never the key itself. */
const secretRef = z
  .string()
  .max(200)
  .default('')
  .superRefine((v, ctx) => {
    if (v.trim() === '') return;
    if (looksLikeApiKey(v)) ctx.addIssue({ code: 'custom', message: KEY_IN_FLOW });
    else if (secretRefName(v) === null) ctx.addIssue({ code: 'custom', message: 'write secret:NAME (the name of a stored secret), or leave empty for servers without keys' });
  });

export const MISSING_KEY =
  'this provider needs an API key: pick or add a secret here, point Base URL at a local server (Detect local servers), or use the synthetic or replay provider';

/** Loopback servers (Ollama, LM Studio, llama.cpp) take no key; hosted APIs do. */
export function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || host.startsWith('127.');
  } catch {
    return false;
  }
}

export function needsApiKey(t: { provider: LlmProviderKind; baseUrl: string }): boolean {
  if (isOfflineProvider(t.provider)) return false;
  return t.provider === 'anthropic' || !isLocalUrl(t.baseUrl);
}

const baseUrl = z
  .string()
  .max(2000)
  .default('https://api.openai.com/v1')
  .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'must start with http:// or https://');

export const SCHEMA_FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;

export const schemaFieldSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and "_", not starting with a digit'),
  type: z.enum(SCHEMA_FIELD_TYPES).default('string'),
  description: z.string().max(500).default(''),
  required: z.boolean().default(true),
});
export type SchemaField = z.infer<typeof schemaFieldSchema>;

const fallbackSchema = z.object({
  provider: z.enum(LLM_PROVIDERS).default('openai-compatible'),
  baseUrl,
  model: z.string().min(1, 'required').max(200),
  apiKey: secretRef,
});

const ms = (min: number, max: number, def: number) => z.number().int().min(min).max(max).default(def);

export const llmCallConfig = z
  .object({
    provider: z.enum(LLM_PROVIDERS).default('openai-compatible'),
    baseUrl,
    model: z.string().min(1, 'required').max(200).default('gpt-4o-mini'),
    apiKey: secretRef,
    headers: z
      .array(
        z.object({
          name: z.string().min(1, 'header name required').max(200).regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'),
          value: z.string().max(2000).refine((v) => !looksLikeApiKey(v), KEY_IN_FLOW),
        }),
      )
      .max(20)
      .default([]),
    system: templateString().default('You are a concise assistant.'),
    prompt: templateString({ required: true }).default('Summarise in one sentence:\n{{ $json }}'),
    temperature: z.number().min(0).max(2).default(0.2),
    maxTokens: z.number().int().min(1).max(200_000).default(512),
    topP: z.number().min(0).max(1).nullable().default(null),
    seed: z.number().int().nullable().default(null),
    stop: z.array(z.string().min(1).max(100)).max(4).default([]),
    output: z.enum(['text', 'json']).default('text'),
    jsonMode: z.enum(['schema', 'json-object', 'prompt-only']).default('schema'),
    schemaFields: z.array(schemaFieldSchema).max(50).default([]),
    /** A raw JSON Schema; when not empty it is used instead of the field list. */
    schemaJson: z.string().max(100_000).default(''),
    allowTruncated: z.boolean().default(false),
    stream: z.boolean().default(true),
    cache: z.boolean().default(false),
    cacheTtlSeconds: z.number().int().min(1).max(365 * 86_400).default(86_400),
    fallbacks: z.array(fallbackSchema).max(5).default([]),
    maxAttempts: z.number().int().min(1).max(10).default(3),
    initialBackoffMs: ms(0, 600_000, 500),
    maxBackoffMs: ms(0, 3_600_000, 20_000),
    maxRetryAfterMs: ms(0, 3_600_000, 60_000),
    attemptTimeoutMs: ms(100, 3_600_000, 60_000),
    stallTimeoutMs: ms(100, 3_600_000, 30_000),
    deadlineMs: ms(100, 86_400_000, 180_000),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.schemaFields.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['schemaFields', i, 'name'], message: `"${f.name}" is listed twice` });
      names.add(f.name);
    });
    if (cfg.schemaJson.trim() !== '') {
      const parsed = parseSchemaJson(cfg.schemaJson);
      if ('error' in parsed) ctx.addIssue({ code: 'custom', path: ['schemaJson'], message: parsed.error });
    }
    if (!isOfflineProvider(cfg.provider) && cfg.baseUrl === '') ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'required' });
    // Found before a run, not after three failed attempts: a hosted API without a key.
    if (needsApiKey(cfg) && cfg.apiKey.trim() === '') ctx.addIssue({ code: 'custom', path: ['apiKey'], message: MISSING_KEY });
    cfg.fallbacks.forEach((f, i) => {
      if (needsApiKey(f) && f.apiKey.trim() === '') ctx.addIssue({ code: 'custom', path: ['fallbacks', i, 'apiKey'], message: MISSING_KEY });
    });
  });

export type LlmCallConfig = z.infer<typeof llmCallConfig>;

function parseSchemaJson(text: string): { schema: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const object = z.record(z.string(), z.unknown()).safeParse(value);
  if (!object.success || Array.isArray(value)) return { error: 'a JSON Schema is an object, like {"type": "object", "properties": {…}}' };
  return { schema: object.data };
}

/** The JSON Schema the node asks for: the raw one if given, else one built from the field list (null = any JSON). */
export function outputSchema(cfg: Pick<LlmCallConfig, 'schemaJson' | 'schemaFields'>): Record<string, unknown> | null {
  if (cfg.schemaJson.trim() !== '') {
    const parsed = parseSchemaJson(cfg.schemaJson);
    return 'schema' in parsed ? parsed.schema : null;
  }
  if (cfg.schemaFields.length === 0) return null;
  return {
    type: 'object',
    properties: Object.fromEntries(cfg.schemaFields.map((f) => [f.name, { type: f.type, ...(f.description ? { description: f.description } : {}) }])),
    required: cfg.schemaFields.filter((f) => f.required).map((f) => f.name),
    additionalProperties: false,
  };
}

function targetOf(t: { provider: LlmTarget['provider']; baseUrl: string; model: string; apiKey: string }, headers: Record<string, string>): LlmTarget {
  return { provider: t.provider, baseUrl: isOfflineProvider(t.provider) ? '' : t.baseUrl.replace(/\/+$/, ''), model: t.model, apiKey: t.apiKey.trim() || null, headers };
}

/** The gateway request for one input: templates rendered against `scope` (see withJson). */
export function buildLlmRequest(cfg: LlmCallConfig, scope: unknown): LlmRequest {
  const headers = Object.fromEntries(cfg.headers.map((h) => [h.name.toLowerCase(), h.value]));
  return {
    targets: [targetOf(cfg, headers), ...cfg.fallbacks.map((f) => targetOf(f, {}))],
    system: renderFieldText(cfg.system, scope, 'system'),
    prompt: renderFieldText(cfg.prompt, scope, 'prompt'),
    params: {
      maxTokens: cfg.maxTokens,
      temperature: cfg.temperature,
      ...(cfg.topP !== null ? { topP: cfg.topP } : {}),
      ...(cfg.stop.length > 0 ? { stop: cfg.stop } : {}),
      ...(cfg.seed !== null ? { seed: cfg.seed } : {}),
    },
    output: cfg.output === 'json' ? { kind: 'json', schema: outputSchema(cfg), mode: cfg.jsonMode } : { kind: 'text', allowTruncated: cfg.allowTruncated },
    stream: cfg.stream,
    cache: { enabled: cfg.cache, ttlSeconds: cfg.cacheTtlSeconds },
    reliability: {
      maxAttempts: cfg.maxAttempts,
      initialBackoffMs: cfg.initialBackoffMs,
      maxBackoffMs: cfg.maxBackoffMs,
      maxRetryAfterMs: cfg.maxRetryAfterMs,
      attemptTimeoutMs: cfg.attemptTimeoutMs,
      stallTimeoutMs: cfg.stallTimeoutMs,
      deadlineMs: cfg.deadlineMs,
    },
  };
}

/** A one-token request to the primary target (the inspector's Test button). */
export function connectionTestRequest(cfg: LlmCallConfig): LlmRequest {
  // The prompts are replaced below: render none of the node's templates (they need run data).
  const base = buildLlmRequest({ ...cfg, system: '', prompt: '' }, {});
  return {
    ...base,
    targets: base.targets.slice(0, 1),
    system: '',
    prompt: 'Reply with the single word OK.',
    params: { maxTokens: 1 },
    output: { kind: 'text', allowTruncated: true },
    stream: false,
    cache: { enabled: false, ttlSeconds: 1 },
    reliability: { ...base.reliability, maxAttempts: 1, attemptTimeoutMs: Math.min(base.reliability.attemptTimeoutMs, 30_000), deadlineMs: 30_000 },
  };
}
