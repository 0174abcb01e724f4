/**
 * The walking-skeleton e2e in Debian's Chromium against a real `millrace serve` (the same
 * scenario runs in Electron from e2e/electron.spec.ts). Saves the README screenshot.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowserSession, repoRoot, type BrowserSession, type RunningApp } from './helpers';
import { drawRunAndSave } from './scenarios/draw-run-save';

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

describe('canvas editor in Chromium', () => {
  it('draws, runs and saves a flow', async () => {
    await page.goto(app.url);
    await drawRunAndSave(page, { outputDir: join(app.dataDir, 'output'), screenshotPath: join(repoRoot, 'docs', 'screenshot.png') });
  });
});
