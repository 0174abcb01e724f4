/**
 * Exactly once under a race: every pending approval is decided by three callers at once — approve
 * and reject through the API in the same tick, and the decision link over real HTTP. The audit
 * checks that exactly one caller was accepted, the others were told who decided, and the run
 * resumed once with the winner's decision. The same audit runs against a store whose UPDATE is
 * unconditional and must catch it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createEngine, type Engine } from '../engine';
import { startWebServer, type WebServer } from '../server/web-server';
import { testRegistry } from '../testing/test-nodes';
import { approvalFlow, openLink, postLink, until } from './testing';
import type { ApprovalItem, DecideResult, DecisionRecord } from '../../shared/approvals';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Audit {
  approvals: number;
  /** Approvals with more than one accepted decision (must be 0). */
  doubleAccepted: number;
  /** Approvals nobody decided (must be 0). */
  undecided: number;
  /** Losing callers that were not told "already decided" (must be 0). */
  losersNotTold: number;
  /** Runs whose outcome differs from the accepted decision, or whose sink wrote other than once (must be 0). */
  runsWrong: number;
  /** Runs with more than one stored wake-up signal (must be 0). */
  extraSignals: number;
  seconds: number;
}

async function raceAll(count: number, options: { unconditionalDecide?: boolean; withLink: boolean }): Promise<Audit> {
  const dir = mkdtempSync(join(tmpdir(), 'millrace-approval-race-'));
  dirs.push(dir);
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  const engine: Engine = createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false, concurrency: 50, approvals: { userName: 'api', ...(options.unconditionalDecide ? { unconditionalDecide: true } : {}) } });
  const server: WebServer = await startWebServer({ engine, approvals: engine.approvals, rendererDir });
  try {
    await engine.saveFlow({ flow: approvalFlow('f', { editableFields: [] }) });
    const runIds: string[] = [];
    for (let i = 0; i < count; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, k) => engine.startRun({ flowId: 'f', input: { ticket: i + k } })));
      runIds.push(...batch.map((b) => b.runId));
    }
    let items: ApprovalItem[] = [];
    await until(async () => {
      items = await engine.listApprovals({ limit: 5000 });
      return items.length === count && engine.runCounts()['waiting'] === count;
    }, 120_000, `${count} pending approvals`);
    const t0 = Date.now();
    const base = `http://127.0.0.1:${server.port}`;
    type Answer = { accepted: boolean; told: boolean; action: 'approved' | 'rejected' };
    const answers = new Map<string, Answer[]>();
    const fromApi = (r: DecideResult, action: Answer['action']): Answer => ({ accepted: r.accepted, told: !r.accepted && /^already decided: (approved|rejected) by /.test(r.message), action });
    for (let i = 0; i < items.length; i += 100) {
      await Promise.all(
        items.slice(i, i + 100).map(async (item, k) => {
          const linkFirst = (i + k) % 2 === 0;
          const page = options.withLink ? await openLink(base + item.linkPath!) : null;
          const link = async (): Promise<Answer> => {
            const action = linkFirst ? 'approve' : 'reject';
            const r = await postLink(base + item.linkPath!, page!, { action, name: 'linda' });
            return { accepted: r.status === 200 && r.html.includes('data-outcome="accepted"'), told: r.status === 409 && r.html.includes('data-outcome="already-decided"'), action: action === 'approve' ? 'approved' : 'rejected' };
          };
          // Both API calls leave in the same tick: both see "pending" before either writes.
          const calls = [
            engine.decideApproval({ requestId: item.requestId, action: 'approve' }).then((r) => fromApi(r, 'approved')),
            engine.decideApproval({ requestId: item.requestId, action: 'reject', comment: 'no' }).then((r) => fromApi(r, 'rejected')),
            ...(options.withLink ? [link()] : []),
          ];
          answers.set(item.requestId, await Promise.all(calls));
        }),
      );
    }
    const seconds = (Date.now() - t0) / 1000;
    await Promise.all(runIds.map((id) => engine.waitForRun(id)));

    const audit: Audit = { approvals: items.length, doubleAccepted: 0, undecided: 0, losersNotTold: 0, runsWrong: 0, extraSignals: 0, seconds };
    const sinkLines = (file: string) => {
      const p = join(engine.outputDir, file);
      return existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { ticket?: number; data?: { ticket: number } }) : [];
    };
    const writes = new Map<number, string[]>();
    for (const l of sinkLines('approved.jsonl')) writes.set(l.ticket!, [...(writes.get(l.ticket!) ?? []), 'approved']);
    for (const l of sinkLines('rejected.jsonl')) writes.set(l.data!.ticket, [...(writes.get(l.data!.ticket) ?? []), 'rejected']);
    for (const item of items) {
      const list = answers.get(item.requestId)!;
      const winners = list.filter((a) => a.accepted);
      if (winners.length > 1) audit.doubleAccepted++;
      if (winners.length === 0) audit.undecided++;
      audit.losersNotTold += list.filter((a) => !a.accepted && !a.told).length;
      const trace = await engine.getRunTrace({ runId: item.runId });
      const decision = (trace.nodes['review']?.output as { decision?: DecisionRecord } | null)?.decision;
      const ticket = (item.data as { ticket: number }).ticket;
      const written = writes.get(ticket) ?? [];
      if (trace.run.status !== 'succeeded' || winners.length !== 1 || decision?.action !== winners[0]!.action || written.length !== 1 || written[0] !== winners[0]!.action) audit.runsWrong++;
    }
    await server.close();
    await engine.close();
    // The engine holds the database exclusively: read the signals after it closed.
    const db = new Database(join(dir, 'millrace.db'), { readonly: true });
    audit.extraSignals = (db.prepare(`SELECT count(*) AS n FROM (SELECT run_id FROM signals GROUP BY run_id HAVING count(*) > 1)`).get() as { n: number }).n;
    db.close();
    return audit;
  } finally {
    await server.close();
    await engine.close();
  }
}

describe('approvals are decided exactly once', () => {
  it('1,000 pending approvals, each decided three times at once (API approve, API reject, link): one decision each, runs resumed once, losers told', async () => {
    const audit = await raceAll(1000, { withLink: true });
    console.log(`approval race: ${JSON.stringify(audit)}`);
    expect(audit).toMatchObject({ approvals: 1000, doubleAccepted: 0, undecided: 0, losersNotTold: 0, runsWrong: 0, extraSignals: 0 });
  }, 300_000);

  it('the audit catches a store whose decide UPDATE is unconditional', async () => {
    const audit = await raceAll(100, { withLink: false, unconditionalDecide: true });
    console.log(`approval race, broken store: ${JSON.stringify(audit)}`);
    expect(audit.doubleAccepted).toBeGreaterThan(0);
    expect(audit.runsWrong).toBeGreaterThan(0);
  }, 120_000);
});
