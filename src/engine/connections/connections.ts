/**
 * Named Postgres connections: defined once, picked by id in the Postgres change trigger and the
 * Postgres sink (`connection` config field; empty = the node's inline fields). Only `secret:NAME`
 * references are stored; values are resolved at connect time through the secrets store.
 *
 * An edit applies to sinks at their next write (the pg sink resolves the named settings every time
 * and keys its pools by the resolved settings) and to running triggers at once: they are
 * re-activated through the trigger manager (`onChanged`).
 */
import pg from 'pg';
import { z } from 'zod';
import { EngineError } from '../../shared/api';
import { newId } from '../../shared/ids';
import type { Flow } from '../../shared/flow/schema';
import type { FlowProblem } from '../../shared/flow/problems';
import type { SetupProblem } from '../../shared/triggers';
import {
  CONNECTION_ID,
  type ConnectionTestResult,
  type ConnectionUse,
  type ConnectionsApi,
  type ExportedConnection,
  toExportedConnection,
  type PgConnectionFields,
} from '../../shared/connections';
import type { Db } from '../store/database';
import type { FlowStore } from '../store/flow-store';
import { describePgError, resolveConnection, type NamedConnections, type ResolveSecret } from '../triggers/pg/connection';
import { quoteIdent } from '../triggers/pg/names';
import { ConnectionStore } from './connection-store';

/** Node types whose config carries the shared connection fields (src/nodes/pg-connection.ts). */
export const CONNECTION_NODE_TYPES: ReadonlySet<string> = new Set(['postgres-change@1', 'postgres-sink@1']);

// Stored documents are read loosely: only what usage needs, and anything else is ignored.
const LooseDoc = z.object({
  nodes: z.array(z.object({ id: z.string(), name: z.string().optional(), type: z.string(), config: z.record(z.string(), z.unknown()).optional() }).loose()).catch([]),
});

export interface ConnectionsOptions {
  db: Db;
  flows: FlowStore;
  now: () => number;
  resolveSecret: ResolveSecret;
  /** Resolves once what was written is fsynced ("saved" means on disk). */
  durable: () => Promise<void>;
  /** After a save or delete: drop cached validation; `settingsChanged`: reconnect triggers that pick it (a rename alone does not). */
  onChanged: (id: string, settingsChanged: boolean) => void;
}

export class Connections implements ConnectionsApi {
  readonly store: ConnectionStore;

  constructor(private readonly o: ConnectionsOptions) {
    this.store = new ConnectionStore(o.db);
  }

  /** For the pg sink and the trigger manager: the current settings of a connection, read each time. */
  readonly named: NamedConnections = (id) => {
    const c = this.store.get(id);
    return c && { name: c.name, settings: settingsOf(c) };
  };

  listConnections: ConnectionsApi['listConnections'] = async () => {
    const uses = this.uses();
    return this.store.all().map((c) => ({ ...c, usedBy: uses.get(c.id) ?? [] }));
  };

  saveConnection: ConnectionsApi['saveConnection'] = async ({ id, name, settings }) => {
    const other = this.store.idByName(name);
    if (other !== undefined && other !== id) throw new EngineError('invalid_argument', `a connection named "${name}" already exists; pick another name`);
    const now = this.o.now();
    let savedId: string;
    let settingsChanged = true;
    if (id === undefined) {
      savedId = newId('conn');
      this.store.insert({ id: savedId, name, settings }, now);
    } else {
      const before = this.store.get(id);
      if (!before || !this.store.update({ id, name, settings }, now)) throw new EngineError('not_found', `no connection with id "${id}"`);
      settingsChanged = JSON.stringify(settingsOf(before)) !== JSON.stringify(settingsOf(settings));
      savedId = id;
    }
    await this.o.durable();
    this.o.onChanged(savedId, settingsChanged);
    const saved = this.store.get(savedId)!;
    return { ...saved, usedBy: this.uses().get(savedId) ?? [] };
  };

  deleteConnection: ConnectionsApi['deleteConnection'] = async ({ id }) => {
    const c = this.store.get(id);
    if (!c) return { deleted: false };
    const used = this.uses().get(id) ?? [];
    if (used.length > 0) {
      const where = used.map((u) => `"${u.flowName}" › "${u.nodeName}"`).join(', ');
      throw new EngineError('invalid_argument', `the connection "${c.name}" is used by ${where}; pick another connection in those nodes first`);
    }
    const deleted = this.store.delete(id);
    await this.o.durable();
    this.o.onChanged(id, true);
    return { deleted };
  };

  testConnection: ConnectionsApi['testConnection'] = async ({ id, settings }) => {
    let fields: PgConnectionFields;
    if (id !== undefined) {
      const c = this.store.get(id);
      if (!c) throw new EngineError('not_found', `no connection with id "${id}"`);
      fields = settingsOf(c);
    } else {
      fields = settings!;
    }
    return testPgConnection(fields, this.o.resolveSecret);
  };

  /** The connections a flow's nodes pick, as an export writes them (references only, by id). */
  exportedFor(flow: Flow): ExportedConnection[] {
    const ids = new Set<string>();
    for (const n of flow.nodes) {
      const ref = (n.config as Record<string, unknown> | undefined)?.['connection'];
      if (CONNECTION_NODE_TYPES.has(n.type) && typeof ref === 'string' && ref !== '') ids.add(ref);
    }
    return [...ids].sort().flatMap((id) => {
      const c = this.store.get(id);
      return c ? [toExportedConnection(c)] : [];
    });
  }

