/**
 * A 100,000-row transaction streams through with bounded memory: while the journal is slow, the
 * trigger pauses the replication socket instead of buffering, so changes received-but-not-durable
 * never exceed the cap (plus one chunk and one socket read). Every row arrives exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { openDatabase, type Db } from '../../store/database';
import { TriggerStore } from '../trigger-store';
import type { ShapedChange } from './change-shaper';
import { PgTrigger } from './pg-trigger';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { ensurePublication, ensureSlot } from './slot';
import { waitFor } from './testing';

let cluster: TestPostgres;
let dir = '';
let db: Db;

beforeAll(async () => {
  cluster = await startTestPostgres();
  await cluster.query(`CREATE TABLE big (id int PRIMARY KEY, pad text)`);
  const c = await cluster.client();
  await ensurePublication(c, 'bulk', [{ schema: 'public', table: 'big' }]);
  await ensureSlot(c, 'bulk');
  await c.end();
  dir = mkdtempSync(join(tmpdir(), 'millrace-bulk-'));
  db = openDatabase(join(dir, 'millrace.db'));
});
afterAll(async () => {
  db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await cluster?.stop();
});

describe('one 100,000-row transaction', () => {
  it('streams through with a bounded backlog while the journal is slow', { timeout: 90_000 }, async () => {
    const ROWS = 100_000;
    const CAP = 5_000;
    const CHUNK = 1_000;
    const store = new TriggerStore(db, Date.now);
    const config = postgresChangeConfig.parse({ host: cluster.host, port: cluster.port, tables: 'big' });
    store.save({ flowId: 'f', nodeId: 'n', slot: 'bulk', publication: 'bulk', active: true, config, createdSlot: true, state: 'starting' });
    const keys = new Set<string>();
    let outstanding = 0;
    let peakOutstanding = 0;
    let writes = 0;
    const trigger = new PgTrigger({
      flowId: 'f',
      nodeId: 'n',
      slot: 'bulk',
      publication: 'bulk',
      config,
      confirmedLsn: null,
      resolveSecret: async () => '',
      // A slow journal: 20 ms per batch, several batches may be in flight.
      enqueue: async (runs: ShapedChange[], alsoWrite) => {
        outstanding += runs.length;
        peakOutstanding = Math.max(peakOutstanding, outstanding);
        await new Promise((r) => setTimeout(r, 20));
        db.transaction(alsoWrite)();
        for (const r of runs) keys.add(r.dedupeKey);
        outstanding -= runs.length;
        writes++;
        return { created: runs.length };
      },
      store,
      onStatus: () => undefined,
      log: () => undefined,
      maxInFlight: CAP,
      chunkSize: CHUNK,
    });
    trigger.start();
    await waitFor('streaming', () => trigger.status.state === 'streaming' || undefined);
    const c = new pg.Client({ host: cluster.host, port: cluster.port, user: 'postgres', database: 'postgres' });
    await c.connect();
    await c.query(`INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series(1, ${ROWS}) g`);
    await c.end();
    await waitFor('every row', () => keys.size >= ROWS || undefined, 80_000);
    await trigger.stop();
    expect(keys.size).toBe(ROWS);
    expect(writes).toBeGreaterThan(ROWS / (CAP + CHUNK));
    // The cap holds, give or take one chunk and what one socket read parses: memory is bounded by
    // the cap, not by the transaction (heap figures are too noisy without a forced GC to assert on).
    expect(peakOutstanding).toBeLessThanOrEqual(CAP + CHUNK + 1_000);
    // Confirmed only once the whole transaction was durable.
    expect(store.get('f', 'n')?.confirmedLsn).not.toBeNull();
  });
});
