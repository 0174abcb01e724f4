import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileService, keyOfLine, relativePathProblem } from './files';

let dir: string;
let files: ReturnType<typeof createFileService>;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-files-'));
  mkdirSync(join(dir, 'outside'));
  files = createFileService(join(dir, 'out'));
});
afterEach(async () => {
  await files.close();
  rmSync(dir, { recursive: true, force: true });
});

const rec = (key: string, v: unknown) => ({ key, line: JSON.stringify({ _key: key, v }), format: 'jsonl' as const });

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

  it('refuses absolute paths, "..", trailing separators and control characters', async () => {
    await expect(files.appendLines('/etc/passwd', ['x'])).rejects.toThrow(/relative to the output folder/);
    await expect(files.appendLines('../escape.jsonl', ['x'])).rejects.toThrow(/"\.\."/);
    await expect(files.appendLines('sub/', ['x'])).rejects.toThrow(/ends with a folder separator/);
    await expect(files.appendLines('a\nb.jsonl', ['x'])).rejects.toThrow(/control characters/);
    await expect(files.appendLines('a//b.jsonl', ['x'])).rejects.toThrow(/empty or "\."/);
    expect(existsSync(join(dir, 'out', 'sub'))).toBe(false);
    expect(relativePathProblem('ok/name.jsonl')).toBeNull();
  });

  it('symlinked file: refused, the file outside is untouched', async () => {
    writeFileSync(join(dir, 'outside', 'victim.txt'), 'keep\n');
    mkdirSync(join(dir, 'out'), { recursive: true });
    symlinkSync(join(dir, 'outside', 'victim.txt'), join(dir, 'out', 'link.jsonl'));
    await expect(files.appendLines('link.jsonl', ['x'])).rejects.toThrow(/outside the output folder/);
    await expect(files.appendKeyed('link.jsonl', rec('k', 1))).rejects.toThrow(/outside the output folder/);
    expect(readFileSync(join(dir, 'outside', 'victim.txt'), 'utf8')).toBe('keep\n');
  });

  it('symlinked folder: refused, and no subfolder is created outside', async () => {
    mkdirSync(join(dir, 'out'), { recursive: true });
    symlinkSync(join(dir, 'outside'), join(dir, 'out', 'link'));
    await expect(files.appendLines('link/deep/er/escape.jsonl', ['x'])).rejects.toThrow(/outside the output folder/);
    expect(readdirSync(join(dir, 'outside'))).toEqual([]);
  });

  it('swapped subfolder: a folder used before and then replaced by a symlink is refused (no cached verdict)', async () => {
    await files.appendLines('sub/a.jsonl', ['first']);
    rmSync(join(dir, 'out', 'sub'), { recursive: true });
    symlinkSync(join(dir, 'outside'), join(dir, 'out', 'sub'));
    await expect(files.appendLines('sub/a.jsonl', ['second'])).rejects.toThrow(/outside the output folder/);
    await expect(files.appendLines('sub/new/b.jsonl', ['second'])).rejects.toThrow(/outside the output folder/);
    expect(readdirSync(join(dir, 'outside'))).toEqual([]);
  });

  it('keyed append: the same key twice is written once, also by a fresh service reading the file', async () => {
    const a = await files.appendKeyed('k.jsonl', rec('run1:sink', { n: 1 }));
    const b = await files.appendKeyed('k.jsonl', rec('run1:sink', { n: 1 }));
    expect([a.appended, b.appended]).toEqual([true, false]);
    const other = createFileService(join(dir, 'out'));
    expect((await other.appendKeyed('k.jsonl', rec('run1:sink', { n: 1 }))).appended).toBe(false);
    expect((await other.appendKeyed('k.jsonl', rec('run2:sink', { n: 2 }))).appended).toBe(true);
    // The first service sees the file changed under it and rereads it.
    expect((await files.appendKeyed('k.jsonl', rec('run2:sink', { n: 2 }))).appended).toBe(false);
    expect(readFileSync(join(dir, 'out', 'k.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('CSV keyed append writes the header once and reads keys from the first field', async () => {
    const csv = (key: string, v: string) => ({ key, line: `"${key.replace(/"/g, '""')}",${v}`, format: 'csv' as const, header: '_key,v' });
    await files.appendKeyed('t.csv', csv('a,"b', '1'));
    await files.appendKeyed('t.csv', csv('a,"b', '1'));
    await files.appendKeyed('t.csv', csv('c', '2'));
    expect(readFileSync(join(dir, 'out', 't.csv'), 'utf8')).toBe('_key,v\n"a,""b",1\n"c",2\n');
    expect(keyOfLine('plain,1', 'csv')).toBe('plain');
  });

  it('a torn last line left by a crash is cut off before the next append', async () => {
    await files.appendKeyed('t.jsonl', rec('one', 1));
    appendFileSync(join(dir, 'out', 't.jsonl'), '{"_key":"two","v":');
    await files.appendKeyed('t.jsonl', rec('three', 3));
    expect(readFileSync(join(dir, 'out', 't.jsonl'), 'utf8')).toBe(`${rec('one', 1).line}\n${rec('three', 3).line}\n`);
  });

  it('a failed write (ENOSPC) is truncated back: no torn fragment, the next record lands whole', async () => {
    let fail = true;
    const flaky = createFileService(join(dir, 'out'), {
      async write(fh, data) {
        if (fail) {
          fail = false;
          await fh.write(data, 0, Math.floor(data.length / 2));
          throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
        }
        await fh.write(data);
      },
    });
    await flaky.appendLines('d.jsonl', ['{"a":0}']).catch(() => {});
    // that first call failed half-way and was cut back to nothing
    expect(readFileSync(join(dir, 'out', 'd.jsonl'), 'utf8')).toBe('');
    fail = true;
    await flaky.appendKeyed('d.jsonl', rec('x', 'y'.repeat(100))).then(
      () => expect.unreachable(),
      (e: Error) => expect(e.message).toMatch(/disk full/),
    );
    expect(readFileSync(join(dir, 'out', 'd.jsonl'), 'utf8')).toBe('');
    await flaky.appendKeyed('d.jsonl', rec('x', 'y'));
    expect(readFileSync(join(dir, 'out', 'd.jsonl'), 'utf8')).toBe(`${rec('x', 'y').line}\n`);
  });

  it('files and folders it creates are private (0600 / 0700)', async () => {
    await files.appendLines('p/q.jsonl', ['x']);
    const { statSync } = await import('node:fs');
    expect(statSync(join(dir, 'out', 'p', 'q.jsonl')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'out', 'p')).mode & 0o777).toBe(0o700);
  });
});
