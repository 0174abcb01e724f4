/**
 * Builds the desktop bundles and runs the engine-host bundle in plain Node with a stand-in for
 * Electron's `process.parentPort`: proves the bundle loads (externals, JSON, import.meta) and
 * serves the engine over a handed-over port, without the Electron binary.
 */
import { execFileSync, spawn } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dataDir: string;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-desktop.mjs'], { cwd: root, stdio: 'pipe' });
  dataDir = mkdtempSync(path.join(tmpdir(), 'millrace-bundle-'));
}, 60_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * Runs in the child: a fake parentPort whose "ports" are Node MessagePorts adapted to the
 * MessagePortMain shape ({ data } events), a connect, one listFlows call, a shutdown.
 */
const harness = `
const { EventEmitter } = require('node:events');
const { MessageChannel } = require('node:worker_threads');
const parent = new EventEmitter();
const reports = [];
parent.postMessage = (m) => reports.push(m);
process.parentPort = parent;
function asMain(port) {
  const e = new EventEmitter();
  port.on('message', (data) => e.emit('message', { data }));
  port.on('close', () => e.emit('close'));
  return Object.assign(e, { start: () => port.start(), postMessage: (m) => port.postMessage(m), close: () => port.close() });
}
process.on('exit', (code) => process.stderr.write(JSON.stringify({ reports, code }) + '\\n'));
require(process.env.BUNDLE);
const { port1, port2 } = new MessageChannel();
parent.emit('message', { data: { type: 'millrace:connect' }, ports: [asMain(port1)] });
port2.on('message', (m) => {
  process.stdout.write(JSON.stringify(m) + '\\n');
  parent.emit('message', { data: { type: 'millrace:shutdown' }, ports: [] });
});
port2.postMessage({ kind: 'call', id: 1, method: 'listFlows' });
`;

describe('build-desktop', () => {
  it('writes the three bundles; the preload requires only electron', () => {
    for (const file of ['out/main/index.cjs', 'out/preload/index.cjs', 'out/engine-host/index.cjs']) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
    const preload = readFileSync(path.join(root, 'out/preload/index.cjs'), 'utf8');
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    const host = readFileSync(path.join(root, 'out/engine-host/index.cjs'), 'utf8');
    expect(host).toContain('require("better-sqlite3")');
    expect(host).not.toContain('require("electron")');
  });

  it('ships every package the bundles require at run time (electron-builder.yml files)', () => {
    const builderConfig = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
    const required = new Set<string>();
    for (const bundle of ['out/main/index.cjs', 'out/engine-host/index.cjs']) {
      const code = readFileSync(path.join(root, bundle), 'utf8');
      for (const [, specifier = ''] of code.matchAll(/require\("([^"]+)"\)/g)) {
        if (specifier === 'electron' || specifier.startsWith('node:') || specifier.startsWith('.')) continue;
        const name = specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
        if (!builtinModules.includes(name)) required.add(name);
      }
    }
    expect([...required]).toContain('better-sqlite3');
    for (const name of required) expect(builderConfig, `electron-builder.yml must ship ${name}`).toContain(`node_modules/${name}/`);
  });

  it('the engine-host bundle serves the engine over a handed-over port and shuts down cleanly', async () => {
    const child = spawn(process.execPath, ['-e', harness, '--', `--data-dir=${dataDir}`], {
      cwd: root,
      env: { ...process.env, BUNDLE: path.join(root, 'out/engine-host/index.cjs') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const result = stdout
      .split('\n')
      .filter((line) => line.startsWith('{"kind"'))
      .map((line) => JSON.parse(line) as { kind: string; id: number; ok: boolean; value: unknown });
    expect(result, stderr).toEqual([{ kind: 'result', id: 1, ok: true, value: expect.any(Array) }]);
    expect(stderr).toContain('{"type":"millrace:ready"}');
    expect(code).toBe(0);
    expect(existsSync(path.join(dataDir, 'millrace.db'))).toBe(true);
  }, 30_000);
});
