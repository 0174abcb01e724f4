/** Flow documents in SQLite: the current version of each flow plus snapshots pinned by runs. */
import type { Db } from './database';
import { deleteRunRows } from './run-owned-tables';
import type { Flow } from '../../shared/flow/schema';
import type { FlowSummary } from '../../shared/api';

interface FlowRow {
  id: string;
  name: string;
  version: number;
  doc: string;
  created_at: number;
  updated_at: number;
}

export class FlowStore {
  /** Versions already snapshotted by this process: starting a run must not rewrite the snapshot each time. */
  private readonly pinned = new Set<string>();

  constructor(private readonly db: Db) {}

  list(): FlowSummary[] {
    const rows = this.db.prepare(`SELECT id, name, version, doc, updated_at FROM flows ORDER BY updated_at DESC`).all() as FlowRow[];
    return rows.map((r) => ({ id: r.id, name: r.name, version: r.version, updatedAt: r.updated_at, nodeCount: countNodes(r.doc) }));
  }

  /** The stored document (unparsed) with its version, or undefined. */
  get(id: string): { doc: unknown; version: number; updatedAt: number } | undefined {
    const r = this.db.prepare(`SELECT doc, version, updated_at FROM flows WHERE id = ?`).get(id) as FlowRow | undefined;
    return r && { doc: JSON.parse(r.doc) as unknown, version: r.version, updatedAt: r.updated_at };
  }

  /** Current version number, or undefined (cheap: reused parsed flows and triggers check it often). */
  version(id: string): number | undefined {
    // Asked on every startRun: prepared once, not per call.
    this.versionStmt ??= this.db.prepare(`SELECT version FROM flows WHERE id = ?`);
    return (this.versionStmt.get(id) as { version: number } | undefined)?.version;
  }
  private versionStmt: ReturnType<Db['prepare']> | undefined;

  exists(id: string): boolean {
    return this.db.prepare(`SELECT 1 FROM flows WHERE id = ?`).get(id) !== undefined;
  }

  /** Insert or update; returns the new version number. */
  save(flow: Flow, now: number): { version: number; updatedAt: number } {
    const doc = JSON.stringify(flow);
    const row = this.db
      .prepare(
        `INSERT INTO flows (id, name, version, doc, created_at, updated_at) VALUES (@id, @name, 1, @doc, @now, @now)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc, version = flows.version + 1, updated_at = excluded.updated_at
         RETURNING version, updated_at`,
      )
      .get({ id: flow.id, name: flow.name, doc, now }) as { version: number; updated_at: number };
    return { version: row.version, updatedAt: row.updated_at };
  }

  delete(id: string): boolean {
    return this.db.transaction(() => {
      deleteRunRows(this.db, this.db.prepare(`SELECT id FROM runs WHERE flow_id = ?`).pluck().all(id) as string[]);
      this.db.prepare(`DELETE FROM flow_versions WHERE flow_id = ?`).run(id);
      return this.db.prepare(`DELETE FROM flows WHERE id = ?`).run(id).changes > 0;
    })();
  }

  /** Keep the exact document a run starts with, so later edits never change an in-flight run. */
  pinVersion(flowId: string, version: number, flow: Flow, now: number): void {
    const key = `${flowId}@${version}`;
    if (this.pinned.has(key)) return;
    this.pinned.add(key);
    this.db
      .prepare(`INSERT OR IGNORE INTO flow_versions (flow_id, version, doc, created_at) VALUES (?, ?, ?, ?)`)
      .run(flowId, version, JSON.stringify(flow), now);
  }

  getSetting(key: string): string | undefined {
    return (this.db.prepare(`SELECT value FROM settings WHERE key = ?`).get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(key, value);
  }
}

function countNodes(doc: string): number {
  try {
    const parsed = JSON.parse(doc) as { nodes?: unknown };
    return Array.isArray(parsed.nodes) ? parsed.nodes.length : 0;
  } catch {
    return 0;
  }
}
