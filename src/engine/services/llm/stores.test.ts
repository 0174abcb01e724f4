import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../store/database';
import { GroupCommitWriter } from '../../store/group-commit';
import { FLUSH_MS, sqliteCacheStore, sqliteLedger } from './stores';

let dir: string;
let db: Db;
let writer: GroupCommitWriter;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-llm-stores-'));
  db = openDatabase(join(dir, 'millrace.db'));
  writer = new GroupCommitWriter(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const answer = { text: 'hi', finishReason: 'stop', truncated: false, refusal: null, usage: { promptTokens: 1, completionTokens: 2 }, raw: { id: 'x' } };
const rows = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

describe('SQLite LLM stores (migration 2)', () => {
  it('holds spend in memory, writes it in one batch, and reads it back after a restart', async () => {
    const ledger = sqliteLedger(db, writer);
    ledger.add('f1', '2026-01-01', { costUsd: 0.25, promptTokens: 10, completionTokens: 5 });
    ledger.add('f1', '2026-01-01', { costUsd: null, promptTokens: 3, completionTokens: null });
    ledger.add('f1', '2026-01-01', { costUsd: 0.5, promptTokens: 1, completionTokens: 1 });
    expect(ledger.spent('f1', '2026-01-01')).toBe(0.75);
    expect(rows('llm_usage')).toBe(0);
    await new Promise((r) => setTimeout(r, FLUSH_MS + 50));
    expect(db.prepare(`SELECT calls, prompt_tokens, completion_tokens, cost_usd, unpriced_calls FROM llm_usage`).get()).toEqual({
      calls: 3,
      prompt_tokens: 14,
      completion_tokens: 6,
      cost_usd: 0.75,
      unpriced_calls: 1,
    });
    expect(sqliteLedger(db, writer).spent('f1', '2026-01-01')).toBe(0.75);
    expect(sqliteLedger(db, writer).spent('f1', '2026-01-02')).toBe(0);
  });

  it('serves held cache entries before they are written, honours expiry, and persists on flush', () => {
    const cache = sqliteCacheStore(db, writer);
    cache.put('k1', answer, 1000, 2000);
    expect(cache.get('k1', 1500)?.answer).toEqual(answer);
    expect(cache.get('k1', 2000)).toBeUndefined();
    cache.flush!();
    writer.flush();
    expect(rows('llm_cache')).toBe(1);
    const reopened = sqliteCacheStore(db, writer);
    expect(reopened.get('k1', 1999)).toEqual({ answer, storedAt: 1000 });
    expect(reopened.get('k1', 2001)).toBeUndefined();
    db.prepare(`UPDATE llm_cache SET answer = '{"text": 5}'`).run();
    expect(reopened.get('k1', 1500)).toBeUndefined();
  });
});
