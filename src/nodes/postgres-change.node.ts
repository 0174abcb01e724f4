import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { parseRowFilter } from './postgres-change-filter';
import { pgConnectionFields, pgConnectionHints } from './pg-connection.js';

export { SECRET_REF } from './pg-connection.js';

const identifier = /^("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)$/;
const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);

/** "public.orders, items" → [{schema:'public',table:'orders'}, {schema:'public',table:'items'}]. */
export function parseTableList(text: string): { schema: string; table: string }[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
    .map((t) => {
      const dot = t.match(/^("(?:[^"]|"")+"|[^.]+)\.(.+)$/);
      return dot ? { schema: unquote(dot[1]!), table: unquote(dot[2]!) } : { schema: 'public', table: unquote(t) };
    });
}

export function parseColumnList(text: string): string[] {
  return text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map(unquote);
}

export const postgresChangeConfig = z.object({
  // The connection fields are shared with the Postgres sink (pg-connection.ts): same names and defaults.
  ...pgConnectionFields,
  tables: z
    .string()
    .max(2000)
    .default('public.orders')
    .refine((v) => parseTableList(v).length > 0, 'name at least one table, e.g. public.orders')
    .refine((v) => parseTableList(v).every((t) => identifier.test(t.table) || !/[\s;]/.test(t.table)), 'table names may not contain spaces or ";" unless quoted'),
  insert: z.boolean().default(true),
  update: z.boolean().default(true),
  delete: z.boolean().default(true),
  columns: z.string().max(2000).default(''),
  filter: z
    .string()
    .max(2000)
    .default('')
    .superRefine((v, ctx) => {
      const parsed = parseRowFilter(v);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    }),
  ordering: z.enum(['per-row', 'none']).default('per-row'),
  backfill: z.boolean().default(false),
  backfillBatchSize: z.number().int().min(10).max(50_000).default(1000),
});

export type PostgresChangeConfig = z.infer<typeof postgresChangeConfig>;

/** What a run of a Postgres change trigger receives (and emits on its `change` port). */
export interface ChangeEvent {
  /** `sample`: a test run's input (the built-in sample, an edited one, or a recent row read from the table). */
  source: 'live' | 'backfill' | 'sample';
  schema: string;
  table: string;
  /** `read`: an existing row delivered by the backfill. */
  operation: 'insert' | 'update' | 'delete' | 'read';
  /** The row after the change (insert, update; a backfilled row). Null for deletes. */
  new: Record<string, unknown> | null;
  /** The row before the change: all columns with REPLICA IDENTITY FULL, else null (see `key`). */
  old: Record<string, unknown> | null;
  /** Primary-key (replica identity) values of the changed row. */
  key: Record<string, unknown> | null;
  columns: { name: string; type: string; key: boolean }[];
  /**
   * Columns whose large (TOASTed) value did not change and was not sent by Postgres: they are left
   * out of `new` and listed here instead of appearing as null. REPLICA IDENTITY FULL avoids this.
   */
  unchangedToast: string[];
  /** Commit LSN of the transaction (null for backfill rows) and the change's position in it. */
  lsn: string | null;
  position: number;
  commitTime: string | null;
  xid: number | null;
}

export const sampleEvent: ChangeEvent = {
  source: 'sample',
  schema: 'public',
  table: 'orders',
  operation: 'insert',
  new: { id: 1, customer: 'Ada', amount: 42 },
  old: null,
  key: { id: 1 },
  columns: [
    { name: 'id', type: 'int4', key: true },
    { name: 'customer', type: 'text', key: false },
    { name: 'amount', type: 'numeric', key: false },
  ],
  unchangedToast: [],
  lsn: '0/16B3748',
  position: 0,
  commitTime: '2026-01-01T00:00:00.000Z',
  xid: 750,
};

/** Starts a run for each row inserted, updated or deleted in Postgres tables (logical replication). */
export const postgresChange = defineNode({
  type: 'postgres-change',
  version: 1,
  title: 'Postgres change',
  description: 'Start the flow when rows are inserted, updated or deleted in Postgres.',
  category: 'trigger',
  trigger: true,
  config: postgresChangeConfig,
  inputs: {},
  outputs: { change: { type: 'object', label: 'change' } },
  ui: {
    connection: pgConnectionHints.connection,
    host: { label: 'Host', placeholder: '127.0.0.1' },
    port: { label: 'Port' },
    database: { label: 'Database' },
    user: { label: 'User', help: 'Needs the REPLICATION attribute and SELECT on the tables.' },
    password: { label: 'Password', widget: 'secret', help: 'Pick a stored secret or add one; the flow keeps only secret:NAME.' },
    connectionString: { label: 'Connection string', widget: 'secret', help: 'Optional: a secret holding a postgres:// URL; replaces the fields above.' },
    tls: { label: 'TLS' },
    tables: { label: 'Tables', placeholder: 'public.orders, public.items' },
    insert: { label: 'Inserts' },
    update: { label: 'Updates' },
    delete: { label: 'Deletes' },
    columns: { label: 'Columns', placeholder: 'all', help: 'Comma-separated; empty = every column. Key columns are always kept.' },
    filter: { label: 'Row filter', placeholder: "new.status = 'paid' and old.amount > 10" },
    ordering: { label: 'Ordering', help: 'per-row: changes to the same row run one at a time, in commit order.' },
    backfill: { label: 'Backfill existing rows', help: 'On activation, also start a run for each existing row.' },
    backfillBatchSize: { label: 'Backfill batch size' },
  },
  // The change event's shape; `new`/`old` list the configured columns when there is a list.
  outputShapes: (cfg) => {
    const names = cfg.columns.split(',').map((c) => c.trim()).filter(Boolean);
    const row = names.length > 0 ? { type: 'object', properties: Object.fromEntries(names.map((n) => [n, {}])) } : { type: 'object' };
    const str = { type: 'string' };
    return {
      change: {
        type: 'object',
        properties: {
          source: str, schema: str, table: str, operation: str, new: row, old: row, key: { type: 'object' },
          columns: { type: 'array' }, unchangedToast: { type: 'array' }, lsn: str, position: { type: 'number' }, commitTime: str, xid: { type: 'number' },
        },
      },
    };
  },
  summary: (cfg) => {
    const ops = (['insert', 'update', 'delete'] as const).filter((o) => cfg[o]).join('/');
    return `${ops || 'no operations'} on ${cfg.tables}`;
  },
  // Live runs carry the change as their input; a run started by hand gets a sample change. A test
  // run's input is never labelled live, even when an edited sample kept `"source": "live"`.
  async execute(ctx) {
    const change = ctx.runInput !== undefined ? ctx.runInput : sampleEvent;
    if (ctx.isTestRun && typeof change === 'object' && change !== null && !Array.isArray(change) && (change as { source?: unknown }).source === 'live') {
      return { change: { ...change, source: 'sample' } };
    }
    return { change };
  },
});