  /**
   * Connections carried by an imported or exported flow.ts: created under their id when missing
   * (a name already taken by another connection gets a suffix), replaced when the file's settings
   * differ (edits in the file come back, as node config edits do), left alone when equal.
   */
  async importExported(list: readonly ExportedConnection[]): Promise<void> {
    const now = this.o.now();
    const changed: string[] = [];
    for (const c of list) {
      const existing = this.store.get(c.id);
      const settings = settingsOf(c);
      if (existing && JSON.stringify(toExportedConnection(existing)) === JSON.stringify(toExportedConnection(c))) continue;
      let name = c.name;
      for (let i = 2; (this.store.idByName(name) ?? c.id) !== c.id; i++) name = `${c.name} (${i})`;
      if (existing) this.store.update({ id: c.id, name, settings }, now);
      else this.store.insert({ id: c.id, name, settings }, now);
      changed.push(c.id);
    }
    if (changed.length === 0) return;
    await this.o.durable();
    for (const id of changed) this.o.onChanged(id, true);
  }

  /** Config problems for nodes that pick a connection that does not exist (one per node, on the `connection` field). */
  problems(flow: Flow): FlowProblem[] {
    const out: FlowProblem[] = [];
    flow.nodes.forEach((n, i) => {
      if (!CONNECTION_NODE_TYPES.has(n.type)) return;
      const ref = (n.config as Record<string, unknown> | undefined)?.['connection'];
      // A malformed id is already the node schema's problem on the same field.
      if (typeof ref !== 'string' || !CONNECTION_ID.test(ref) || this.store.get(ref)) return;
      out.push({
        kind: 'config',
        path: ['nodes', i, 'config', 'connection'],
        nodeId: n.id,
        field: 'connection',
        message: `the named connection "${ref}" does not exist (deleted, or the flow came from another data folder); pick a connection or Custom`,
      });
    });
    return out;
  }

  /** Which flows and nodes pick each connection (the saved current versions). */
  private uses(): Map<string, ConnectionUse[]> {
    const out = new Map<string, ConnectionUse[]>();
    for (const f of this.o.flows.list()) {
      const doc = LooseDoc.safeParse(this.o.flows.get(f.id)?.doc);
      if (!doc.success) continue;
      for (const n of doc.data.nodes) {
        const ref = n.config?.['connection'];
        if (!CONNECTION_NODE_TYPES.has(n.type) || typeof ref !== 'string' || !CONNECTION_ID.test(ref)) continue;
        const list = out.get(ref) ?? [];
        list.push({ flowId: f.id, flowName: f.name, nodeId: n.id, nodeName: n.name ?? n.id });
        out.set(ref, list);
      }
    }
    return out;
  }
}

export function settingsOf(c: PgConnectionFields): PgConnectionFields {
  return { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, connectionString: c.connectionString, tls: c.tls };
}

const ServerRow = z.object({ version: z.string(), wal_level: z.string(), user: z.string(), rolreplication: z.boolean(), rolsuper: z.boolean() });

/** Connects for real; reports the server version and what change triggers need (logical WAL, REPLICATION). */
export async function testPgConnection(fields: PgConnectionFields, resolveSecret: ResolveSecret): Promise<ConnectionTestResult> {
  const started = Date.now();
  const done = (r: Omit<ConnectionTestResult, 'latencyMs'>): ConnectionTestResult => ({ ...r, latencyMs: Date.now() - started });
  let conn;
  try {
    conn = await resolveConnection(fields, resolveSecret);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return done({ ok: false, connected: false, serverVersion: null, trigger: null, problems: [{ level: 'error', code: 'secret', message, fix: 'Set the secret on the Secrets page (key icon in the top bar).' }] });
  }
  const client = new pg.Client({ ...conn.config, connectionTimeoutMillis: 8_000 });
  // A server restart mid-query emits 'error' on the client: without a listener that ends the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    return done({ ok: false, connected: false, serverVersion: null, trigger: null, problems: [{ level: 'error', code: 'connection', message: `cannot connect: ${describePgError(e, conn.redact)}` }] });
  }
  try {
    const server = ServerRow.parse(
      (
        await client.query(`SELECT current_setting('server_version') AS version, current_setting('wal_level') AS wal_level,
          current_user AS user, r.rolreplication, r.rolsuper FROM pg_roles r WHERE r.rolname = current_user`)
      ).rows[0],
    );
    const problems: SetupProblem[] = [];
    const logical = server.wal_level === 'logical';
    const replication = server.rolreplication || server.rolsuper;
    if (!logical) {
      problems.push({
        level: 'warning',
        code: 'wal_level',
        message: `Sinks can use this connection. Change triggers cannot yet: wal_level is "${server.wal_level}" and logical replication needs "logical". Run this, then restart Postgres (a reload is not enough):`,
        fix: 'ALTER SYSTEM SET wal_level = logical;',
      });
    }
    if (!replication) {
      problems.push({
        level: 'warning',
        code: 'replication_privilege',
        message: `Sinks can use this connection. Change triggers cannot yet: the user "${server.user}" may not use replication. As a superuser run:`,
        fix: `ALTER ROLE ${quoteIdent(server.user)} WITH REPLICATION;`,
      });
    }
    return done({ ok: true, connected: true, serverVersion: server.version, trigger: { walLevel: server.wal_level, logical, replication }, problems });
  } catch (e) {
    return done({ ok: false, connected: true, serverVersion: null, trigger: null, problems: [{ level: 'error', code: 'query', message: describePgError(e, conn.redact) }] });
  } finally {
    await client.end().catch(() => undefined);
  }
}
