import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitWriter } from './group-commit';

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
afterEach(() => {
  writer.stop(new Error('closed'));
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

  it('shares fsyncs among batches committed while earlier fsyncs were running', async () => {
    const writes: Promise<void>[] = [];
    // Six batches committed back to back: no fsync can finish in between (its callback needs the loop).
    for (let i = 0; i < 6; i++) {
      writes.push(writer.write(put(`k${i}`, String(i))));
      writer.flush();
    }
    await Promise.all(writes);
    expect(writer.stats.commits).toBe(6);
    expect(writer.stats.fsyncs).toBe(3); // two started at once, the third covered the other four
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
