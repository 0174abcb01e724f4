/**
 * The LLM gateway: every LLM call in Millrace goes through `call`. Around the exchange itself
 * (./exchange.ts: targets, retries, breakers, timeouts) it adds the exact-match cache, the daily
 * budget, structured output with one repair attempt, accounting, and the call record.
 *
 * Each exchange runs inside `options.step` (the node passes `ctx.step.run`): once an answer is
 * journaled it is never requested again on resume, and spend is counted only where a provider
 * was really asked.
 */
import { performance } from 'node:perf_hooks';
import { NodeError } from '../../../shared/services';
import type { AttemptRecord, LlmCallOptions, LlmCallRecord, LlmCost, LlmRequest, LlmService, LlmTarget } from '../../../shared/llm';
import { callLabelOf, isOfflineProvider } from '../../../shared/llm';
import { CircuitBreakers } from './circuit-breaker';
import { ExchangeFailed, runExchange, type ExchangeDeps, type ExchangeResult } from './exchange';
import { cacheKey } from './keys';
import { Prices } from './prices';
import type { Provider, ProviderMessage, ProviderRequest } from './provider';
import { ProviderPool, type SecretResolver } from './provider-pool';
import { ReplayBook } from './providers/replay';
import { SchemaChecker, jsonInstruction, repairInstruction } from './structured';
import { utcDay, type CachedAnswer, type LlmCacheStore, type UsageLedger } from './stores';

export interface LlmGatewayOptions {
  secrets: SecretResolver;
  cache: LlmCacheStore;
  ledger: UsageLedger;
  prices: Prices;
  replay: ReplayBook;
  /** The flow's daily budget in USD, if it has one. */
  budgetFor?: (flowId: string) => number | undefined;
  breaker?: { failureThreshold: number; cooldownMs: number };
  maxResponseBytes?: number;
  /** Streamed text reaches the node at most this often. */
  progressIntervalMs?: number;
  now?: () => number;
  random?: () => number;
  /** Replace providers (benchmarks measuring the gateway alone). */
  providerFactory?: (target: LlmTarget, apiKey: string | null, headers: Record<string, string>) => Provider;
}

/** What one exchange journals: enough to rebuild the record without asking again. */
interface ExchangeStep {
  answer: CachedAnswer;
  targetIndex: number;
  attempts: AttemptRecord[];
  ttftMs: number | null;
  cacheHit: boolean;
  cost: LlmCost;
}

export class LlmGateway implements LlmService {
  readonly breakers: CircuitBreakers;
  private readonly pool: ProviderPool;
  private readonly checker = new SchemaChecker();
  private readonly now: () => number;
  private readonly exchangeDeps: ExchangeDeps;

  constructor(private readonly o: LlmGatewayOptions) {
    this.now = o.now ?? Date.now;
    this.breakers = new CircuitBreakers({ ...(o.breaker ?? { failureThreshold: 5, cooldownMs: 30_000 }), now: this.now });
    this.pool = new ProviderPool({ secrets: o.secrets, replay: o.replay, maxResponseBytes: o.maxResponseBytes ?? 8 * 1024 * 1024, factory: o.providerFactory });
    this.exchangeDeps = {
      providerFor: (t) => this.pool.get(t),
      breakers: this.breakers,
      now: this.now,
      random: o.random,
      redact: (t) => o.secrets.redact(t),
    };
  }

  /** The recordings the replay provider answers from (new ones can be added while running). */
  get replayBook(): ReplayBook {
    return this.o.replay;
  }

  /** Hands held cache entries and spend to the database (before the engine closes it). */
  flush(): void {
    this.o.cache.flush?.();
    this.o.ledger.flush?.();
  }

