/**
 * The walking-skeleton scenario, shared by the browser and the Electron e2e projects: from an
 * empty canvas, drag three nodes from the palette, connect them, fill the inspector, run, see each
 * node's status and output, reload and find the flow saved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Locator, Page } from 'playwright-core';

export interface ScenarioOptions {
  /** The engine's output folder, to check the file the flow wrote. */
  outputDir: string;
  /** Where to save a screenshot of the finished run, if anywhere. */
  screenshotPath?: string;
}

export async function drawRunAndSave(page: Page, options: ScenarioOptions): Promise<void> {
  const nodeOfType = (type: string): Locator => page.locator(`[data-node-type^="${type}@"]`);
  const dragFromPalette = (type: string, x: number, y: number) =>
    page.getByTestId(`palette-item-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
  const connect = (from: Locator, fromPort: string, to: Locator, toPort: string) =>
    from.getByTestId(`handle-out-${fromPort}`).dragTo(to.getByTestId(`handle-in-${toPort}`));

  await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
  await page.getByTestId('new-flow').click();
  await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);

  await dragFromPalette('manual-trigger', 120, 260);
  await dragFromPalette('set-fields', 400, 260);
  await dragFromPalette('write-file', 680, 260);
  await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);

  const trigger = nodeOfType('manual-trigger');
  const setFields = nodeOfType('set-fields');
  const writeFile = nodeOfType('write-file');
  await connect(trigger, 'out', setFields, 'in');
  await connect(setFields, 'out', writeFile, 'in');
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

  // Fill the inspector: a greeting computed from the trigger payload, written to a named file.
  await setFields.click();
  await page.getByTestId('field-fields-0-value').fill('Hello {{ customer }}, you owe {{ amount }}');
  await writeFile.click();
  // An invalid value is flagged inline at the field…
  await page.getByTestId('field-path').fill('/etc/passwd');
  await page.getByTestId('field-error-path').waitFor({ state: 'visible' });
  // …and fixed again.
  await page.getByTestId('field-path').fill('e2e/greetings.jsonl');
  await expect.poll(() => page.getByTestId('field-error-path').count()).toBe(0);
  await expect.poll(() => page.getByTestId('save-state').getAttribute('data-state'), { timeout: 10_000 }).toBe('saved');

  await page.getByTestId('run-button').click();
  for (const n of [trigger, setFields, writeFile]) {
    await expect.poll(() => n.getByTestId('node-status').getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
  }

  await setFields.click();
  await page.getByTestId('tab-run-data').click();
  await expect.poll(() => page.getByTestId('node-output').textContent()).toContain('Hello Ada, you owe 42');
  const written = readFileSync(join(options.outputDir, 'e2e', 'greetings.jsonl'), 'utf8');
  // Write file (v2) writes keyed records: the idempotency key first, then the fields.
  expect(JSON.parse(written.trim())).toEqual({ _key: expect.stringMatching(/^run_.+:append$/), greeting: 'Hello Ada, you owe 42' });

  if (options.screenshotPath) {
    await page.getByTestId('fit-view').click();
    await page.waitForTimeout(400); // fit-view animates
    await page.screenshot({ path: options.screenshotPath });
  }

  await page.reload();
  await page.waitForSelector('html[data-app-state="ready"]', { timeout: 30_000 });
  await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
  await nodeOfType('write-file').click();
  // Reopening the flow shows its last run, so the inspector may open on the run's data: go to the settings.
  await page.getByRole('tab', { name: 'Settings' }).click();
  expect(await page.getByTestId('field-path').inputValue()).toBe('e2e/greetings.jsonl');
}
