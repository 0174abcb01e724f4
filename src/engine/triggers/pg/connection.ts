/**
 * Connection settings for a trigger: the node config plus secrets resolved at connect time.
 * Secret values exist only in the returned pg config; every message that leaves this module
 * goes through `redact`, so a password never reaches a log, an error or an event.
 */
import type pg from 'pg';
import type { PgConnectionSettings } from '../../../shared/services';

export type ResolveSecret = (ref: string) => Promise<string>;

/** Default resolver: `secret:NAME` reads MILLRACE_SECRET_NAME from the environment. */
export const envSecretResolver: ResolveSecret = async (ref) => {
  const name = ref.replace(/^secret:/, '');
  const value = process.env[`MILLRACE_SECRET_${name}`];
  if (value === undefined) throw new TriggerError(`the secret "${name}" is not set (headless mode reads it from MILLRACE_SECRET_${name})`);
  return value;
};

/** An error whose message is safe to show (already redacted). */
export class TriggerError extends Error {
  constructor(
    message: string,
    readonly code = 'trigger',
  ) {
    super(message);
    this.name = 'TriggerError';
  }
}

export interface ResolvedConnection {
  config: pg.ClientConfig;
  /** Replaces secret values (and connection strings) in any text. */
  redact(text: string): string;
}

/**
 * Named connections (src/engine/connections) by id: read at every resolve, so an edited
 * connection is used by the next sink write and the next trigger (re)connect.
 */
export type NamedConnections = (id: string) => { name: string; settings: PgConnectionSettings } | undefined;

/** The settings a node's config stands for: its named connection's, or its own inline fields. */
export function namedSettings(cfg: PgConnectionSettings, named: NamedConnections | undefined): PgConnectionSettings {
  if (!cfg.connection) return cfg;
  const found = named?.(cfg.connection);
  if (!found) throw new TriggerError(`the named connection "${cfg.connection}" does not exist (deleted, or the flow came from another data folder); pick a connection in the node's inspector`, 'connection_missing');
  return { ...found.settings, connection: cfg.connection };
}

/** Trigger and sink connections alike (the sink's settings are the trigger's connection fields). */
export async function resolveConnection(given: PgConnectionSettings, resolveSecret: ResolveSecret, named?: NamedConnections): Promise<ResolvedConnection> {
  const cfg = namedSettings(given, named);
  const secrets: string[] = [];
  const ssl = cfg.tls === 'disable' ? false : { rejectUnauthorized: cfg.tls === 'verify-full' };
  let config: pg.ClientConfig;
  if (cfg.connectionString !== '') {
    const url = await resolveSecret(cfg.connectionString);
    secrets.push(url);
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) secrets.push(password);
    } catch {
      /* not a URL (key=value form): the whole string is redacted anyway */
    }
    config = { connectionString: url, ssl };
  } else {
    const password = cfg.password === '' ? undefined : await resolveSecret(cfg.password);
    if (password) secrets.push(password);
    config = { host: cfg.host, port: cfg.port, database: cfg.database, user: cfg.user, ssl, ...(password !== undefined ? { password } : {}) };
  }
  config = { ...config, connectionTimeoutMillis: 10_000, application_name: 'millrace' };
  return { config, redact: (text) => redactText(text, secrets) };
}

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[secret]');
  return out;
}

/** A user-facing message for a connection or query failure, redacted. */
export function describePgError(e: unknown, redact: (s: string) => string): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const detail = (err as { detail?: unknown }).detail;
  const hint = typeof code === 'string' ? pgHint(code, err.message) : null;
  const text = [err.message, typeof detail === 'string' ? detail : null, hint].filter((x) => x).join(' — ');
  return redact(text);
}

function pgHint(code: string, message: string): string | null {
  if (code === 'ECONNREFUSED') return 'is Postgres running and listening on that host and port?';
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  if (code === '28P01' || code === '28000') return 'check the user and the password secret';
  if (code === '3D000') return 'the database does not exist';
  if (/timeout/i.test(message)) return 'Postgres did not answer in time';
  return null;
}
