/**
 * Test helpers: a gateway on memory stores, a request builder with fast reliability settings,
 * and a journal-like `step` so tests can replay a call the way a resumed run does.
 */
import type { LlmRequest, LlmTarget } from '../../../../shared/llm';
import { LlmGateway, type LlmGatewayOptions } from '../gateway';
import { Prices, loadPriceTable } from '../prices';
import { ReplayBook } from '../providers/replay';
import { memoryCacheStore, memoryLedger } from '../stores';

export const CANARY_KEY = 'sk-canary-0d9e8f7a6b5c4d3e2f1a';

export function testSecrets(values: Record<string, string> = { TEST_KEY: CANARY_KEY }) {
  return {
    async resolveSecretRef(ref: string) {
      const name = /^secret:(\w+)$/.exec(ref)?.[1];
      const value = name ? values[name] : undefined;
      if (!value) throw new Error(`secret "${name ?? ref}" is not set`);
      return value;
    },
    redact: (text: string) => Object.entries(values).reduce((t, [name, v]) => t.split(v).join(`[secret:${name}]`), text),
  };
}

export function testGateway(overrides: Partial<LlmGatewayOptions> = {}) {
  const cache = memoryCacheStore();
  const ledger = memoryLedger();
  const gateway = new LlmGateway({
    secrets: testSecrets(),
    cache,
    ledger,
    prices: new Prices(loadPriceTable()),
    replay: new ReplayBook(),
    breaker: { failureThreshold: 3, cooldownMs: 60_000 },
    progressIntervalMs: 0,
    ...overrides,
  });
  return { gateway, cache, ledger };
}

export function target(baseUrl: string, over: Partial<LlmTarget> = {}): LlmTarget {
  return { provider: 'openai-compatible', baseUrl, model: 'gpt-4o-mini', apiKey: 'secret:TEST_KEY', headers: {}, ...over };
}

/** A request with test-speed reliability: 3 attempts, 20–80 ms backoff, 1 s attempt timeout, 5 s deadline. */
export function request(targets: LlmTarget[], over: Partial<LlmRequest> = {}, reliability: Partial<LlmRequest['reliability']> = {}): LlmRequest {
  return {
    targets,
    system: 'You are terse.',
    prompt: 'Say hello.',
    params: { maxTokens: 64, temperature: 0 },
    output: { kind: 'text', allowTruncated: false },
    stream: false,
    cache: { enabled: false, ttlSeconds: 3600 },
    reliability: {
      maxAttempts: 3,
      initialBackoffMs: 20,
      maxBackoffMs: 80,
      maxRetryAfterMs: 2_000,
      attemptTimeoutMs: 1_000,
      stallTimeoutMs: 300,
      deadlineMs: 5_000,
      ...reliability,
    },
    ...over,
  };
}

/** A journal for one node: memoises by step name like ctx.step.run, counting real executions. */
export function memoStep() {
  const journal = new Map<string, unknown>();
  const runs = new Map<string, number>();
  return {
    journal,
    runs,
    step: async <T,>(name: string, fn: () => Promise<T>): Promise<T> => {
      if (journal.has(name)) return journal.get(name) as T;
      runs.set(name, (runs.get(name) ?? 0) + 1);
      const value = await fn();
      journal.set(name, JSON.parse(JSON.stringify(value)));
      return value;
    },
  };
}
