/** The secrets file's writes: atomic, no temp file left behind (also none from a crash or an older build). */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileSecretBackend } from './file-backend';

const dir = mkdtempSync(join(tmpdir(), 'millrace-secrets-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('file secret backend', () => {
  it('removes temp files an earlier crash or full disk left, and leaves none of its own', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(join(dir, 'secrets.json.4242.tmp'), '{"version":1,"secrets":{"LEAK":"half-writ');
    writeFileSync(join(dir, 'unrelated.tmp'), 'keep me');
    const backend = createFileSecretBackend(file);
    expect(await backend.list()).toEqual([]);
    await backend.set('A', '1');
    await backend.set('B', '2');
    expect(readdirSync(dir).sort()).toEqual(['secrets.json', 'unrelated.tmp']);
    expect(await createFileSecretBackend(file).get('B')).toBe('2');
  });

  it('names the file and keeps the old contents when the write fails', async () => {
    const file = join(dir, 'missing-folder', 'secrets.json');
    const backend = createFileSecretBackend(file);
    await expect(backend.set('A', '1')).rejects.toThrow(/could not save .*secrets\.json: .*; the stored secrets are unchanged/);
  });
});
