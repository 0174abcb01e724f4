import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine, type EngineOptions } from '../engine';
import { testRegistry } from '../testing/test-nodes';
import { approvalFlow, until } from './testing';
import type { DecisionRecord } from '../../shared/approvals';

let dir: string;
let engine: Engine;
let shift = 0;
const open = (o: Partial<EngineOptions> = {}) =>
  createEngine({ dataDir: dir, registry: testRegistry, seedDemo: false, now: () => Date.now() + shift, approvals: { userName: 'ada' }, ...o });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-approvals-'));
  shift = 0;
  engine = open();
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pendingFor(runId: string) {
  let item;
  await until(async () => {
    item = (await engine.listApprovals({})).find((a) => a.runId === runId);
    // Parked: the request is opened (durably) a moment before the run records itself as waiting.
    return item !== undefined && (await engine.getRunTrace({ runId })).run.status === 'waiting';
  }, 10_000, `approval of ${runId}`);
  return item!;
}

/** The records a sink wrote, without the idempotency key the keyed file sink adds to each. */
const lines = (file: string) =>
  existsSync(join(engine.outputDir, file))
    ? readFileSync(join(engine.outputDir, file), 'utf8').trim().split('\n').filter(Boolean).map((l) => {
        const { _key: _ignored, ...record } = JSON.parse(l) as Record<string, unknown>;
        return record;
      })
    : [];

