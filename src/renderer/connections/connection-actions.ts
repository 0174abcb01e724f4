/**
 * Engine calls for named Postgres connections (same rules as ../actions.ts: every engine call goes
 * through an action; failures come back as values, never throws) and the small store the
 * inspector's picker and the Connections page share.
 */
import { create } from 'zustand';
import type { ConnectionTestResult, PgConnectionFields, PgConnectionInfo } from '../../shared/connections';
import { engine } from '../engine-client';
import { load, type Loaded } from '../actions';


interface ConnectionsState {
  /** null until first loaded. */
  list: PgConnectionInfo[] | null;
  error: string | null;
}

export const useConnections = create<ConnectionsState>(() => ({ list: null, error: null }));

export async function refreshConnections(): Promise<void> {
  const r = await load(() => engine().listConnections());
  useConnections.setState(r.ok ? { list: r.value, error: null } : { error: r.error });
}

export async function saveConnection(arg: { id?: string; name: string; settings: PgConnectionFields }): Promise<Loaded<PgConnectionInfo>> {
  const r = await load(() => engine().saveConnection(arg));
  await refreshConnections();
  return r;
}

export async function deleteConnection(id: string): Promise<Loaded<{ deleted: boolean }>> {
  const r = await load(() => engine().deleteConnection({ id }));
  await refreshConnections();
  return r;
}

export async function testConnection(arg: { id: string } | { settings: PgConnectionFields }): Promise<ConnectionTestResult> {
  const r = await load(() => engine().testConnection(arg));
  return r.ok ? r.value : { ok: false, connected: false, serverVersion: null, trigger: null, problems: [{ level: 'error', code: 'request', message: r.error }], latencyMs: 0 };
}

/** One line for where a connection points: host:port/database as user, or the secret holding its URL. */
export function describeTarget(c: PgConnectionFields): string {
  if (c.connectionString) return `URL from ${c.connectionString}`;
  return `${c.user}@${c.host}:${c.port}/${c.database}${c.tls === 'disable' ? '' : ` · TLS ${c.tls}`}`;
}
