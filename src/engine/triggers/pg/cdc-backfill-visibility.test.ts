/**
 * The backfill's snapshot vs the stream's commit order, forced deterministically.
 *
 * Postgres writes a transaction's commit record to the WAL (the order logical decoding streams
 * in) before the transaction becomes visible to other snapshots. A transaction that committed in
 * the WAL *before* a chunk's low watermark can therefore still be invisible to the chunk's
 * SELECT: the stream delivers its change first, the chunk then carries the row as it was before
 * that change, and — queued after the live change with the same ordering key — the stale row
 * overwrote it (the rare failure of cdc-backfill.test.ts on a loaded machine: row 7200 stale).
 *
 * Here the window is held open on purpose: with synchronous replication to a standby that never
 * comes, a committing session (`synchronous_commit = on`) writes its commit record and then waits,
 * still invisible, until the setting is lifted; every other session commits with `local`. An
 * update and a delete are parked like that, the backfill reads the table, then they are released.
 * The sink must end equal to the source; with the snapshot check switched off (the broken
 * variant, `triggers.backfillIgnoresSnapshot`) it must not — the test catches the bug.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { mirror, startEngine, triggerFlow, waitFor, waitForState, type EngineFixture } from './testing';

let pgs: TestPostgres;
let fx: EngineFixture | undefined;
const held: pg.Client[] = [];

beforeEach(async () => {
  pgs = await startTestPostgres({ settings: { synchronous_standby_names: 'nobody_home', synchronous_commit: 'local' } });
});
afterEach(async () => {
  // Parked sessions first (their commits finish), then the engine, then the cluster.
  if (pgs) await release().catch(() => undefined);
  await Promise.all(held.splice(0).map((c) => c.end().catch(() => undefined)));
  await fx?.close();
  fx = undefined;
  await pgs?.stop();
});

async function release() {
  await pgs.query(`ALTER SYSTEM SET synchronous_standby_names = ''`);
  await pgs.query(`SELECT pg_reload_conf()`);
}

/** Runs `sql` in its own session and returns once its commit record is in the WAL; the session stays invisible until `release()`. */
async function commitInvisibly(sql: string, params: unknown[]): Promise<{ done: Promise<unknown> }> {
  const c = await pgs.client();
  c.on('error', () => undefined);
  held.push(c);
  await c.query(`SET synchronous_commit = on`);
  const pid = (await c.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid;
  const done = c.query(sql, params);
  done.catch(() => undefined);
  // Waiting for the standby = the commit record is written and flushed, the transaction not yet visible.
  await waitFor('the commit to wait for the standby', async () => {
    const r = await pgs.query(`SELECT wait_event FROM pg_stat_activity WHERE pid = $1`, [pid]);
    return r.rows[0]?.['wait_event'] === 'SyncRep' || undefined;
  });
  // Wrapped: an async function returning the promise itself would wait for it.
  return { done };
}

async function scenario(broken: boolean) {
  fx = startEngine({ concurrency: 8, triggers: { healthIntervalMs: 500, backfillIgnoresSnapshot: broken } });
  const engine = fx.engine;
  await pgs.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL, version int NOT NULL)`);
  await pgs.query(`INSERT INTO accounts SELECT g, 100, 0 FROM generate_series(1, 500) g`);
  mirror.clear();
  // The slot first (its creation waits for running transactions, so it must exist before one is parked).
  await engine.saveFlow({ flow: triggerFlow('vis', pgs, { tables: 'accounts' }, { mirror: true }) });
  await engine.activateFlow({ id: 'vis' });
  await waitForState(engine, 'vis', 'streaming');
  await engine.deactivateFlow({ id: 'vis', dropSlot: false });

  // Committed in the WAL (so streamed before the backfill's watermarks), invisible to its SELECT.
  const update = await commitInvisibly(`UPDATE accounts SET balance = balance + 1, version = version + 1 WHERE id = $1`, [250]);
  const del = await commitInvisibly(`DELETE FROM accounts WHERE id = $1`, [260]);
  const seen = (await pgs.query(`SELECT id, version FROM accounts WHERE id IN (250, 260) ORDER BY id`)).rows;
  expect(seen).toEqual([{ id: 250, version: 0 }, { id: 260, version: 0 }]);

  await engine.saveFlow({ flow: triggerFlow('vis', pgs, { tables: 'accounts', backfill: true, backfillBatchSize: 100 }, { mirror: true }) });
  await engine.activateFlow({ id: 'vis' });
  await waitFor('backfill done', async () => ((await engine.getTriggerStatus({ flowId: 'vis' }))[0]?.backfill?.state === 'done' ? true : undefined), 30_000);
  // 2 live changes + 500 backfilled rows read (minus any the snapshot check dropped).
  await waitFor('every run to finish', () => {
    const c = engine.runCounts();
    return (c['queued'] ?? 0) + (c['running'] ?? 0) === 0 && (c['succeeded'] ?? 0) >= 498 ? true : undefined;
  }, 30_000);
  await release();
  await Promise.all([update.done, del.done]);

  const source = (await pgs.query<{ id: number; balance: number; version: number }>(`SELECT id, balance, version FROM accounts ORDER BY id`)).rows;
  const wrong = source.filter((r) => {
    const m = mirror.get(JSON.stringify({ id: r.id }));
    return !m || m['balance'] !== r.balance || m['version'] !== r.version;
  });
  expect(engine.runCounts()['failed'] ?? 0).toBe(0);
  return { wrong, resurrected: mirror.has(JSON.stringify({ id: 260 })), size: mirror.size, sourceSize: source.length };
}

describe('backfill vs transactions committed in the WAL but not yet visible', () => {
  it('never lets the chunk overwrite or resurrect a row the stream already changed', { timeout: 90_000 }, async () => {
    const r = await scenario(false);
    expect(r.wrong).toEqual([]);
    expect(r.resurrected).toBe(false);
    expect(r.size).toBe(r.sourceSize);
  });

  it('catches the broken variant (snapshot ignored): the stale row wins and the deleted row comes back', { timeout: 90_000 }, async () => {
    const r = await scenario(true);
    expect(r.wrong).toEqual([{ id: 250, balance: 101, version: 1 }]);
    expect(r.resurrected).toBe(true);
  });
});
