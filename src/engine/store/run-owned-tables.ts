/**
 * The tables whose rows belong to one run (keyed by `run_id`). Declared once: deleting a flow and
 * pruning old runs both delete through `deleteRunRows`, so a table added here can never be left
 * behind by one of them. A new table keyed by run goes in this list (and its test checks every
 * table with a `run_id` column is listed).
 */
import type { Db } from './database';
import { payloadsOf } from './payloads';

export const RUN_OWNED_TABLES: readonly string[] = ['steps', 'node_runs', 'node_attempts', 'waits', 'signals', 'payload_refs'];

/**
 * Tables that name a run but outlive it on purpose: approval decisions are the evaluation set
 * (model input, output, the reviewer's edit), exported long after retention pruned the run.
 */
export const RUN_LINKED_KEPT_TABLES: readonly string[] = ['approvals'];

/** Deletes the given runs and every row they own, in the caller's transaction. */
export function deleteRunRows(db: Db, runIds: readonly string[]): void {
  // First: which payloads the runs referred to, so those no other run refers to go with them.
  payloadsOf(db).release(runIds);
  for (const table of RUN_OWNED_TABLES) {
    const del = db.prepare(`DELETE FROM ${table} WHERE run_id = ?`);
    for (const id of runIds) del.run(id);
  }
  const delRun = db.prepare(`DELETE FROM runs WHERE id = ?`);
  for (const id of runIds) delRun.run(id);
}

/** Tables with a `run_id` column that are not in RUN_OWNED_TABLES (should be none). */
export function unlistedRunTables(db: Db): string[] {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[];
  return tables.filter(
    (t) => t !== 'runs' && !RUN_OWNED_TABLES.includes(t) && !RUN_LINKED_KEPT_TABLES.includes(t) && (db.prepare(`SELECT count(*) FROM pragma_table_info(?) WHERE name = 'run_id'`).pluck().get(t) as number) > 0,
  );
}
