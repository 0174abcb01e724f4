/**
 * Run on a flow started by a Postgres change (issue 13, item 13), in Chromium with a real
 * Postgres: Run opens a dialog listing the newest rows as changes; the picked one runs as a test
 * run, labelled "test" on the banner and in the runs list, and the webhook sink (skip on test
 * runs, the default) sends nothing and shows what it would have sent. An edited sample is
 * validated before it can run and never says "live". Saves docs/test-run-dialog.png.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { openBrowserSession, repoRoot, type BrowserSession } from './helpers';

let session: BrowserSession;
let page: Page;
let pg: TestPostgres;
let hook: Server;
let hookUrl: string;
const received: string[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric NOT NULL)`);
  await pg.query(`INSERT INTO orders (customer, amount) VALUES ('Ada', 42), ('Grace', 7)`);
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  session = await openBrowserSession();
  ({ page } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
  await new Promise((r) => hook?.close(r));
  await pg?.stop();
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type="${type}@1"]`);
const saved = () => expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

describe('test runs in the browser', () => {
  it('Run asks for a recent change or a sample and runs it as a test run; the webhook sink sends nothing', async () => {
    await page.goto(session.app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();
    const canvas = page.locator('.react-flow__pane');
    await page.getByTestId('palette-item-postgres-change').dragTo(canvas, { targetPosition: { x: 160, y: 260 } });
    await page.getByTestId('palette-item-webhook-sink').dragTo(canvas, { targetPosition: { x: 520, y: 260 } });
    const trigger = nodeOfType('postgres-change');
    const sink = nodeOfType('webhook-sink');
    await trigger.getByTestId('handle-out-change').dragTo(sink.getByTestId('handle-in-in'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await sink.click();
    await page.getByTestId('field-url').fill(hookUrl);
    await trigger.click();
    await page.getByTestId('field-port').fill(String(pg.port));
    await page.getByTestId('field-tables').fill('public.orders');
    await saved();

    // Run: a dialog, not a run. The newest rows come first, shaped as the changes they would be.
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('test-run-change').count(), { timeout: 15_000 }).toBe(2);
    expect(await page.getByTestId('test-run-change').first().textContent()).toContain('insert public.orders id=2 · customer: Grace, amount: 7');
    await page.screenshot({ path: join(repoRoot, 'docs', 'test-run-dialog.png') });
    await page.getByTestId('test-run-change').nth(1).click();
    await page.getByTestId('test-run-start').click();
    await expect.poll(() => page.getByTestId('dialog-test-run').count()).toBe(0);

    await expect.poll(() => sink.getByTestId('node-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    expect(await sink.getByTestId('node-status').textContent()).toContain('Not written');
    await expect.poll(() => page.getByTestId('run-banner').getByTestId('run-test-label').count()).toBe(1);
    await sink.click();
    await page.getByTestId('tab-run-data').click();
    const output = page.getByTestId('node-output');
    await expect.poll(() => output.textContent()).toContain('"skipped": "test run"');
    expect(await output.textContent()).toContain('"customer": "Ada"');
    await trigger.click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('"source": "sample"');
    expect(received).toEqual([]);
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => page.getByTestId('run-item').first().getByTestId('run-test-label').count()).toBe(1);
    await page.screenshot({ path: join(repoRoot, 'docs', 'test-run-done.png') });

    // Edit a sample: checked before it can run; "live" becomes "sample".
    await page.getByTestId('run-button').click();
    await page.getByTestId('test-run-source-sample').click();
    const sample = page.getByTestId('test-run-sample');
    await expect.poll(() => sample.inputValue(), { timeout: 15_000 }).toContain('"Grace"');
    await sample.fill('{"schema": "public", "table": "orders", "operation": "upsert", "new": {}}');
    await expect.poll(() => page.getByTestId('test-run-sample-error').textContent()).toContain('operation must be insert, update, delete or read');
    expect(await page.getByTestId('test-run-start').isDisabled()).toBe(true);
    await sample.fill('{"source": "live", "schema": "public", "table": "orders", "operation": "insert", "new": {"id": 99, "customer": "Edited", "amount": 1}, "key": {"id": 99}}');
    await expect.poll(() => page.getByTestId('test-run-sample-error').count()).toBe(0);
    await page.getByTestId('test-run-start').click();
    await expect.poll(() => page.getByTestId('run-item').count(), { timeout: 20_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('run-item').first().getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    await trigger.click();
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('"customer": "Edited"');
    expect(await page.getByTestId('node-output').textContent()).toContain('"source": "sample"');
    expect(received).toEqual([]);
  }, 180_000);

  it('Pause says paused with the backlog its slot holds, offers Resume, and Resume runs what arrived meanwhile for real', async () => {
    const trigger = nodeOfType('postgres-change');
    await trigger.click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('streaming');
    await page.getByTestId('trigger-pause').click();
    await expect.poll(() => page.getByTestId('trigger-state').textContent(), { timeout: 15_000 }).toMatch(/^paused · backlog \d/);
    expect(await page.getByTestId('trigger-activate').textContent()).toBe('Resume');
    await pg.query(`INSERT INTO orders (customer, amount) SELECT 'Paused ' || g, g FROM generate_series(1, 3) g`);
    // Reopening the flow reads the backlog again: it grew by the three inserts.
    expect(await page.getByTestId('trigger-state').textContent()).toBe('paused · backlog 0 B');
    await page.getByTestId('flow-item').filter({ hasText: 'Demo' }).first().click();
    await expect.poll(() => trigger.count()).toBe(0);
    await page.getByTestId('flow-item').filter({ hasText: 'Untitled flow' }).first().click();
    await trigger.click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => page.getByTestId('trigger-backlog-bytes').textContent(), { timeout: 15_000 }).not.toBe('unknown');
    expect(await trigger.getByTestId('node-trigger-chip').textContent()).toMatch(/^paused · backlog [1-9]/);
    await page.screenshot({ path: join(repoRoot, 'docs', 'trigger-paused.png') });

    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('streaming');
    // Real runs, not test runs: the webhook sink sends each change made while paused.
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(3);
    expect(received.map((b) => (JSON.parse(b) as { new: { customer: string } }).new.customer).sort()).toEqual(['Paused 1', 'Paused 2', 'Paused 3']);
    await page.getByTestId('trigger-drop').click();
    await page.getByTestId('confirm-drop-slot').click();
    await expect.poll(() => page.getByTestId('trigger-state').textContent(), { timeout: 15_000 }).toBe('inactive');
    expect(await page.getByTestId('trigger-activate').textContent()).toBe('Activate');
  }, 180_000);

  it('an edge that would cross a node is routed around it; Disable greys a node and runs pass its input through', async () => {
    await page.getByTestId('new-flow').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.locator('.react-flow__controls-zoomout').click();
    await page.locator('.react-flow__controls-zoomout').click();
    const canvas = page.locator('.react-flow__pane');
    await page.getByTestId('palette-item-manual-trigger').dragTo(canvas, { targetPosition: { x: 60, y: 300 } });
    await page.getByTestId('palette-item-set-fields').dragTo(canvas, { targetPosition: { x: 300, y: 300 } });
    await page.getByTestId('palette-item-set-fields').dragTo(canvas, { targetPosition: { x: 560, y: 300 } });
    const trigger = nodeOfType('manual-trigger');
    const [middle, last] = [nodeOfType('set-fields').nth(0), nodeOfType('set-fields').nth(1)];
    await trigger.getByTestId('handle-out-out').dragTo(middle.getByTestId('handle-in-in'));
    await trigger.getByTestId('handle-out-out').dragTo(last.getByTestId('handle-in-in'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    // The wire to the last node samples no point inside the middle node's box.
    const crossing = async () =>
      page.evaluate(() => {
        const box = document.querySelectorAll('[data-node-type="set-fields@1"]')[0]!.getBoundingClientRect();
        let inside = 0;
        for (const path of document.querySelectorAll<SVGPathElement>('.react-flow__edge path.react-flow__edge-path')) {
          const ctm = path.getScreenCTM()!;
          const len = path.getTotalLength();
          for (let i = 0; i <= 60; i++) {
            const p = path.getPointAtLength((len * i) / 60).matrixTransform(ctm);
            if (p.x > box.left + 2 && p.x < box.right - 2 && p.y > box.top + 2 && p.y < box.bottom - 2) inside++;
          }
        }
        return inside;
      });
    await expect.poll(crossing).toBe(0);

    await middle.click({ button: 'right' });
    await page.getByTestId('menu-disable').click();
    await expect.poll(() => middle.getAttribute('data-disabled')).toBe('true');
    await saved();
    await page.getByTestId('run-button').click();
    await expect.poll(() => middle.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    await expect.poll(() => last.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    await middle.click();
    await page.getByTestId('tab-run-data').click();
    // Passed through: the manual trigger's test payload, not set-fields' output.
    const out = await page.getByTestId('node-output').textContent();
    await page.screenshot({ path: join(repoRoot, 'docs', 'edges-and-disabled.png') });
    const triggerOut = await (async () => {
      await trigger.click();
      await page.getByTestId('tab-run-data').click();
      return page.getByTestId('node-output').textContent();
    })();
    expect(out).toBe(triggerOut);
    // Pin: enabled now that the shown run has the node succeeded.
    await last.click({ button: 'right' });
    expect(await page.getByTestId('menu-pin').isDisabled()).toBe(false);
    await page.getByTestId('menu-pin').click();
    await last.click({ button: 'right' });
    await expect.poll(() => page.getByTestId('menu-pin').textContent()).toBe('Unpin output');
    await page.keyboard.press('Escape');
  }, 120_000);
});
