/**
 * E2E plumbing: starts `millrace serve` as a real child process on a throwaway data dir and
 * launches Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const CHROMIUM_PATH = process.env['MILLRACE_CHROMIUM'] ?? '/usr/bin/chromium';

export interface RunningApp {
  url: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * `dataDir`: a prepared data folder (e.g. with llm-replay recordings); default a fresh temp folder.
 * `args`: more `millrace serve` options (e.g. `--demo`). `keepDataDir`: stop() leaves the folder (restart tests).
 */
export async function startApp(options: { dataDir?: string; args?: string[]; keepDataDir?: boolean } = {}): Promise<RunningApp> {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build:renderer` first (npm run test:e2e does)');
  }
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'millrace-e2e-'));
  const child: ChildProcess = spawn(process.execPath, [join(repoRoot, 'bin', 'millrace.mjs'), 'serve', '--data-dir', dataDir, ...(options.args ?? [])], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed no URL within 60 s:\n${log}`)), 60_000);
    const onData = () => {
      const m = /Open: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
  });
  return {
    url,
    dataDir,
    output: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** playwright-core gives every launch a fresh temporary profile (it refuses a --user-data-dir argument). */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

export interface BrowserSession {
  app: RunningApp;
  page: Page;
  close(): Promise<void>;
}

/** A served app plus a Chromium page on it (not yet navigated), for a spec's beforeAll. */
export async function openBrowserSession(appOptions: Parameters<typeof startApp>[0] = {}): Promise<BrowserSession> {
  const app = await startApp(appOptions);
  const chromium = await launchChromium();
  const page = await chromium.browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return {
    app,
    page,
    async close() {
      await chromium.close();
      await app.stop();
    },
  };
}

/**
 * Drags a node type from the palette onto the canvas and waits until it is there. On a loaded
 * machine the first drag right after a new flow opens can land before the canvas takes drops;
 * the drag is repeated (at most three times) only when no node appeared.
 */
export async function dropFromPalette(page: Page, type: string, targetPosition: { x: number; y: number }): Promise<void> {
  const nodes = page.locator(`[data-node-type^="${type}@"]`);
  const before = await nodes.count();
  for (let attempt = 1; ; attempt++) {
    await page.getByTestId(`palette-item-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition });
    const appeared = await nodes
      .nth(before)
      .waitFor({ state: 'attached', timeout: 5_000 })
      .then(() => true, () => false);
    if (appeared) return;
    if (attempt === 3) throw new Error(`dragging "${type}" from the palette added no node (3 tries)`);
  }
}
