/**
 * One exchange with the model: the primary target, then each fallback in order, each with its
 * own retries; a circuit breaker per endpoint; per-attempt timeout, stall timeout for streams and
 * the call's total deadline, all enforced by aborting the attempt; cancellation from the run.
 * Returns the first good answer with every attempt on the record, or throws ExchangeFailed.
 */
import type { AttemptRecord, LlmReliability, LlmTarget } from '../../../shared/llm';
import { isOfflineProvider } from '../../../shared/llm';
import type { CircuitBreakers } from './circuit-breaker';
import { ProviderError, UNHEALTHY, type Provider, type ProviderAnswer, type ProviderRequest } from './provider';
import { toProviderError } from './providers/http-errors';
import { decideRetry, seconds } from './retry-policy';

export interface ExchangeDeps {
  /** The provider for a target (secrets resolved, clients reused); throws ProviderError('auth') for a missing secret. */
  providerFor(target: LlmTarget): Provider | Promise<Provider>;
  breakers: CircuitBreakers;
  now: () => number;
  random?: () => number;
  redact: (text: string) => string;
}

export interface ExchangeInput {
  exchange: AttemptRecord['exchange'];
  targets: LlmTarget[];
  /** The request for a target (the JSON instruction differs per provider). */
  requestFor(target: LlmTarget): ProviderRequest;
  reliability: LlmReliability;
  deadlineAt: number;
  signal?: AbortSignal;
  onText?: (partial: string) => void;
}

export interface ExchangeResult {
  answer: ProviderAnswer;
  targetIndex: number;
  attempts: AttemptRecord[];
  /** From the start of the answering attempt to its first text. */
  ttftMs: number | null;
}

export class ExchangeFailed extends Error {
  constructor(
    message: string,
    readonly attempts: AttemptRecord[],
    /** Cancelled, deadline: nothing else would have helped. */
    readonly final: 'cancelled' | 'deadline' | null,
  ) {
    super(message);
    this.name = 'ExchangeFailed';
  }
}

/** Identifies an endpoint for the circuit breaker: provider + base URL (replay has one book). */
export const endpointOf = (t: LlmTarget) => `${t.provider} ${t.baseUrl}`;

export async function runExchange(deps: ExchangeDeps, input: ExchangeInput): Promise<ExchangeResult> {
  const attempts: AttemptRecord[] = [];
  const summaries: string[] = [];
  for (let index = 0; index < input.targets.length; index++) {
    const target = input.targets[index]!;
    const endpoint = endpointOf(target);
    const label = `${target.model} at ${isOfflineProvider(target.provider) ? target.provider : target.baseUrl}`;
    const admission = deps.breakers.admit(endpoint);
    if (!admission.ok) {
      const message = `circuit open after repeated failures; next probe in ${seconds(admission.retryInMs)}`;
      attempts.push(record(input, index, target, deps.now(), 0, 'skipped', { kind: 'circuit-open', message }));
      summaries.push(`${label}: ${message}`);
      continue;
    }
    const errors: string[] = [];
    let stopReason: string | null = null;
    for (let attempt = 1; ; attempt++) {
      const startedAt = deps.now();
      const outcome = await attemptOnce(deps, input, target);
      const durationMs = deps.now() - startedAt;
      if (outcome.ok) {
        deps.breakers.succeeded(endpoint);
        attempts.push(record(input, index, target, startedAt, durationMs, 'ok'));
        return { answer: outcome.answer, targetIndex: index, attempts, ttftMs: outcome.ttftMs };
      }
      const error = outcome.error;
      const message = deps.redact(error.message);
      const rec = record(input, index, target, startedAt, durationMs, 'error', { kind: error.kind, message, ...(error.details.status ? { status: error.details.status } : {}) });
      if (error.details.retryAfterMs !== undefined) rec.retryAfterMs = error.details.retryAfterMs;
      attempts.push(rec);
      errors.push(error.details.status ? `${error.details.status} ${error.kind}` : error.kind);
      if (error.kind === 'cancelled' || error.kind === 'deadline') {
        deps.breakers.released(endpoint);
        const why = error.kind === 'cancelled' ? 'the run was cancelled' : `the call passed its ${seconds(input.reliability.deadlineMs)} deadline`;
        throw new ExchangeFailed(`${why} (${label}, attempt ${attempt})`, attempts, error.kind);
      }
      if (UNHEALTHY.has(error.kind)) deps.breakers.failed(endpoint);
      else deps.breakers.succeeded(endpoint);
      const decision = decideRetry(error, attempt, input.reliability, input.deadlineAt - deps.now(), deps.random);
      if (!decision.retry) {
        stopReason = decision.reason ?? (attempt > 1 ? `last: ${message}` : message);
        break;
      }
      rec.waitMs = decision.waitMs;
      await sleep(decision.waitMs, input.signal);
      if (input.signal?.aborted) throw new ExchangeFailed(`the run was cancelled (${label}, waiting to retry)`, attempts, 'cancelled');
    }
    summaries.push(`${label}: ${errors.length} attempt${errors.length === 1 ? '' : 's'} (${errors.join(', ')}) — ${stopReason}`);
  }
  const what = input.targets.length > 1 ? `all ${input.targets.length} targets failed` : 'the call failed';
  throw new ExchangeFailed(`${what}: ${summaries.join('; then ')}`, attempts, null);
}

