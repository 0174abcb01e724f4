import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitWriter, realDurabilityFs, type DurabilityFs } from './group-commit';

let dir: string;
let db: Database.Database;
let writer: GroupCommitWriter;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-gc-'));
  db = new Database(join(dir, 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
  writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal') });
});
afterEach(async () => {
  await writer.stop(new Error('closed')).catch(() => {});
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (k: string, v: string) => () => void db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)').run(k, v);
const get = (k: string) => db.prepare('SELECT v FROM t WHERE k = ?').pluck().get(k);

describe('group commit', () => {
  it('commits writes of one event-loop turn together and acknowledges them only after an fsync', async () => {
    const acks: string[] = [];
    const all = ['a', 'b', 'c'].map((k) => writer.write(put(k, k)).then(() => acks.push(`${k}@fsyncs=${writer.stats.fsyncs}`)));
    expect(writer.stats.commits).toBe(0);
    await Promise.all(all);
    expect(writer.stats.commits).toBe(1);
    expect(acks).toEqual(['a@fsyncs=1', 'b@fsyncs=1', 'c@fsyncs=1']);
  });

  it('shares fsyncs among batches committed while an earlier fsync was running', async () => {
    const writes: Promise<void>[] = [];
    // Six batches committed back to back: no fsync can finish in between (its callback needs the loop).
    for (let i = 0; i < 6; i++) {
      writes.push(writer.write(put(`k${i}`, String(i))));
      writer.flush();
    }
    await Promise.all(writes);
    expect(writer.stats.commits).toBe(6);
    expect(writer.stats.fsyncs).toBe(2); // the first covered batch 1, the second the other five
    expect(writer.durableSeq).toBe(writer.committedSeq);
  });

  it('a later post of the same key replaces the pending one; a write touching the key seals it', async () => {
    writer.post(put('n', 'started'), 'n');
    writer.post(put('n', 'finished'), 'n');
    await writer.sync();
    expect(writer.stats.writes).toBe(1);
    expect(get('n')).toBe('finished');
    writer.post(put('m', 'started'), 'm');
    const w = writer.write(put('m', 'attempt failed'), 'm');
    writer.post(put('m', 'retrying'), 'm');
    await w;
    await writer.sync();
    expect(get('m')).toBe('retrying');
    expect(writer.stats.writes).toBe(4);
  });

  it('rejects every waiter of a failed batch with the error, and keeps working afterwards', async () => {
    const bad = writer.write(() => void db.prepare('INSERT INTO nope VALUES (1)').run());
    const innocent = writer.write(put('x', '1'));
    await expect(bad).rejects.toThrow(/no such table/);
    await expect(innocent).rejects.toThrow(/no such table/);
    expect(get('x')).toBeUndefined(); // rolled back together
    await writer.write(put('y', '2'));
    expect(get('y')).toBe('2');
  });

  it('refuses writes after stop, having made everything committed durable', async () => {
    const p = writer.write(put('z', '1'));
    writer.stop(new Error('engine closed'));
    await p;
    await expect(writer.write(put('w', '1'))).rejects.toThrow('engine closed');
  });
});

/** An fsync the test finishes by hand, in any order, with success or an error. */
function manualFs() {
  const pending: ((err: NodeJS.ErrnoException | null) => void)[] = [];
  const fs: DurabilityFs = { ...realDurabilityFs, fsync: (_fd, cb) => void pending.push(cb) };
  return { fs, pending };
}

describe('durability frontier', () => {
  it('advances only through fsyncs that started after a commit, in start order', async () => {
    const { fs, pending } = manualFs();
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fs, maxFsyncsInFlight: 2 });
    const acks: string[] = [];
    const a = writer.writeSeq(put('a', '1'));
    void a.done.then(() => acks.push('a'));
    writer.flush(); // fsync #1 covers a
    const b = writer.writeSeq(put('b', '1'));
    void b.done.then(() => acks.push('b'));
    writer.flush(); // fsync #2 covers a, b
    expect(pending).toHaveLength(2);
    pending[1]!(null); // the later fsync finishes first: nothing may be acknowledged yet
    await new Promise((r) => setImmediate(r));
    expect(acks).toEqual([]);
    expect(writer.durableSeq).toBe(0);
    pending[0]!(null);
    await Promise.all([a.done, b.done]);
    expect(acks).toEqual(['a', 'b']);
    expect(writer.durableSeq).toBe(b.seq);
  });

  it('an fsync error is fatal: the failed range and everything after it are refused, even if a later fsync succeeds', async () => {
    const { fs, pending } = manualFs();
    await writer.stop(new Error('replaced'));
    const fatal: Error[] = [];
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fs, maxFsyncsInFlight: 2, onFatal: (e) => fatal.push(e) });
    const a = writer.write(put('a', '1'));
    writer.flush();
    const b = writer.write(put('b', '1'));
    writer.flush();
    pending[0]!(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    pending[1]!(null); // Linux reports a writeback error once: this 0 proves nothing about a's pages
    await expect(a).rejects.toThrow(/disk failed to make the journal durable/);
    await expect(b).rejects.toThrow(/disk failed/);
    expect(fatal).toHaveLength(1);
    expect(writer.durableSeq).toBe(0);
    await expect(writer.write(put('c', '1'))).rejects.toThrow(/disk failed/);
    await expect(writer.sync()).rejects.toThrow(/disk failed/);
  });

  it('whenDurable(seq) waits for exactly that point of the frontier', async () => {
    const { fs, pending } = manualFs();
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fs });
    const seq = writer.post(put('p', '1'));
    let durable = false;
    const w = writer.whenDurable(seq).then(() => (durable = true));
    await new Promise((r) => setImmediate(r));
    expect(pending).toHaveLength(1); // the flush committed the post and started an fsync for the waiter
    expect(durable).toBe(false);
    pending[0]!(null);
    await w;
    expect(durable).toBe(true);
  });

  it('the broken variant acknowledges at commit, before any fsync (the power-loss test must catch it)', async () => {
    const { fs, pending } = manualFs();
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fs, unsafeAcknowledgeAtCommit: true });
    await writer.write(put('u', '1'));
    expect(pending).toHaveLength(1); // acknowledged while its fsync is still running
    pending[0]!(null);
  });
});

