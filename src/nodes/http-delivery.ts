/**
 * Delivery with retries for the webhook and Slack sinks, through `ctx.services.http`:
 * 429, 5xx and network errors are retried with equal-jitter backoff, or after exactly the
 * `Retry-After` the server asked for (capped); any other 4xx fails at once with the body shown.
 * Every attempt is recorded (status or error, wait) for the trace. Pure: no Node imports.
 */
import type { HttpRequest, HttpResponse, HttpService } from '../shared/services';
import { NodeError } from '../shared/services';

export interface DeliveryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this ends the delivery with a message saying so. */
  maxRetryAfterMs: number;
  signal?: AbortSignal;
  now: () => number;
  /** Builds the request per attempt (signatures carry the attempt's timestamp). */
  request: (attempt: number) => Promise<HttpRequest>;
  /** What the target is, for messages. */
  label: string;
}

export interface AttemptRecord {
  attempt: number;
  status?: number;
  error?: string;
  /** How long we waited after this attempt, and why. */
  waitMs?: number;
  retryAfter?: string;
}

export interface Delivery {
  response: HttpResponse;
  attempts: AttemptRecord[];
}

/** Seconds or an HTTP date → ms from now; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new NodeError('cancelled'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new NodeError('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function bodyText(body: unknown, max = 2000): string {
  const text = typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export async function deliver(http: HttpService, o: DeliveryOptions): Promise<Delivery> {
  const attempts: AttemptRecord[] = [];
  for (let attempt = 1; ; attempt++) {
    const req = await o.request(attempt);
    const rec: AttemptRecord = { attempt };
    attempts.push(rec);
    let response: HttpResponse | null = null;
    try {
      response = await http.request({ ...req, ...(o.signal ? { signal: o.signal } : {}) });
      rec.status = response.status;
    } catch (e) {
      if (o.signal?.aborted) throw e;
      rec.error = e instanceof Error ? e.message : String(e);
    }
    if (response && response.status < 400) return { response, attempts };
    if (response && response.status !== 429 && response.status < 500) {
      throw new NodeError(`${o.label} answered ${response.status}: ${bodyText(response.body, 500)}`, { permanent: true });
    }
    const why = response ? `answered ${response.status}` : `failed: ${rec.error}`;
    if (attempt >= o.maxAttempts) throw new NodeError(`${o.label} ${why} (gave up after ${attempt} attempts)`);
    const asked = response ? retryAfterMs(response.headers['retry-after'], o.now()) : null;
    if (asked !== null && asked > o.maxRetryAfterMs) {
      throw new NodeError(`${o.label} asked to retry after ${Math.round(asked / 1000)} s, longer than the ${Math.round(o.maxRetryAfterMs / 1000)} s this node waits`);
    }
    const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
    const wait = asked ?? Math.round(backoff / 2 + Math.random() * (backoff / 2));
    rec.waitMs = wait;
    if (asked !== null) rec.retryAfter = response!.headers['retry-after'];
    await sleep(wait, o.signal);
  }
}

/** A header value from a template: CR/LF or other control characters would split the header, so they are refused. */
export function safeHeaderValue(name: string, value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new NodeError(`header "${name}" contains a line break or control character`, { field: 'headers', permanent: true });
  return value;
}