  async call(request: LlmRequest, options: LlmCallOptions): Promise<LlmCallRecord> {
    const startedAt = this.now();
    const t0 = performance.now();
    const primary = request.targets[0];
    if (!primary) throw new NodeError('no model configured', { field: 'model', permanent: true });
    const schema = request.output.kind === 'json' ? request.output.schema : null;
    if (schema) this.compileSchema(schema);
    const step = options.step ?? runDirectly;
    const onText = options.onText;
    const live = (text: string) => onText?.((this.o.secrets.redactLive ?? this.o.secrets.redact).call(this.o.secrets, text));
    const progress = onText ? throttle(live, this.o.progressIntervalMs ?? 100) : NO_PROGRESS;
    const deadlineAt = this.now() + request.reliability.deadlineMs;
    const messages: ProviderMessage[] = [{ role: 'user', content: request.prompt }];
    try {
      const first = await step('llm:exchange-1', () => this.exchange(request, messages, 'initial', options, deadlineAt, progress.emit));
      let final = first;
      let firstReply: string | null = null;
      let repairReason: string | null = null;
      let verdict = this.judge(first.answer, request);
      if (!verdict.ok && verdict.repairable) {
        firstReply = first.answer.text;
        repairReason = verdict.problem;
        const repairMessages: ProviderMessage[] = [...messages, { role: 'assistant', content: first.answer.text }, { role: 'user', content: repairInstruction(verdict.problem, schema) }];
        const repair = await step('llm:exchange-2-repair', () => this.exchange(request, repairMessages, 'repair', options, deadlineAt, progress.emit, first.targetIndex));
        final = repair;
        verdict = this.judge(repair.answer, request);
        if (!verdict.ok) verdict = { ...verdict, problem: `${verdict.problem} — also after one repair attempt (first problem: ${repairReason})` };
      }
      if (!verdict.ok) throw new NodeError(`${verdict.problem}. Raw reply: ${clip(final.answer.text, 2000)}`, { permanent: true });
      const record = this.record(request, first, final, verdict.value, { firstReply, repairReason }, startedAt, performance.now() - t0);
      if (request.cache.enabled && !final.cacheHit && final.targetIndex === 0 && !isOfflineProvider(request.targets[0]!.provider)) {
        const key = record.cache.key!;
        this.o.cache.put(key, final.answer, this.now(), this.now() + request.cache.ttlSeconds * 1000);
      }
      return record;
    } catch (e) {
      throw this.failure(e);
    } finally {
      progress.stop();
    }
  }

  /** One exchange (or a cache hit), priced and counted; the unit the node journals. */
  private async exchange(
    request: LlmRequest,
    messages: ProviderMessage[],
    kind: AttemptRecord['exchange'],
    options: LlmCallOptions,
    deadlineAt: number,
    onText: (text: string) => void,
    fromTarget = 0,
  ): Promise<ExchangeStep> {
    const targets = request.targets.slice(fromTarget);
    const requestFor = (t: LlmTarget) => this.providerRequest(request, messages, t);
    if (kind === 'initial' && request.cache.enabled) {
      const hit = this.o.cache.get(cacheKey(request.targets[0]!, requestFor(request.targets[0]!)), this.now());
      if (hit) return { answer: hit.answer, targetIndex: 0, attempts: [], ttftMs: null, cacheHit: true, cost: { usd: 0, basis: 'cache-hit' } };
    }
    this.checkBudget(options.flowId, request.targets[0]!);
    let result: ExchangeResult = await runExchange(this.exchangeDeps, {
      exchange: kind,
      targets,
      requestFor,
      reliability: request.reliability,
      deadlineAt,
      signal: options.signal,
      onText,
    });
    if (fromTarget > 0) {
      result = { ...result, targetIndex: result.targetIndex + fromTarget, attempts: result.attempts.map((a) => ({ ...a, target: a.target + fromTarget })) };
    }
    const target = request.targets[result.targetIndex]!;
    const a = result.answer;
    // A reply that repeats a secret (a model shown a key, a proxy echoing headers) must not carry it into the journal.
    const text = this.o.secrets.redact(a.text);
    const raw = text === a.text ? capRaw(a.raw, a.text) : (JSON.parse(this.o.secrets.redact(JSON.stringify(a.raw) ?? 'null')) as unknown);
    const refusal = a.refusal === null ? null : this.o.secrets.redact(a.refusal);
    const answer: CachedAnswer = { text, finishReason: a.finishReason, truncated: a.truncated, refusal, usage: a.usage, raw };
    const cost = this.o.prices.cost(target, answer.usage);
    this.o.ledger.add(options.flowId, utcDay(this.now()), { costUsd: cost.usd, promptTokens: answer.usage.promptTokens, completionTokens: answer.usage.completionTokens });
    return { answer, targetIndex: result.targetIndex, attempts: result.attempts, ttftMs: result.ttftMs, cacheHit: false, cost };
  }

