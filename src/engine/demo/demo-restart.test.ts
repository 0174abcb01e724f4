/**
 * The demo workspace end to end on the real parts (demo database, seed, replay answers, CDC, the
 * bundled flow): traffic → routine tickets triaged at once, urgent ones wait for approval. Then
 * the app closes in the middle (runs in flight, approvals pending) and starts again on the same
 * data folder: the demo database resumes, pending approvals are still pending and complete after
 * the restart, and no ticket is triaged twice (table and file).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createEngine, type Engine } from '../engine';
import { demoWiring } from './demo-wiring';
import { DEMO_FLOW_ID } from '../../shared/demo';

let dir: string;
let engine: Engine | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-demo-restart-'));
  chmodSync(dir, 0o700);
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): Engine {
  return createEngine({ dataDir: dir, seedDemo: false, demo: demoWiring(dir) });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('demo workspace across a restart', () => {
  it('pending approvals survive, complete after the restart, and no ticket is triaged twice', { timeout: 240_000 }, async () => {
    engine = open();
    const first = await engine.startDemo();
    expect(first.database, JSON.stringify(first.database.problem)).toMatchObject({ state: 'running' });
    await until('the trigger to stream', async () => ((await engine!.getTriggerStatus({ flowId: DEMO_FLOW_ID }))[0]?.state === 'streaming' ? true : undefined));

    const TICKETS = 24;
    await engine.simulateTraffic({ ratePerSecond: 50, maxTickets: TICKETS });
    await until('every ticket inserted', async () => ((await engine!.getDemoStatus()).traffic.inserted >= TICKETS ? true : undefined));
    // Some runs finish, some wait for a person: close while that is so.
    const pendingBefore = await until('an approval to wait', async () => {
      const a = await engine!.listApprovals({});
      return a.length > 0 ? a : undefined;
    });
    const decideNow = pendingBefore[0]!;
    const decided = await engine.decideApproval({ requestId: decideNow.requestId, action: 'approve', edits: { reply: 'Edited before the restart' }, comment: 'ok' });
    expect(decided).toMatchObject({ accepted: true });
    await engine.close();
    engine = undefined;

    engine = open();
    const again = await engine.startDemo();
    expect(again.database.state).toBe('running');
    await until('the trigger to stream again', async () => ((await engine!.getTriggerStatus({ flowId: DEMO_FLOW_ID }))[0]?.state === 'streaming' ? true : undefined));
    // Every run that is not waiting for a person finishes (sinks retry while the database comes
    // back up on its new port); the ones waiting for a person are exactly the inbox.
    const inbox = await until('all runs settled', async () => {
      const runs = await engine!.listRuns({ flowId: DEMO_FLOW_ID, limit: 1000 });
      if (runs.length < TICKETS || runs.some((r) => r.status === 'queued' || r.status === 'running')) return undefined;
      expect(runs.filter((r) => r.status === 'failed')).toEqual([]);
      const waiting = runs.filter((r) => r.status === 'waiting').map((r) => r.id).sort();
      const pending = await engine!.listApprovals({});
      return pending.map((a) => a.runId).sort().join() === waiting.join() ? pending : undefined;
    });
    expect(inbox.length).toBeGreaterThan(0);
    for (const a of inbox) await engine.decideApproval({ requestId: a.requestId, action: 'approve' });
    await until('every run to succeed', async () => {
      const runs = await engine!.listRuns({ flowId: DEMO_FLOW_ID, limit: 1000 });
      return runs.length === TICKETS && runs.every((r) => r.status === 'succeeded') ? true : undefined;
    });

    const dbUrl = (await engine.getDemoStatus()).database.url!.replace('***', readFileSync(join(dir, 'demo-postgres', 'password'), 'utf8').trim());
    const rows = await query<{ ticket_id: string; reply: string }>(dbUrl, 'SELECT ticket_id, reply FROM triaged_tickets');
    expect(rows).toHaveLength(TICKETS);
    expect(new Set(rows.map((r) => r.ticket_id)).size).toBe(TICKETS);
    const decidedTicket = rows.find((r) => r.reply === 'Edited before the restart');
    expect(decidedTicket).toBeDefined();
    const lines = readFileSync(join(dir, 'output', 'demo', 'triaged-tickets.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(TICKETS);
  });
});
