import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from './engine';
import { approvalFlow, until } from './approvals/testing';

const bin = join(__dirname, '..', '..', 'bin', 'millrace.mjs');

describe('millrace approvals', () => {
  it('export prints every decision of a flow as JSONL; stats prints wait times per approval node', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-cli-approvals-'));
    try {
      const engine = createEngine({ dataDir: dir, seedDemo: false, approvals: { userName: 'ada' } });
      await engine.saveFlow({ flow: approvalFlow('f') });
      const { runId } = await engine.startRun({ flowId: 'f', input: { ticket: 5, category: 'bug', priority: 1 } });
      await until(async () => (await engine.listApprovals({})).length === 1);
      const [item] = await engine.listApprovals({});
      await engine.decideApproval({ requestId: item!.requestId, action: 'approve', edits: { category: 'question' }, comment: 'asks how' });
      await engine.waitForRun(runId);
      await engine.close();

      const r = spawnSync(process.execPath, [bin, 'approvals', 'export', 'f', '--data-dir', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({
          input: { ticket: 5, category: 'bug', priority: 1 },
          output: { ticket: 5, category: 'bug', priority: 1 },
          edited: { ticket: 5, category: 'question', priority: 1 },
          action: 'approved',
          by: 'ada',
          comment: 'asks how',
          changes: [{ path: 'category', before: 'bug', after: 'question' }],
        }),
      ]);
      expect(r.stderr).toContain('1 decision(s)');

      const s = spawnSync(process.execPath, [bin, 'approvals', 'stats', 'f', '--data-dir', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(s.status, s.stderr).toBe(0);
      expect(JSON.parse(s.stdout)).toEqual([expect.objectContaining({ flowId: 'f', nodeId: 'review', decided: 1, approved: 1, pending: 0, timedOut: 0 })]);

      const bad = spawnSync(process.execPath, [bin, 'approvals', 'export', '--data-dir', dir], { encoding: 'utf8', timeout: 60_000 });
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('which flow?');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
