/**
 * `npm start` where Electron cannot run: one line saying why, then web mode, with signals passed on.
 * The desktop branch needs the Electron binary and a display; the Electron e2e covers it there.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'millrace-start-'));
  mkdirSync(path.join(work, 'renderer'));
  writeFileSync(path.join(work, 'renderer', 'index.html'), '<!doctype html><title>stub</title>');
  // Stands in for an installed Electron (ELECTRON_OVERRIDE_DIST_PATH), to reach the display check.
  mkdirSync(path.join(work, 'electron-dist'));
  writeFileSync(path.join(work, 'electron-dist', 'electron'), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(work, 'electron-dist', 'electron'), 0o755);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts `node scripts/start.mjs`, waits for web mode's URL, interrupts it, returns what happened. */
async function startUntilServing(extraEnv: Record<string, string>, args: string[] = []) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    MILLRACE_DATA_DIR: path.join(work, 'data'),
    MILLRACE_RENDERER_DIR: path.join(work, 'renderer'),
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  Object.assign(env, extraEnv);
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/Open: http:\/\/127\.0\.0\.1:\d+\//.test(stdout)) resolve();
    });
    void exited.then(() => reject(new Error(`start.mjs exited early:\n${stdout}\n${stderr}`)));
  });
  // `serve` installs its signal handlers just after printing the URL; a signal in that instant
  // would meet Node's default action instead.
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  const result = await exited;
  return { stdout, stderr, ...result };
}

describe('npm start without Electron', () => {
  it('says the binary is missing in one line and serves web mode until interrupted', async () => {
    const { stdout, code } = await startUntilServing({});
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('Electron binary not available here — starting web mode instead');
    expect(lines[1]).toMatch(/^Millrace is running \(web mode\)\. Open: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(code).toBe(0);
  }, 60_000);

  it('says there is no display when the binary exists but nothing can show a window', async () => {
    const { stdout, stderr, code, signal } = await startUntilServing({ ELECTRON_OVERRIDE_DIST_PATH: path.join(work, 'electron-dist') });
    expect(stdout.split('\n')[0]).toBe('no display (DISPLAY/WAYLAND_DISPLAY unset) — starting web mode instead');
    // Nothing on stderr but the live demo's progress lines (its database starting in the background).
    const unexpected = stderr.split('\n').filter((l) => l.trim() !== '' && !/^\[demo\] |^\[engine\] demo: /.test(l));
    expect({ code, signal, unexpected }).toEqual({ code: 0, signal: null, unexpected: [] });
  }, 60_000);

  it('honours --web', async () => {
    const { stdout } = await startUntilServing({}, ['--web']);
    expect(stdout.split('\n')[0]).toBe('--web given — starting web mode instead');
  }, 60_000);
});
