/**
 * Names of the slot and publication a trigger owns: `millrace_<flow>_<node>`, lower case, only
 * [a-z0-9_], at most 63 bytes (Postgres' identifier limit). Long ids are shortened with a hash so
 * two triggers never share a name.
 */
import { createHash } from 'node:crypto';

const MAX = 63;

export function triggerObjectName(flowId: string, nodeId: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `millrace_${clean(flowId)}_${clean(nodeId)}`;
  // Sanitising can make two ids collide ("a-b" and "a_b"): the hash of the raw ids keeps them apart.
  const hash = createHash('sha256').update(`${flowId}\u0000${nodeId}`).digest('hex').slice(0, 8);
  if (name.length <= MAX - 9 && clean(flowId) === flowId && clean(nodeId) === nodeId) return name;
  return `${name.slice(0, MAX - 9)}_${hash}`;
}

/** Quotes an identifier for SQL ("public"."My Table"). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export interface TableRef {
  schema: string;
  table: string;
}

export function qualified(t: TableRef): string {
  return `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
}
