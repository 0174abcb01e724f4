/**
 * The demo UI in Debian's Chromium: the real renderer and a real engine (SQLite, web server,
 * token) whose demo methods are answered by a fake that follows the DemoApi contract
 * (src/renderer/demo/testing/fake-demo-api.ts); the real demo workspace has its own e2e.
 * Covers the demo bar (running, traffic, refusal, failed + Retry), the tour (auto-start, Next,
 * Esc, persisted, Restart), Reset demo, Export / Open demo pack. Screenshots go to
 * MILLRACE_DEMO_SCREENSHOTS (default /tmp/millrace-demo-ui).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, repoRoot } from './helpers';
import { createEngine } from '../src/engine/engine';
import { startWebServer, type WebServer } from '../src/engine/server/web-server';
import type { EngineApi } from '../src/shared/api';
import type { DemoApi } from '../src/shared/demo';
import { FakeDemoApi } from '../src/renderer/demo/testing/fake-demo-api';

const shots = process.env['MILLRACE_DEMO_SCREENSHOTS'] ?? '/tmp/millrace-demo-ui';
const DEMO_METHODS = new Set<keyof DemoApi>(['getDemoStatus', 'startDemo', 'resetDemo', 'simulateTraffic', 'stopTraffic', 'exportDemoPack', 'openDemoPack']);

/** The bundled demo flow, as the engine would restore it. */
function bundledDemoFlow(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(repoRoot, 'resources', 'demo', 'support-triage.flow.json'), 'utf8')) as Record<string, unknown>;
}

