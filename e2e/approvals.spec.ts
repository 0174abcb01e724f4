/**
 * Issue 10's e2e, in Debian's Chromium against a real `millrace serve`: Manual trigger → LLM
 * (replay) → Approval → Write file. The request shows up in the inbox with a badge; a field is
 * edited and approved with a comment; the run completes, the file holds the edited record and the
 * canvas shows who approved and what changed. A second page opens the decision link of another
 * run and rejects it. Saves docs/approvals-inbox.png and docs/approval-decided.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowserSession, repoRoot, type BrowserSession, type RunningApp } from './helpers';
import { connectEngine } from '../src/engine/server/ws-client';
import type { EngineClient } from '../src/shared/rpc/client';
import type { Flow } from '../src/shared/flow/schema';

let session: BrowserSession;
let app: RunningApp;
let page: Page;
let client: EngineClient;

beforeAll(async () => {
  session = await openBrowserSession();
  ({ app, page } = session);
  const u = new URL(app.url);
  client = await connectEngine(`ws://${u.host}/api/ws?token=${u.searchParams.get('token')}`);
});

afterAll(async () => {
  client?.close();
  await session?.close();
});

/** The bundled LLM demo's trigger and replayed classifier, then an approval and a sink. */
function approvalDemo(): Flow {
  const demo = JSON.parse(readFileSync(join(repoRoot, 'resources', 'demo', 'review-triage.flow.json'), 'utf8')) as Flow;
  const trigger = demo.nodes.find((n) => n.id === 'review')!;
  const classify = demo.nodes.find((n) => n.id === 'classify')!;
  return {
    schemaVersion: demo.schemaVersion,
    id: 'approval-demo',
    name: 'Review triage with approval',
    nodes: [
      { ...trigger, position: { x: 0, y: 120 } },
      { ...classify, position: { x: 300, y: 120 } },
      {
        id: 'check',
        type: 'approval@1',
        name: 'Check triage',
        position: { x: 620, y: 120 },
        config: {
          title: 'Check the triage of a {{ sentiment }} review',
          instructions: 'Is the priority right? Fix it, then approve.',
          show: [],
          editableFields: [
            { path: 'priority', type: 'enum', options: ['high', 'normal'], required: true },
            { path: 'summary', type: 'text' },
          ],
          assignee: 'support',
          timeoutMinutes: 0,
          onTimeout: 'reject',
        },
      },
      { id: 'file', type: 'write-file@1', name: 'Write triage', position: { x: 940, y: 60 }, config: { path: 'approved/triage.jsonl', line: '' } },
      { id: 'rejects', type: 'write-file@1', name: 'Rejected', position: { x: 940, y: 220 }, config: { path: 'approved/rejected.jsonl', line: '' } },
    ],
    edges: [
      { id: 'e1', source: 'review', sourcePort: 'out', target: 'classify', targetPort: 'in' },
      { id: 'e2', source: 'classify', sourcePort: 'data', target: 'check', targetPort: 'in' },
      { id: 'e3', source: 'check', sourcePort: 'approved', target: 'file', targetPort: 'in' },
      { id: 'e4', source: 'check', sourcePort: 'rejected', target: 'rejects', targetPort: 'in' },
    ],
  };
}

