/**
 * Backfill while streaming, with watermarks (the DBLog / Debezium incremental-snapshot idea):
 *
 *   1. emit a LOW watermark into the WAL (a transactional logical message with our prefix),
 *   2. read the next chunk of rows by primary key (keyset pagination: key > cursor LIMIT n),
 *   3. emit a HIGH watermark.
 *
 * The stream sees LOW … live changes … HIGH in commit order. Every live change to a chunk row
 * between LOW and HIGH may be newer than what the SELECT read, so that row is dropped from the
 * chunk (the live change carries the newer state). At HIGH the remaining rows are handed to the
 * journal *at that point of the stream*, after every change committed before it and before every
 * change committed after it, with the same ordering key (table + primary key) as live changes —
 * so a stale snapshot row can never run after a newer live change of the same row. The cursor
 * is saved in the same transaction as the chunk's runs; after a crash the chunk is read again
 * under new watermarks (old ones are ignored: unknown id) and dedupe drops rows already queued.
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
}

export class Backfill implements WatermarkListener {
  private window: Window | null = null;
  private stopped = false;

  constructor(private readonly o: BackfillOptions) {}

  progress(): BackfillProgress {
    const tables = this.o.state.tables;
    const rowsDone = tables.reduce((n, t) => n + t.rows, 0);
    const current = tables.find((t) => !t.done);
    const rowsTotal = tables.reduce((n, t) => n + (t.done ? t.rows : Math.max(t.estimate, t.rows)), 0);
    return { state: current ? 'running' : 'done', rowsDone, rowsTotal, table: current ? `${current.schema}.${current.table}` : null };
  }

  tracking(schema: string, table: string): boolean {
    return this.window !== null && this.window.open && this.window.table === `${schema}.${table}`;
  }

  onLiveChange(rowKeys: string[]): void {
    for (const k of rowKeys) this.window?.changed.add(k);
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
    const rows = (await client.query(`SELECT * FROM ${qualified(t)} ${where} ORDER BY ${keys} LIMIT ${this.o.batchSize}`, params)).rows as Record<string, unknown>[];
    if (this.window?.id === id) this.window.rows = rows;
    await client.query(`SELECT pg_logical_emit_message(true, $1, $2)`, [prefix, `high:${id}`]);
    await done;
  }

  /** At the high watermark, in stream order: rows not changed live during the window become runs. */
  private deliver(t: BackfillState['tables'][number], shape: RelationShape, rows: Record<string, unknown>[], id: string, resolve: () => void) {
    const w = this.window;
    const runs = [];
    for (const row of rows) {
      if (w?.changed.has(this.o.shaper.rowKey(shape, row))) continue;
      const shaped = this.o.shaper.backfillRow(shape, row, this.o.state.id);
      if (shaped) runs.push(shaped);
    }
    const last = rows[rows.length - 1];
    if (last) t.cursor = Object.fromEntries(shape.keyColumns.map((k) => [k, last[k]]));
    t.rows += rows.length;
    if (rows.length < this.o.batchSize) t.done = true;
    const snapshot = structuredClone(this.o.state);
    this.o.stream.submitRows(
      runs,
      () => this.o.save(snapshot),
      () => {
        if (this.window?.id === id) this.window = null;
        this.o.onProgress(this.progress());
        resolve();
      },
    );
  }

  private async estimate(t: { schema: string; table: string }): Promise<number> {
    const r = (await this.o.client.query(`SELECT greatest(reltuples, 0)::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [qualified(t)])).rows[0] as { n?: unknown } | undefined;
    const n = Number(r?.n ?? 0);
    if (n > 0) return n;
    const c = (await this.o.client.query(`SELECT count(*)::bigint AS n FROM ${qualified(t)}`)).rows[0] as { n?: unknown } | undefined;
    return Number(c?.n ?? 0);
  }
}
