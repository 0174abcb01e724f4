/**
 * Backfill while streaming, with watermarks (the DBLog / Debezium incremental-snapshot idea):
 *
 *   1. emit a LOW watermark into the WAL (a transactional logical message with our prefix),
 *   2. read the next chunk of rows by primary key (keyset pagination: key > cursor LIMIT n) in a
 *      REPEATABLE READ transaction that also returns its snapshot (`pg_current_snapshot()`),
 *   3. emit a HIGH watermark.
 *
 * The stream sees LOW … live changes … HIGH in commit order. Every live change to a chunk row
 * between LOW and HIGH may be newer than what the SELECT read, so that row is dropped from the
 * chunk (the live change carries the newer state). At HIGH the remaining rows are handed to the
 * journal *at that point of the stream*, after every change committed before it and before every
 * change committed after it, with the same ordering key (table + primary key) as live changes.
 *
 * Commit order in the WAL is not visibility order: Postgres writes a transaction's commit record
 * (and logical decoding streams it) before the transaction leaves the proc array and becomes
 * visible — a moment on a busy machine, a standby round trip with synchronous replication. So a
 * change streamed *before* LOW can still be invisible to the chunk's SELECT, which then reads the
 * row as it was before it, and that stale row, queued after the live change, would overwrite it
 * (or bring back a deleted row). Hence the second rule: the backfill remembers, for every key of
 * its tables, the transaction id of the last live change the stream delivered, and at HIGH a row
 * whose last live change came from a transaction the chunk's snapshot did not see is dropped too
 * (the live change is newer). Changes to one row are serialised by its row lock, so "the last
 * one was visible" means all were. Entries older than the snapshot's xmin are visible to every
 * later snapshot and are forgotten after each chunk, so the memory holds only recent keys.
 *
 * The cursor is saved in the same transaction as the chunk's runs; after a crash the chunk is
 * read again under new watermarks (old ones are ignored: unknown id) and dedupe drops rows
 * already queued.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { BackfillProgress } from '../../../shared/triggers';
import type { BackfillState } from '../trigger-store';
import type { ChangeShaper, RelationShape } from './change-shaper';
import type { ChangeStream, WatermarkListener } from './change-stream';
import { loadTableShape } from './catalog';
import { qualified, quoteIdent } from './names';

interface Window {
  id: string;
  table: string;
  shape: RelationShape;
  rows: Record<string, unknown>[] | null;
  /** The snapshot the chunk was read with. */
  snapshot: Snapshot | null;
  changed: Set<string>;
  open: boolean;
  finish: (error?: Error) => void;
  onRows: (rows: Record<string, unknown>[]) => void;
}

export interface BackfillOptions {
  state: BackfillState;
  prefix: string;
  batchSize: number;
  client: pg.Client;
  shaper: ChangeShaper;
  stream: ChangeStream;
  /** Persist the state (runs inside the transaction that writes the chunk's runs). */
  save(state: BackfillState): void;
  onProgress(progress: BackfillProgress): void;
  /** The tests' broken variant: only the LOW..HIGH rule, live changes the snapshot did not see are ignored. */
  ignoreSnapshot?: boolean;
}

export class Backfill implements WatermarkListener {
  private window: Window | null = null;
  private stopped = false;
  /** Row key → transaction id (32-bit, as streamed) of the last live change to it, kept until every snapshot sees it. */
  private readonly lastLiveXid = new Map<string, number>();
  private readonly tables: Set<string>;

  constructor(private readonly o: BackfillOptions) {
    this.tables = new Set(o.state.tables.filter((t) => !t.done).map((t) => `${t.schema}.${t.table}`));
  }

  progress(): BackfillProgress {
    const tables = this.o.state.tables;
    const rowsDone = tables.reduce((n, t) => n + t.rows, 0);
    const current = tables.find((t) => !t.done);
    const rowsTotal = tables.reduce((n, t) => n + (t.done ? t.rows : Math.max(t.estimate, t.rows)), 0);
    return { state: current ? 'running' : 'done', rowsDone, rowsTotal, table: current ? `${current.schema}.${current.table}` : null };
  }

