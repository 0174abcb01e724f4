/** Stable keys for the cache and the replay book: sha256 over canonical (key-sorted) JSON. */
import { createHash } from 'node:crypto';
import type { LlmParams, LlmTarget } from '../../../shared/llm';
import type { ProviderRequest } from './provider';

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Parameters as they affect the answer: unset and empty values dropped, so `{}` and `{stop: []}` match. */
export function normalParams(p: LlmParams): Record<string, unknown> {
  return {
    maxTokens: p.maxTokens,
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.topP !== undefined ? { topP: p.topP } : {}),
    ...(p.stop && p.stop.length > 0 ? { stop: p.stop } : {}),
    ...(p.seed !== undefined ? { seed: p.seed } : {}),
  };
}

/** Exact-match cache key: provider + endpoint + model + parameters + rendered prompt + schema (+ JSON mode). */
export function cacheKey(target: LlmTarget, request: ProviderRequest): string {
  return sha256(
    canonicalJson({
      v: 1,
      provider: target.provider,
      endpoint: target.baseUrl,
      model: request.model,
      params: normalParams(request.params),
      system: request.system,
      messages: request.messages,
      json: request.json,
    }),
  );
}

/** Replay key: what was asked (model, prompt, parameters, schema), whoever was asked. */
export function replayKey(request: Pick<ProviderRequest, 'model' | 'system' | 'messages' | 'params'> & { schema: Record<string, unknown> | null }): string {
  return sha256(
    canonicalJson({ model: request.model, system: request.system, messages: request.messages, params: normalParams(request.params), schema: request.schema }),
  );
}