describe('approvals in Chromium', () => {
  it('inbox with badge, edit + approve with a comment, decision on the canvas, a link rejects another run', async () => {
    const imported = await client.importFlow({ text: JSON.stringify(approvalDemo()) });
    expect(imported.ok).toBe(true);
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.locator('[data-flow-id="approval-demo"]').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);

    // The trigger's payload as the run input: the inbox shows it (the source) beside the model's answer.
    const review = JSON.parse(String(approvalDemo().nodes[0]!.config['payload'])) as unknown;
    const first = await client.startRun({ flowId: 'approval-demo', input: review });
    await expect.poll(async () => (await client.listApprovals({})).length, { timeout: 20_000 }).toBe(1);
    const second = await client.startRun({ flowId: 'approval-demo', input: review });
    await expect.poll(async () => (await client.listApprovals({})).length, { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('approvals-badge').textContent(), { timeout: 10_000 }).toBe('2');
    const check = page.locator('[data-node-type="approval@1"]');
    await expect.poll(() => check.getByTestId('approval-node-waiting').count(), { timeout: 10_000 }).toBe(1);

    await page.getByTestId('approvals-button').click();
    await page.getByTestId('approvals-panel').waitFor();
    expect(await page.getByTestId('approvals-item').count()).toBe(2);
    const detail = page.getByTestId('approval-detail');
    await expect.poll(() => detail.getAttribute('data-request-id')).toBe((await client.listApprovals({}))[0]!.requestId);
    expect(await detail.textContent()).toContain('Is the priority right?');
    expect(await page.getByTestId('approval-context').textContent()).toContain('The cards arrived bent');
    const before = (await client.listApprovals({}))[0]!.data as { priority: string; summary: string };
    const newPriority = before.priority === 'high' ? 'normal' : 'high';
    await page.getByTestId('approval-field-priority').selectOption(newPriority);
    await page.getByTestId('approval-comment').fill('Friday demo: this is urgent either way');
    await page.screenshot({ path: join(repoRoot, 'docs', 'approvals-inbox.png') });

    // Keyboard review: j moves to the next item, k back, a approves the selected one.
    await page.locator('h1', { hasText: 'Approvals' }).click();
    await page.keyboard.press('j');
    await expect.poll(() => detail.getAttribute('data-request-id')).toBe((await client.listApprovals({}))[1]!.requestId);
    await page.keyboard.press('k');
    await page.keyboard.press('a');
    await expect.poll(() => page.getByTestId('approvals-badge').textContent(), { timeout: 10_000 }).toBe('1');

    const trace = await (async () => {
      await expect.poll(async () => (await client.getRunTrace({ runId: first.runId })).run.status, { timeout: 20_000 }).toBe('succeeded');
      return client.getRunTrace({ runId: first.runId });
    })();
    const out = join(app.dataDir, 'output', 'approved', 'triage.jsonl');
    expect(existsSync(out)).toBe(true);
    const written = JSON.parse(readFileSync(out, 'utf8').trim()) as { priority: string; summary: string };
    expect(written).toEqual({ ...before, priority: newPriority });
    const decision = (trace.nodes['check']!.output as { decision: { by: string; comment: string; changes: unknown[] } }).decision;
    expect(decision.comment).toBe('Friday demo: this is urgent either way');
    expect(decision.changes).toEqual([{ path: 'priority', before: before.priority, after: newPriority }]);

    // The canvas (run selected) shows who approved and what changed.
    await page.keyboard.press('Escape');
    await page.getByTestId('fit-view').click();
    const onNode = check.getByTestId('approval-node-decision');
    await expect.poll(() => onNode.count(), { timeout: 10_000 }).toBe(1);
    const text = await onNode.textContent();
    expect(text).toContain(`Approved by ${decision.by}`);
    expect(text).toContain(`priority: "${before.priority}" → "${newPriority}"`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(repoRoot, 'docs', 'approval-decided.png') });
    // Its settings come from the generic form: the edit schema as JSON, the extra fields as pairs.
    await check.click();
    await page.getByTestId('tab-settings').click();
    await expect.poll(() => page.getByTestId('field-editableFields').inputValue()).toContain('"priority"');
    expect(await page.getByTestId('field-show').count()).toBe(1);
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('approval-decision').textContent()).toContain('Friday demo');

    // A second page (no app token) opens the other run's decision link and rejects it.
    const pending = await client.listApprovals({});
    expect(pending.map((p) => p.runId)).toEqual([second.runId]);
    const other = await page.context().browser()!.newContext(); // another browser profile: no app cookie, no token
    const linkPage = await other.newPage();
    await linkPage.goto(`${new URL(app.url).origin}${pending[0]!.linkPath}`);
    expect(await linkPage.content()).not.toContain(new URL(app.url).searchParams.get('token')!);
    await linkPage.locator('textarea[name="comment"]').fill('Duplicate of R-310');
    await linkPage.locator('input[name="name"]').fill('Grace');
    await linkPage.locator('button[value="reject"]').click();
    await expect.poll(() => linkPage.locator('.msg').textContent()).toContain('Rejected by Grace (link)');
    await expect.poll(async () => (await client.getRunTrace({ runId: second.runId })).run.status, { timeout: 20_000 }).toBe('succeeded');
    const rejected = JSON.parse(readFileSync(join(app.dataDir, 'output', 'approved', 'rejected.jsonl'), 'utf8').trim()) as { reason: string };
    expect(rejected.reason).toBe('Duplicate of R-310');
    await expect.poll(() => page.getByTestId('approvals-badge').count(), { timeout: 10_000 }).toBe(0);
    // The used link now says what was decided (opened again, not re-posted).
    await linkPage.goto(`${new URL(app.url).origin}${pending[0]!.linkPath}`);
    expect(await linkPage.locator('.msg').textContent()).toContain('Already decided: rejected by Grace (link)');
    await other.close();
  });
});
