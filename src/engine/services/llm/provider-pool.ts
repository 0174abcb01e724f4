/**
 * Provider clients, one per (provider, base URL, key, headers), reused across calls: an SDK client
 * keeps its connection pool, and building one per call would cost more than the gateway itself.
 * Secret references are resolved here, per call, so a changed secret takes effect at once.
 */
import type { LlmTarget } from '../../../shared/llm';
import { createSyntheticProvider } from './providers/synthetic';
import { secretRefName } from '../../../shared/llm';
import { ProviderError, type Provider } from './provider';
import { createAnthropicProvider } from './providers/anthropic';
import { createOpenAiCompatibleProvider } from './providers/openai-compatible';
import { createReplayProvider, type ReplayBook } from './providers/replay';

export interface SecretResolver {
  resolveSecretRef(ref: string): Promise<string>;
  /** A value already resolved once, synchronously (optional fast path). */
  peek?(ref: string): string | undefined;
  redact(text: string): string;
  /** For partial (streamed) text: also masks a tail that starts a secret. Defaults to `redact`. */
  redactLive?(text: string): string;
}

export interface ProviderPoolOptions {
  secrets: SecretResolver;
  replay: ReplayBook;
  maxResponseBytes: number;
  factory?: ((target: LlmTarget, apiKey: string | null, headers: Record<string, string>) => Provider) | undefined;
}

const MAX_CLIENTS = 200;

export class ProviderPool {
  private readonly clients = new Map<string, { client: Provider; apiKey: string | null; headers: Record<string, string> }>();
  private readonly replay: Provider;
  private readonly synthetic = createSyntheticProvider();

  constructor(private readonly o: ProviderPoolOptions) {
    this.replay = createReplayProvider(o.replay);
  }

  /** Synchronous when every secret the target needs was resolved before (the common case). */
  get(target: LlmTarget): Provider | Promise<Provider> {
    if (target.provider === 'replay') return this.replay;
    if (target.provider === 'synthetic') return this.synthetic;
    const apiKey = target.apiKey ? this.o.secrets.peek?.(target.apiKey) : null;
    const refs = Object.values(target.headers).some((v) => secretRefName(v) !== null);
    if (apiKey === undefined || refs) return this.resolveAndGet(target);
    return this.client(target, apiKey, target.headers);
  }

  private async resolveAndGet(target: LlmTarget): Promise<Provider> {
    const apiKey = target.apiKey ? await this.resolve(target.apiKey, 'API key') : null;
    let headers: Record<string, string> = target.headers;
    for (const [name, value] of Object.entries(target.headers)) {
      if (secretRefName(value) === null) continue;
      if (headers === target.headers) headers = { ...target.headers };
      headers[name] = await this.resolve(value, `header ${name}`);
    }
    return this.client(target, apiKey, headers);
  }

  private client(target: LlmTarget, apiKey: string | null, headers: Record<string, string>): Provider {
    // Keyed by what the flow says (references, not values); the resolved values are compared, so a
    // secret changed under the same name gets a new client. The map's keys never hold a value.
    const id = `${target.provider}\u0000${target.baseUrl}\u0000${target.apiKey ?? ''}\u0000${headers === target.headers && Object.keys(headers).length === 0 ? '' : JSON.stringify(target.headers)}`;
    const known = this.clients.get(id);
    if (known && known.apiKey === apiKey && sameHeaders(known.headers, headers)) return known.client;
    if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    const client = this.o.factory
      ? this.o.factory(target, apiKey, headers)
      : target.provider === 'anthropic'
        ? createAnthropicProvider({ baseUrl: target.baseUrl, apiKey, headers }, this.o.maxResponseBytes)
        : createOpenAiCompatibleProvider({ baseUrl: target.baseUrl, apiKey, headers }, this.o.maxResponseBytes);
    this.clients.set(id, { client, apiKey, headers });
    return client;
  }

  private async resolve(ref: string, what: string): Promise<string> {
    try {
      return await this.o.secrets.resolveSecretRef(ref);
    } catch (e) {
      throw new ProviderError('auth', `${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
