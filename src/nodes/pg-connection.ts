/**
 * The Postgres connection fields, one definition for the change trigger and the sink (same names,
 * same defaults, so a trigger's saved config reads unchanged). Passwords only as `secret:NAME`.
 */
import { z } from 'zod';

/** `secret:NAME`: the value lives in the secrets store, never in the flow file. */
export const SECRET_REF = /^secret:[A-Za-z0-9_.-]{1,100}$/;
export const secretRef = z
  .string()
  .max(110)
  .refine((v) => v === '' || SECRET_REF.test(v), 'must be a secret reference like secret:PG_PASSWORD (never the password itself)');

export const pgConnectionFields = {
  /**
   * A named connection (src/shared/connections.ts) by id; when set it supplies every setting below.
   * Empty = the inline fields, as before (saved flows read unchanged).
   */
  connection: z.string().max(70).regex(/^(conn_[A-Za-z0-9_-]{1,60})?$/, 'pick a named connection or Custom').default(''),
  host: z.string().trim().min(1, 'required').max(255).default('127.0.0.1'),
  port: z.number().int().min(1).max(65535).default(5432),
  database: z.string().trim().min(1, 'required').max(63).default('postgres'),
  user: z.string().trim().min(1, 'required').max(63).default('postgres'),
  password: secretRef.default(''),
  /** Overrides host/port/database/user/password when set. */
  connectionString: secretRef.default(''),
  tls: z.enum(['disable', 'require', 'verify-full']).default('disable'),
};

export const pgConnectionHints = {
  connection: { widget: 'pg-connection' as const, label: 'Connection', help: 'A named connection (defined once on the Connections page) or Custom: the fields below.' },
  host: { label: 'Host' },
  port: { widget: 'number' as const, label: 'Port' },
  database: { label: 'Database' },
  user: { label: 'User' },
  password: { label: 'Password', placeholder: 'secret:PG_PASSWORD', help: 'A secret reference; set the value on the Secrets page.' },
  connectionString: { label: 'Connection string', placeholder: 'secret:PG_URL (optional, overrides the fields above)' },
  tls: { widget: 'select' as const, label: 'TLS' },
};

export function pickConnection(cfg: {
  connection: string;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  connectionString: string;
  tls: 'disable' | 'require' | 'verify-full';
}) {
  return { connection: cfg.connection, host: cfg.host, port: cfg.port, database: cfg.database, user: cfg.user, password: cfg.password, connectionString: cfg.connectionString, tls: cfg.tls };
}

/** Where a sink writes, for the ledger and the trace: the named connection's id, or host:port/database. */
export function describeConnection(c: { connection?: string; host: string; port: number; database: string }): string {
  return c.connection ? `postgres:@${c.connection}` : `postgres:${c.host}:${c.port}/${c.database}`;
}
