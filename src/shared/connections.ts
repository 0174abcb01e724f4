/**
 * Named Postgres connections as the UI sees them: defined once (host, port, database, user,
 * password and connection string as `secret:NAME` references only, TLS) and picked by id in the
 * Postgres change trigger and the Postgres sink. Pure types + argument parsers; the behaviour is
 * in src/engine/connections.
 */
import { z } from 'zod';
import { SECRET_REF } from '../nodes/pg-connection';
import type { SetupProblem } from './triggers';

/** A secret reference or empty. A plain password is refused with the reason, never stored. */
const secretRefField = z
  .string()
  .max(110)
  .refine((v) => v === '' || SECRET_REF.test(v), 'must be a secret reference like secret:PG_PASSWORD (never the password itself); set the value on the Secrets page');

/** The settings a connection holds (the same fields as a node's inline connection). */
export const pgConnectionSettingsSchema = z
  .object({
    host: z.string().trim().min(1, 'required').max(255).regex(/^[^\s/?#@]+$/, 'a host name or address, without spaces or a scheme'),
    port: z.number().int().min(1).max(65535),
    database: z.string().trim().min(1, 'required').max(63),
    user: z.string().trim().min(1, 'required').max(63),
    password: secretRefField,
    /** Overrides host/port/database/user/password when set. */
    connectionString: secretRefField,
    tls: z.enum(['disable', 'require', 'verify-full']),
  })
  .strict();
export type PgConnectionFields = z.infer<typeof pgConnectionSettingsSchema>;

export const CONNECTION_ID = /^conn_[A-Za-z0-9_-]{1,60}$/;
export const connectionIdSchema = z.string().regex(CONNECTION_ID, 'a connection id like conn_…');
// Printable, no control characters: the name is shown in pickers, problems and exports.
export const connectionNameSchema = z
  .string()
  .trim()
  .min(1, 'give the connection a name')
  .max(100)
  .refine((v) => !/\p{Cc}/u.test(v), 'no control characters');

/**
 * A connection as an exported flow.ts carries it (`defineFlow({ ..., connections: [...] })`):
 * references only, so the exported program resolves the same secrets from its environment
 * (MILLRACE_SECRET_NAME) and importing the file brings the connection back under its id.
 */
export const exportedConnectionSchema = z
  .object({ id: connectionIdSchema, name: connectionNameSchema })
  .extend(pgConnectionSettingsSchema.shape)
  .strict();
export type ExportedConnection = z.infer<typeof exportedConnectionSchema>;

/** Fixed key order, so an export prints the same bytes every time. */
export function toExportedConnection(c: { id: string; name: string } & PgConnectionFields): ExportedConnection {
  return { id: c.id, name: c.name, host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, connectionString: c.connectionString, tls: c.tls };
}

export interface PgConnection extends PgConnectionFields {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** Where a connection is picked: flow › node. */
export interface ConnectionUse {
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeName: string;
}

export interface PgConnectionInfo extends PgConnection {
  usedBy: ConnectionUse[];
}

/** The Test button: a real connection, the server version and whether change triggers can use it. */
export interface ConnectionTestResult {
  ok: boolean;
  connected: boolean;
  serverVersion: string | null;
  /** null when not connected. */
  trigger: { walLevel: string; logical: boolean; replication: boolean } | null;
  /** Errors stop sinks and triggers; warnings only concern change triggers (sinks work without them). */
  problems: SetupProblem[];
  latencyMs: number;
}

export interface ConnectionsApi {
  /** Every named connection, by name, with the flows and nodes that pick it. */
  listConnections(): Promise<PgConnectionInfo[]>;
  /** Creates (no id) or replaces (id) a connection. Names are unique (case-insensitive). */
  saveConnection(arg: { id?: string; name: string; settings: PgConnectionFields }): Promise<PgConnectionInfo>;
  /** Refused while a flow picks it (the error names the flows and nodes). */
  deleteConnection(arg: { id: string }): Promise<{ deleted: boolean }>;
  /** Connects for real with a saved connection (id) or unsaved settings. */
  testConnection(arg: { id?: string; settings?: PgConnectionFields }): Promise<ConnectionTestResult>;
}

export const connectionApiArgs = {
  listConnections: z.undefined().or(z.object({}).strict()),
  saveConnection: z.object({ id: connectionIdSchema.optional(), name: connectionNameSchema, settings: pgConnectionSettingsSchema }).strict(),
  deleteConnection: z.object({ id: connectionIdSchema }).strict(),
  testConnection: z
    .object({ id: connectionIdSchema.optional(), settings: pgConnectionSettingsSchema.optional() })
    .strict()
    .refine((a) => (a.id === undefined) !== (a.settings === undefined), 'give either a connection id or settings'),
};
