/**
 * Turns what the SDKs throw into ProviderErrors. Both SDKs share the Stainless error classes
 * (status + Headers on APIError; connection and abort errors), so one mapping serves both.
 */
import { APIConnectionError as OpenAIConnectionError, APIError as OpenAIAPIError, APIUserAbortError as OpenAIAbort } from 'openai';
import { APIConnectionError as AnthropicConnectionError, APIError as AnthropicAPIError, APIUserAbortError as AnthropicAbort } from '@anthropic-ai/sdk';
import { ProviderError, ResponseTooLargeError, type FailureKind } from '../provider';

/** Retry-After as milliseconds: `retry-after-ms` (OpenAI), `retry-after` seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function kindForStatus(status: number): FailureKind {
  if (status === 429) return 'rate-limit';
  if (status === 529) return 'overloaded';
  if (status === 408) return 'timeout';
  if (status >= 500) return 'server';
  if (status === 401 || status === 403) return 'auth';
  return 'client';
}

function causeChain(e: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 6 && cur !== undefined && cur !== null; i++) {
    out.push(cur);
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}

/** Maps an SDK (or fetch) error to a ProviderError. Abort reasons are the caller's business. */
export function toProviderError(e: unknown, what: string): ProviderError {
  if (e instanceof ProviderError) return e;
  const tooLarge = causeChain(e).find((c) => c instanceof ResponseTooLargeError);
  if (tooLarge instanceof ResponseTooLargeError) return new ProviderError('too-large', `${what}: ${tooLarge.message}`);
  if (e instanceof OpenAIAbort || e instanceof AnthropicAbort) return new ProviderError('cancelled', `${what}: aborted`);
  if (e instanceof OpenAIConnectionError || e instanceof AnthropicConnectionError) {
    return new ProviderError('network', `${what}: ${describeConnection(e)}`);
  }
  if (e instanceof OpenAIAPIError || e instanceof AnthropicAPIError) {
    const status = e.status;
    if (status === undefined) return new ProviderError('bad-response', `${what}: ${short(e.message)}`);
    const after = retryAfterMs(e.headers);
    return new ProviderError(kindForStatus(status), `${what} answered ${status}: ${short(e.message)}`, {
      status,
      ...(after !== undefined ? { retryAfterMs: after } : {}),
    });
  }
  if (e instanceof SyntaxError) return new ProviderError('bad-response', `${what}: the response is not valid JSON (${short(e.message)})`);
  // undici reports a connection dropped mid-body as TypeError("terminated") with the socket error as cause.
  if (e instanceof TypeError) return new ProviderError('cut', `${what}: the connection was cut (${short(describeConnection(e))})`);
  return new ProviderError('network', `${what}: ${short(e instanceof Error ? e.message : String(e))}`);
}

function describeConnection(e: Error): string {
  const codes = causeChain(e)
    .map((c) => (c instanceof Error && 'code' in c && typeof c.code === 'string' ? c.code : null))
    .filter((c): c is string => c !== null);
  if (codes.includes('ECONNREFUSED')) return 'connection refused (is the server running?)';
  if (codes.includes('ENOTFOUND')) return 'host not found';
  if (codes.includes('ECONNRESET') || codes.includes('UND_ERR_SOCKET')) return 'connection reset by the server';
  const inner = causeChain(e).at(-1);
  return inner instanceof Error && inner !== e ? `${e.message} (${inner.message})` : e.message;
}

const short = (s: string) => (s.length > 500 ? `${s.slice(0, 500)}…` : s);
