/**
 * The secrets store: values live here (environment, a 0600 file, or Electron safeStorage), flows
 * and traces hold `secret:NAME` only. Nothing that leaves this module carries a value except
 * `resolveSecretRef`, whose callers hand it straight to a client.
 *
 * Every value it has seen is also known to `redact`, which the engine runs over log lines and the
 * gateway over provider error text: a server that echoes a key back cannot put it in a trace.
 */
import type { SecretsService } from '../../shared/services';
import type { SecretInfo } from '../../shared/api';
import { NodeError } from '../../shared/services';
import { SECRET_NAME, secretRefName } from '../../shared/llm';

export const SECRET_ENV_PREFIX = 'MILLRACE_SECRET_';

/** Where values are kept and changed: a file in the data folder, or the desktop's safeStorage. */
export interface SecretBackend {
  readonly kind: 'file' | 'desktop';
  list(): Promise<string[]>;
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<boolean>;
}

export type { SecretInfo };

export interface SecretStoreOptions {
  /** Usually process.env; only `MILLRACE_SECRET_*` keys are read. */
  env?: Record<string, string | undefined>;
  backend: SecretBackend;
}

/** Values shorter than this are not redacted from text (they would mangle ordinary words). */
const MIN_REDACT_LENGTH = 6;

export class SecretStore implements SecretsService {
  private readonly env: Record<string, string | undefined>;
  private readonly backend: SecretBackend;
  /** value → name, for redaction. Grows as values are set or resolved. */
  private readonly seen = new Map<string, string>();
  /** name → value resolved before; this store is the only writer, so set/delete keep it true. */
  private readonly resolved = new Map<string, string>();

  constructor(options: SecretStoreOptions) {
    this.env = options.env ?? {};
    this.backend = options.backend;
    for (const [key, value] of Object.entries(this.env)) {
      if (key.startsWith(SECRET_ENV_PREFIX) && value) this.remember(key.slice(SECRET_ENV_PREFIX.length), value);
    }
  }

  get backendKind(): SecretBackend['kind'] {
    return this.backend.kind;
  }

  async list(): Promise<SecretInfo[]> {
    const out = new Map<string, SecretInfo>();
    for (const name of await this.backend.list()) out.set(name, { name, source: this.backend.kind, writable: true });
    // The environment wins over the file (it is how headless deployments override), so it is listed as the source.
    for (const [key, value] of Object.entries(this.env)) {
      const name = key.slice(SECRET_ENV_PREFIX.length);
      if (key.startsWith(SECRET_ENV_PREFIX) && value && SECRET_NAME.test(name)) out.set(name, { name, source: 'env', writable: false });
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async set(name: string, value: string): Promise<void> {
    assertName(name);
    if (value.length === 0) throw new NodeError(`secret "${name}" needs a value`);
    if (this.env[SECRET_ENV_PREFIX + name]) {
      throw new NodeError(`secret "${name}" comes from the environment (${SECRET_ENV_PREFIX}${name}); change it there`);
    }
    await this.backend.set(name, value);
    this.resolved.delete(name);
    this.remember(name, value);
  }

  async delete(name: string): Promise<boolean> {
    assertName(name);
    this.resolved.delete(name);
    return this.backend.delete(name);
  }

  /** A value resolved before, without waiting (the gateway's per-call fast path); undefined if not known yet. */
  peek(ref: string): string | undefined {
    const name = secretRefName(ref);
    return name === null ? undefined : this.resolved.get(name);
  }

  /** The value behind `secret:NAME`. The error names the secret and how to set it, never a value. */
  async resolveSecretRef(ref: string): Promise<string> {
    const name = secretRefName(ref);
    if (name === null) throw new NodeError(`"${shorten(ref)}" is not a secret reference; write secret:NAME`, { permanent: true });
    const value = this.env[SECRET_ENV_PREFIX + name] || (await this.backend.get(name));
    if (!value) {
      throw new NodeError(`secret "${name}" is not set: add it with "New secret…" at an LLM node's API key, or set ${SECRET_ENV_PREFIX}${name} where Millrace starts`, {
        permanent: true,
      });
    }
    this.remember(name, value);
    this.resolved.set(name, value);
    return value;
  }

  /** Replaces every secret value this store knows with `[secret:NAME]`. */
  redact(text: string): string {
    if (this.seen.size === 0 || text.length < MIN_REDACT_LENGTH) return text;
    let out = text;
    for (const [value, name] of this.seen) if (out.includes(value)) out = out.split(value).join(`[secret:${name}]`);
    return out;
  }

  /**
   * For text still being streamed: also masks a tail that is the start of a secret (the rest of
   * the key may be in the next chunk), so no prefix of a key is shown either.
   */
  redactLive(text: string): string {
    const out = this.redact(text);
    for (const value of this.seen.keys()) {
      for (let k = Math.min(value.length - 1, out.length); k >= 4; k--) {
        if (out.endsWith(value.slice(0, k))) return `${out.slice(0, out.length - k)}[secret…]`;
      }
    }
    return out;
  }

  private remember(name: string, value: string) {
    if (value.length >= MIN_REDACT_LENGTH) this.seen.set(value, name);
  }
}

function assertName(name: string) {
  if (!SECRET_NAME.test(name)) throw new NodeError(`"${shorten(name)}" is not a valid secret name: letters, digits and "_", starting with a letter`);
}

/** A rejected "name" may itself be a pasted key: show only its start. */
function shorten(text: string): string {
  return text.length > 12 ? `${text.slice(0, 4)}…` : text;
}
