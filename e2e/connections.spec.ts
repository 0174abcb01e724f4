/**
 * Web mode with a real Postgres: define a named connection once from the sink's inspector (New
 * connection…; Test shows the server), picked there and in the Postgres change node, both built
 * from the palette (the inline fields disappear; the sink's tables and columns are listed through
 * it); insert a source row with SQL and see the sink row land (queried with SQL). The Connections
 * page lists its uses, tests it, and refuses to delete it while in use.
 * Saves docs/connections-form.png, docs/connections-page.png and docs/connections-inspector.png.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { launchChromium, repoRoot, startApp, type RunningApp } from './helpers';

let pg: TestPostgres;
let app: RunningApp;
let chromium: { browser: Browser; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)`);
  await pg.query(`CREATE TABLE copies (id int PRIMARY KEY, note text NOT NULL)`);
  app = await startApp({ dataDir: mkdtempSync(join(tmpdir(), 'millrace-e2e-conn-')) });
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  await pg?.stop();
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type="${type}@1"]`);

describe('a named connection picked by a change trigger and a sink', () => {
  it('is defined once, picked in both nodes, and the source row lands in the sink table', { timeout: 120_000 }, async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();

    const canvas = page.locator('.react-flow__pane');
    await page.getByTestId('palette-item-postgres-change').dragTo(canvas, { targetPosition: { x: 150, y: 300 } });
    await page.getByTestId('palette-item-postgres-sink').dragTo(canvas, { targetPosition: { x: 600, y: 300 } });
    const trigger = nodeOfType('postgres-change');
    const sink = nodeOfType('postgres-sink');
    await trigger.getByTestId('handle-out-change').dragTo(sink.getByTestId('handle-in-in'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    // Defined once, from the sink's inspector (New connection…), and picked there on save.
    await sink.click();
    await page.getByTestId('connection-picker-new').click();
    await page.getByTestId('connection-name').fill('Orders DB');
    await page.getByTestId('connection-port').fill(String(pg.port));
    await page.getByTestId('connection-test').click();
    await expect.poll(() => page.getByTestId('connection-test-result').textContent(), { timeout: 15_000 }).toMatch(/Connected · PostgreSQL 15\.\d+.*Change triggers: ready/);
    await page.screenshot({ path: join(repoRoot, 'docs', 'connections-form.png') });
    await page.getByTestId('connection-save').click();
    // The inline fields go away; tables and columns are listed through the connection.
    await expect.poll(() => page.getByTestId('field-connection').inputValue(), { timeout: 10_000 }).toMatch(/^conn_/);
    await expect.poll(() => page.getByTestId('field-port').count()).toBe(0);
    await expect.poll(() => page.getByTestId('connection-picker-summary').textContent()).toContain(`:${pg.port}/postgres`);
    await page.getByTestId('sink-list-tables').click();
    await expect.poll(() => page.getByTestId('sink-table-select').locator('option').allTextContents(), { timeout: 15_000 }).toContain('public.copies');
    await page.getByTestId('sink-table-select').selectOption('public.copies');
    await expect.poll(() => page.getByTestId('sink-columns').textContent(), { timeout: 15_000 }).toContain('note');
    await page.getByTestId('sink-column-id').click();
    await page.getByTestId('sink-column-note').click();
    await page.getByTestId('field-columns-0-value').fill('{{ new.id }}');
    await page.getByTestId('field-columns-1-value').fill('{{ new.note }}');

    // Picked in the trigger.
    await trigger.click();
    await page.getByTestId('field-connection').selectOption({ label: 'Orders DB' });
    await expect.poll(() => page.getByTestId('field-host').count()).toBe(0);
    await page.getByTestId('field-tables').fill('public.orders');
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(repoRoot, 'docs', 'connections-inspector.png') });
    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('streaming');

    await pg.query(`INSERT INTO orders VALUES (7, 'seven apples')`);
    for (const n of [trigger, sink]) {
      await expect.poll(() => n.getByTestId('node-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    }
    expect((await pg.query(`SELECT id, note FROM copies`)).rows).toEqual([{ id: 7, note: 'seven apples' }]);

    // The page lists where it is used; deleting it is refused while the flow picks it.
    await page.getByTestId('connections-button').click();
    const row = page.getByTestId('connection-row-Orders DB');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/Postgres change.*Postgres sink|Postgres sink.*Postgres change/);
    await page.getByTestId('connection-test-Orders DB').click();
    await expect.poll(() => page.getByTestId('connection-test-row-Orders DB').textContent(), { timeout: 15_000 }).toContain('Connected');
    await page.getByTestId('connection-delete-Orders DB').click();
    await expect.poll(() => page.getByTestId('connections-error').textContent(), { timeout: 10_000 }).toMatch(/is used by/);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(repoRoot, 'docs', 'connections-page.png') });
    await page.getByTestId('dialog-close').click();

    await trigger.click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Stop & drop slot' }).click();
    await page.getByTestId('confirm-drop-slot').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('inactive');
  });
});
