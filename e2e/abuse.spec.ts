/**
 * The UI on filtered subscriptions: the open flow's live run events still arrive (the renderer
 * subscribes with { flowId }), runs of another flow started elsewhere do not disturb it, and the
 * data folder's size is shown under the sidebar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowserSession, type BrowserSession, type RunningApp } from './helpers';

let session: BrowserSession;
let app: RunningApp;
let page: Page;

beforeAll(async () => {
  session = await openBrowserSession();
  ({ app, page } = session);
});

afterAll(async () => {
  await session?.close();
});

describe('filtered subscriptions and the data folder line in Chromium', () => {
  it('shows live runs of the open flow and the data folder size', async () => {
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('flow-item').filter({ hasText: 'Demo: order triage' }).click();
    await expect.poll(() => page.getByTestId('flow-title').textContent(), { timeout: 10_000 }).toBe('Demo: order triage');
    await page.getByTestId('run-button').click();
    await expect.poll(() => page.getByTestId('run-banner').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    const usage = page.getByTestId('data-folder-usage');
    await usage.waitFor({ timeout: 10_000 });
    expect(await usage.textContent()).toMatch(/^Data folder: \d+(\.\d)? (KiB|MiB|GiB)/);
    expect(await usage.getAttribute('title')).toContain(app.dataDir);
    await page.screenshot({ path: process.env['MILLRACE_SCREENSHOT'] ?? '/tmp/millrace-abuse-ui.png' });
  });
});
