/**
 * Web mode with a real Postgres: point a Postgres change trigger at it, check the setup, activate,
 * insert a row and watch the run appear on the canvas; stop and drop the slot. Saves
 * docs/cdc-screenshot.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { dropFromPalette, launchChromium, repoRoot, startApp, type RunningApp } from './helpers';

let pg: TestPostgres;
let app: RunningApp;
let chromium: { browser: Browser; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, amount numeric NOT NULL)`);
  app = await startApp();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
  await pg?.stop();
});

const nodeOfType = (type: string): Locator => page.locator(`[data-node-type="${type}@1"]`);

describe('Postgres change trigger in the browser', () => {
  it('checks the setup, activates, and a row insert shows up as a run on the canvas', async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();
    await dropFromPalette(page, 'postgres-change', { x: 160, y: 260 });
    await dropFromPalette(page, 'set-fields', { x: 520, y: 260 });
    const trigger = nodeOfType('postgres-change');
    const setFields = nodeOfType('set-fields');
    await trigger.getByTestId('handle-out-change').dragTo(setFields.getByTestId('handle-in-in'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await setFields.click();
    await page.getByTestId('field-fields-0-value').fill('{{ new.customer }} ordered {{ new.amount }}');

    await trigger.click();
    await page.getByTestId('field-port').fill(String(pg.port));
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    await expect.poll(() => trigger.getByTestId('node-trigger-chip').textContent()).toBe('inactive');

    // A table that does not exist yet: the check says so; then the real one passes.
    await page.getByTestId('field-tables').fill('public.missing');
    await page.getByTestId('trigger-check').click();
    await expect.poll(() => page.getByTestId('trigger-setup').textContent(), { timeout: 15_000 }).toContain('does not exist');
    await page.getByTestId('field-tables').fill('public.orders');
    await page.getByTestId('trigger-check').click();
    await expect.poll(() => page.getByTestId('trigger-setup').textContent(), { timeout: 15_000 }).toContain('ready to activate');

    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 20_000 }).toBe('streaming');
    await expect.poll(() => trigger.getByTestId('node-trigger-chip').textContent(), { timeout: 10_000 }).toMatch(/^live/);

    await pg.query(`INSERT INTO orders (customer, amount) VALUES ('Ada', 42)`);
    for (const n of [trigger, setFields]) {
      await expect.poll(() => n.getByTestId('node-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('succeeded');
    }
    await setFields.click();
    await page.getByTestId('tab-run-data').click();
    await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('Ada ordered 42');

    await trigger.click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect.poll(() => page.getByTestId('trigger-health').textContent(), { timeout: 10_000 }).toContain('Runs created1');
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(repoRoot, 'docs', 'cdc-screenshot.png') });

    await page.getByRole('button', { name: 'Stop & drop slot' }).click();
    // Destructive: nothing is dropped until the user confirms.
    await page.getByTestId('confirm-drop-slot').waitFor();
    expect(await page.getByTestId('trigger-state').getAttribute('data-state')).toBe('streaming');
    await page.getByTestId('confirm-drop-slot').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('inactive');
    await expect.poll(async () => (await pg.query(`SELECT count(*)::int AS n FROM pg_replication_slots`)).rows[0]?.['n']).toBe(0);
  });
});
