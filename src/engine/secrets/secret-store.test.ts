import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretStore } from './secret-store';
import { createFileSecretBackend } from './file-backend';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-secrets-'));
  file = join(dir, 'secrets.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CANARY = 'sk-canary-4f1c2a9e7b3d5061';

describe('secret store', () => {
  it('keeps values in a 0600 file, lists names only, resolves references', async () => {
    const store = new SecretStore({ backend: createFileSecretBackend(file) });
    await store.set('OPENAI_KEY', CANARY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.list()).toEqual([{ name: 'OPENAI_KEY', source: 'file', writable: true }]);
    expect(JSON.stringify(await store.list())).not.toContain(CANARY);
    expect(await store.resolveSecretRef('secret:OPENAI_KEY')).toBe(CANARY);
    // A fresh store (next start) reads the same file.
    const again = new SecretStore({ backend: createFileSecretBackend(file) });
    expect(await again.resolveSecretRef('secret:OPENAI_KEY')).toBe(CANARY);
    expect(await again.delete('OPENAI_KEY')).toBe(true);
    expect(await again.delete('OPENAI_KEY')).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, secrets: {} });
  });

  it('prefers MILLRACE_SECRET_* environment values and refuses to overwrite them', async () => {
    const store = new SecretStore({ env: { MILLRACE_SECRET_TOKEN: 'from-env-123', PATH: '/bin' }, backend: createFileSecretBackend(file) });
    expect(await store.resolveSecretRef('secret:TOKEN')).toBe('from-env-123');
    expect(await store.list()).toEqual([{ name: 'TOKEN', source: 'env', writable: false }]);
    await expect(store.set('TOKEN', 'other-value')).rejects.toThrow(/comes from the environment \(MILLRACE_SECRET_TOKEN\)/);
    expect(existsSync(file)).toBe(false);
  });

  it('says which secret is missing and how to set it, without echoing values', async () => {
    const store = new SecretStore({ backend: createFileSecretBackend(file) });
    await expect(store.resolveSecretRef('secret:NOPE')).rejects.toThrow(/secret "NOPE" is not set: add it with "New secret…" at an LLM node's API key, or set MILLRACE_SECRET_NOPE/);
    // A pasted key instead of a reference is refused without repeating the key.
    const error = await store.resolveSecretRef(CANARY).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(CANARY);
    expect((error as Error).message).toContain('write secret:NAME');
    await expect(store.set('bad name', 'x')).rejects.toThrow(/not a valid secret name/);
    const badName = await store.set(CANARY, 'value').catch((e: Error) => e);
    expect((badName as Error).message).not.toContain(CANARY);
    await expect(store.set('EMPTY', '')).rejects.toThrow(/needs a value/);
  });

  it('serves resolved values without waiting, and forgets them when they change', async () => {
    const store = new SecretStore({ backend: createFileSecretBackend(file) });
    await store.set('KEY', 'first-value-1');
    expect(store.peek('secret:KEY')).toBeUndefined();
    expect(await store.resolveSecretRef('secret:KEY')).toBe('first-value-1');
    expect(store.peek('secret:KEY')).toBe('first-value-1');
    await store.set('KEY', 'second-value-2');
    expect(store.peek('secret:KEY')).toBeUndefined();
    expect(await store.resolveSecretRef('secret:KEY')).toBe('second-value-2');
    await store.delete('KEY');
    expect(store.peek('secret:KEY')).toBeUndefined();
    await expect(store.resolveSecretRef('secret:KEY')).rejects.toThrow(/not set/);
  });

  it('redacts every value it knows from text', async () => {
    const store = new SecretStore({ env: { MILLRACE_SECRET_ENVKEY: 'env-secret-value' }, backend: createFileSecretBackend(file) });
    await store.set('FILEKEY', CANARY);
    expect(store.redact(`401: bad key ${CANARY} (also env-secret-value)`)).toBe('401: bad key [secret:FILEKEY] (also [secret:ENVKEY])');
    expect(store.redact('nothing here')).toBe('nothing here');
    expect(store.redactLive(`streaming ${CANARY.slice(0, 9)}`)).toBe('streaming [secret…]');
    expect(store.redactLive('streaming sk-x')).toBe('streaming sk-x');
  });

  it('tightens a secrets file that became readable by others, and refuses a corrupt one', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, secrets: { A: 'value-a-123' } }));
    chmodSync(file, 0o644);
    const logs: string[] = [];
    const store = new SecretStore({ backend: createFileSecretBackend(file, (l) => logs.push(l)) });
    expect(await store.resolveSecretRef('secret:A')).toBe('value-a-123');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(logs.join('\n')).toContain('readable by other users');
    expect(logs.join('\n')).not.toContain('value-a-123');

    writeFileSync(file, '{ not json');
    const broken = new SecretStore({ backend: createFileSecretBackend(file) });
    await expect(broken.list()).rejects.toThrow(/not valid JSON; fix or delete it/);
  });
});
