/**
 * The LLM gateway contract, shared by the llm-call node (which builds requests), the engine (which
 * serves them) and the renderer (which shows call records). Pure TypeScript + zod.
 *
 * A call record is outside data for its readers (it comes back through traces), so it has a zod
 * parser here: the canvas reads tokens, cost and latency through `parseCallRecord`, never a cast.
 */
import { z } from 'zod';

export const LLM_PROVIDERS = ['openai-compatible', 'anthropic', 'replay', 'synthetic'] as const;
export type LlmProviderKind = (typeof LLM_PROVIDERS)[number];

/** Providers that answer without a model or a network (recorded or made-up answers): no URL, no key, no cost. */
export function isOfflineProvider(p: LlmProviderKind): p is 'replay' | 'synthetic' {
  return p === 'replay' || p === 'synthetic';
}

/** How a call record is labelled wherever it is shown: the provider for offline answers, else live. */
export function callLabelOf(p: LlmProviderKind): 'live' | 'replay' | 'synthetic' {
  return isOfflineProvider(p) ? p : 'live';
}

/** Where a call goes. Secrets appear only as `secret:NAME` references, resolved by the gateway. */
export interface LlmTarget {
  provider: LlmProviderKind;
  /** Base URL of the API ('' for replay). */
  baseUrl: string;
  model: string;
  /** `secret:NAME`, or null for servers that need no key (local models). */
  apiKey: string | null;
  /** Extra headers (OpenRouter, Portkey…); a value may be a `secret:NAME` reference. */
  headers: Record<string, string>;
}

export interface LlmParams {
  temperature?: number;
  maxTokens: number;
  topP?: number;
  stop?: string[];
  seed?: number;
}

/** How the gateway asks for JSON: the provider's schema mode, its plain JSON mode, or the prompt only. */
export type JsonMode = 'schema' | 'json-object' | 'prompt-only';

export type LlmOutputSpec = { kind: 'text'; allowTruncated: boolean } | { kind: 'json'; schema: Record<string, unknown> | null; mode: JsonMode };

export interface LlmReliability {
  /** Attempts per target, including the first. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is not waited out: the target counts as failed, clearly. */
  maxRetryAfterMs: number;
  /** Non-streamed: the whole response. Streamed: until the first token arrives. */
  attemptTimeoutMs: number;
  /** Streamed: the longest gap between two chunks. */
  stallTimeoutMs: number;
  /** Everything, retries, waits and fallbacks included. */
  deadlineMs: number;
}

export interface LlmRequest {
  /** The primary target first, then fallbacks in order (used when the previous one is exhausted). */
  targets: LlmTarget[];
  system: string;
  prompt: string;
  params: LlmParams;
  output: LlmOutputSpec;
  stream: boolean;
  cache: { enabled: boolean; ttlSeconds: number };
  reliability: LlmReliability;
}

export interface LlmCallOptions {
  flowId: string;
  signal?: AbortSignal;
  /** Streamed text so far (throttled); live only, never journaled. */
  onText?: (partial: string) => void;
  /**
   * Journals one provider exchange: once it resolves, resume returns the stored result instead
   * of asking the provider again. The node passes `ctx.step.run`; the default runs `fn` directly.
   */
  step?: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
}

export interface LlmService {
  call(request: LlmRequest, options: LlmCallOptions): Promise<LlmCallRecord>;
}

// ---- the call record: what the trace keeps for every call ----

const usageSchema = z.object({
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  totalTokens: z.number().nullable(),
});

export const attemptRecordSchema = z.object({
  exchange: z.enum(['initial', 'repair']),
  target: z.number().int(),
  provider: z.enum(LLM_PROVIDERS),
  model: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  outcome: z.enum(['ok', 'error', 'skipped']),
  error: z.object({ kind: z.string(), message: z.string(), status: z.number().optional() }).optional(),
  /** How long the gateway waited after this attempt before the next one. */
  waitMs: z.number().optional(),
  /** The provider's Retry-After, when it sent one. */
  retryAfterMs: z.number().optional(),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;

export const costSchema = z.object({
  usd: z.number().nullable(),
  /** `unknown` is never shown as $0: the model has no price in the table. */
  basis: z.enum(['price-table', 'local', 'cache-hit', 'replay', 'synthetic', 'unknown']),
});
export type LlmCost = z.infer<typeof costSchema>;

export const callRecordSchema = z.object({
  /** "replay" when the answer came from recorded responses: shown wherever the call is. */
  label: z.enum(['live', 'replay', 'synthetic']),
  provider: z.enum(LLM_PROVIDERS),
  model: z.string(),
  endpoint: z.string(),
  /** 0 = the primary target answered; n = the n-th fallback. */
  targetIndex: z.number().int(),
  request: z.object({
    system: z.string(),
    prompt: z.string(),
    params: z.record(z.string(), z.unknown()),
    schema: z.record(z.string(), z.unknown()).nullable(),
    jsonMode: z.string().nullable(),
    /** What the gateway added to the system prompt (the JSON instruction), if anything. */
    instruction: z.string().nullable(),
    stream: z.boolean(),
  }),
  attempts: z.array(attemptRecordSchema),
  response: z.object({
    text: z.string(),
    finishReason: z.string().nullable(),
    truncated: z.boolean(),
    raw: z.unknown(),
  }),
  output: z.unknown(),
  repair: z.object({ attempted: z.boolean(), reason: z.string().nullable(), firstReply: z.string().nullable() }),
  cache: z.object({ enabled: z.boolean(), hit: z.boolean(), key: z.string().nullable() }),
  usage: usageSchema,
  cost: costSchema,
  latencyMs: z.number(),
  ttftMs: z.number().nullable(),
  startedAt: z.number(),
});
export type LlmCallRecord = z.infer<typeof callRecordSchema>;

/** The record inside a node's trace output, or null when the output holds none. */
export function parseCallRecord(output: unknown): LlmCallRecord | null {
  const candidate = typeof output === 'object' && output !== null && 'call' in output ? Reflect.get(output, 'call') : output;
  const parsed = callRecordSchema.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

/** "$0.00042", "$0 (local)", "unknown": never a silent $0. */
export function formatCost(cost: LlmCost): string {
  if (cost.usd === null) return 'cost unknown';
  const usd = cost.usd === 0 ? '$0' : cost.usd < 0.01 ? `$${cost.usd.toPrecision(2)}` : `$${cost.usd.toFixed(4)}`;
  const why = { 'price-table': '', local: ' (local)', 'cache-hit': ' (cache hit)', replay: ' (replay)', synthetic: ' (synthetic)', unknown: '' }[cost.basis];
  return `${usd}${why}`;
}

// ---- secret references ----

export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
export const SECRET_REF = /^secret:([A-Za-z][A-Za-z0-9_]{0,63})$/;

/** The NAME of `secret:NAME`, or null when the text is not a reference. */
export function secretRefName(text: string): string | null {
  return SECRET_REF.exec(text.trim())?.[1] ?? null;
}

/** A literal that looks like a provider key: it belongs in the secrets store, not in a flow file. */
export function looksLikeApiKey(text: string): boolean {
  return /^(Bearer\s+)?(sk-|sk_|sk-ant-|rk-|pk-|AIza|gsk_|xai-|hf_)[A-Za-z0-9_-]{8,}/.test(text.trim());
}
