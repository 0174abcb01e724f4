import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from '../engine/secrets';

vi.mock('electron', () => import('./fake-electron'));

type Fake = typeof import('./fake-electron');

let dir: string;
let fake: Fake;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-safe-storage-'));
  fake = (await import('electron')) as unknown as Fake;
  fake.resetFakeElectron();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'sk-desktop-canary-7f6e5d4c3b2a';

async function backend(platform: NodeJS.Platform = 'linux') {
  const { createSafeStorageSecretBackend } = await import('./safe-storage-secrets');
  const logs: string[] = [];
  const file = join(dir, 'secrets.enc.json');
  return { b: createSafeStorageSecretBackend({ file, log: (l) => logs.push(l), platform }), logs, file };
}

describe('safeStorage secret backend', () => {
  it('stores values encrypted in a 0600 file and serves them through the SecretStore', async () => {
    const { b, file, logs } = await backend();
    const store = new SecretStore({ backend: b });
    await store.set('OPENAI_API_KEY', KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    expect(fake.safeStorage.encryptString).toHaveBeenCalledWith(KEY);
    expect(await store.list()).toEqual([{ name: 'OPENAI_API_KEY', source: 'desktop', writable: true }]);
    expect(await store.resolveSecretRef('secret:OPENAI_API_KEY')).toBe(KEY);
    expect(await store.delete('OPENAI_API_KEY')).toBe(true);
    expect(await store.list()).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('warns once when Linux falls back to plain-text obfuscation', async () => {
    fake.safeStorage.backend = 'basic_text';
    const { b, logs } = await backend('linux');
    expect(b.plainTextFallback()).toBe(true);
    await b.set('A', 'value-one');
    await b.set('B', 'value-two');
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/obfuscated, not encrypted/);
    const mac = await backend('darwin');
    expect(mac.b.plainTextFallback()).toBe(false);
  });

  it('refuses to store or read values while secure storage is unavailable, naming no value', async () => {
    const { b } = await backend();
    await b.set('A', KEY);
    fake.safeStorage.available = false;
    await expect(b.set('B', KEY)).rejects.toThrow(/secure storage is not available/);
    const error = await b.get('A').catch((e: Error) => e);
    expect(String(error)).toMatch(/not available/);
    expect(String(error)).not.toContain(KEY);
    expect(await b.list()).toEqual(['A']);
  });
});