  /** Every live change to a table still to backfill, from before the first chunk (attach before the stream opens). */
  tracking(schema: string, table: string): boolean {
    return this.tables.has(`${schema}.${table}`);
  }

  onLiveChange(rowKeys: string[], xid: number): void {
    const w = this.window?.open ? this.window : null;
    for (const k of rowKeys) {
      w?.changed.add(k);
      this.lastLiveXid.set(k, xid);
    }
  }

  onWatermark(kind: 'low' | 'high', id: string): void {
    const w = this.window;
    // A watermark from an earlier window (replayed after a reconnect) means nothing now.
    if (!w || w.id !== id) return;
    if (kind === 'low') {
      w.open = true;
      return;
    }
    w.open = false;
    if (w.rows === null) return w.finish(new Error('backfill: high watermark before the chunk was read'));
    w.onRows(w.rows);
  }

  stop(): void {
    this.stopped = true;
    this.window?.finish(new Error('backfill stopped'));
    this.window = null;
  }

  async run(): Promise<void> {
    this.o.onProgress(this.progress());
    for (const t of this.o.state.tables) {
      if (t.done) continue;
      const shape = await loadTableShape(this.o.client, t);
      if (shape.keyColumns.length === 0) throw new Error(`backfill needs a primary key on ${t.schema}.${t.table}`);
      if (t.estimate === 0) t.estimate = await this.estimate(t);
      while (!t.done && !this.stopped) await this.chunk(t, shape);
    }
  }

