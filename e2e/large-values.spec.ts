/**
 * Large values in the run data (issue 14): a node output of several hundred kB is cut with its
 * size shown, Show all expands it, Download hands over the whole value, and a base64 payload is
 * shown as its size instead of a wall of characters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openBrowserSession, type BrowserSession } from './helpers';
import { connectEngine } from '../src/engine/server/ws-client';
import type { EngineClient } from '../src/shared/rpc/client';
import type { Flow } from '../src/shared/flow/schema';

let session: BrowserSession;
let page: Page;
let client: EngineClient;

beforeAll(async () => {
  session = await openBrowserSession();
  page = session.page;
  const u = new URL(session.app.url);
  client = await connectEngine(`ws://${u.host}/api/ws?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`);
  const flow: Flow = {
    schemaVersion: 1,
    id: 'large-values',
    name: 'Large values',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 80 }, config: {} },
      { id: 's', type: 'set-fields@1', name: 'Keep', position: { x: 320, y: 80 }, config: { fields: [{ name: 'ok', value: 'yes' }], keepInput: true } },
    ],
    edges: [{ id: 'e1', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' }],
  };
  await client.saveFlow({ flow });
});

afterAll(async () => {
  client?.close();
  await session?.close();
});

describe('large values in Chromium', () => {
  it('cuts, expands, downloads, and shows binary as its size', async () => {
    const input = { image: Buffer.alloc(60_000, 9).toString('base64'), rows: Array.from({ length: 8_000 }, (_, i) => ({ i, text: `row ${i}` })) };
    const { runId } = await client.startRun({ flowId: 'large-values', input });
    await expect.poll(async () => (await client.getRunTrace({ runId })).run.status, { timeout: 20_000 }).toBe('succeeded');
    await page.goto(session.app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.locator('[data-flow-id="large-values"]').click();
    await page.getByTestId('node-s').click();
    await page.getByTestId('tab-run-data').click();
    const output = page.getByTestId('node-output');
    await output.waitFor();
    expect(await output.textContent()).toContain('"image": "[binary, 58.6 kB]"');
    const wrap = page.locator('.json-wrap').filter({ has: output });
    expect(await wrap.getByTestId('json-tools').textContent()).toMatch(/\d+(\.\d)? kB/);
    expect(await wrap.getByTestId('json-cut').textContent()).toMatch(/more characters/);
    await page.screenshot({ path: '/tmp/large-values.png' });
    await wrap.getByTestId('json-expand').click();
    await expect.poll(() => wrap.getByTestId('json-cut').count()).toBe(0);
    expect(await output.textContent()).toContain('"text": "row 7999"');
    const [download] = await Promise.all([page.waitForEvent('download'), wrap.getByTestId('json-download').click()]);
    const saved = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { image: string; rows: unknown[]; ok: string };
    expect(saved.image).toBe(input.image);
    expect(saved.rows).toHaveLength(8_000);
  });
});
