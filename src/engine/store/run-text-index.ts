/**
 * The text-search extract of finished runs (`run_text`, FTS5), filled in batches off the hot path.
 *
 * A run's end only records its seq in `run_text_pending` (one small b-tree append, in the same
 * transaction as the end). Tokenising and writing an FTS5 segment per journal commit cost about a
 * tenth of the engine's CPU per run; here many runs share one segment. Batches are indexed when the
 * journal has been quiet for a moment, at once when many are pending (so the backlog stays bounded
 * under steady load), and always before a text search (`RunHistory.page`), so a search never misses
 * a finished run. The pending row and the extract change in one transaction: a crash loses neither
 * half alone, and what is not indexed yet is indexed after the restart.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';
import { payloadsOf, type PayloadStore } from './payloads';

/**
 * The extract, built here rather than in SQL: large values are stored once, by reference
 * (./payloads.ts), and their text is put back (the first n characters) so a search finds words in
 * them too. Same shape as migration 6's trigger: input 4,000, each node's output + error 2,000, 16,000 in all.
 */
function extractOf(payloads: PayloadStore, run: { input: string | null; error: string | null }, nodes: { output: string | null; error: string | null }[]): string {
  const textOf = (t: string | null, n: number) => {
    if (t === null) return '';
    if (!t.includes('\\u0000payload')) return t.slice(0, n);
    try {
      return JSON.stringify(payloads.decode(t)).slice(0, n);
    } catch {
      return t.slice(0, n); // a payload missing: index what is there
    }
  };
  const parts = nodes.map((nr) => `${textOf(nr.output, 2000)} ${nr.error ?? ''}`.slice(0, 2000));
  return `${textOf(run.input, 4000)} ${run.error ?? ''} ${parts.join(' ')}`.slice(0, 16000);
}

type Stmt = Statement;
const statements = new WeakMap<Db, { upTo: Stmt; runs: Stmt; nodes: Stmt; put: Stmt; done: Stmt; count: Stmt }>();

function prepared(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      upTo: db.prepare(`SELECT max(seq) FROM (SELECT seq FROM run_text_pending ORDER BY seq LIMIT ?)`).pluck(),
      runs: db.prepare(`SELECT seq, id, input, error FROM runs WHERE seq IN (SELECT seq FROM run_text_pending WHERE seq <= ?)`),
      nodes: db.prepare(`SELECT output, error FROM node_runs WHERE run_id = ?`),
      put: db.prepare(`INSERT OR REPLACE INTO run_text (rowid, body) VALUES (?, ?)`),
      done: db.prepare(`DELETE FROM run_text_pending WHERE seq <= ?`),
      count: db.prepare(`SELECT count(*) FROM run_text_pending`).pluck(),
    };
    statements.set(db, s);
  }
  return s;
}

/** Indexes up to `batch` pending runs, oldest first, in one transaction; returns how many. */
export function indexPendingRunText(db: Db, batch = 500): number {
  const s = prepared(db);
  const upTo = s.upTo.get(batch) as number | null;
  if (upTo === null) return 0;
  const payloads = payloadsOf(db);
  return db.transaction(() => {
    for (const r of s.runs.all(upTo) as { seq: number; id: string; input: string | null; error: string | null }[]) {
      s.put.run(r.seq, extractOf(payloads, r, s.nodes.all(r.id) as { output: string | null; error: string | null }[]));
    }
    return s.done.run(upTo).changes;
  })();
}

/** Indexes everything pending (before a text search). */
export function indexAllPendingRunText(db: Db): void {
  while (indexPendingRunText(db) > 0);
}

export function pendingRunTextCount(db: Db): number {
  return prepared(db).count.get([]) as number;
}

export interface RunTextIndexerOptions {
  /** Index when nothing was committed for this long. Default 500 ms. */
  idleMs?: number;
  /** Index at once (busy or not) when this many runs are pending. Default 2,000. */
  maxPending?: number;
  /** Journal commits so far (the writer's committedSeq): quiet = unchanged. */
  committed: () => number;
  log?: (line: string) => void;
}

/** The timer that keeps the extract current. A direct write, never inside a writer batch. */
export class RunTextIndexer {
  private readonly timer: ReturnType<typeof setInterval>;
  private lastCommitted = -1;
  private quietSince = Date.now();

  constructor(
    private readonly db: Db,
    private readonly o: RunTextIndexerOptions,
  ) {
    const idleMs = o.idleMs ?? 500;
    this.timer = setInterval(() => this.tick(idleMs), Math.max(20, Math.min(250, idleMs / 2)));
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(idleMs: number) {
    try {
      const committed = this.o.committed();
      const now = Date.now();
      if (committed !== this.lastCommitted) {
        this.lastCommitted = committed;
        this.quietSince = now;
      }
      if (now - this.quietSince >= idleMs) {
        indexPendingRunText(this.db, 2000);
        return;
      }
      if (pendingRunTextCount(this.db) >= (this.o.maxPending ?? 2000)) indexPendingRunText(this.db, this.o.maxPending ?? 2000);
    } catch (e) {
      this.o.log?.(`indexing finished runs for search failed (retried later): ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
