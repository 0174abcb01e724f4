/**
 * Web mode with a real Postgres: build Postgres change → LLM (replay) → Postgres sink from the
 * palette, pick the table and map a column from the ones the database lists, insert a source
 * row, see the sink row (queried with SQL) and the effect in the run's Effects view.
 * Saves docs/sinks-screenshot.png.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startTestPostgres, type TestPostgres } from '../src/engine/triggers/pg/postgres-for-tests';
import { dropFromPalette, launchChromium, repoRoot, startApp, type RunningApp } from './helpers';

let pg: TestPostgres;
let app: RunningApp;
let chromium: { browser: Browser; close(): Promise<void> };
let page: Page;

const ANSWER = 'Urgent: the printer is on fire; send a technician.';

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE tickets (id serial PRIMARY KEY, note text NOT NULL)`);
  await pg.query(`CREATE TABLE triage (id serial PRIMARY KEY, summary text NOT NULL, created_at timestamptz DEFAULT now())`);
  // The LLM answers from a recording (no model is reachable here): keyed by the exact rendered request.
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-e2e-sinks-'));
  mkdirSync(join(dataDir, 'llm-replay'));
  writeFileSync(
    join(dataDir, 'llm-replay', 'sinks-e2e.json'),
    JSON.stringify({
      version: 1,
      entries: [
        {
          request: { model: 'gpt-4o-mini', system: 'You are a concise assistant.', prompt: 'Triage this ticket: the printer is on fire', params: { maxTokens: 512, temperature: 0.2 } },
          response: { text: ANSWER },
        },
      ],
    }),
  );
  app = await startApp({ dataDir });
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

describe('Postgres change → LLM (replay) → Postgres sink in the browser', () => {
  it('builds the flow, picks table and column from the database, lands the row once and shows the effect', { timeout: 180_000 }, async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('new-flow').click();
    await dropFromPalette(page, 'postgres-change', { x: 100, y: 300 });
    await dropFromPalette(page, 'llm-call', { x: 420, y: 300 });
    await dropFromPalette(page, 'postgres-sink', { x: 740, y: 300 });
    const trigger = nodeOfType('postgres-change');
    const llm = nodeOfType('llm-call');
    const sink = nodeOfType('postgres-sink');
    await trigger.getByTestId('handle-out-change').dragTo(llm.getByTestId('handle-in-in'));
    await llm.getByTestId('handle-out-text').dragTo(sink.getByTestId('handle-in-in'));
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    await llm.click();
    await page.getByTestId('field-provider').selectOption('replay');
    await page.getByTestId('field-prompt').fill('Triage this ticket: {{ new.note }}');

    await sink.click();
    await page.getByTestId('field-port').fill(String(pg.port));
    await page.getByTestId('sink-list-tables').click();
    await expect.poll(() => page.getByTestId('sink-table-select').locator('option').allTextContents(), { timeout: 15_000 }).toContain('public.triage');
    await page.getByTestId('sink-table-select').selectOption('public.triage');
    await expect.poll(() => page.getByTestId('sink-columns').textContent(), { timeout: 15_000 }).toContain('summary');
    await expect.poll(() => page.getByTestId('sink-column-summary').textContent()).toContain('text');
    await page.getByTestId('sink-column-summary').click();
    await page.getByTestId('field-columns-0-value').fill('{{ $json }}');

    await trigger.click();
    await page.getByTestId('field-port').fill(String(pg.port));
    await page.getByTestId('field-tables').fill('public.tickets');
    await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');
    await page.getByTestId('trigger-activate').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 30_000 }).toBe('streaming');

    await pg.query(`INSERT INTO tickets (note) VALUES ('the printer is on fire')`);
    for (const n of [trigger, llm, sink]) {
      await expect.poll(() => n.getByTestId('node-status').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    }
    expect((await pg.query(`SELECT summary FROM triage`)).rows).toEqual([{ summary: ANSWER }]);

    await page.getByTestId('run-effects-button').click();
    const row = page.getByTestId(`run-effect-${(await sink.getAttribute('data-testid'))!.replace(/^node-/, '')}`);
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('insert ok, 1 row(s)');
    expect(await row.textContent()).toContain(`postgres:127.0.0.1:${pg.port}/postgres/public.triage`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(repoRoot, 'docs', 'sinks-screenshot.png') });

    await page.getByTestId('run-effects-button').click();
    await trigger.click();
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Stop & drop slot' }).click();
    // Destructive: the slot is dropped only after the confirmation.
    await page.getByTestId('confirm-drop-slot').click();
    await expect.poll(() => page.getByTestId('trigger-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('inactive');
  });
});
