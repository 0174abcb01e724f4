/**
 * The search extract is filled in batches off the hot path: a run's end only queues its seq.
 * A text search must still find a run that finished a moment ago (it indexes what is pending
 * first), the idle indexer catches up by itself, and deleting runs leaves nothing pending.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from './database';
import { GroupCommitWriter } from './group-commit';
import { RunStore } from './run-store';
import { RunHistory } from './run-history';
import { RunTextIndexer, indexPendingRunText, pendingRunTextCount } from './run-text-index';
import { deleteRunRows } from './run-owned-tables';

let dir: string;
let db: Db;
let writer: GroupCommitWriter;
let store: RunStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-run-text-'));
  db = openDatabase(join(dir, 'millrace.db'));
  writer = new GroupCommitWriter(db, { walPath: join(dir, 'millrace.db-wal') });
  store = new RunStore(db, writer);
});
afterEach(async () => {
  await writer.stop(new Error('closed'));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function finishRun(id: string, word: string) {
  db.prepare(`INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, created_at) VALUES (?, 'f', 1, 'F', 'queued', ?, 1)`).run(id, JSON.stringify({ note: word }));
  store.runStarted(id, 1);
  store.nodeStarted(id, 'n', 'set-fields@1', {}, 1, 1);
  store.nodeSucceeded(id, 'n', { out: { said: `${word}out` } }, { said: `${word}out` }, 2);
  await store.runFinished(id, 'succeeded', null, 3);
}
const matches = (word: string) => (db.prepare(`SELECT count(*) AS n FROM run_text WHERE run_text MATCH ?`).get(word) as { n: number }).n;

describe('run text index', () => {
  it('a run end queues its seq instead of writing the FTS extract; a search indexes what is pending first', async () => {
    await finishRun('r1', 'zebra');
    await finishRun('r2', 'okapi');
    expect(pendingRunTextCount(db)).toBe(2);
    // Without the catch-up a search would miss both: nothing is in the index yet.
    expect(matches('zebra')).toBe(0);
    const history = new RunHistory(db);
    expect(history.page({ flowId: 'f', text: 'zebra' }).rows.map((r) => r.id)).toEqual(['r1']);
    expect(history.page({ flowId: 'f', text: 'okapiout' }).rows.map((r) => r.id)).toEqual(['r2']);
    expect(pendingRunTextCount(db)).toBe(0);
    expect(matches('zebra')).toBe(1);
  });

  it('indexes in batches, oldest first, and the idle indexer catches up by itself', async () => {
    for (let i = 0; i < 5; i++) await finishRun(`r${i}`, `word${i}`);
    expect(indexPendingRunText(db, 2)).toBe(2);
    expect([matches('word0'), matches('word1'), matches('word2')]).toEqual([1, 1, 0]);
    const indexer = new RunTextIndexer(db, { idleMs: 20, committed: () => writer.committedSeq });
    try {
      const deadline = Date.now() + 10_000;
      while (pendingRunTextCount(db) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      indexer.stop();
    }
    expect(pendingRunTextCount(db)).toBe(0);
    expect([2, 3, 4].map((i) => matches(`word${i}`))).toEqual([1, 1, 1]);
  });

  it('deleting runs (prune, flow delete) leaves nothing pending and nothing searchable', async () => {
    await finishRun('r1', 'gone');
    await finishRun('r2', 'kept');
    indexPendingRunText(db);
    await finishRun('r3', 'gonetoo');
    db.transaction(() => deleteRunRows(db, ['r1', 'r3']))();
    expect(pendingRunTextCount(db)).toBe(0);
    expect(new RunHistory(db).page({ flowId: 'f', text: 'gone' }).rows).toEqual([]);
    expect(new RunHistory(db).page({ flowId: 'f', text: 'kept' }).rows.map((r) => r.id)).toEqual(['r2']);
  });
});
