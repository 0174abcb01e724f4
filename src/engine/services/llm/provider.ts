/**
 * What every provider adapter does: one request in the gateway's shape, one normalised answer
 * out, or a ProviderError saying what kind of failure it was. Adapters never retry (the SDKs'
 * own retries are off): the gateway is the one retry loop.
 */
import type { JsonMode, LlmParams, LlmProviderKind } from '../../../shared/llm';

export interface ProviderMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface ProviderRequest {
  model: string;
  system: string;
  messages: ProviderMessage[];
  params: LlmParams;
  /** Ask for JSON: the provider's schema mode, its JSON mode, or nothing (the prompt asks). */
  json: { mode: JsonMode; schema: Record<string, unknown> | null } | null;
  stream: boolean;
}

export interface ProviderAnswer {
  text: string;
  /** As the provider said it ('stop', 'length', 'end_turn', 'max_tokens', …). */
  finishReason: string | null;
  truncated: boolean;
  /** The model declined; its explanation. */
  refusal: string | null;
  usage: { promptTokens: number | null; completionTokens: number | null };
  /** The provider's response (non-streamed) or a summary of the stream. */
  raw: unknown;
}

export interface ProviderCallOptions {
  signal: AbortSignal;
  /** Every chunk of a stream (also empty ones): the gateway's stall timer listens. */
  onChunk?: () => void;
  /** Text so far, when streaming. */
  onText?: (partial: string) => void;
}

export interface Provider {
  readonly kind: LlmProviderKind;
  send(request: ProviderRequest, options: ProviderCallOptions): Promise<ProviderAnswer>;
}

export type FailureKind =
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'network'
  | 'timeout'
  | 'stall'
  | 'cut'
  | 'bad-response'
  | 'too-large'
  | 'auth'
  | 'client'
  | 'refusal'
  | 'replay-miss'
  | 'circuit-open'
  | 'deadline'
  | 'cancelled';

/** Worth another attempt at the same target. */
export const RETRYABLE: ReadonlySet<FailureKind> = new Set(['rate-limit', 'overloaded', 'server', 'network', 'timeout', 'stall', 'cut', 'bad-response']);
/** Counted by the circuit breaker: the endpoint itself is unwell (a 429 or a 4xx says nothing about its health). */
export const UNHEALTHY: ReadonlySet<FailureKind> = new Set(['overloaded', 'server', 'network', 'timeout', 'stall', 'cut']);

export class ProviderError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The response body grew past the cap; raised by cappedFetch, classified as `too-large`. */
export class ResponseTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the response is larger than ${(maxBytes / 1024 / 1024).toFixed(1)} MB`);
    this.name = 'ResponseTooLargeError';
  }
}
