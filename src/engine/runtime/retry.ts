/** Retry policy: exponential backoff with jitter, and which errors deserve another attempt. */
import { NodeError } from '../../shared/services';

export interface RetryPolicy {
  /** Total attempts, including the first. 1 = no retries. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const NO_RETRY: RetryPolicy = { maxAttempts: 1, initialDelayMs: 1000, maxDelayMs: 60_000 };

/**
 * Delay before the attempt after `failedAttempt` (1-based). "Equal jitter": half the exponential
 * delay is fixed, half random, so retries spread out but never collapse to zero.
 */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, failedAttempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** A node marks an error permanent with `new NodeError(msg, { permanent: true })`; everything else may be transient. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NodeError) return error.details?.permanent !== true;
  // A config that does not parse will not parse next time either.
  if (error instanceof Error && error.name === 'ZodError') return false;
  return true;
}
