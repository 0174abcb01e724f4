import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, NO_RETRY } from './retry';
import { NodeError } from '../../shared/services';

describe('retry policy', () => {
  const policy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000 };

  it('doubles per attempt, capped, with equal jitter (half fixed, half random)', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(300);
  });

  it('never waits zero and never exceeds the cap', () => {
    for (let a = 1; a < 40; a++) {
      const d = backoffDelay(policy, a, Math.random);
      expect(d).toBeGreaterThanOrEqual(50);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('retries transient errors, not permanent ones or bad config', () => {
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true);
    expect(isRetryable(new NodeError('503 from upstream'))).toBe(true);
    expect(isRetryable(new NodeError('bad request', { permanent: true }))).toBe(false);
    const zodLike = Object.assign(new Error('invalid'), { name: 'ZodError' });
    expect(isRetryable(zodLike)).toBe(false);
    expect(NO_RETRY.maxAttempts).toBe(1);
  });
});
