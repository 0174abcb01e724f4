/**
 * The Postgres sink's client (`ctx.services.postgres`). One pg Pool per connection settings,
 * parameterised SQL only, identifiers always quoted.
 *
 * Exactly once:
 * - insert / update: the idempotency key is inserted into `<schema>.millrace_effects` in the SAME
 *   transaction as the row (`ON CONFLICT DO NOTHING`); when the key is already there the
 *   transaction is rolled back and nothing is written (`applied: false`). A crash after COMMIT and
 *   before the engine records the step leaves the key behind, so the replay writes nothing.
 * - upsert: the conflict key makes a repeat an overwrite with the same values; no extra row.
 *
 * `millrace_effects` (created on first use, one per target schema):
 *   key text PRIMARY KEY      -- the sink's idempotency key (run + node + step, or the mapped key)
 *   run_id, node_id text      -- which run and node wrote it
 *   target text               -- schema.table
 *   written_at timestamptz    -- default now()
 */
import pg from 'pg';
import type { ColumnInfo, PgConnectionSettings, PostgresSinkService, TableWrite, TableWriteResult } from '../../shared/services';
import { NodeError } from '../../shared/services';
import { describeConnection } from '../../nodes/pg-connection.js';
import { describePgError, resolveConnection, type NamedConnections, type ResolveSecret } from '../triggers/pg/connection';
import { quoteIdent, toDbValue } from './table-sql';

export const EFFECTS_TABLE = 'millrace_effects';
const COLUMNS_TTL_MS = 2000;
const MAX_NAMED = 200;

export interface PgSinkOptions {
  resolveSecret: ResolveSecret;
  /** Named connections (src/engine/connections): read at every write, so an edit applies to the next one. */
  namedConnections?: NamedConnections;
  /** Connections per pool (default 20, the engine's default run concurrency: each run holds at most one). */
  poolSize?: number;
  /**
   * Test-only broken variants the exactly-once tests must catch: `no-key` writes the row without
   * the idempotency row; `key-outside-transaction` commits the row, then the key separately.
   */
  unsafe?: 'no-key' | 'key-outside-transaction';
}

interface PoolEntry {
  pool: pg.Pool;
  redact: (s: string) => string;
  ensured: Set<string>;
}

