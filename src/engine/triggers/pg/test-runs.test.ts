/**
 * Test runs against a real Postgres (issue 13, item 13): the Run dialog's "a recent real change"
 * reads the newest rows shaped exactly as the live change the trigger delivers for them; a test
 * run is labelled everywhere (summary, trace, history, re-run) and never says "live"; a Postgres
 * sink set to skip (the default) writes nothing on a test run and shows what it would have
 * written, while the same flow run for real writes its row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres-for-tests';
import { runEvents, startEngine, triggerFlow, waitForRunCount, waitForState, type EngineFixture } from './testing';
import type { ChangeEvent } from '../../../nodes/postgres-change.node.js';
import type { Flow } from '../../../shared/flow/schema';

let pg: TestPostgres;
let fx: EngineFixture;

beforeAll(async () => {
  pg = await startTestPostgres();
  fx = startEngine();
  await pg.query(`CREATE TABLE tickets (id bigserial PRIMARY KEY, customer text NOT NULL, status text NOT NULL, amount numeric, at timestamptz)`);
  await pg.query(`CREATE TABLE triaged (ticket_id bigint PRIMARY KEY, note text NOT NULL)`);
}, 60_000);
afterAll(async () => {
  await fx?.close();
  await pg?.stop();
});

/** Postgres change on tickets → Postgres sink inserting one row into triaged per change. */
function sinkFlow(id: string, sink: Record<string, unknown> = {}): Flow {
  const base = triggerFlow(id, pg, { tables: 'public.tickets' });
  return {
    ...base,
    nodes: [
      ...base.nodes,
      {
        id: 'sink',
        type: 'postgres-sink@1',
        name: 'Triaged',
        position: { x: 300, y: 0 },
        config: {
          host: pg.host,
          port: pg.port,
          user: pg.user,
          database: pg.database,
          table: 'public.triaged',
          columns: [
            { name: 'ticket_id', value: '{{ $trigger.new.id }}' },
            { name: 'note', value: 'from {{ $trigger.source }}: {{ $trigger.new.customer }}' },
          ],
          ...sink,
        },
      },
    ],
    edges: [{ id: 'e1', source: 'pg', sourcePort: 'change', target: 'sink', targetPort: 'in' }],
  };
}

const triagedRows = async () => (await pg.query(`SELECT ticket_id::int AS id, note FROM triaged ORDER BY ticket_id`)).rows;

