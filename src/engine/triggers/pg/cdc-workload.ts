/**
 * A source workload with its own audit, for the no-loss / no-duplicate tests: single-row commits
 * of inserts and updates on `cdc_rows (id, version)`; a Postgres trigger writes every change to
 * `cdc_audit` (not published) in the same transaction, so the audit is exactly the set of
 * committed changes, whatever crashed when. A change is identified by (id, version).
 */
import pg from 'pg';
import type { ChangeEvent } from '../../../nodes/postgres-change.node.js';
import type { TestPostgres } from './postgres-for-tests';

export const WORKLOAD_TABLE = 'public.cdc_rows';

export async function createWorkloadTables(p: TestPostgres): Promise<void> {
  await p.query(`
    CREATE TABLE cdc_rows (id int PRIMARY KEY, version int NOT NULL, payload text);
    CREATE TABLE cdc_audit (id int NOT NULL, version int NOT NULL, PRIMARY KEY (id, version));
    CREATE FUNCTION cdc_audit_fn() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO cdc_audit VALUES (NEW.id, NEW.version); RETURN NEW; END $$;
    CREATE TRIGGER cdc_audit_tr AFTER INSERT OR UPDATE ON cdc_rows FOR EACH ROW EXECUTE FUNCTION cdc_audit_fn();`);
}

export interface WorkloadProgress {
  done: number;
}

/**
 * Writes `total` changes (3 inserts : 1 update) in transactions of `perTransaction` changes,
 * through one connection that reconnects when Postgres restarts. A transaction cut off by a
 * restart may or may not have committed: the audit table says which, so the workload moves on.
 */
export async function runWorkload(
  p: TestPostgres,
  total: number,
  progress: WorkloadProgress = { done: 0 },
  perTransaction = 10,
  /** Changes per second at most (0 = as fast as possible): keeps the workload long enough on a fast machine. */
  ratePerSec = 0,
): Promise<void> {
  let client: pg.Client | null = null;
  let inserted = 0;
  const started = performance.now();
  for (let i = 0; i < total; i += perTransaction) {
    const due = ratePerSec > 0 ? started + (i / ratePerSec) * 1000 : 0;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
    const statements: string[] = [];
    for (let k = i; k < Math.min(total, i + perTransaction); k++) {
      statements.push(
        k % 4 === 3 && inserted > 0
          ? `UPDATE cdc_rows SET version = version + 1 WHERE id = ${1 + ((k * 7919) % inserted)};`
          : `INSERT INTO cdc_rows VALUES (${++inserted}, 0, 'p') ON CONFLICT (id) DO NOTHING;`,
      );
    }
    const sql = statements.length === 1 ? statements[0]! : `BEGIN; ${statements.join(' ')} COMMIT;`;
    for (let attempt = 0; ; attempt++) {
      try {
        if (!client) {
          client = new pg.Client({ host: p.host, port: p.port, user: p.user, database: p.database });
          client.on('error', () => undefined);
          await client.connect();
        }
        await client.query(sql);
        break;
      } catch (e) {
        await client?.end().catch(() => undefined);
        client = null;
        if (attempt > 200) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    progress.done = Math.min(total, i + perTransaction);
  }
  await client?.end().catch(() => undefined);
}

export interface AuditReport {
  sourceChanges: number;
  runs: number;
  missing: number;
  duplicates: number;
  phantoms: number;
}

/** Compares the journal's run inputs with the source audit. */
export async function auditAgainstSource(p: TestPostgres, events: ChangeEvent[]): Promise<AuditReport> {
  const rows = (await p.query<{ id: number; version: number }>(`SELECT id, version FROM cdc_audit`)).rows;
  const source = new Set(rows.map((r) => `${r.id}:${r.version}`));
  const seen = new Map<string, number>();
  for (const e of events) {
    const k = `${String(e.new?.['id'])}:${String(e.new?.['version'])}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  let missing = 0;
  for (const k of source) if (!seen.has(k)) missing++;
  let duplicates = 0;
  let phantoms = 0;
  for (const [k, n] of seen) {
    if (n > 1) duplicates += n - 1;
    if (!source.has(k)) phantoms++;
  }
  return { sourceChanges: source.size, runs: events.length, missing, duplicates, phantoms };
}