export function createPgSinkService(options: PgSinkOptions): PostgresSinkService & { close(): Promise<void>; listColumnsFresh(c: PgConnectionSettings, schema: string, table: string): Promise<ColumnInfo[]> } {
  const pools = new Map<string, Promise<PoolEntry>>();
  // The sink checks its row against the table's columns before every write: a short-lived cache
  // keeps that from costing a round trip per run (a DDL change is seen within COLUMNS_TTL_MS).
  const columnCache = new Map<string, { at: number; columns: Promise<ColumnInfo[]> }>();

  /** The newest pool per connection as configured (e.g. `secret:PG_URL`): a secret's new value replaces it. */
  const current = new Map<string, string>();
  const poolFor = async (c: PgConnectionSettings): Promise<PoolEntry> => {
    const ref = JSON.stringify([c.connection ?? '', c.host, c.port, c.database, c.user, c.password, c.connectionString, c.tls]);
    // Keyed by the resolved settings, not the reference: when a secret changes (the demo database's
    // URL after a restart on a new port), the next write connects to the new value.
    const conn = await resolveConnection(c, options.resolveSecret, options.namedConnections);
    const id = JSON.stringify(conn.config);
    let entry = pools.get(id);
    if (!entry) {
      const pool = new pg.Pool({ ...conn.config, max: options.poolSize ?? 20, idleTimeoutMillis: 30_000 });
      // An idle client losing its server (a Postgres restart) must not end the process.
      pool.on('error', () => {});
      entry = Promise.resolve({ pool, redact: conn.redact, ensured: new Set<string>() });
      pools.set(id, entry);
    }
    const previous = current.get(ref);
    if (previous !== undefined && previous !== id) {
      const stale = pools.get(previous);
      pools.delete(previous);
      void stale?.then((e) => e.pool.end()).catch(() => undefined);
    }
    current.set(ref, id);
    return entry;
  };

  const fail = (e: unknown, redact: (s: string) => string, what: string): never => {
    if (e instanceof NodeError) throw e;
    const code = (e as { code?: unknown }).code;
    // A deleted named connection does not come back by retrying: permanent, on the node's Connection field.
    if (code === 'connection_missing') throw new NodeError((e as Error).message, { field: 'connection', permanent: true });
    // Constraint and data errors will not go away by retrying: permanent, with the database's words.
    const permanent = typeof code === 'string' && /^(22|23|42)/.test(code);
    throw new NodeError(`${what}: ${describePgError(e, redact)}`, { permanent });
  };

  /**
   * The same few statements run for every write: each gets a name, so every pooled connection has
   * Postgres parse and plan it once and then only binds values (Postgres replans by itself after a
   * DDL change). Bounded: past MAX_NAMED distinct texts (many mappings), statements go unnamed.
   */
  const statementNames = new Map<string, string>();
  const statement = (text: string, values: unknown[]): pg.QueryConfig => {
    let name = statementNames.get(text);
    if (name === undefined && statementNames.size < MAX_NAMED) statementNames.set(text, (name = `millrace_sink_${statementNames.size + 1}`));
    return name === undefined ? { text, values } : { name, text, values };
  };

  async function ensureEffectsTable(entry: PoolEntry, client: pg.PoolClient, schema: string) {
    if (entry.ensured.has(schema)) return;
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${quoteIdent(schema)}.${quoteIdent(EFFECTS_TABLE)} (
           key text PRIMARY KEY, run_id text NOT NULL, node_id text NOT NULL, target text NOT NULL,
           written_at timestamptz NOT NULL DEFAULT now())`,
      );
    } catch (e) {
      // Two connections creating the table at the same moment: Postgres' IF NOT EXISTS is not
      // atomic against a concurrent CREATE, and the loser gets a unique violation on the catalog
      // (23505 on pg_type), "type … already exists" (42710) or "relation … already exists" (42P07).
      // Either way the table is there now.
      const code = (e as { code?: unknown }).code;
      if (code !== '23505' && code !== '42710' && code !== '42P07') throw e;
    }
    entry.ensured.add(schema);
  }

  async function listColumnsFresh(c: PgConnectionSettings, schema: string, table: string): Promise<ColumnInfo[]> {
    const entry = await poolFor(c).catch((e: unknown) => fail(e, (s) => s, 'cannot connect'));
    try {
      const r = await entry.pool.query<{ name: string; type: string; nullable: boolean; has_default: boolean }>(
        `SELECT column_name AS name, udt_name AS type, is_nullable = 'YES' AS nullable,
                (column_default IS NOT NULL OR is_identity = 'YES' OR is_generated <> 'NEVER') AS has_default
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
        [schema, table],
      );
      return r.rows.map((x) => ({ name: x.name, type: x.type, nullable: x.nullable, hasDefault: x.has_default }));
    } catch (e) {
      return fail(e, entry.redact, 'listing columns failed');
    }
  }

  return {
    async write(c, w, signal): Promise<TableWriteResult> {
      const entry = await poolFor(c).catch((e: unknown) => fail(e, (s) => s, 'cannot connect'));
      const target = `${quoteIdent(w.schema)}.${quoteIdent(w.table)}`;
      const { sql, params } = buildStatement(target, w);
      let client: pg.PoolClient;
      try {
        client = await entry.pool.connect();
        // A checked-out client has no pool listener: a connection reset between statements would
        // otherwise be an unhandled 'error' event that ends the engine. The query rejects instead.
        client.on('error', ignoreClientError);
      } catch (e) {
        return fail(e, entry.redact, `cannot connect to ${describeConnection(c).replace(/^postgres:/, '')}`);
      }
      const onAbort = () => void client.query('SELECT pg_cancel_backend(pg_backend_pid())').catch(() => {});
      signal?.addEventListener('abort', onAbort, { once: true });
      let broken = false;
      try {
        if (w.mode === 'upsert') {
          const r = await client.query(statement(sql, params));
          return { applied: true, rowCount: r.rowCount ?? 0, sql };
        }
        const keyRow = `INSERT INTO ${quoteIdent(w.schema)}.${quoteIdent(EFFECTS_TABLE)} (key, run_id, node_id, target) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING`;
        const keyParams = [w.idempotencyKey, w.runId, w.nodeId, `${w.schema}.${w.table}`];
        if (options.unsafe !== 'no-key') await ensureEffectsTable(entry, client, w.schema);
        if (options.unsafe === 'no-key') {
          const r = await client.query(sql, params);
          return { applied: true, rowCount: r.rowCount ?? 0, sql };
        }
        if (options.unsafe === 'key-outside-transaction') {
          const seen = await client.query(`SELECT 1 FROM ${quoteIdent(w.schema)}.${quoteIdent(EFFECTS_TABLE)} WHERE key = $1`, [w.idempotencyKey]);
          if ((seen.rowCount ?? 0) > 0) return { applied: false, rowCount: 0, sql };
          const r = await client.query(sql, params);
          await client.query(keyRow, keyParams);
          return { applied: true, rowCount: r.rowCount ?? 0, sql };
        }
        await client.query('BEGIN');
        try {
          const k = await client.query(statement(keyRow, keyParams));
          if ((k.rowCount ?? 0) === 0) {
            await client.query('ROLLBACK');
            return { applied: false, rowCount: 0, sql };
          }
          const r = await client.query(statement(sql, params));
          await client.query('COMMIT');
          return { applied: true, rowCount: r.rowCount ?? 0, sql };
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw e;
        }
      } catch (e) {
        broken = true;
        return fail(e, entry.redact, `${w.mode} into ${w.schema}.${w.table} failed`);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        client.off('error', ignoreClientError);
        client.release(broken);
      }
    },

    async listTables(c) {
      const entry = await poolFor(c).catch((e: unknown) => fail(e, (s) => s, 'cannot connect'));
      try {
        const r = await entry.pool.query<{ schema: string; table: string }>(
          `SELECT table_schema AS schema, table_name AS table FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') AND table_name <> $1
            ORDER BY 1, 2`,
          [EFFECTS_TABLE],
        );
        return r.rows;
      } catch (e) {
        return fail(e, entry.redact, 'listing tables failed');
      }
    },

    async listColumns(c, schema, table): Promise<ColumnInfo[]> {
      const cacheKey = JSON.stringify([c, schema, table]);
      const hit = columnCache.get(cacheKey);
      if (hit && Date.now() - hit.at < COLUMNS_TTL_MS) return hit.columns;
      const columns = listColumnsFresh(c, schema, table);
      columnCache.set(cacheKey, { at: Date.now(), columns });
      columns.catch(() => columnCache.delete(cacheKey));
      return columns;
    },

    listColumnsFresh,

    async close() {
      const all = [...pools.values()];
      pools.clear();
      await Promise.allSettled(all.map(async (p) => (await p).pool.end()));
    },
  };
}

