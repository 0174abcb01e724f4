/**
 * When the gateway tries again: retryable failures only, within the attempt budget, honouring
 * Retry-After exactly (a provider that asks for longer than the cap is not waited out) and never
 * past the call's deadline.
 */
import type { LlmReliability } from '../../../shared/llm';
import { RETRYABLE, type ProviderError } from './provider';

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread but never collapse to zero. */
export function backoffMs(failedAttempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; reason: string | null };

export function decideRetry(error: ProviderError, attempt: number, r: LlmReliability, remainingMs: number, random?: () => number): RetryDecision {
  if (!RETRYABLE.has(error.kind)) return { retry: false, reason: null };
  if (attempt >= r.maxAttempts) return { retry: false, reason: null };
  const asked = error.details.retryAfterMs;
  if (asked !== undefined && asked > r.maxRetryAfterMs) {
    return { retry: false, reason: `the provider asked to wait ${seconds(asked)} (Retry-After), longer than the ${seconds(r.maxRetryAfterMs)} cap` };
  }
  const waitMs = asked ?? backoffMs(attempt, r.initialBackoffMs, r.maxBackoffMs, random);
  if (waitMs >= remainingMs) return { retry: false, reason: `waiting ${seconds(waitMs)} for another attempt would pass the call's deadline` };
  return { retry: true, waitMs };
}

export const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(ms < 1000 ? 2 : 1)} s` : `${Math.round(ms / 1000)} s`);
