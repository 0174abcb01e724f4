/**
 * Issue 9 in Debian's Chromium against a real `millrace serve`: from an empty canvas, Postgres
 * change → LLM call (structured output, fake provider) → HTTP request whose JSON body uses
 * `{{ $trigger.new.id }}` and a field of the LLM's `data`; completion offers the upstream field, a
 * misspelt path is flagged before running, a rename keeps the reference; a row insert delivers
 * valid JSON with both values to a local server. Then a Merge rejoining two If branches.
 * Saves docs/data-flow-screenshot.png and docs/data-flow-inspector.png.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { dropFromPalette, openBrowserSession, repoRoot, type BrowserSession, type RunningApp } from './helpers';
import { startFakeLlmProvider, type FakeLlmProvider } from '../src/engine/services/llm/testing/fake-llm-provider';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';

let session: BrowserSession;
let app: RunningApp;
let page: Page;
let fake: FakeLlmProvider;
let pg: TestPostgres;
let hook: Server;
let hookUrl: string;
const received: { contentType: string | undefined; body: string }[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric NOT NULL)`);
  fake = await startFakeLlmProvider();
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ contentType: req.headers['content-type'], body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  session = await openBrowserSession();
  ({ app, page } = session);
}, 120_000);

afterAll(async () => {
  await session?.close();
  await fake?.close();
  await new Promise((r) => hook?.close(r));
  await pg?.stop();
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type="${type}@1"]`);
const drag = (type: string, x: number, y: number) => dropFromPalette(page, type, { x, y });
const connect = (from: Locator, fromPort: string, to: Locator, toPort: string) => from.getByTestId(`handle-out-${fromPort}`).dragTo(to.getByTestId(`handle-in-${toPort}`));
const saved = () => expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

describe('data that flows, in Chromium', () => {
  it('Postgres change → LLM (structured) → HTTP: the webhook gets valid JSON with the row id and the verdict', async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();
    await drag('postgres-change', 120, 280);
    await drag('llm-call', 470, 280);
    await drag('http-request', 820, 280);
    const trigger = nodeOfType('postgres-change');
    const llm = nodeOfType('llm-call');
    const http = nodeOfType('http-request');
    await connect(trigger, 'change', llm, 'in');
    await connect(llm, 'data', http, 'in');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    await llm.click();
    await page.getByTestId('node-name').fill('Classify');
    await page.getByTestId('field-baseUrl').fill(fake.baseUrl);
    await page.getByTestId('field-prompt').fill('Is this order legitimate? {{ new.customer }} ordered {{ new.amount }}');
    await page.getByTestId('field-output').selectOption('json');
    await page.getByTestId('llm-schema-add').click();
    await page.getByTestId('llm-schema-0-name').fill('verdict');

    await http.click();
    await page.getByTestId('field-url').fill(hookUrl);
    const body = page.getByTestId('field-body');
    await expect.poll(() => page.getByTestId('field-body-mode').textContent()).toBe('JSON');
    // Completion before any run: the trigger's event shape and the LLM's declared schema, by name.
    await body.fill('{"orderId": {{ $trigger.ne');
    await expect.poll(() => page.getByTestId('field-body-completions').textContent()).toContain('$trigger.new');
    await body.fill('{"orderId": {{ $trigger.new.id }}, "verdict": {{ $node["Classify"].data.ver');
    await expect.poll(() => page.getByTestId('field-body-completions').textContent()).toContain('$node["Classify"].data.verdict');
    await body.press('Enter');
    await expect.poll(() => body.inputValue()).toBe('{"orderId": {{ $trigger.new.id }}, "verdict": {{ $node["Classify"].data.verdict }}');
    // A misspelt path is a warning on the field before anything runs.
    await body.fill('{"orderId": {{ $trigger.new.id }}, "verdict": {{ $node["Classify"].data.verdcit }}}');
    await expect.poll(() => page.getByTestId('field-body-warning').first().textContent()).toContain('verdcit');
    await page.screenshot({ path: join(repoRoot, 'docs', 'data-flow-inspector.png') });
    await body.fill('{"orderId": {{ $trigger.new.id }}, "verdict": {{ $node["Classify"].data.verdict }}, "customer": "{{ $trigger.new.customer }}"}');
    await expect.poll(() => page.getByTestId('field-body-warning').count()).toBe(0);

    // Renaming the LLM node keeps the reference: the field shows the new name.
    await llm.click();
    await page.getByTestId('node-name').fill('Triage');
    await http.click();
    await expect.poll(() => page.getByTestId('field-body').inputValue()).toContain('$node["Triage"].data.verdict');

    await trigger.click();
    await page.getByTestId('field-port').fill(String(pg.port));
    await page.getByTestId('field-tables').fill('public.orders');
    await saved();
    await page.getByTestId('trigger-check').click();
    await expect.poll(() => page.getByTestId('trigger-setup').textContent(), { timeout: 15_000 }).toContain('ready to activate');
    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('streaming');

    fake.enqueue({ kind: 'reply', text: '{"verdict": "Order from a known customer: \\"legit\\""}' });
    const inserted = await pg.query(`INSERT INTO orders (customer, amount) VALUES ('O''Hara "Ada"', 42) RETURNING id`);
    const id = (inserted.rows[0] as { id: number }).id;
    await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
    expect(received[0]!.contentType).toBe('application/json');
    expect(JSON.parse(received[0]!.body)).toEqual({ orderId: id, verdict: 'Order from a known customer: "legit"', customer: 'O\'Hara "Ada"' });
    await expect.poll(() => http.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');

    // With the run's data, the body field previews the JSON it sent.
    await http.click();
    await page.getByTestId('tab-settings').click();
    await expect.poll(() => page.getByTestId('field-body-preview').textContent(), { timeout: 10_000 }).toContain(`"orderId": ${id}`);
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(repoRoot, 'docs', 'data-flow-screenshot.png') });
    await trigger.click();
    await page.getByTestId('trigger-deactivate').click().catch(() => undefined);
  }, 180_000);

  it('a Merge rejoins two If branches; a second edge into one input is refused with a reason', async () => {
    await page.getByTestId('new-flow').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    // Six nodes on one screen: zoom out first.
    await page.locator('.react-flow__controls-zoomout').click();
    await page.locator('.react-flow__controls-zoomout').click();
    await drag('manual-trigger', 30, 300);
    await drag('if', 210, 300);
    await drag('set-fields', 390, 150);
    await drag('set-fields', 390, 450);
    await drag('merge', 570, 300);
    const [big, small] = [nodeOfType('set-fields').nth(0), nodeOfType('set-fields').nth(1)];
    const ifNode = nodeOfType('if');
    const merge = nodeOfType('merge');
    await connect(nodeOfType('manual-trigger'), 'out', ifNode, 'in');
    await connect(ifNode, 'true', big, 'in');
    await connect(ifNode, 'false', small, 'in');
    await connect(big, 'out', merge, 'a');
    await connect(small, 'out', merge, 'b');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(5);
    await saved();

    await page.getByTestId('run-button').click();
    await expect.poll(() => merge.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    // Default If: amount (42) > 100 is false, so the true branch is skipped and the Merge still runs.
    await expect.poll(() => big.getByTestId('node-status').getAttribute('data-status')).toBe('skipped');
    await merge.click();
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('"b"');

    // Both branches straight into one set-fields input: validation says why and what to do.
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await drag('set-fields', 570, 540);
    const joined = nodeOfType('set-fields').nth(2);
    await connect(big, 'out', joined, 'in');
    await connect(small, 'out', joined, 'in');
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await expect.poll(() => page.getByTestId('inspector').textContent(), { timeout: 10_000 }).toContain('add a Merge node to combine them');
    await page.screenshot({ path: join(repoRoot, 'docs', 'data-flow-merge.png') });
  }, 120_000);

  it('a Code node: CodeMirror with $ completion, sandboxed run, result on its output', async () => {
    await page.getByTestId('new-flow').click();
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await drag('manual-trigger', 80, 300);
    await drag('code', 420, 300);
    const code = nodeOfType('code');
    await connect(nodeOfType('manual-trigger'), 'out', code, 'in');
    await code.click();
    const editor = page.locator('[data-testid="field-code"] .cm-content');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('return { customer: $tri');
    await expect.poll(() => page.locator('.cm-tooltip-autocomplete').textContent(), { timeout: 10_000 }).toContain('$trigger');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('console.log("doubling", $json.amount);\nreturn { customer: $trigger.customer, double: $json.amount * 2 };');
    await saved();
    await page.getByTestId('run-button').click();
    await expect.poll(() => code.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('"double": 84');
    expect(await page.getByTestId('node-output').textContent()).toContain('doubling 42');
    await page.getByTestId('tab-settings').click();
    await page.screenshot({ path: join(repoRoot, 'docs', 'data-flow-code.png') });
  }, 120_000);
});
