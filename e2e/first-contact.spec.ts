/**
 * Issue 13 in Debian's Chromium against a real `millrace serve`: a stale token says so at once, an
 * empty flow is refused with "add a trigger", Esc in a field keeps the inspector, a palette click
 * lands right of the selection and is connected, an LLM node without a key is flagged before
 * running, local servers are detected, and the synthetic provider runs a flow offline, labelled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { openBrowserSession, repoRoot, type BrowserSession, type RunningApp } from './helpers';

let session: BrowserSession;
let app: RunningApp;
let page: Page;
let models: http.Server;
let modelsUrl: string;

beforeAll(async () => {
  models = http.createServer((req, res) => {
    if (req.url === '/v1/models') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'llama3.2:3b' }] }));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => models.listen(0, '127.0.0.1', r));
  modelsUrl = `http://127.0.0.1:${(models.address() as AddressInfo).port}/v1`;
  session = await openBrowserSession();
  ({ app, page } = session);
});

afterAll(async () => {
  await session?.close();
  await new Promise<void>((r) => (models ? models.close(() => r()) : r()));
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type="${type}@1"]`);
const shot = (name: string) => page.screenshot({ path: join(repoRoot, 'docs', `first-contact-${name}.png`) });

async function openFresh() {
  await page.goto(app.url);
  await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
}

describe('first contact in Chromium', () => {
  it('a link with a wrong token says so at once, not "cannot reach the engine"', async () => {
    const stale = app.url.replace(/token=[^&]+/, 'token=not-the-token');
    const started = Date.now();
    await page.goto(stale);
    await page.getByTestId('bad-token').waitFor({ timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await page.locator('.loading-screen').textContent()).toMatch(/open the URL printed by `millrace serve`/);
    expect(await page.locator('.loading-screen').textContent()).not.toMatch(/Cannot reach/);
    // The right link still works in the same tab.
    await openFresh();
  });

  it('an empty flow is refused with "add a trigger"; Esc in a field keeps the inspector; palette clicks chain nodes', async () => {
    await openFresh();
    await page.getByTestId('new-flow').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.getByTestId('run-button').click();
    await page.getByTestId('dialog-close').waitFor();
    expect(await page.locator('.dialog').textContent()).toMatch(/add a trigger/);
    await page.getByTestId('dialog-close').click();
    await page.getByTestId('tab-runs').click();
    expect(await page.getByTestId('tab-runs').textContent()).toBe('Runs ');
    await page.getByRole('tab', { name: 'Inspector' }).click();

    await page.getByTestId('palette-item-manual-trigger').click();
    const trigger = nodeOfType('manual-trigger');
    await trigger.waitFor();
    // Esc while typing the node's name leaves the field; the node stays selected, the inspector open.
    await page.getByTestId('node-name').click();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('node-name').count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).not.toBe('node-name');

    // With the trigger selected, a palette click adds the next node to its right, connected.
    await page.getByTestId('palette-item-llm-call').click();
    const llm = nodeOfType('llm-call');
    await llm.waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    const [t, l] = [await trigger.boundingBox(), await llm.boundingBox()];
    expect(l!.x).toBeGreaterThan(t!.x + t!.width);
    expect(Math.abs(l!.y - t!.y)).toBeLessThan(5);

    // No key for api.openai.com: flagged on the field before any run.
    await page.getByTestId('llm-inspector').waitFor();
    expect(await page.getByTestId('field-model').inputValue()).toBe('gpt-4o-mini');
    expect(await page.getByTestId('field-provider').inputValue()).toBe('openai-compatible');
    await expect.poll(() => page.getByTestId('llm-inspector').textContent()).toMatch(/needs an API key/);

    // Local servers: a given URL is probed and its model can be picked (no key needed).
    await page.getByTestId('llm-servers-url').fill(modelsUrl);
    await page.getByTestId('llm-servers-detect').click();
    await page.getByTestId('llm-server-model').first().waitFor();
    await shot('local-servers');
    await page.getByTestId('llm-server-model').first().click();
    await expect.poll(() => page.getByTestId('field-baseUrl').inputValue()).toBe(modelsUrl);
    await expect.poll(() => page.getByTestId('llm-inspector').textContent()).not.toMatch(/needs an API key/);

    // Synthetic: runs end to end offline, labelled on the node.
    await page.getByTestId('field-provider').selectOption('synthetic');
    await page.getByTestId('llm-synthetic-note').waitFor();
    await page.getByTestId('palette-item-write-file').click();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await page.getByTestId('field-path').fill('e2e/synthetic.jsonl');
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    await page.getByTestId('run-button').click();
    await page.locator('[data-testid="run-banner"][data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => llm.getByTestId('llm-label').textContent()).toBe('synthetic');
    expect(await llm.getByTestId('llm-reply').textContent()).toMatch(/^\[synthetic\]/);
    await shot('synthetic');
  });

  it('Secrets page: add, see where used (the Postgres password uses the same picker), replace, delete', async () => {
    await openFresh();
    await page.getByTestId('new-flow').click();
    await page.getByTestId('secrets-button').click();
    await page.getByTestId('secrets-page').waitFor();
    await page.getByTestId('secrets-new-name').fill('PG_PASSWORD');
    await page.getByTestId('secrets-new-value').fill('hunter2-not-shown');
    await page.getByTestId('secrets-add').click();
    await page.getByTestId('secret-row-PG_PASSWORD').waitFor();
    expect(await page.getByTestId('secret-uses-PG_PASSWORD').textContent()).toMatch(/not used/);
    await page.getByTestId('dialog-close').click();

    await page.getByTestId('palette-item-postgres-change').click();
    const password = page.getByTestId('field-password');
    await password.waitFor();
    expect(await password.evaluate((el) => el.tagName)).toBe('SELECT');
    await password.selectOption('secret:PG_PASSWORD');
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

    await page.getByTestId('secrets-button').click();
    await expect.poll(() => page.getByTestId('secret-uses-PG_PASSWORD').textContent()).toMatch(/Postgres change › password/);
    expect(await page.getByTestId('secrets-page').textContent()).not.toContain('hunter2');
    await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
    await shot('secrets');
    await page.getByTestId('secret-replace-PG_PASSWORD').click();
    await page.getByTestId('secrets-replace-value-PG_PASSWORD').fill('new-value');
    await page.getByTestId('secrets-replace-save-PG_PASSWORD').click();
    await expect.poll(() => page.getByTestId('secrets-replace-value-PG_PASSWORD').count()).toBe(0);
    await page.getByTestId('secret-delete-PG_PASSWORD').click();
    // Still referenced by the node: listed as missing so it can be added back.
    await expect.poll(() => page.getByTestId('secret-row-PG_PASSWORD').textContent()).toMatch(/not stored/);
  });

  it('at 1024 px the side panels fold away and the minimap scales with the canvas', async () => {
    await page.setViewportSize({ width: 1024, height: 768 });
    try {
      await openFresh();
      await page.locator('[data-testid="flow-item"]').first().waitFor().catch(() => undefined);
      const canvas = page.locator('.canvas-wrap');
      const minimap = page.locator('.mr-minimap');
      const before = (await canvas.boundingBox())!.width;
      expect(before).toBeGreaterThan(480);
      await page.getByTestId('toggle-left-panel').click();
      await page.getByTestId('toggle-right-panel').click();
      await expect.poll(async () => (await canvas.boundingBox())!.width).toBeGreaterThan(1000);
      expect((await minimap.boundingBox())!.width).toBeLessThanOrEqual(0.2 * 1024);
      await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
      await shot('collapsed-1024');
      // Remembered across a reload, and back on a click.
      await openFresh();
      expect((await canvas.boundingBox())!.width).toBeGreaterThan(1000);
      await page.getByTestId('toggle-left-panel').click();
      await page.getByTestId('toggle-right-panel').click();
      await page.getByTestId('inspector').waitFor();
      const reopened = (await canvas.boundingBox())!.width;
      expect(reopened).toBeCloseTo(before, 0);
      expect((await minimap.boundingBox())!.width).toBeLessThanOrEqual(0.2 * reopened);
      await shot('panels-1024');
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('right-click menus on nodes, edges and the canvas', async () => {
    await openFresh();
    await page.getByTestId('new-flow').click();
    await page.getByTestId('palette-item-manual-trigger').click();
    await page.getByTestId('palette-item-set-fields').click();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    const setFields = nodeOfType('set-fields');
    await setFields.click({ button: 'right' });
    const menu = page.getByTestId('context-menu');
    await menu.waitFor();
    expect(await menu.getAttribute('data-target')).toBe('node');
    expect(await page.getByTestId('menu-pin').isDisabled()).toBe(true);
    expect(await page.getByTestId('menu-run-from-here').isDisabled()).toBe(true);
    await shot('context-menu');
    await page.getByTestId('menu-duplicate').click();
    await expect.poll(() => page.locator('[data-node-type="set-fields@1"]').count()).toBe(2);
    await expect.poll(() => page.locator('.react-flow__node').allTextContents()).toContainEqual(expect.stringContaining('Set fields 2'));
    // Rename focuses the name field in the inspector.
    await setFields.first().click({ button: 'right' });
    await page.getByTestId('menu-rename').click();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('node-name');
    // Esc closes a menu without touching the selection.
    await page.locator('.react-flow__pane').click({ button: 'right', position: { x: 40, y: 40 } });
    expect(await menu.getAttribute('data-target')).toBe('pane');
    await page.keyboard.press('Escape');
    await expect.poll(() => menu.count()).toBe(0);
    // An edge: delete the connection.
    await page.locator('.react-flow__edge').first().click({ button: 'right', force: true });
    await page.getByTestId('menu-delete').click();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);
  });
});
