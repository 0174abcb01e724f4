/**
 * The fault matrix, through the real SDKs against the fake provider on 127.0.0.1: every fault
 * the issue lists, with attempt counts, waits, fallbacks, the circuit breaker, deadlines and
 * cancellation checked from the outside (requests the server saw, wall-clock time).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodeError } from '../../../shared/services';
import type { LlmCallRecord } from '../../../shared/llm';
import { startFakeLlmProvider, type FakeLlmProvider } from './testing/fake-llm-provider';
import { CANARY_KEY, request, target, testGateway } from './testing/gateway-harness';

let fake: FakeLlmProvider;
let backup: FakeLlmProvider;
beforeAll(async () => {
  fake = await startFakeLlmProvider();
  backup = await startFakeLlmProvider({ defaultText: 'Hello from the backup.' });
});
afterAll(async () => {
  await fake.close();
  await backup.close();
});
beforeEach(() => {
  fake.reset();
  backup.reset();
});

const flow = { flowId: 'flow-faults' };

async function failure(p: Promise<unknown>): Promise<NodeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(e)}`);
  return e;
}

const gaps = (f: FakeLlmProvider) => f.requests.slice(1).map((r, i) => r.at - f.requests[i]!.at);

describe.each([
  { api: 'openai', stream: false },
  { api: 'openai', stream: true },
  { api: 'anthropic', stream: false },
  { api: 'anthropic', stream: true },
] as const)('$api, stream=$stream', ({ api, stream }) => {
  const primary = () =>
    api === 'openai' ? target(fake.baseUrl) : target(fake.origin, { provider: 'anthropic', model: 'claude-3-5-haiku-20241022' });

  it('answers normally, with tokens, cost and timings on the record', async () => {
    const { gateway } = testGateway();
    const r = await gateway.call(request([primary()], { stream }), flow);
    expect(r.response.text).toBe('Hello from the fake provider.');
    expect(r.label).toBe('live');
    expect(r.attempts).toHaveLength(1);
    expect(r.usage).toEqual({ promptTokens: 12, completionTokens: 8, totalTokens: 20 });
    const price = api === 'openai' ? { input: 0.15, output: 0.6 } : { input: 0.8, output: 4 };
    expect(r.cost.basis).toBe('price-table');
    expect(r.cost.usd).toBeCloseTo((12 * price.input + 8 * price.output) / 1e6, 12);
    expect(r.latencyMs).toBeGreaterThan(0);
    if (stream) expect(r.ttftMs).toBeGreaterThanOrEqual(0);
    else expect(r.ttftMs).toBeNull();
    expect(fake.count()).toBe(1);
    expect(fake.requests[0]!.body['stream'] ?? false).toBe(stream);
  });

  it('honours Retry-After on 429 (±10%), then succeeds', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'status', status: 429, retryAfter: '0.3' });
    const r = await gateway.call(request([primary()], { stream }), flow);
    expect(fake.count()).toBe(2);
    const gap = gaps(fake)[0]!;
    expect(gap).toBeGreaterThanOrEqual(270);
    // The wait itself is asserted exactly below (waitMs); the gap seen by the server also holds
    // event-loop delay, which on a loaded 2-core machine can add tens of milliseconds.
    expect(gap).toBeLessThanOrEqual(450);
    expect(r.attempts.map((a) => [a.outcome, a.error?.status, a.retryAfterMs, a.waitMs])).toEqual([
      ['error', 429, 300, 300],
      ['ok', undefined, undefined, undefined],
    ]);
  });

  it.each([500, 503, 529])('retries %i exactly maxAttempts times, then fails clearly', async (status) => {
    const { gateway } = testGateway();
    fake.enqueue(...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status })));
    const e = await failure(gateway.call(request([primary()], { stream }, { maxAttempts: 3 }), flow));
    expect(fake.count()).toBe(3);
    expect(e.message).toContain(`3 attempts (${status} ${status === 529 ? 'overloaded' : 'server'}`);
    expect(e.details?.permanent).toBe(false);
  });

  it('does not let the SDK retry on its own', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    await failure(gateway.call(request([primary()], { stream }, { maxAttempts: 1 }), flow));
    expect(fake.count()).toBe(1);
  });

  it('times out an attempt with no first byte, and retries it', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'hang' });
    const t0 = Date.now();
    const r = await gateway.call(request([primary()], { stream }, { attemptTimeoutMs: 200 }), flow);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    expect(r.attempts[0]!.error?.kind).toBe('timeout');
    expect(fake.count()).toBe(2);
  });

  it('retries a dropped connection', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'drop' });
    const r = await gateway.call(request([primary()], { stream }), flow);
    expect(r.attempts.map((a) => a.error?.kind ?? 'ok')).toEqual(['network', 'ok']);
  });

  it('retries a response body that is not JSON', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'garbage' });
    const r = await gateway.call(request([primary()], { stream }), flow);
    expect(r.attempts).toHaveLength(2);
    expect(['bad-response', 'cut']).toContain(r.attempts[0]!.error?.kind);
  });

  it('fails a refusal at once, without retrying', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'refusal', text: 'No.' });
    const e = await failure(gateway.call(request([primary()], { stream }), flow));
    expect(e.message).toMatch(/the model refused/);
    expect(e.details?.permanent).toBe(true);
    expect(fake.count()).toBe(1);
  });

  it('reports finish_reason=length as truncation and does not ask again', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: '{"a": 1, "b": [1, 2', finishReason: 'length' });
    const e = await failure(gateway.call(request([primary()], { stream, output: { kind: 'json', schema: null, mode: 'json-object' } }), flow));
    expect(e.message).toMatch(/cut off at the 64-token limit/);
    expect(e.message).toContain('Raw reply: {"a": 1, "b": [1, 2');
    expect(fake.count()).toBe(1);
  });

  it('refuses a huge body past the size cap instead of buffering it', async () => {
    const { gateway } = testGateway({ maxResponseBytes: 256 * 1024 });
    fake.enqueue({ kind: 'huge', bytes: 3 * 1024 * 1024 });
    const e = await failure(gateway.call(request([primary()], { stream: false }), flow));
    expect(e.message).toMatch(/larger than 0\.3 MB/);
    expect(fake.count()).toBe(1);
  });

  it('scrubs a key the server echoes back from the error', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'echo-auth' });
    const e = await failure(gateway.call(request([primary()], { stream }), flow));
    const headers = fake.requests[0]!.headers;
    expect(`${headers['authorization'] ?? ''}${headers['x-api-key'] ?? ''}`).toContain(CANARY_KEY);
    expect(e.message).toContain('[secret:TEST_KEY]');
    expect(e.message).not.toContain(CANARY_KEY);
    expect(e.details?.permanent).toBe(true);
  });
});

describe('streams', () => {
  it('retries a stream cut mid-way, and one that stalls', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'cut', text: 'abcdefghijkl', afterChunks: 2 }, { kind: 'stall', text: 'abcdefghijkl', afterChunks: 2 });
    const t0 = Date.now();
    const r = await gateway.call(request([target(fake.baseUrl)], { stream: true }, { stallTimeoutMs: 250 }), flow);
    expect(r.attempts.map((a) => a.error?.kind ?? 'ok')).toEqual(['cut', 'stall', 'ok']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(r.response.text).toBe('Hello from the fake provider.');
  });

  it('delivers the text as it streams', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'reply', text: 'one two three four', chunks: 4, chunkDelayMs: 20 });
    const seen: string[] = [];
    await gateway.call(request([target(fake.baseUrl)], { stream: true }), { ...flow, onText: (t) => seen.push(t) });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBe('one two three four');
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.startsWith(seen[i - 1]!)).toBe(true);
  });
});

describe('Retry-After, deadlines and cancellation', () => {
  it('honours retry-after-ms too', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'status', status: 429, retryAfterMs: 150 });
    await gateway.call(request([target(fake.baseUrl)]), flow);
    expect(gaps(fake)[0]).toBeGreaterThanOrEqual(135);
    expect(gaps(fake)[0]).toBeLessThanOrEqual(300);
  });

  it('does not wait out a Retry-After beyond the cap: fails at once and says why', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'status', status: 429, retryAfter: '120' });
    const t0 = Date.now();
    const e = await failure(gateway.call(request([target(fake.baseUrl)], {}, { maxRetryAfterMs: 1_000 }), flow));
    expect(Date.now() - t0).toBeLessThan(500);
    expect(e.message).toContain('asked to wait 120 s (Retry-After), longer than the 1.0 s cap');
    expect(fake.count()).toBe(1);
  });

  it.each([
    { name: 'a hanging provider', behaviours: [{ kind: 'hang' as const }], stream: false },
    { name: 'a stalled stream', behaviours: [{ kind: 'stall' as const, text: 'abcdef', afterChunks: 1 }], stream: true },
    { name: 'endless 503s', behaviours: Array.from({ length: 50 }, () => ({ kind: 'status' as const, status: 503 })), stream: false },
  ])('never runs past the deadline + 1 s: $name', async ({ behaviours, stream }) => {
    const { gateway } = testGateway();
    fake.enqueue(...behaviours);
    const deadlineMs = 600;
    const t0 = Date.now();
    const e = await failure(
      gateway.call(request([target(fake.baseUrl)], { stream }, { maxAttempts: 20, attemptTimeoutMs: 10_000, stallTimeoutMs: 10_000, initialBackoffMs: 50, maxBackoffMs: 100, deadlineMs }), flow),
    );
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThanOrEqual(deadlineMs + 1000);
    expect(e.message).toMatch(/deadline/);
  });

  it('stops when the run is cancelled, mid-request and mid-backoff', async () => {
    const { gateway } = testGateway();
    fake.enqueue({ kind: 'hang' });
    const abort = new AbortController();
    setTimeout(() => abort.abort('cancel'), 100);
    const t0 = Date.now();
    const e = await failure(gateway.call(request([target(fake.baseUrl)], {}, { attemptTimeoutMs: 10_000 }), { ...flow, signal: abort.signal }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e.message).toMatch(/cancelled/);
    expect(e.details?.permanent).toBe(true);

    fake.enqueue({ kind: 'status', status: 503 });
    const again = new AbortController();
    setTimeout(() => again.abort('cancel'), 100);
    const slow = await failure(gateway.call(request([target(fake.baseUrl)], {}, { initialBackoffMs: 5_000, maxBackoffMs: 5_000 }), { ...flow, signal: again.signal }));
    expect(slow.message).toMatch(/cancelled/);
  });
});

describe('fallbacks and the circuit breaker', () => {
  it('falls back to the next target when the primary is exhausted', async () => {
    const { gateway } = testGateway();
    fake.enqueue(...Array.from({ length: 2 }, () => ({ kind: 'status' as const, status: 503 })));
    const r = await gateway.call(request([target(fake.baseUrl), target(backup.baseUrl, { model: 'gpt-4.1-mini' })], {}, { maxAttempts: 2 }), flow);
    expect(r.targetIndex).toBe(1);
    expect(r.model).toBe('gpt-4.1-mini');
    expect(r.response.text).toBe('Hello from the backup.');
    expect(r.attempts.map((a) => [a.target, a.outcome])).toEqual([
      [0, 'error'],
      [0, 'error'],
      [1, 'ok'],
    ]);
    expect(fake.count()).toBe(2);
    expect(backup.count()).toBe(1);
  });

  it('opens after repeated failures, skips the endpoint while open, and closes after a good probe', async () => {
    let now = 1_000_000;
    const { gateway } = testGateway({ breaker: { failureThreshold: 2, cooldownMs: 10_000 }, now: () => now });
    const targets = [target(fake.baseUrl), target(backup.baseUrl)];
    const endpoint = `openai-compatible ${fake.baseUrl}`;
    fake.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const first = await gateway.call(request(targets, {}, { maxAttempts: 2 }), flow);
    expect(first.targetIndex).toBe(1);
    expect(gateway.breakers.state(endpoint)).toBe('open');

    const second = await gateway.call(request(targets), flow);
    expect(fake.count()).toBe(2); // the open circuit kept the call away from the primary
    expect(second.attempts[0]).toMatchObject({ target: 0, outcome: 'skipped', error: { kind: 'circuit-open' } });
    expect(second.targetIndex).toBe(1);

    now += 10_001;
    expect(gateway.breakers.state(endpoint)).toBe('half-open');
    const third = await gateway.call(request(targets), flow);
    expect(third.targetIndex).toBe(0);
    expect(fake.count()).toBe(3);
    expect(gateway.breakers.state(endpoint)).toBe('closed');
  });

  it('a failed probe opens the circuit again', async () => {
    let now = 0;
    const { gateway } = testGateway({ breaker: { failureThreshold: 1, cooldownMs: 1_000 }, now: () => now });
    const endpoint = `openai-compatible ${fake.baseUrl}`;
    fake.enqueue({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await failure(gateway.call(request([target(fake.baseUrl)], {}, { maxAttempts: 1 }), flow));
    expect(gateway.breakers.state(endpoint)).toBe('open');
    const skipped = await failure(gateway.call(request([target(fake.baseUrl)]), flow));
    expect(skipped.message).toMatch(/circuit open/);
    now += 1_001;
    await failure(gateway.call(request([target(fake.baseUrl)], {}, { maxAttempts: 1 }), flow));
    expect(gateway.breakers.state(endpoint)).toBe('open');
    expect(fake.count()).toBe(2);
  });

  it('a 429 does not open the circuit (the endpoint is alive, just busy)', async () => {
    const { gateway } = testGateway({ breaker: { failureThreshold: 1, cooldownMs: 60_000 } });
    fake.enqueue({ kind: 'status', status: 429, retryAfter: '0' });
    const r: LlmCallRecord = await gateway.call(request([target(fake.baseUrl)]), flow);
    expect(r.attempts).toHaveLength(2);
    expect(gateway.breakers.state(`openai-compatible ${fake.baseUrl}`)).toBe('closed');
  });
});