let dataDir: string;
let engine: ReturnType<typeof createEngine>;
let server: WebServer;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let fake: FakeDemoApi;
const pageErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'millrace-demo-ui-'));
  engine = createEngine({ dataDir });
  await engine.saveFlow({ flow: bundledDemoFlow() });
  fake = new FakeDemoApi({
    seeded: 240,
    importFlow: async (flow) => (await engine.saveFlow({ flow })).flow.id,
  });
  // The real engine for everything but the demo methods.
  const api = new Proxy(engine, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && DEMO_METHODS.has(prop as keyof DemoApi)) {
        const method = fake[prop as keyof DemoApi] as (arg: unknown) => Promise<unknown>;
        return (arg: unknown) => method.call(fake, arg);
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as EngineApi;
  server = await startWebServer({ engine: api, approvals: engine.approvals, rendererDir: join(repoRoot, 'out', 'renderer') });
  browser = await launchChromium();
  page = await browser.browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page.on('pageerror', (e) => pageErrors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await engine?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const bar = () => page.getByTestId('demo-bar');

/** Waits for every finite CSS animation (dialog pop-in, fades) to end; the live dot pulses forever. */
async function settleAnimations() {
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
}

/** Toasts float over the bottom of the canvas: dismiss them before a screenshot of the bar. */
async function dismissToasts() {
  for (const button of await page.locator('[data-testid="toast"] button[aria-label="Dismiss"]').all()) await button.click();
  await page.locator('[data-testid="toast"]').first().waitFor({ state: 'detached' });
}

async function openDemoFlow() {
  const item = page.locator('[data-testid="flow-item"][data-flow-id="demo-support-triage"]');
  await item.waitFor();
  if ((await item.getAttribute('data-active')) !== 'true') await item.click();
  await page.locator('[data-testid="flow-item"][data-flow-id="demo-support-triage"][data-active="true"]').waitFor();
}

describe('demo UI in Chromium', () => {
  it('the tour starts by itself on the demo flow, points at real elements, Esc skips it for good', async () => {
    await page.goto(server.url);
    await page.locator('html[data-app-state="ready"]').waitFor();
    await openDemoFlow();
    const tour = page.getByTestId('tour');
    await tour.waitFor();
    expect(await tour.getAttribute('data-step')).toBe('trigger');
    await page.locator('[data-testid="tour"][data-anchored="true"]').waitFor();
    // The spotlight surrounds the trigger node "New ticket" (measured together: the canvas may still be fitting the view).
    await page.waitForFunction(() => {
      const node = document.querySelector('[data-testid="node-ticket"]')?.getBoundingClientRect();
      const spot = document.querySelector('[data-testid="tour-spotlight"]')?.getBoundingClientRect();
      return !!node && !!spot && spot.left <= node.left && spot.top <= node.top && spot.right >= node.right && spot.bottom >= node.bottom;
    });
    // Focus is on Next: the keyboard alone walks the tour.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tour-next');
    await settleAnimations();
    await page.screenshot({ path: join(shots, 'tour-step-1-trigger.png') });

    await page.keyboard.press('Enter');
    await page.locator('[data-testid="tour"][data-step="llm-trace"][data-anchored="true"]').waitFor();
    await settleAnimations();
    await page.screenshot({ path: join(shots, 'tour-step-2-llm-trace.png') });
    await page.getByTestId('tour-next').click();
    await page.locator('[data-testid="tour"][data-step="approvals"][data-anchored="true"]').waitFor();
    await page.getByTestId('tour-next').click();
    await page.locator('[data-testid="tour"][data-step="sink"][data-anchored="true"]').waitFor();
    await page.getByTestId('tour-next').click();
    await page.locator('[data-testid="tour"][data-step="traffic"][data-anchored="true"]').waitFor();
    await settleAnimations();
    await page.screenshot({ path: join(shots, 'tour-step-5-traffic.png') });
    await page.getByTestId('tour-back').click();
    await page.locator('[data-testid="tour"][data-step="sink"]').waitFor();

    await page.keyboard.press('Escape');
    await tour.waitFor({ state: 'detached' });
    expect(JSON.parse((await page.evaluate(() => localStorage.getItem('millrace.demoTour'))) ?? 'null')).toEqual({ status: 'skipped', step: 3 });

    // Skipped stays skipped after a reload; Restart tour brings it back, Skip closes it.
    await page.reload();
    await page.locator('html[data-app-state="ready"]').waitFor();
    await bar().waitFor();
    await page.waitForTimeout(1500);
    expect(await tour.count()).toBe(0);
    await page.getByTestId('tour-restart').click();
    await page.locator('[data-testid="tour"][data-step="trigger"]').waitFor();
    await page.getByTestId('tour-next').click();
    // Another flow pauses the tour; the demo flow brings it back at the same step.
    await page.locator('[data-testid="flow-item"]:not([data-flow-id="demo-support-triage"])').first().click();
    await tour.waitFor({ state: 'detached' });
    await openDemoFlow();
    await page.locator('[data-testid="tour"][data-step="llm-trace"]').waitFor();
    await page.getByTestId('tour-skip').click();
    await tour.waitFor({ state: 'detached' });
  });

  it('demo bar: database running, Simulate traffic at a chosen rate with a live count, Stop', async () => {
    await page.locator('[data-testid="demo-db-state"][data-state="running"]').waitFor();
    expect(await page.getByTestId('demo-db-state').innerText()).toContain('running on port 54873');
    expect(await page.getByTestId('demo-tickets').innerText()).toMatch(/240\s+tickets/);
    // The presenter's way into the database (copied, or shown when the browser refuses the clipboard).
    await page.getByTestId('demo-db-copy-url').click();
    await page.locator('[data-testid="toast"]', { hasText: 'psql "postgresql://postgres@127.0.0.1:54873/postgres"' }).waitFor();
    await page.getByTestId('demo-traffic-rate').fill('20');
    await page.getByTestId('demo-traffic-toggle').click();
    await page.locator('[data-testid="demo-traffic-toggle"][data-running="true"]').waitFor();
    // The poll brings the count in without any click.
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="demo-traffic-inserted"]')?.getAttribute('data-count')) >= 20, undefined, { timeout: 15_000 });
    expect(fake.calls.filter((c) => c === 'getDemoStatus').length).toBeGreaterThan(2);
    await dismissToasts();
    await page.screenshot({ path: join(shots, 'demo-bar-traffic.png') });
    await bar().screenshot({ path: join(shots, 'demo-bar-traffic-closeup.png') });
    await page.getByTestId('theme-toggle').click();
    await settleAnimations();
    await bar().screenshot({ path: join(shots, 'demo-bar-traffic-dark.png') });
    await page.getByTestId('theme-toggle').click();
    await page.setViewportSize({ width: 1024, height: 768 });
    await settleAnimations();
    await page.screenshot({ path: join(shots, 'demo-bar-1024.png') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // A new rate while running reaches the generator once the field rests.
    await page.getByTestId('demo-traffic-rate').fill('30');
    await expect.poll(() => fake.status().traffic.ratePerSecond, { timeout: 10_000 }).toBe(30);
    expect(fake.status().traffic.running).toBe(true);

    await page.getByTestId('demo-traffic-toggle').click();
    await page.locator('[data-testid="demo-traffic-toggle"][data-running="false"]').waitFor();

    // An out-of-range rate is caught in the field; a refusal from the engine is shown with its message.
    await page.getByTestId('demo-traffic-rate').fill('80');
    expect(await page.getByTestId('demo-traffic-rate-error').innerText()).toBe('At most 50 per second');
    expect(await page.getByTestId('demo-traffic-toggle').isDisabled()).toBe(true);
    await page.getByTestId('demo-traffic-rate').fill('5');
    fake.refuseTraffic = 'the traffic generator cannot reach the demo database: connection refused';
    await page.getByTestId('demo-traffic-toggle').click();
    expect(await page.getByTestId('demo-traffic-error').innerText()).toContain('Traffic was refused: the traffic generator cannot reach the demo database: connection refused');
    fake.refuseTraffic = null;
  });

  it('polling stops while the demo flow is not open', async () => {
    await page.getByTestId('new-flow').click();
    await bar().waitFor({ state: 'detached' });
    await page.waitForTimeout(400); // a poll in flight may still land
    const before = fake.calls.length;
    await page.waitForTimeout(2500);
    expect(fake.calls.length).toBe(before);
    await openDemoFlow();
    await bar().waitFor();
  });

  it('demo bar: a failed database shows the problem and its fix; Retry calls startDemo', async () => {
    fake.setDatabase('failed', undefined, true);
    await page.locator('[data-testid="demo-db-state"][data-state="failed"]').waitFor();
    expect(await page.getByTestId('demo-db-problem').innerText()).toContain('No PostgreSQL server was found');
    expect(await page.getByTestId('demo-db-fix').innerText()).toContain('sudo apt install postgresql');
    expect(await page.getByTestId('demo-traffic-toggle').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'demo-bar-failed.png') });
    await bar().screenshot({ path: join(shots, 'demo-bar-failed-closeup.png') });
    const starts = fake.calls.filter((c) => c === 'startDemo').length;
    await page.getByTestId('demo-retry').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="demo-retry"]:not([disabled])') !== null);
    expect(fake.calls.filter((c) => c === 'startDemo').length).toBe(starts + 1);
    await page.locator('[data-testid="demo-db-state"][data-state="failed"]').waitFor(); // still failing
    fake.setDatabase('failed', undefined, false);
    await page.getByTestId('demo-retry').click();
    await page.locator('[data-testid="demo-db-state"][data-state="running"]').waitFor();
  });

  it('Reset demo asks first, says what it does, then resets and reopens the demo flow', async () => {
    await page.getByTestId('demo-traffic-toggle').click();
    await page.locator('[data-testid="demo-traffic-toggle"][data-running="true"]').waitFor();
    await page.getByTestId('demo-reset').click();
    const dialog = page.getByTestId('dialog-demo-reset');
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain('stops Simulate traffic');
    expect(text).toContain('replication slot');
    expect(text).toContain('Runs stay in the history');
    await settleAnimations();
    await page.screenshot({ path: join(shots, 'reset-dialog.png') });
    // Esc cancels without resetting.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(fake.calls).not.toContain('resetDemo');
    await page.getByTestId('demo-reset').click();
    await page.getByTestId('confirm-demo-reset').click();
    await dialog.waitFor({ state: 'detached' });
    expect(fake.calls).toContain('resetDemo');
    await page.locator('[data-testid="toast"][data-kind="success"]', { hasText: 'Demo reset' }).waitFor();
    await page.locator('[data-testid="demo-traffic-toggle"][data-running="false"]').waitFor();
    await page.locator('[data-testid="flow-item"][data-flow-id="demo-support-triage"][data-active="true"]').waitFor();
  });

  it('Export demo pack downloads the engine file; Open demo pack imports it and toasts the summary', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-demo-pack').click()]);
    expect(download.suggestedFilename()).toBe('demo-support-triage.millrace');
    const saved = join(dataDir, 'pack.millrace');
    await download.saveAs(saved);
    const pack = JSON.parse(readFileSync(saved, 'utf8')) as Record<string, unknown>;
    expect(pack['kind']).toBe('millrace-demo-pack');

    // A pack whose flow is new: it is imported and opened.
    const flow = bundledDemoFlow();
    const packed = JSON.stringify({ ...pack, flow: { ...flow, id: 'pack-support-triage', name: 'Support triage (from a pack)' } });
    await page.getByTestId('open-demo-pack-input').setInputFiles({ name: 'session.millrace', mimeType: 'application/json', buffer: Buffer.from(packed) });
    await page.locator('[data-testid="toast"][data-kind="success"]', { hasText: '12 runs replayed, 3 decisions applied' }).waitFor();
    await page.locator('[data-testid="flow-item"][data-flow-id="pack-support-triage"][data-active="true"]').waitFor();
    expect(await page.getByTestId('flow-title').innerText()).toBe('Support triage (from a pack)');

    await page.getByTestId('open-demo-pack-input').setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') });
    await page.locator('[data-testid="toast"][data-kind="error"]', { hasText: 'Could not open notes.json: This file is not a demo pack' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