describe('approval node', () => {
  it('parks the run, applies an edited approval once, and records who changed what', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    expect(item).toMatchObject({ title: 'Check ticket 1', status: 'pending', data: { ticket: 1, category: 'bug' }, assignee: '' });
    expect(item.linkPath).toMatch(/^\/approve\/[A-Za-z0-9_-]{43}$/);
    expect((await engine.getRunTrace({ runId })).run.status).toBe('waiting');

    const r = await engine.decideApproval({ requestId: item.requestId, action: 'approve', edits: { category: 'billing', priority: '3' }, comment: 'it is about an invoice' });
    expect(r.accepted).toBe(true);
    const trace = await engine.waitForRun(runId);
    expect(trace.run.status).toBe('succeeded');
    const decision = (trace.nodes['review']!.output as { decision: DecisionRecord }).decision;
    expect(decision).toMatchObject({ action: 'approved', by: 'ada', via: 'inbox', comment: 'it is about an invoice' });
    expect(decision.changes).toEqual([
      { path: 'category', before: 'bug', after: 'billing' },
      { path: 'priority', before: 2, after: 3 },
    ]);
    expect(lines('approved.jsonl')).toEqual([{ ticket: 1, category: 'billing', priority: 3 }]);
    expect(trace.nodes['rejects']!.status).toBe('skipped');

    const again = await engine.decideApproval({ requestId: item.requestId, action: 'reject', comment: 'late' });
    expect(again).toMatchObject({ accepted: false, reason: 'already-decided' });
    if (!again.accepted) expect(again.message).toMatch(/^already decided: approved by ada at \d{4}-/);
    expect((await engine.listApprovals({ status: 'history' }))[0]).toMatchObject({ requestId: item.requestId, status: 'decided', linkPath: null });
  });

  it('refuses edits that violate the schema with field errors and keeps the request pending', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    await expect(engine.decideApproval({ requestId: item.requestId, action: 'approve', edits: { category: 'spam', priority: '2.5', ticket: 9 } })).rejects.toThrow(
      'the edits were refused: ticket: this field is not editable; category: must be one of: bug, billing, question; priority: must be a whole number',
    );
    await expect(engine.decideApproval({ requestId: item.requestId, action: 'approve', edits: { category: '' } })).rejects.toThrow('category: required');
    expect((await engine.listApprovals({}))[0]).toMatchObject({ requestId: item.requestId, status: 'pending' });
    expect(await engine.decideApproval({ requestId: item.requestId, action: 'approve' })).toMatchObject({ accepted: true });
    expect((await engine.waitForRun(runId)).run.status).toBe('succeeded');
    expect(lines('approved.jsonl')).toEqual([{ ticket: 1, category: 'bug', priority: 2 }]);
  });

  it('sends a rejection with its reason down the rejected port', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    expect(await engine.decideApproval({ requestId: item.requestId, action: 'reject', comment: 'wrong customer' })).toMatchObject({ accepted: true });
    const trace = await engine.waitForRun(runId);
    expect(trace.nodes['sink']!.status).toBe('skipped');
    expect(lines('rejected.jsonl')).toEqual([expect.objectContaining({ reason: 'wrong customer', data: { ticket: 1, category: 'bug', priority: 2 } })]);
  });

  it('a run waiting for approval survives a restart, and a decision after it resumes the run once', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const before = await pendingFor(runId);
    await engine.close();
    engine = open();
    const item = await pendingFor(runId);
    expect(item.requestId).toBe(before.requestId);
    expect(item.linkPath).toBe(before.linkPath);
    await engine.decideApproval({ requestId: item.requestId, action: 'approve' });
    expect((await engine.waitForRun(runId)).run.status).toBe('succeeded');
    expect(lines('approved.jsonl')).toHaveLength(1);
  });

  it('a decision racing a shutdown is either acknowledged and kept, or refused with "try again"', async () => {
    await engine.saveFlow({ flow: approvalFlow('f', { editableFields: [] }) });
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => engine.startRun({ flowId: 'f', input: { ticket: i } })));
    await until(async () => (await engine.listApprovals({})).length === 20 && engine.runCounts()['waiting'] === 20);
    const items = await engine.listApprovals({});
    // Half the decisions leave before close() starts, half after: some land, the rest must be refused clearly.
    const early = items.slice(0, 10).map((i) => engine.approvals.decide({ requestId: i.requestId, action: 'approve' }, { by: 'early', via: 'api' }));
    const closing = engine.close();
    const late = items.slice(10).map((i) => engine.approvals.decide({ requestId: i.requestId, action: 'approve' }, { by: 'late', via: 'api' }));
    const answers = await Promise.allSettled([...early, ...late]);
    await closing;
    await expect(engine.decideApproval({ requestId: items[0]!.requestId, action: 'reject' })).rejects.toThrow('the engine is shutting down: the decision was not recorded; try again');
    engine = open();
    const acknowledged = new Set<string>();
    answers.forEach((a, k) => {
      if (a.status === 'fulfilled') {
        expect(a.value.accepted).toBe(true);
        acknowledged.add(items[k]!.requestId);
      } else {
        expect(String(a.reason)).toMatch(/(could not be saved .*|was not recorded); try again/);
      }
    });
    expect(acknowledged.size).toBeGreaterThan(0);
    const stillPending = new Set((await engine.listApprovals({})).map((i) => i.requestId));
    for (const id of acknowledged) expect(stillPending.has(id)).toBe(false); // acknowledged ⇒ kept
    for (const i of items) if (!acknowledged.has(i.requestId)) expect(stillPending.has(i.requestId)).toBe(true); // refused ⇒ still decidable
    console.log(`shutdown race: ${acknowledged.size} acknowledged, ${items.length - acknowledged.size} refused`);
    const decidedRuns = items.filter((i) => acknowledged.has(i.requestId)).map((i) => i.runId);
    expect(decidedRuns.length).toBeLessThanOrEqual(runs.length);
    for (const runId of decidedRuns) expect((await engine.waitForRun(runId)).run.status).toBe('succeeded');
  });

  for (const [onTimeout, file, action] of [
    ['approve', 'approved.jsonl', 'approved'],
    ['reject', 'rejected.jsonl', 'rejected'],
    ['timed-out', 'escalated.jsonl', 'timed-out'],
  ] as const) {
    it(`times out to "${onTimeout}" exactly once, also when the engine was down at the deadline`, async () => {
      await engine.saveFlow({ flow: approvalFlow('f', { timeoutMinutes: 10, onTimeout }) });
      const { runId } = await engine.startRun({ flowId: 'f' });
      const item = await pendingFor(runId);
      expect(item.expiresAt! - item.createdAt).toBe(600_000);
      await engine.close();
      shift = 11 * 60_000; // the deadline passed while nobody was running
      engine = open();
      const trace = await engine.waitForRun(runId);
      expect(trace.run.status).toBe('succeeded');
      expect(lines(file)).toHaveLength(1);
      const decision = (trace.nodes['review']!.output as { decision: DecisionRecord }).decision;
      expect(decision).toMatchObject({ action, by: 'timeout', via: 'timeout' });
      const late = await engine.decideApproval({ requestId: item.requestId, action: 'approve' });
      expect(late).toMatchObject({ accepted: false, reason: 'already-decided' });
      const stats = await engine.approvalStats({ flowId: 'f' });
      expect(stats).toEqual([expect.objectContaining({ nodeId: 'review', pending: 0, decided: 1, timedOut: 1 })]);
      // A restart after the timeout fired does not fire it again.
      await engine.close();
      engine = open();
      await new Promise((r) => setTimeout(r, 200));
      expect(lines(file)).toHaveLength(1);
    });
  }

  it('a decision accepted before the deadline beats the timeout', async () => {
    await engine.saveFlow({ flow: approvalFlow('f', { timeoutMinutes: 10, onTimeout: 'reject' }) });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    await engine.close();
    shift = 11 * 60_000;
    engine = open();
    // The run wakes for its deadline now; whichever lands first, the approvals row decides the outcome.
    const r = await engine.decideApproval({ requestId: item.requestId, action: 'approve' });
    const trace = await engine.waitForRun(runId);
    const decision = (trace.nodes['review']!.output as { decision: DecisionRecord }).decision;
    expect(decision.action).toBe(r.accepted ? 'approved' : 'rejected');
    expect(lines('approved.jsonl').length + lines('rejected.jsonl').length).toBe(1);
  });

  it('re-running from the approval node opens a new request; the old one is replaced and its run ends', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const old = await pendingFor(runId);
    const { runId: rerunId } = await engine.rerun({ runId, fromNodeId: 'review', input: { ticket: 1, category: 'question', priority: 1 } });
    const fresh = await pendingFor(rerunId);
    expect(fresh.requestId).not.toBe(old.requestId);
    expect(fresh.linkPath).not.toBe(old.linkPath);
    expect(fresh.data).toEqual({ ticket: 1, category: 'question', priority: 1 });
    const oldTrace = await engine.waitForRun(runId);
    expect(oldTrace.run.status).toBe('failed');
    expect(oldTrace.nodes['review']!.error?.message).toContain(`replaced by run ${rerunId}`);
    expect(await engine.decideApproval({ requestId: old.requestId, action: 'approve' })).toMatchObject({ accepted: false, reason: 'replaced' });
    expect(await engine.decideApproval({ requestId: fresh.requestId, action: 'approve' })).toMatchObject({ accepted: true });
    expect((await engine.waitForRun(rerunId)).run.status).toBe('succeeded');
    expect(lines('approved.jsonl')).toEqual([{ ticket: 1, category: 'question', priority: 1 }]);
  });

  it('refuses a decision about data other than what is stored (stale payload hash)', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    expect(await engine.decideApproval({ requestId: item.requestId, action: 'approve', payloadHash: 'f'.repeat(64) })).toMatchObject({ accepted: false, reason: 'stale' });
    expect(await engine.decideApproval({ requestId: item.requestId, action: 'approve', payloadHash: item.payloadHash })).toMatchObject({ accepted: true });
  });

  it('a cancelled run leaves no pending approval behind, and deciding it says the run has ended', async () => {
    await engine.saveFlow({ flow: approvalFlow('f') });
    const parked = new Set<string>();
    engine.onRunEvent((e) => e.type === 'run.waiting' && parked.add(e.runId));
    const { runId } = await engine.startRun({ flowId: 'f' });
    const item = await pendingFor(runId);
    // cancelRun of a run that is "waiting" on disk but whose runner has not returned yet waits for a
    // run.finished that never comes (reported to the lead): let the runner announce it parked and return.
    await until(() => parked.has(runId));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await engine.cancelRun({ runId });
    expect(await engine.listApprovals({})).toEqual([]);
    expect(await engine.decideApproval({ requestId: item.requestId, action: 'approve' })).toMatchObject({ accepted: false, reason: 'run-finished' });
  });

  it('exports decisions as JSONL (input, model output, edited output, action) and streams inbox events', async () => {
    const events: string[] = [];
    engine.onApprovalEvent((e) => events.push(e.type));
    await engine.saveFlow({ flow: approvalFlow('f') });
    const a = await engine.startRun({ flowId: 'f', input: { ticket: 7, category: 'bug', priority: 1 } });
    const b = await engine.startRun({ flowId: 'f', input: { ticket: 8, category: 'bug', priority: 1 } });
    const ia = await pendingFor(a.runId);
    const ib = await pendingFor(b.runId);
    await engine.decideApproval({ requestId: ia.requestId, action: 'approve', edits: { category: 'billing' } });
    await engine.decideApproval({ requestId: ib.requestId, action: 'reject', comment: 'spam' });
    await engine.waitForRun(a.runId);
    await engine.waitForRun(b.runId);
    const { jsonl, count } = await engine.exportApprovals({ flowId: 'f' });
    expect(count).toBe(2);
    const rows = jsonl.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows[0]).toMatchObject({ input: { ticket: 7 }, output: { category: 'bug' }, edited: { ticket: 7, category: 'billing', priority: 1 }, action: 'approved', by: 'ada' });
    expect(rows[1]).toMatchObject({ input: { ticket: 8 }, edited: null, action: 'rejected', comment: 'spam' });
    expect(events.filter((e) => e === 'approval.opened')).toHaveLength(2);
    expect(events.filter((e) => e === 'approval.closed')).toHaveLength(2);
    const [stats] = await engine.approvalStats({});
    expect(stats).toMatchObject({ flowId: 'f', nodeId: 'review', decided: 2, approved: 1, rejected: 1, pending: 0 });
    expect(stats!.p50WaitMs).toBeGreaterThanOrEqual(0);
  });
});
