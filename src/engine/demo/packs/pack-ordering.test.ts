/**
 * Ordering keys during a play: the second change to a row queues behind the first while that one
 * waits for a person (one run at a time per key), and the play must count it as settled, play the
 * decision, and end with both runs done in the source's order. Manual runs with an ordering key,
 * no Postgres: the manual path of a pack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../engine';
import { approvalFlow, until } from '../../approvals/testing';
import { runIdForEvent } from '../../triggers/run-ids';
import { nodeRegistry } from '../../../nodes';
import { parsePackText } from './pack-format';
import { playDemoPack } from './play-pack';

let root: string;
const open = (name: string): Engine => createEngine({ dataDir: join(root, name), seedDemo: false, approvals: { userName: 'grace' } });
/** The approved lines without their `_key`: a manual run's default key holds its run id (random in A, derived in B). */
const approved = (name: string) =>
  readFileSync(join(root, name, 'output', 'approved.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { _key: _k, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'millrace-pack-order-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('demo pack ordering', () => {
  it('a change queued behind a run waiting on a person plays after the recorded decision, in order', async () => {
    const a = open('A');
    let text: string;
    try {
      await a.saveFlow({ flow: approvalFlow('ord') });
      const first = await a.startRun({ flowId: 'ord', input: { ticket: 1, category: 'bug', priority: 1 }, orderingKey: 'row:1' });
      await until(async () => (await a.listApprovals({ flowId: 'ord' })).length === 1);
      const second = await a.startRun({ flowId: 'ord', input: { ticket: 1, category: 'billing', priority: 3 }, orderingKey: 'row:1' });
      expect((await a.getRunTrace({ runId: second.runId })).run.status).toBe('queued');
      const [req] = await a.listApprovals({ flowId: 'ord' });
      await a.decideApproval({ requestId: req!.requestId, action: 'approve', edits: { category: 'question' }, comment: 'it is a question' });
      await a.waitForRun(first.runId);
      await until(async () => (await a.listApprovals({ flowId: 'ord' })).length === 1);
      const [req2] = await a.listApprovals({ flowId: 'ord' });
      await a.decideApproval({ requestId: req2!.requestId, action: 'approve' });
      await a.waitForRun(second.runId);
      text = (await a.exportDemoPack({ flowId: 'ord' })).text;
    } finally {
      await a.close();
    }
    const pack = parsePackText(text, nodeRegistry);
    expect(pack.changes.map((c) => [c.source, c.orderingKey])).toEqual([
      ['manual', 'row:1'],
      ['manual', 'row:1'],
    ]);
    expect(pack.decisions.map((d) => [d.action, d.edits, d.by])).toEqual([
      ['approve', { category: 'question' }, 'grace'],
      ['approve', {}, 'grace'],
    ]);

    const b = open('B');
    try {
      // Through the play itself, with a short settle bound: a play that waited for the queued run would fail fast.
      const played = await playDemoPack(b.packHost(), pack, { settleTimeoutMs: 15_000 });
      expect(played.runs.map((r) => [r.status, r.decisions])).toEqual([
        ['succeeded', 1],
        ['succeeded', 1],
      ]);
      for (const c of pack.changes) expect((await b.getRunTrace({ runId: runIdForEvent('ord', c.dedupeKey) })).run.status).toBe('succeeded');
      expect(await b.listApprovals({ status: 'pending' })).toEqual([]);
    } finally {
      await b.close();
    }
    expect(approved('A')).toHaveLength(2);
    expect(approved('B')).toEqual(approved('A'));
  }, 120_000);
});
