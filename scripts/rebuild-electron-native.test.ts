/**
 * rebuild:electron without the network: one clear line, exit 1, and the Node build of
 * better-sqlite3 (which every other test loads) untouched.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeBuild = path.join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const home = mkdtempSync(path.join(tmpdir(), 'millrace-rebuild-home-'));

afterAll(() => rmSync(home, { recursive: true, force: true }));

/** A local port nothing listens on: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const fingerprint = (file: string) => ({
  sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
  mtimeMs: statSync(file).mtimeMs,
});

describe('rebuild-electron-native', () => {
  it('fails with one line when Electron headers cannot be downloaded, leaving the Node build alone', async () => {
    const before = fingerprint(nodeBuild);
    const hadElectronBuild = existsSync(path.join(root, 'native', 'electron', 'better_sqlite3.node'));
    const port = await closedPort();
    const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'rebuild-electron-native.mjs')], {
      cwd: root,
      encoding: 'utf8',
      // A fresh HOME: no cached headers, so the download is really attempted.
      env: { ...process.env, HOME: home, MILLRACE_ELECTRON_HEADERS_URL: `http://127.0.0.1:${port}`, npm_config_nodedir: '/usr' },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rebuild:electron: could not download the Electron \d+\.\d+\.\d+ headers from http:\/\/127\.0\.0\.1:\d+ \(.*ECONNREFUSED/);
    expect(lines[0]).toContain('native/electron/better_sqlite3.node was not built');
    expect(fingerprint(nodeBuild)).toEqual(before);
    expect(existsSync(path.join(root, 'native', 'electron', 'better_sqlite3.node'))).toBe(hadElectronBuild);
  }, 90_000);
});