  private providerRequest(request: LlmRequest, messages: ProviderMessage[], target: LlmTarget): ProviderRequest {
    const out = request.output;
    return {
      model: target.model,
      system: joinSystem(request.system, this.instructionFor(request, target)),
      messages,
      params: request.params,
      json: out.kind === 'json' ? { mode: out.mode, schema: out.schema } : null,
      stream: request.stream,
    };
  }

  /** Providers without a schema mode are told in the prompt; replay needs no telling (its key is the request as written). */
  private instructionFor(request: LlmRequest, target: LlmTarget): string | null {
    const out = request.output;
    if (out.kind !== 'json' || target.provider === 'replay') return null;
    if (out.mode === 'schema' && out.schema) return null;
    return jsonInstruction(out.schema);
  }

  private judge(answer: CachedAnswer, request: LlmRequest): { ok: true; value: unknown } | { ok: false; problem: string; repairable: boolean } {
    if (answer.refusal) return { ok: false, problem: `the model refused: ${clip(answer.refusal, 500)}`, repairable: false };
    const out = request.output;
    if (answer.truncated && (out.kind === 'json' || !out.allowTruncated)) {
      // Asking again with the same limit would be cut off again: say what to change instead.
      return {
        ok: false,
        problem: `the reply was cut off at the ${request.params.maxTokens}-token limit (finish reason "${answer.finishReason}"); raise Max tokens or ask for less`,
        repairable: false,
      };
    }
    if (out.kind === 'text') return { ok: true, value: null };
    const checked = this.checker.check(answer.text, out.schema);
    return checked.ok ? checked : { ok: false, problem: checked.problem, repairable: true };
  }

  private checkBudget(flowId: string, primary: LlmTarget) {
    const budget = this.o.budgetFor?.(flowId);
    if (budget === undefined) return;
    if (!this.o.prices.knowsCostOf(primary)) {
      throw new NodeError(
        `this flow has a daily LLM budget, but "${primary.model}" has no price in the price table, so the budget cannot be kept; add its price to llm-prices.json or remove the budget`,
        { permanent: true, field: 'model' },
      );
    }
    const spent = this.o.ledger.spent(flowId, utcDay(this.now()));
    if (spent >= budget) {
      throw new NodeError(
        `the flow's daily LLM budget of $${budget.toFixed(2)} is used up ($${spent.toFixed(4)} spent today, UTC); new LLM calls are refused until tomorrow — raise the budget in the flow settings to continue`,
        { permanent: true },
      );
    }
  }

  private compileSchema(schema: Record<string, unknown>) {
    try {
      this.checker.validator(schema);
    } catch (e) {
      throw new NodeError(`the output schema is not a valid JSON Schema: ${e instanceof Error ? e.message : String(e)}`, { field: 'schema', permanent: true });
    }
  }

