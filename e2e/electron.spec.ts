/**
 * The desktop app end to end: real Electron, real main process, engine host in a utilityProcess,
 * sandboxed renderer. Runs only where the Electron binary exists and a window can be shown;
 * elsewhere the suite reports itself as skipped and says why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawRunAndSave } from './scenarios/draw-run-save';

const repoRoot = path.resolve(__dirname, '..');

/** Like node_modules/electron/index.js, but never downloads: undefined when the binary is absent. */
function electronBinary(): string | undefined {
  const electronDir = path.join(repoRoot, 'node_modules', 'electron');
  const pathFile = path.join(electronDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const binary = override ? path.join(override, relative || 'electron') : relative ? path.join(electronDir, 'dist', relative) : undefined;
  return binary && existsSync(binary) ? binary : undefined;
}

function skipReason(): string | undefined {
  if (!electronBinary()) return 'the Electron binary is not installed (node_modules/electron/dist)';
  const hasDisplay = process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
  if (!hasDisplay) return 'there is no display (DISPLAY/WAYLAND_DISPLAY unset; try xvfb-run)';
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`[electron e2e] skipped: ${reason}`);

/**
 * Asks the preload for a fresh engine port (as the renderer does) and makes one raw rpc call on
 * it, so these tests check the transport without depending on the UI.
 */
async function callEngine(page: Page, method: string): Promise<unknown> {
  return page.evaluate(
    (m) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no engine port within 10 s')), 10_000);
        const onMessage = (event: MessageEvent) => {
          const port = event.ports[0];
          if (event.source !== window || event.data?.type !== 'millrace:engine-port' || !port) return;
          window.removeEventListener('message', onMessage);
          port.onmessage = (reply) => {
            if (reply.data?.kind !== 'result' || reply.data.id !== 1) return;
            clearTimeout(timer);
            port.close();
            if (reply.data.ok) resolve(reply.data.value);
            else reject(new Error(JSON.stringify(reply.data.error)));
          };
          port.postMessage({ kind: 'call', id: 1, method: m });
        };
        window.addEventListener('message', onMessage);
        window.postMessage({ type: 'millrace:engine-port-request' }, '*');
      }),
    method,
  );
}

async function enginePid(app: ElectronApplication): Promise<number | undefined> {
  return app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics().find((m) => m.serviceName === 'millrace-engine')?.pid);
}

describe.skipIf(reason !== undefined)('Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  beforeAll(async () => {
    if (!existsSync(path.join(repoRoot, 'out', 'renderer', 'index.html'))) {
      throw new Error('out/renderer is missing: run `npm run build:renderer` first (npm run test:e2e does)');
    }
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-desktop.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    if (!existsSync(path.join(repoRoot, 'native', 'electron', 'better_sqlite3.node'))) {
      execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'rebuild-electron-native.mjs')], { cwd: repoRoot, stdio: 'inherit' });
    }
    userData = mkdtempSync(path.join(tmpdir(), 'millrace-electron-e2e-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value;
    env['MILLRACE_USER_DATA_DIR'] = userData;
    app = await _electron.launch({
      executablePath: electronBinary(),
      // Chromium refuses to run as root with its OS sandbox (CI containers); our renderer sandbox stays on.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '.'],
      cwd: repoRoot,
      env,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  it('loads the renderer from the app:// origin', async () => {
    expect(page.url()).toBe('app://millrace/index.html');
    expect(await page.title()).toMatch(/Millrace/);
  });

  it('gives the page no Node, no Electron and no bridge API', async () => {
    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      millrace: typeof (window as unknown as { millrace?: unknown }).millrace,
      ipcRenderer: typeof (window as unknown as { ipcRenderer?: unknown }).ipcRenderer,
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', millrace: 'undefined', ipcRenderer: 'undefined' });
  });

  it('enforces the CSP: inline scripts do not run', async () => {
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.appendChild(script);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
  });

  it('denies window.open and blocks navigation away from the app', async () => {
    expect(await page.evaluate(() => window.open('about:blank') === null)).toBe(true);
    expect(app.windows()).toHaveLength(1);
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('app://millrace/index.html');
  });

  it('reaches the engine in its utility process over a MessagePort', async () => {
    const flows = await callEngine(page, 'listFlows');
    expect(Array.isArray(flows)).toBe(true);
    expect(await enginePid(app)).toBeGreaterThan(0);
  });

  it('restarts the engine after it crashes and reconnects the page', async () => {
    const pid = await enginePid(app);
    if (!pid) throw new Error('no engine process');
    process.kill(pid, 'SIGKILL');
    await expect.poll(async () => enginePid(app), { timeout: 15_000, interval: 250 }).not.toBe(pid);
    await expect.poll(async () => (await enginePid(app)) !== undefined, { timeout: 15_000, interval: 250 }).toBe(true);
    expect(Array.isArray(await callEngine(page, 'listFlows'))).toBe(true);
  });

  it('runs the same draw → run → save scenario as the browser project', async () => {
    await drawRunAndSave(page, { outputDir: path.join(userData, 'data', 'output') });
  });
});