  private async chunk(t: BackfillState['tables'][number], shape: RelationShape) {
    const { client, prefix } = this.o;
    const id = randomUUID();
    const done = new Promise<void>((resolve, reject) => {
      this.window = {
        id,
        table: `${t.schema}.${t.table}`,
        shape,
        rows: null,
        snapshot: null,
        changed: new Set(),
        open: false,
        finish: (error) => (error ? reject(error) : resolve()),
        onRows: (rows) => this.deliver(t, shape, rows, id, resolve),
      };
    });
    // Nobody awaits `done` if a query below throws: keep that rejection from going unhandled.
    done.catch(() => undefined);
    await client.query(`SELECT pg_logical_emit_message(true, $1, $2)`, [prefix, `low:${id}`]);
    const keys = shape.keyColumns.map(quoteIdent).join(', ');
    const cursor = t.cursor;
    const where = cursor ? `WHERE (${keys}) > (${shape.keyColumns.map((_, i) => `$${i + 1}`).join(', ')})` : '';
    const params = cursor ? shape.keyColumns.map((k) => cursor[k]) : [];
    // One snapshot for both statements. (The slot-health poll shares this client; a query of it
    // that lands inside the transaction reads shared-memory views, unaffected by the snapshot.)
    await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`);
    let rows: Record<string, unknown>[];
    let snapshot: Snapshot;
    try {
      const snap = (await client.query(`SELECT pg_current_snapshot()::text AS s`)).rows[0] as { s?: unknown } | undefined;
      snapshot = parseSnapshot(String(snap?.s));
      rows = (await client.query(`SELECT * FROM ${qualified(t)} ${where} ORDER BY ${keys} LIMIT ${this.o.batchSize}`, params)).rows as Record<string, unknown>[];
    } finally {
      // Read-only: COMMIT and ROLLBACK are the same; COMMIT of a failed transaction rolls it back.
      await client.query(`COMMIT`);
    }
    if (this.window?.id === id) {
      this.window.rows = rows;
      this.window.snapshot = snapshot;
    }
    await client.query(`SELECT pg_logical_emit_message(true, $1, $2)`, [prefix, `high:${id}`]);
    await done;
  }

  /** At the high watermark, in stream order: rows not changed live during the window become runs. */
  private deliver(t: BackfillState['tables'][number], shape: RelationShape, rows: Record<string, unknown>[], id: string, resolve: () => void) {
    const w = this.window;
    const snapshot = w?.snapshot ?? null;
    if (snapshot === null) return w?.finish(new Error('backfill: the chunk was read without a snapshot'));
    const runs = [];
    for (const row of rows) {
      const key = this.o.shaper.rowKey(shape, row);
      if (w?.changed.has(key)) continue;
      // A live change the snapshot did not see is already in the journal, ahead of this row: it is newer.
      const xid = this.lastLiveXid.get(key);
      if (xid !== undefined && !this.o.ignoreSnapshot && !visibleIn(snapshot, xid)) continue;
      const shaped = this.o.shaper.backfillRow(shape, row, this.o.state.id);
      if (shaped) runs.push(shaped);
    }
    const last = rows[rows.length - 1];
    if (last) t.cursor = Object.fromEntries(shape.keyColumns.map((k) => [k, last[k]]));
    t.rows += rows.length;
    if (rows.length < this.o.batchSize) {
      t.done = true;
      this.tables.delete(`${t.schema}.${t.table}`);
    }
    this.forgetSeenByAll(snapshot);
    const state = structuredClone(this.o.state);
    this.o.stream.submitRows(
      runs,
      () => this.o.save(state),
      () => {
        if (this.window?.id === id) this.window = null;
        this.o.onProgress(this.progress());
        resolve();
      },
    );
  }

  /**
   * Transactions below the snapshot's xmin had ended when it was taken, so every later snapshot
   * sees them: their entries can go. What stays is the keys changed by transactions still running
   * (or started) around the chunk — few, unless a long transaction holds xmin back.
   */
  private forgetSeenByAll(snapshot: Snapshot) {
    for (const [key, xid] of this.lastLiveXid) {
      if (widen(snapshot, xid) < snapshot.xmin) this.lastLiveXid.delete(key);
    }
  }

  private async estimate(t: { schema: string; table: string }): Promise<number> {
    const r = (await this.o.client.query(`SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [qualified(t)])).rows[0] as { n?: unknown } | undefined;
    const n = Number(r?.n ?? 0);
    if (n > 0) return n;
    const c = (await this.o.client.query(`SELECT count(*)::bigint AS n FROM ${qualified(t)}`)).rows[0] as { n?: unknown } | undefined;
    return Number(c?.n ?? 0);
  }
}

/** A Postgres snapshot (`pg_current_snapshot()`): 64-bit transaction ids (epoch + xid). */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** Parses `xmin:xmax:xip,xip,…` (the text form of pg_snapshot). */
export function parseSnapshot(text: string): Snapshot {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text);
  if (!m) throw new Error(`backfill: unexpected snapshot "${text}"`);
  return { xmin: BigInt(m[1]!), xmax: BigInt(m[2]!), xip: new Set(m[3] ? m[3].split(',').map((x) => BigInt(x)) : []) };
}

const EPOCH = 1n << 32n;
const HALF = 1n << 31n;

/** The 64-bit id of a streamed 32-bit xid: the one nearest the snapshot's xmax (ids within 2^31 of it). */
export function widen(snapshot: Snapshot, xid: number): bigint {
  let full = (snapshot.xmax & ~(EPOCH - 1n)) | BigInt(xid >>> 0);
  if (full > snapshot.xmax + HALF) full -= EPOCH;
  else if (full < snapshot.xmax - HALF) full += EPOCH;
  return full;
}

/** Did the snapshot see the (committed) transaction `xid`? */
export function visibleIn(snapshot: Snapshot, xid: number): boolean {
  const full = widen(snapshot, xid);
  return full < snapshot.xmin || (full < snapshot.xmax && !snapshot.xip.has(full));
}