  private record(
    request: LlmRequest,
    first: ExchangeStep,
    final: ExchangeStep,
    output: unknown,
    repair: { firstReply: string | null; repairReason: string | null },
    startedAt: number,
    latencyMs: number,
  ): LlmCallRecord {
    const target = request.targets[final.targetIndex]!;
    const exchanges = final === first ? [first] : [first, final];
    const sum = (f: (s: ExchangeStep) => number | null) => (exchanges.some((s) => f(s) === null) ? null : exchanges.reduce((n, s) => n + f(s)!, 0));
    const promptTokens = sum((s) => s.answer.usage.promptTokens);
    const completionTokens = sum((s) => s.answer.usage.completionTokens);
    const costUsd = sum((s) => s.cost.usd);
    const out = request.output;
    const primary = request.targets[0]!;
    return {
      label: callLabelOf(target.provider),
      provider: target.provider,
      model: target.model,
      endpoint: isOfflineProvider(target.provider) ? target.provider : target.baseUrl,
      targetIndex: final.targetIndex,
      request: {
        system: request.system,
        prompt: request.prompt,
        params: { ...request.params },
        schema: out.kind === 'json' ? out.schema : null,
        jsonMode: out.kind === 'json' ? out.mode : null,
        instruction: this.instructionFor(request, target),
        stream: request.stream,
      },
      attempts: [...first.attempts, ...(final === first ? [] : final.attempts)],
      response: { text: final.answer.text, finishReason: final.answer.finishReason, truncated: final.answer.truncated, raw: final.answer.raw },
      output: out.kind === 'json' ? output : null,
      repair: { attempted: repair.firstReply !== null, reason: repair.repairReason, firstReply: repair.firstReply },
      cache: {
        enabled: request.cache.enabled,
        hit: first.cacheHit,
        key: request.cache.enabled ? cacheKey(primary, this.providerRequest(request, [{ role: 'user', content: request.prompt }], primary)) : null,
      },
      usage: { promptTokens, completionTokens, totalTokens: promptTokens !== null && completionTokens !== null ? promptTokens + completionTokens : null },
      cost: { usd: costUsd, basis: costUsd === null ? 'unknown' : final.cost.basis },
      latencyMs: Math.round(latencyMs * 100) / 100,
      ttftMs: first.ttftMs,
      startedAt,
    };
  }

  /** Every failure leaves as a NodeError a user can act on, with secrets scrubbed from it. */
  private failure(e: unknown): Error {
    const redact = (t: string) => this.o.secrets.redact(t);
    if (e instanceof ExchangeFailed) {
      const permanent = e.final !== null || e.attempts.every((a) => a.error?.kind === 'auth' || a.error?.kind === 'client' || a.error?.kind === 'replay-miss');
      return new NodeError(redact(`LLM call: ${e.message}`), { permanent });
    }
    if (e instanceof NodeError) return new NodeError(redact(e.message), e.details);
    return new NodeError(redact(`LLM call failed: ${e instanceof Error ? e.message : String(e)}`));
  }
}

const runDirectly = <T,>(_name: string, fn: () => Promise<T>): Promise<T> => fn();
const NO_PROGRESS = { emit: (_text: string) => {}, stop: () => {} };

/** Emits at most every `ms`, always delivering the latest text (a trailing emit catches the end). */
function throttle(fn: (text: string) => void, ms: number) {
  let last = 0;
  let pending: string | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (pending !== null) fn(pending);
    pending = null;
    last = Date.now();
  };
  return {
    emit(text: string) {
      pending = text;
      if (timer) return;
      const wait = ms - (Date.now() - last);
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

const joinSystem = (system: string, instruction: string | null) => (instruction ? (system ? `${system}\n\n${instruction}` : instruction) : system);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);

const RAW_CAP = 64 * 1024;

/**
 * Raw provider responses go into the journal and the trace: keep them bounded. The raw response
 * is the reply text plus a little metadata, so only a long reply is worth measuring (measuring
 * every response was a tenth of the gateway's cost per call).
 */
function capRaw(raw: unknown, text: string): unknown {
  if (text.length < RAW_CAP / 4) return raw;
  const json = JSON.stringify(raw) ?? 'null';
  return json.length > RAW_CAP ? { truncated: true, bytes: json.length, start: json.slice(0, 4096) } : raw;
}