describe('test runs with a Postgres change trigger', () => {
  it('a recent row is shaped exactly as the live change the trigger delivered for it, newest first, filter applied', async () => {
    await fx.engine.saveFlow({ flow: triggerFlow('shape', pg, { tables: 'public.tickets' }) });
    await fx.engine.activateFlow({ id: 'shape' });
    await waitForState(fx.engine, 'shape', 'streaming');
    await pg.query(`INSERT INTO tickets (customer, status, amount, at) VALUES ('Ada', 'open', 12.50, '2026-01-02T03:04:05Z'), ('Grace', 'closed', 7, NULL)`);
    await waitForRunCount(fx.engine, 'shape', 2);
    const live = await runEvents(fx.engine, 'shape');
    await fx.engine.deactivateFlow({ id: 'shape', dropSlot: true });

    const sampled = await fx.engine.sampleTriggerChanges({ flowId: 'shape', nodeId: 'pg', limit: 5 });
    expect(sampled.rowsRead).toBe(2);
    // Newest first (highest key), and identical to the live event but for where it came from.
    expect(sampled.changes.map((c) => c.new?.['customer'])).toEqual(['Grace', 'Ada']);
    const strip = ({ source: _s, lsn: _l, position: _p, commitTime: _c, xid: _x, ...rest }: ChangeEvent) => rest;
    expect(sampled.changes.map(strip)).toEqual([live[1]!, live[0]!].map(strip));
    expect(sampled.changes.every((c) => c.source === 'sample' && c.lsn === null)).toBe(true);
    expect(live[0]!.source).toBe('live');

    // The trigger's row filter and column list apply to samples as to live changes.
    await fx.engine.saveFlow({ flow: triggerFlow('shape', pg, { tables: 'public.tickets', filter: "new.status = 'open'", columns: 'customer' }) });
    const filtered = await fx.engine.sampleTriggerChanges({ flowId: 'shape', nodeId: 'pg', limit: 5 });
    expect(filtered.rowsRead).toBe(2);
    expect(filtered.changes).toHaveLength(1);
    expect(filtered.changes[0]!.new).toEqual({ id: '1', customer: 'Ada' });
  }, 90_000);

  it('names what is wrong when the table is missing or the node is not a change trigger', async () => {
    await fx.engine.saveFlow({ flow: triggerFlow('missing', pg, { tables: 'public.nope' }) });
    await expect(fx.engine.sampleTriggerChanges({ flowId: 'missing', nodeId: 'pg' })).rejects.toThrow(/"Orders changed": cannot read recent rows: the table public.nope does not exist/);
    await expect(fx.engine.sampleTriggerChanges({ flowId: 'missing', nodeId: 'other' })).rejects.toThrow(/no Postgres change node "other"/);
  });

  it('a test run writes nothing through a sink set to skip and shows what it would have written; the same flow run for real writes one row', async () => {
    await pg.query(`DELETE FROM triaged`);
    await fx.engine.saveFlow({ flow: sinkFlow('skip') });
    const [sample] = (await fx.engine.sampleTriggerChanges({ flowId: 'skip', nodeId: 'pg', limit: 1 })).changes;
    // An edited sample that still says "live" is not labelled live in a test run.
    const { runId } = await fx.engine.startRun({ flowId: 'skip', input: { ...sample!, source: 'live' }, test: true });
    const done = await fx.engine.waitForRun(runId);
    expect(done.run.status).toBe('succeeded');
    expect(await triagedRows()).toEqual([]);

    const trace = await fx.engine.getRunTrace({ runId });
    expect(trace.run.test).toBe(true);
    expect((trace.nodes['pg']!.output as ChangeEvent).source).toBe('sample');
    expect(trace.nodes['sink']!.output).toMatchObject({
      skipped: 'test run',
      target: expect.stringContaining('/public.triaged'),
      wouldWrite: { mode: 'insert', row: { ticket_id: '2', note: 'from sample: Grace' } },
    });
    expect((await fx.engine.listRuns({ flowId: 'skip' }))[0]).toMatchObject({ id: runId, test: true });
    expect((await fx.engine.listRunHistory({ flowId: 'skip' })).rows[0]).toMatchObject({ id: runId, test: true });
    // A re-run of a test run is a test run: still nothing written.
    const again = await fx.engine.rerun({ runId });
    expect((await fx.engine.waitForRun(again.runId)).run.status).toBe('succeeded');
    expect((await fx.engine.getRunTrace({ runId: again.runId })).run.test).toBe(true);
    expect(await triagedRows()).toEqual([]);

    // The same flow and input, not a test run: one row, and the run carries no test label.
    const real = await fx.engine.startRun({ flowId: 'skip', input: sample });
    expect((await fx.engine.waitForRun(real.runId)).run.status).toBe('succeeded');
    expect(await triagedRows()).toEqual([{ id: 2, note: 'from sample: Grace' }]);
    const realTrace = await fx.engine.getRunTrace({ runId: real.runId });
    expect(realTrace.run.test).toBeUndefined();
    expect(realTrace.nodes['sink']!.output).toMatchObject({ applied: true });
  }, 60_000);

  it('"On test runs: write" writes on a test run too', async () => {
    await pg.query(`DELETE FROM triaged`);
    await fx.engine.saveFlow({ flow: sinkFlow('write', { onTestRun: 'write' }) });
    const { runId } = await fx.engine.startRun({ flowId: 'write', test: true });
    expect((await fx.engine.waitForRun(runId)).run.status).toBe('succeeded');
    // The built-in sample (no input): labelled sample, written because the sink says so.
    expect(await triagedRows()).toEqual([{ id: 1, note: 'from sample: Ada' }]);
  });
});
