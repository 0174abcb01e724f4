/**
 * The contract test suite every DurableStore must pass (SQLite today, Postgres later). A store
 * factory gets a `holdFsync` switch: while it is on, nothing new may become durable, which lets
 * the suite check that no promise resolves, and no run is claimable, before durability.
 */
import { describe, expect, it } from 'vitest';
import type { DurableStore } from './durable-store';
import type { NewRun } from '../runtime/journal';

export interface StoreUnderTest {
  store: DurableStore;
  /** While true, the store cannot make anything durable (its fsync / commit acknowledgement waits). */
  holdFsync(hold: boolean): void;
  close(): Promise<void>;
}

const run = (id: string, extra: Partial<NewRun> = {}): NewRun => ({ id, flowId: 'f', flowVersion: 1, flowName: 'F', input: { id }, createdAt: 1, ...extra });
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true), () => (done = true));
  await new Promise((r) => setTimeout(r, 30));
  return done;
};

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`DurableStore contract: ${name}`, () => {
    it('createRun resolves only once the run is durable, and the run is claimable only then', async () => {
      const t = await open();
      try {
        t.holdFsync(true);
        const created = t.store.createRun(run('r1'));
        expect(await settled(created)).toBe(false);
        expect((await t.store.claimable(10, 10)).map((r) => r.id)).toEqual([]);
        t.holdFsync(false);
        expect(await created).toEqual({ runId: 'r1', deduplicated: false });
        expect((await t.store.claimable(10, 10)).map((r) => r.id)).toEqual(['r1']);
      } finally {
        await t.close();
      }
    });

    it('a dedupe key makes the same event one run', async () => {
      const t = await open();
      try {
        expect(await t.store.createRun(run('a', { dedupeKey: 'k1' }))).toEqual({ runId: 'a', deduplicated: false });
        expect(await t.store.createRun(run('b', { dedupeKey: 'k1' }))).toEqual({ runId: 'a', deduplicated: true });
      } finally {
        await t.close();
      }
    });

    it('runs and their source position are durable together', async () => {
      const t = await open();
      try {
        t.holdFsync(true);
        const p = t.store.createRuns([run('c1', { dedupeKey: 'p1' }), run('c2', { dedupeKey: 'p2' })], { source: 'cdc', value: '0000000000000002' });
        expect(await settled(p)).toBe(false);
        t.holdFsync(false);
        expect(await p).toEqual({ created: 2, deduplicated: 0 });
        expect(await t.store.position('cdc')).toBe('0000000000000002');
        expect(await t.store.createRuns([run('c3', { dedupeKey: 'p2' })], { source: 'cdc', value: '0000000000000002' })).toEqual({ created: 0, deduplicated: 1 });
      } finally {
        await t.close();
      }
    });

    it('signals: first delivery wins, an early signal is kept, acknowledged only when durable', async () => {
      const t = await open();
      try {
        await t.store.createRun(run('s1'));
        t.holdFsync(true);
        const first = t.store.signal('s1', 'go', { n: 1 }, 2);
        expect(await settled(first)).toBe(false);
        t.holdFsync(false);
        expect(await first).toEqual({ accepted: true });
        expect(await t.store.signal('s1', 'go', { n: 2 }, 3)).toEqual({ accepted: false });
        expect(await t.store.getSignal('s1', 'go')).toEqual({ payload: { n: 1 } });
      } finally {
        await t.close();
      }
    });

    it('steps and waits: first write wins, results come back, the frontier covers them', async () => {
      const t = await open();
      try {
        await t.store.createRun(run('w1'));
        await t.store.putStep('w1', 'n', 'call', 'x@1', { answer: 42 }, 2);
        await t.store.putStep('w1', 'n', 'call', 'x@1', { answer: 43 }, 3);
        expect(await t.store.getStep('w1', 'n', 'call')).toEqual({ found: true, value: { answer: 42 }, nodeType: 'x@1' });
        await t.store.registerWait('w1', 'n', 'signal:go', 99, 'go', 2);
        expect(await t.store.getWait('w1', 'n', 'signal:go')).toEqual({ wakeAt: 99, resolved: false, result: null });
        t.holdFsync(true);
        const resolved = t.store.resolveWait('w1', 'n', 'signal:go', { kind: 'timeout' }, 4);
        const seq = t.store.lastSeq();
        expect(await settled(resolved)).toBe(false);
        expect(await settled(t.store.whenDurable(seq))).toBe(false);
        t.holdFsync(false);
        await resolved;
        await t.store.whenDurable(seq);
        expect((await t.store.getWait('w1', 'n', 'signal:go'))?.resolved).toBe(true);
      } finally {
        await t.close();
      }
    });
  });
}