/** The data statement, $n placeholders only. */
export function buildStatement(target: string, w: TableWrite): { sql: string; params: unknown[] } {
  const cols = Object.keys(w.row);
  if (cols.length === 0) throw new NodeError('map at least one column', { field: 'columns', permanent: true });
  const params = cols.map((k) => toDbValue(w.row[k]));
  const colList = cols.map(quoteIdent).join(', ');
  const values = cols.map((_, i) => `$${i + 1}`).join(', ');
  if (w.mode === 'insert') return { sql: `INSERT INTO ${target} (${colList}) VALUES (${values})`, params };
  if (w.keyColumns.length === 0) throw new NodeError(`${w.mode} needs key columns`, { field: 'keyColumns', permanent: true });
  for (const k of w.keyColumns) if (!cols.includes(k)) throw new NodeError(`key column "${k}" is not mapped`, { field: 'keyColumns', permanent: true });
  if (w.mode === 'upsert') {
    const rest = cols.filter((c) => !w.keyColumns.includes(c));
    const action = rest.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${rest.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ')}`;
    return { sql: `INSERT INTO ${target} (${colList}) VALUES (${values}) ON CONFLICT (${w.keyColumns.map(quoteIdent).join(', ')}) ${action}`, params };
  }
  const set = cols.filter((c) => !w.keyColumns.includes(c));
  if (set.length === 0) throw new NodeError('update needs at least one column besides the key', { field: 'columns', permanent: true });
  const idx = (c: string) => cols.indexOf(c) + 1;
  return {
    sql: `UPDATE ${target} SET ${set.map((c) => `${quoteIdent(c)} = $${idx(c)}`).join(', ')} WHERE ${w.keyColumns.map((c) => `${quoteIdent(c)} = $${idx(c)}`).join(' AND ')}`,
    params,
  };
}


function ignoreClientError(): void {}
