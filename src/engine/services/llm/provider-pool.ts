/**
 * Provider clients, one per (provider, base URL, key, headers), reused across calls: an SDK client
 * keeps its connection pool, and building one per call would cost more than the gateway itself.
 * Secret references are resolved here, per call, so a changed secret takes effect at once.
 */
import type { LlmTarget } from '../../../shared/llm';
import { secretRefName } from '../../../shared/llm';
import { ProviderError, type Provider } from './provider';
import { createAnthropicProvider } from './providers/anthropic';
import { createOpenAiCompatibleProvider } from './providers/openai-compatible';
import { createReplayProvider, type ReplayBook } from './providers/replay';
import { sha256 } from './keys';

export interface SecretResolver {
  resolveSecretRef(ref: string): Promise<string>;
  redact(text: string): string;
}

export interface ProviderPoolOptions {
  secrets: SecretResolver;
  replay: ReplayBook;
  maxResponseBytes: number;
  factory?: ((target: LlmTarget, apiKey: string | null, headers: Record<string, string>) => Provider) | undefined;
}

const MAX_CLIENTS = 200;

export class ProviderPool {
  private readonly clients = new Map<string, Provider>();
  private readonly replay: Provider;

  constructor(private readonly o: ProviderPoolOptions) {
    this.replay = createReplayProvider(o.replay);
  }

  async get(target: LlmTarget): Promise<Provider> {
    if (target.provider === 'replay') return this.replay;
    const apiKey = target.apiKey ? await this.resolve(target.apiKey, 'API key') : null;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(target.headers)) headers[name] = secretRefName(value) ? await this.resolve(value, `header ${name}`) : value;
    // The key is hashed into the map key so the map's keys (which show up in heap dumps and debuggers) hold no value.
    const id = sha256(JSON.stringify([target.provider, target.baseUrl, apiKey, headers]));
    let client = this.clients.get(id);
    if (!client) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      client = this.o.factory
        ? this.o.factory(target, apiKey, headers)
        : target.provider === 'anthropic'
          ? createAnthropicProvider({ baseUrl: target.baseUrl, apiKey, headers }, this.o.maxResponseBytes)
          : createOpenAiCompatibleProvider({ baseUrl: target.baseUrl, apiKey, headers }, this.o.maxResponseBytes);
      this.clients.set(id, client);
    }
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
