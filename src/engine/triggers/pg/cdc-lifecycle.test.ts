/**
 * Trigger lifecycle against a real Postgres: resume after the app was closed (backlog shown, then
 * caught up), deactivate / delete never leave an orphan slot, slot health warns before
 * max_slot_wal_keep_size, and a lost slot stops with a re-sync prompt instead of a crash loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { slotHealth } from './slot';
import { runEvents, startEngine, triggerFlow, waitFor, waitForRunCount, waitForState } from './testing';
import { triggerObjectName } from './names';
import { PAUSED_MESSAGE } from '../trigger-manager';

let pg: TestPostgres;

beforeAll(async () => {
  pg = await startTestPostgres({ maxSlotWalKeepSize: '48MB', settings: { max_wal_size: '64MB', min_wal_size: '32MB' } });
  await pg.query(`CREATE TABLE t (id int PRIMARY KEY, v text); CREATE TABLE filler (id int, pad text)`);
});
afterAll(async () => {
  await pg?.stop();
});

const slots = async () => (await pg.query<{ slot_name: string }>(`SELECT slot_name FROM pg_replication_slots ORDER BY 1`)).rows.map((r) => r.slot_name);
const publications = async () => (await pg.query<{ pubname: string }>(`SELECT pubname FROM pg_publication ORDER BY 1`)).rows.map((r) => r.pubname);

async function makeWal(mb: number) {
  await pg.query(`INSERT INTO filler SELECT g, repeat(md5(g::text), 32) FROM generate_series(1, ${mb * 900}) g`);
  await pg.query(`TRUNCATE filler`);
  await pg.query(`SELECT pg_switch_wal()`);
  await pg.query(`CHECKPOINT`);
}

describe('trigger lifecycle', () => {
  it('resumes after the app was closed: shows the backlog and catches up', async () => {
    const fx = startEngine();
    try {
      await fx.engine.saveFlow({ flow: triggerFlow('resume', pg, { tables: 't' }) });
      await fx.engine.activateFlow({ id: 'resume' });
      await waitForState(fx.engine, 'resume', 'streaming');
      await pg.query(`INSERT INTO t VALUES (1, 'before')`);
      await waitForRunCount(fx.engine, 'resume', 1);
      await fx.engine.close();
      await pg.query(`INSERT INTO t SELECT g, 'while closed' FROM generate_series(2, 501) g`);
      const c = await pg.client();
      const backlog = await slotHealth(c, triggerObjectName('resume', 'pg')).finally(() => c.end());
      expect(backlog.lagBytes).toBeGreaterThan(0);
      const engine = await fx.restart();
      await waitForRunCount(engine, 'resume', 501);
      // Runs are readable once committed; the trigger counts a change once it is durable (fsynced), a moment later.
      const status = await waitFor('500 durable changes', async () => (await engine.getTriggerStatus({ flowId: 'resume' })).find((s) => s.changes >= 500));
      expect(status).toMatchObject({ state: 'streaming', changes: 500 });
      await waitFor('lag to drop', async () => {
        const [s] = await engine.getTriggerStatus({ flowId: 'resume' });
        return s?.health && s.health.lagBytes !== null && s.health.lagBytes < backlog.lagBytes! ? true : undefined;
      });
      const events = await runEvents(engine, 'resume');
      expect(new Set(events.map((e) => e.new?.['id'])).size).toBe(501);
      await engine.deactivateFlow({ id: 'resume', dropSlot: true });
    } finally {
      await fx.close();
    }
  });

  it('restarts with the new settings when an active trigger is edited', async () => {
    const fx = startEngine();
    try {
      await fx.engine.saveFlow({ flow: triggerFlow('edit', pg, { tables: 't', filter: "new.v = 'a'" }) });
      await fx.engine.activateFlow({ id: 'edit' });
      await waitForState(fx.engine, 'edit', 'streaming');
      const saved = await fx.engine.getFlow({ id: 'edit' });
      const nodes = saved.flow.nodes.map((n) => ({ ...n, config: { ...n.config, filter: "new.v = 'b'" } }));
      const restarted = new Promise<void>((resolve) => {
        let stopped = false;
        fx.engine.onTriggerStatus((s) => {
          if (s.flowId !== 'edit') return;
          if (s.state !== 'streaming') stopped = true;
          else if (stopped) resolve();
        });
      });
      await fx.engine.saveFlow({ flow: { ...saved.flow, nodes } });
      await restarted;
      await pg.query(`INSERT INTO t VALUES (700, 'a'), (701, 'b')`);
      await waitForRunCount(fx.engine, 'edit', 1);
      await new Promise((r) => setTimeout(r, 300));
      expect((await runEvents(fx.engine, 'edit')).map((e) => e.new?.['id'])).toEqual([701]);
      await fx.engine.deactivateFlow({ id: 'edit', dropSlot: true });
    } finally {
      await fx.close();
    }
  });

  it('drops its slot and publication on deactivate-with-drop, on flow delete and when the node is removed', async () => {
    const fx = startEngine();
    try {
      for (const id of ['a', 'b', 'c']) {
        await fx.engine.saveFlow({ flow: triggerFlow(id, pg, { tables: 't' }) });
        await fx.engine.activateFlow({ id });
      }
      expect(await slots()).toEqual(['millrace_a_pg', 'millrace_b_pg', 'millrace_c_pg']);
      // Deactivate without drop keeps the slot (changes are kept for a later resume).
      const paused = await fx.engine.deactivateFlow({ id: 'a', dropSlot: false });
      expect(await slots()).toContain('millrace_a_pg');
      // Paused says so (not a stale "Retrying…" or a blank "inactive" like a never-activated trigger).
      expect(paused).toEqual([expect.objectContaining({ state: 'inactive', message: PAUSED_MESSAGE })]);
      expect(await fx.engine.getTriggerStatus({ flowId: 'a' })).toEqual([expect.objectContaining({ message: PAUSED_MESSAGE })]);
      await fx.engine.deactivateFlow({ id: 'a', dropSlot: true });
      await fx.engine.deleteFlow({ id: 'b' });
      const c = await fx.engine.getFlow({ id: 'c' });
      await fx.engine.saveFlow({ flow: { ...c.flow, nodes: [] } });
      expect(await slots()).toEqual([]);
      expect(await publications()).toEqual([]);
    } finally {
      await fx.close();
    }
  });

  it('warns before max_slot_wal_keep_size, then reports a lost slot with a re-sync prompt and no crash loop', { timeout: 60_000 }, async () => {
    const fx = startEngine();
    try {
      await fx.engine.saveFlow({ flow: triggerFlow('lost', pg, { tables: 't' }) });
      await fx.engine.activateFlow({ id: 'lost' });
      await waitForState(fx.engine, 'lost', 'streaming');
      // The app is closed while the server keeps writing: the slot retains WAL.
      await fx.engine.close();
      const slot = triggerObjectName('lost', 'pg');
      const client = await pg.client();
      try {
        await makeWal(42);
        const near = await slotHealth(client, slot);
        expect(near.warning).toMatch(/close to max_slot_wal_keep_size/);
        expect(near.retainedBytes).toBeGreaterThan(30 * 1024 * 1024);
        await makeWal(64);
        await makeWal(64);
        const lost = await slotHealth(client, slot);
        expect(lost.walStatus).toBe('lost');
      } finally {
        await client.end();
      }
      const engine = await fx.restart();
      const status = await waitForState(engine, 'lost', 'slot_lost', 20_000);
      expect(status.message).toMatch(/re-sync/);
      const attempts = status.attempt;
      await new Promise((r) => setTimeout(r, 1500));
      const [later] = await engine.getTriggerStatus({ flowId: 'lost' });
      expect(later).toMatchObject({ state: 'slot_lost', attempt: attempts });
      // Re-sync: a new slot, streaming again.
      await engine.activateFlow({ id: 'lost', resync: true });
      await waitForState(engine, 'lost', 'streaming');
      await pg.query(`INSERT INTO t VALUES (9001, 'after resync')`);
      await waitFor('the new row', async () => (await runEvents(engine, 'lost')).some((e) => e.new?.['id'] === 9001) || undefined);
      await engine.deactivateFlow({ id: 'lost', dropSlot: true });
    } finally {
      await fx.close();
    }
  });
});
