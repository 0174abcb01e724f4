/**
 * The walking-skeleton e2e in Debian's Chromium against a real `millrace serve` (the same
 * scenario runs in Electron from e2e/electron.spec.ts). Saves the README screenshot.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, repoRoot, startApp, type RunningApp } from './helpers';
import { drawRunAndSave } from './scenarios/draw-run-save';

let app: RunningApp;
let chromium: { browser: Browser; close(): Promise<void> };
let page: Page;

beforeAll(async () => {
  app = await startApp();
  chromium = await launchChromium();
  page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
});

afterAll(async () => {
  await chromium?.close();
  await app?.stop();
});

describe('canvas editor in Chromium', () => {
  it('draws, runs and saves a flow', async () => {
    await page.goto(app.url);
    await drawRunAndSave(page, { outputDir: join(app.dataDir, 'output'), screenshotPath: join(repoRoot, 'docs', 'screenshot.png') });
  });
});
