import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileService } from './files';

let dir: string;
let files: ReturnType<typeof createFileService>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-files-'));
  files = createFileService(join(dir, 'out'));
});
afterEach(async () => {
  await files.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('file service', () => {
  it('appends whole lines, also when many appends race', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => files.appendLines('a/b.jsonl', [JSON.stringify({ i, pad: 'x'.repeat(100) })])));
    const lines = readFileSync(join(dir, 'out', 'a', 'b.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { i: number }).i)).size).toBe(200);
  });

  it('recreates a file the user deleted or rotated instead of writing into the void', async () => {
    const target = join(dir, 'out', 'log.jsonl');
    await files.appendLines('log.jsonl', ['one']);
    unlinkSync(target);
    await files.appendLines('log.jsonl', ['two']);
    expect(readFileSync(target, 'utf8')).toBe('two\n');
    renameSync(target, `${target}.1`);
    await files.appendLines('log.jsonl', ['three']);
    expect(readFileSync(target, 'utf8')).toBe('three\n');
    expect(readFileSync(`${target}.1`, 'utf8')).toBe('two\n');
  });

  it('refuses absolute paths, ".." and symlinked folders that lead outside the output folder', async () => {
    await expect(files.appendLines('/etc/passwd', ['x'])).rejects.toThrow(/relative to the output folder/);
    await expect(files.appendLines('../escape.jsonl', ['x'])).rejects.toThrow(/outside the output folder/);
    await files.appendLines('ok.jsonl', ['x']);
    symlinkSync(dir, join(dir, 'out', 'link'));
    await expect(files.appendLines('link/escape.jsonl', ['x'])).rejects.toThrow(/outside the output folder/);
  });
});