function record(
  input: ExchangeInput,
  index: number,
  target: LlmTarget,
  startedAt: number,
  durationMs: number,
  outcome: AttemptRecord['outcome'],
  error?: AttemptRecord['error'],
): AttemptRecord {
  return { exchange: input.exchange, target: index, provider: target.provider, model: target.model, startedAt, durationMs, outcome, ...(error ? { error } : {}) };
}

type Outcome = { ok: true; answer: ProviderAnswer; ttftMs: number | null } | { ok: false; error: ProviderError };

/** One attempt, bounded by every timer that applies; the abort reason says which one fired. */
async function attemptOnce(deps: ExchangeDeps, input: ExchangeInput, target: LlmTarget): Promise<Outcome> {
  const r = input.reliability;
  const remaining = input.deadlineAt - deps.now();
  if (remaining <= 0) return { ok: false, error: new ProviderError('deadline', 'no time left before the deadline') };
  const abort = new AbortController();
  const onCancel = () => abort.abort('cancelled');
  if (input.signal?.aborted) return { ok: false, error: new ProviderError('cancelled', 'cancelled') };
  input.signal?.addEventListener('abort', onCancel, { once: true });
  const deadline = setTimeout(() => abort.abort('deadline'), remaining);
  // Until the first chunk the attempt timeout applies; after it, the stall timeout between chunks.
  let idle = setTimeout(() => abort.abort('timeout'), r.attemptTimeoutMs);
  const started = deps.now();
  let chunks = 0;
  let ttftMs: number | null = null;
  const request = input.requestFor(target);
  try {
    const found = deps.providerFor(target);
    const provider = found instanceof Promise ? await found : found;
    const answer = await provider.send(request, {
      signal: abort.signal,
      onChunk: () => {
        if (chunks++ === 0) {
          clearTimeout(idle);
          idle = setTimeout(() => abort.abort('stall'), r.stallTimeoutMs);
        } else idle.refresh();
      },
      onText: (text) => {
        ttftMs ??= deps.now() - started;
        input.onText?.(text);
      },
    });
    return { ok: true, answer, ttftMs: request.stream ? ttftMs : null };
  } catch (e) {
    if (abort.signal.aborted) return { ok: false, error: abortError(abort.signal.reason, r, chunks) };
    const error = toProviderError(e, target.baseUrl);
    // A connection that drops after the stream began is a cut stream, whatever the socket said.
    if (error.kind === 'network' && chunks > 0) return { ok: false, error: new ProviderError('cut', `the stream was cut after ${chunks} chunks (${error.message})`) };
    return { ok: false, error };
  } finally {
    clearTimeout(deadline);
    clearTimeout(idle);
    input.signal?.removeEventListener('abort', onCancel);
  }
}

function abortError(reason: unknown, r: LlmReliability, chunks: number): ProviderError {
  if (reason === 'deadline') return new ProviderError('deadline', `the call passed its ${seconds(r.deadlineMs)} deadline`);
  if (reason === 'stall') return new ProviderError('stall', `the stream stalled: no data for ${seconds(r.stallTimeoutMs)} after ${chunks} chunks`);
  if (reason === 'timeout') return new ProviderError('timeout', `no response within ${seconds(r.attemptTimeoutMs)}`);
  return new ProviderError('cancelled', 'cancelled');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