describe('a full disk (SQLITE_FULL)', () => {
  /** The database may not grow past its current size: the next write that needs a page fails like a full disk. */
  const capAtCurrentSize = () => db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const uncap = () => db.pragma('max_page_count = 1073741823');
  const big = (k: string) => put(k, 'x'.repeat(64 * 1024));

  it('keeps the failed batch, in order, ahead of newer writes and commits it when space returns; nothing is declared durable early', async () => {
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fullRetryMs: 5 });
    capAtCurrentSize();
    const order: string[] = [];
    const first = writer.writeSeq(big('a'));
    void first.done.then(() => order.push('a'));
    await new Promise((r) => setTimeout(r, 30));
    expect(writer.stalledOn?.message).toMatch(/full/);
    const later = writer.write(put('b', 'small')).then(() => order.push('b'));
    const synced = writer.sync().then(() => order.push('sync'));
    // A caller who asked to be refused hears it at once.
    await expect(writer.writeSeq(put('c', '1'), undefined, { refuseWhenFull: true }).done).rejects.toThrow(/full/);
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]);
    expect(writer.durableSeq).toBeLessThan(first.seq);
    expect(get('a')).toBeUndefined();

    uncap();
    await Promise.all([first.done, later, synced]);
    expect(order).toEqual(['a', 'b', 'sync']);
    expect(get('a')).toHaveLength(64 * 1024);
    expect(get('b')).toBe('small');
    expect(get('c')).toBeUndefined();
    expect(writer.stalledOn).toBeNull();
  });

  it('a refusable write in the batch that hit the full disk is refused; the rest of the batch waits and lands', async () => {
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fullRetryMs: 5 });
    capAtCurrentSize();
    const kept = writer.write(big('k'));
    const refused = writer.writeSeq(big('r'), undefined, { refuseWhenFull: true }).done;
    await expect(refused).rejects.toThrow(/full/);
    uncap();
    await kept;
    expect(get('k')).toHaveLength(64 * 1024);
    expect(get('r')).toBeUndefined();
  });

  it('stop() while stalled rejects the waiting writes (they resume from the journal on the next start)', async () => {
    await writer.stop(new Error('replaced'));
    writer = new GroupCommitWriter(db, { walPath: join(dir, 'x.db-wal'), fullRetryMs: 5 });
    capAtCurrentSize();
    const w = writer.write(big('s'));
    await new Promise((r) => setTimeout(r, 20));
    await writer.stop(new Error('engine closed'));
    await expect(w).rejects.toThrow(/engine closed/);
    uncap();
  });
});
