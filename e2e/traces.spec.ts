/**
 * Traces e2e, in Debian's Chromium against a real `millrace serve` and a real loopback HTTP server:
 * an HTTP node that fails once then succeeds (retry, final output, edge values, waterfall), the
 * history filtered to errors, comparing a failed and a succeeded run, pinning the HTTP node's output
 * and re-running without a request reaching the server, heatmap mode and opening the slowest run.
 * An XSS corpus sits in the flow name, node names, node outputs, edge values and grouped error
 * messages; a canary global must stay unset. Saves docs/heatmap.png and docs/compare.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowserSession, repoRoot, type BrowserSession } from './helpers';
import { connectEngine } from '../src/engine/server/ws-client';
import type { EngineClient } from '../src/shared/rpc/client';
import type { Flow } from '../src/shared/flow/schema';

const XSS = {
  img: '<img src=x onerror="window.__xss=1">',
  script: '<script>window.__xss=1</script>',
  svg: '<svg onload="window.__xss=1"></svg>',
};

let session: BrowserSession;
let page: Page;
let client: EngineClient;
let server: Server;
let requests = 0;
/**
 * How the next requests fail: `reset` drops the connection, `500` answers with markup in the body;
 * either way the HTTP step throws and a retry sends the request again.
 */
let failNext: { kind: 'reset' | '500'; count: number } = { kind: 'reset', count: 0 };
const POLL = { timeout: 15_000 };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      if (failNext.count > 0) {
        failNext.count--;
        if (failNext.kind === 'reset') req.socket.destroy();
        else res.writeHead(500, { 'content-type': 'text/plain' }).end(`upstream broke ${XSS.svg}`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ greeting: 'hello', note: XSS.img, n: requests }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  session = await openBrowserSession();
  page = session.page;
  const u = new URL(session.app.url);
  client = await connectEngine(`ws://${u.host}/api/ws?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`);
  const flow: Flow = {
    schemaVersion: 1,
    id: 'traces-e2e',
    name: `Traces ${XSS.img}`,
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: `Start ${XSS.script}`, position: { x: 0, y: 80 }, config: { payload: JSON.stringify({ q: XSS.script }) } },
      {
        id: 'h',
        type: 'http-request@1',
        name: 'Call API',
        position: { x: 320, y: 80 },
        config: { method: 'POST', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`, body: '{"q": 1}' },
        settings: { retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 400 } },
      },
      { id: 's', type: 'set-fields@1', name: `Shape ${XSS.svg}`, position: { x: 640, y: 80 }, config: { fields: [{ name: 'greeting', value: '{{ body.greeting }}' }, { name: 'note', value: '{{ body.note }}' }] } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'h', targetPort: 'in' },
      { id: 'e2', source: 'h', sourcePort: 'out', target: 's', targetPort: 'in' },
    ],
  };
  await client.saveFlow({ flow });
});

afterAll(async () => {
  client?.close();
  await session?.close();
  server?.close();
});

const node = (id: string) => page.getByTestId(`node-${id}`);
const statusOf = (id: string) => node(id).getByTestId('node-status').getAttribute('data-status');
const banner = () => page.getByTestId('run-banner');

async function runAndWait(status: 'succeeded' | 'failed') {
  const before = (await banner().count()) > 0 ? await banner().getAttribute('data-run-id') : null;
  await page.getByTestId('run-button').click();
  await expect.poll(async () => (await banner().getAttribute('data-run-id')) !== before && (await banner().getAttribute('data-status')), { timeout: 20_000 }).toBe(status);
  return (await banner().getAttribute('data-run-id'))!;
}

describe('traces in Chromium', () => {
  let okRun = '';
  let failedRun = '';

  it('shows the retry, the final output and the values on the edges', async () => {
    await page.goto(session.app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('flow-item').filter({ hasText: 'Traces' }).click();
    await expect.poll(() => page.getByTestId('flow-title').textContent(), POLL).toContain(XSS.img);
    failNext = { kind: 'reset', count: 1 };
    okRun = await runAndWait('succeeded');
    expect(requests).toBe(2);
    expect(await statusOf('h')).toBe('succeeded');
    expect(await node('h').getByTestId('node-attempt').count()).toBe(1);
    const edgeTexts = await page.getByTestId('edge-value').allTextContents();
    expect(edgeTexts).toHaveLength(2);
    expect(edgeTexts.join(' ')).toContain('<script>');
    // The preview is short; the whole value (cut at 4,000 characters) is on hover.
    expect(await page.locator('[data-testid="edge-value"][data-edge-id="e2"]').getAttribute('title')).toContain('"greeting": "hello"');
    await page.getByTestId('tab-runs').click();
    await page.getByTestId('waterfall').waitFor();
    expect(await page.locator('[data-testid="waterfall-row"][data-node-id="h"] [data-kind="failed-attempt"]').count()).toBe(1);
    expect(await page.locator('[data-testid="waterfall-row"][data-node-id="h"] [data-kind="backoff"]').count()).toBe(1);
  });

  it('filters the history to errors', async () => {
    // Every attempt (3) gets the 500: a retryable answer is sent again, never replayed from the journal.
    failNext = { kind: '500', count: 3 };
    failedRun = await runAndWait('failed');
    await page.getByTestId('tab-runs').click();
    await expect.poll(() => page.getByTestId('run-item').count(), POLL).toBe(2);
    await page.getByTestId('runs-filter-errors').check();
    await expect.poll(() => page.getByTestId('run-item').count(), POLL).toBe(1);
    expect(await page.getByTestId('run-item').getAttribute('data-run-id')).toBe(failedRun);
    await page.getByTestId('runs-filter-errors').uncheck();
    await expect.poll(() => page.getByTestId('run-item').count(), POLL).toBe(2);
  });

  it('compares a failed and a succeeded run, node by node and side by side', async () => {
    // The failed run is shown; compare it with the succeeded one.
    await page.locator(`[data-testid="run-item"][data-run-id="${okRun}"] [data-testid="run-item-compare"]`).click();
    await expect.poll(() => node('h').getByTestId('node-diff').getAttribute('data-diff'), POLL).toContain('status');
    expect(await node('s').getByTestId('node-diff').getAttribute('data-diff')).toContain('status');
    await node('h').click();
    await page.getByTestId('tab-run-data').click();
    await page.getByTestId('compare-node').waitFor();
    expect(await page.getByTestId('compare-node').textContent()).toContain('differs in status');
    await page.screenshot({ path: join(repoRoot, 'docs', 'compare.png') });
    await page.getByTestId('compare-node').getByText('stop comparing').click();
  });

  it('pins the HTTP output and re-runs downstream without a request reaching the server', async () => {
    await page.getByTestId('tab-runs').click();
    await page.locator(`[data-testid="run-item"][data-run-id="${okRun}"] .run-item__hit`).click();
    await expect.poll(() => banner().getAttribute('data-run-id'), POLL).toBe(okRun);
    await node('h').click();
    await page.getByTestId('tab-run-data').click();
    await page.getByTestId('pin-button').click();
    await node('h').getByTestId('node-pinned').waitFor();
    const before = requests;
    await runAndWait('succeeded');
    expect(requests).toBe(before);
    await node('s').click();
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('node-output').first().textContent(), POLL).toContain('hello');
  });

  it('switches on the heatmap and opens the slowest run', async () => {
    await page.getByTestId('heatmap-toggle').check();
    await page.getByTestId('heatmap-legend').waitFor();
    await expect.poll(() => node('h').getByTestId('node-heat').textContent(), POLL).toContain('3 runs');
    await node('h').click();
    const slowest = page.getByTestId('node-insights-run').first();
    await slowest.waitFor();
    const id = await slowest.getAttribute('data-run-id');
    await slowest.click();
    await expect.poll(() => banner().getAttribute('data-run-id'), POLL).toBe(id);
    // Grouped errors carry markup from the server's reply: rendered as text.
    await page.getByTestId('node-insights-order').selectOption('failing');
    await page.getByTestId('error-group-message').first().waitFor();
    expect(await page.getByTestId('error-group-message').first().textContent()).toContain('<svg onload=');
    await page.screenshot({ path: join(repoRoot, 'docs', 'heatmap.png') });
  });

  it('keeps the shown run when it is clicked again, and shows the last run when the flow is reopened', async () => {
    await page.getByTestId('tab-runs').click();
    const shown = (await banner().getAttribute('data-run-id'))!;
    await page.locator(`[data-testid="run-item"][data-run-id="${shown}"] .run-item__hit`).click();
    // One click on the shown run: it must stay shown (it used to toggle the overlay off).
    await page.waitForTimeout(300); // a toggle would have hidden the banner by now; nothing to wait for when it does not
    expect(await banner().count()).toBe(1);
    expect(await banner().getAttribute('data-run-id')).toBe(shown);
    expect(await page.locator(`[data-testid="run-item"][data-run-id="${shown}"]`).getAttribute('class')).toContain('is-selected');
    const newest = await page.getByTestId('run-item').first().getAttribute('data-run-id');
    await page.reload();
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await expect.poll(() => banner().getAttribute('data-run-id'), POLL).toBe(newest);
    expect(await statusOf('s')).toBe('succeeded');
  });

  it('rendered the XSS corpus as text everywhere (canary unset, no injected elements)', async () => {
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
    expect(await node('t').textContent()).toContain(XSS.script);
  });
});
