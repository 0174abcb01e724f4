/**
 * Web mode: Export → TypeScript shows the generated flow.ts (standalone and DBOS), copies it and
 * downloads the project as a zip; Import → TypeScript file brings an edited config value back into
 * the open flow, and lists edits it cannot map with their lines. Saves docs/export-screenshot.png.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { openBrowserSession, repoRoot, type BrowserSession } from './helpers';

let s: BrowserSession;

beforeAll(async () => {
  s = await openBrowserSession();
}, 120_000);

afterAll(async () => {
  await s?.close();
});

describe('TypeScript export and import in the browser', () => {
  it('shows the code, zips the project, and an edited flow.ts comes back into the flow', async () => {
    const { page, app } = s;
    await page.goto(app.url);
    await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
    await page.getByTestId('flow-item').filter({ hasText: 'Demo: order triage' }).click();
    await expect.poll(() => page.getByTestId('flow-title').textContent()).toBe('Demo: order triage');

    await page.getByTestId('code-export-button').click();
    const view = page.getByTestId('code-view');
    await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('export const largeOrder = flow.node({');
    const standalone = (await view.textContent()) ?? '';
    expect(standalone).toContain('await runFlowCli(flow, import.meta.url);');
    await page.screenshot({ path: join(repoRoot, 'docs', 'export-screenshot.png') });

    await page.getByTestId('code-target-dbos').click();
    await expect.poll(() => view.textContent(), { timeout: 15_000 }).toContain('await runDbosCli(flow, import.meta.url);');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('code-zip').click()]);
    const files = unzipSync(readFileSync((await download.path())!));
    expect(Object.keys(files).sort()).toEqual(['demo-order-triage/README.md', 'demo-order-triage/eslint.config.mjs', 'demo-order-triage/flow.ts', 'demo-order-triage/package.json', 'demo-order-triage/tsconfig.json']);
    expect(strFromU8(files['demo-order-triage/package.json']!)).toContain('@dbos-inc/dbos-sdk');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Close' }).first().click();
    await expect.poll(() => page.getByTestId('code-dialog-export').count()).toBe(0);

    // Edit a config value in the code and import the file back.
    const edited = standalone.replace('path: "demo/review.jsonl"', 'path: "demo/review-urgent.jsonl"');
    expect(edited).not.toBe(standalone);
    await page.getByTestId('code-import-input').setInputFiles({ name: 'flow.ts', mimeType: 'text/typescript', buffer: Buffer.from(edited) });
    await expect.poll(() => page.getByTestId('toast').last().textContent(), { timeout: 15_000 }).toContain('Updated "Demo: order triage" from flow.ts');
    await page.locator('.react-flow__node[data-id="review"]').click();
    await expect.poll(() => page.getByTestId('field-path').inputValue()).toBe('demo/review-urgent.jsonl');

    // An edit it cannot map: listed with its line, nothing saved.
    const bad = edited.replace('await runFlowCli(flow, import.meta.url);', 'console.log("side effect");\nawait runFlowCli(flow, import.meta.url);');
    const line = bad.split('\n').findIndex((l) => l.startsWith('console.log')) + 1;
    await page.getByTestId('code-import-input').setInputFiles({ name: 'flow.ts', mimeType: 'text/typescript', buffer: Buffer.from(bad) });
    await expect.poll(() => page.getByTestId('code-issues').textContent(), { timeout: 15_000 }).toContain(`line ${line}: a statement the generator does not write`);
  }, 120_000);
});
