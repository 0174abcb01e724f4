/**
 * A paused trigger (issue 13, item 15) against a real Postgres: it reports `paused` (a never
 * activated or dropped one does not), and while paused its status carries the backlog the slot
 * holds, read on request from pg_replication_slots; Resume processes exactly that backlog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { startEngine, triggerFlow, waitFor, waitForRunCount, waitForState, type EngineFixture } from './testing';

let pg: TestPostgres;
let fx: EngineFixture;
let pgStopped = false;

beforeAll(async () => {
  pg = await startTestPostgres();
  fx = startEngine();
  await pg.query(`CREATE TABLE orders (id serial PRIMARY KEY, note text NOT NULL)`);
}, 60_000);
afterAll(async () => {
  await fx?.close();
  if (!pgStopped) await pg?.stop();
});

describe('a paused trigger', () => {
  it('says paused, shows the backlog its slot holds, and Resume processes it; a dropped slot is not "paused"', async () => {
    await fx.engine.saveFlow({ flow: triggerFlow('paused', pg, { tables: 'public.orders' }) });
    await fx.engine.activateFlow({ id: 'paused' });
    await waitForState(fx.engine, 'paused', 'streaming');
    const [paused] = await fx.engine.deactivateFlow({ id: 'paused', dropSlot: false });
    expect(paused).toMatchObject({ state: 'inactive', paused: true, health: { exists: true, active: false } });
    const before = paused!.health!.lagBytes!;

    // ~200 kB of changes while paused: no runs, and the backlog grows by at least that much.
    await pg.query(`INSERT INTO orders (note) SELECT repeat('x', 2000) FROM generate_series(1, 100)`);
    const [held] = await fx.engine.getTriggerStatus({ flowId: 'paused' });
    expect(held).toMatchObject({ paused: true, message: expect.stringContaining('Paused') });
    expect(held!.health!.lagBytes! - before).toBeGreaterThan(200_000);
    expect(held!.health!.retainedBytes!).toBeGreaterThanOrEqual(held!.health!.lagBytes!);
    expect(await fx.engine.listRuns({ flowId: 'paused' })).toHaveLength(0);

    await fx.engine.activateFlow({ id: 'paused' });
    await waitForRunCount(fx.engine, 'paused', 100, 30_000);
    const [resumed] = await fx.engine.getTriggerStatus({ flowId: 'paused' });
    expect(resumed!.paused).toBeUndefined();
    // Once confirmed, the backlog is gone (the health check runs every 500 ms in this fixture).
    await waitFor('the backlog to drain', async () => {
      const [s] = await fx.engine.getTriggerStatus({ flowId: 'paused' });
      return (s?.health?.lagBytes ?? Infinity) < 100_000;
    }, 20_000);

    // Stop & drop slot: nothing left to resume.
    expect(await fx.engine.deactivateFlow({ id: 'paused', dropSlot: true })).toEqual([]);
  }, 90_000);

  it('with Postgres unreachable, a paused trigger says the backlog is unknown and why', async () => {
    await fx.engine.saveFlow({ flow: triggerFlow('down', pg, { tables: 'public.orders' }) });
    await fx.engine.activateFlow({ id: 'down' });
    await waitForState(fx.engine, 'down', 'streaming');
    await fx.engine.deactivateFlow({ id: 'down', dropSlot: false });
    await pg.stop();
    pgStopped = true;
    const [s] = await fx.engine.getTriggerStatus({ flowId: 'down' });
    expect(s).toMatchObject({ paused: true, health: null, message: expect.stringMatching(/Backlog unknown: .*is Postgres running/) });
  }, 60_000);
});
