import { describe, expect, it } from 'vitest';
import { writeFile } from './write-file.node';
import { fakeContext, fakeFiles } from './testing';
import { NodeError } from '../shared/services';

const config = (over: Record<string, unknown> = {}) => writeFile.config.parse(over);

describe('write-file@1', () => {
  it('appends the input as one JSON line by default, in step "append"', async () => {
    const files = fakeFiles();
    const ctx = fakeContext({ files });
    const input = { id: 1, text: 'multi\nline' };
    const out = await writeFile.execute(ctx, { in: input }, config());
    expect(files.files.get('results.jsonl')).toEqual([JSON.stringify(input)]);
    expect(out.out).toEqual({ path: '/out/results.jsonl', bytes: JSON.stringify(input).length + 1 });
    expect(ctx.effects.get('append')).toBe(1);
  });

  it('writes null for a missing input', async () => {
    const files = fakeFiles();
    await writeFile.execute(fakeContext({ files }), {}, config());
    expect(files.files.get('results.jsonl')).toEqual(['null']);
  });

  it('renders the path and the line templates', async () => {
    const files = fakeFiles();
    await writeFile.execute(fakeContext({ files }), { in: { day: '2024-05-01', id: 7 } }, config({ path: 'logs/{{ day }}.txt', line: 'order {{ id }}' }));
    expect(files.files.get('logs/2024-05-01.txt')).toEqual(['order 7']);
  });

  it('counts bytes as UTF-8, plus the newline', async () => {
    const out = await writeFile.execute(fakeContext(), { in: {} }, config({ line: 'é€' }));
    expect(out.out).toMatchObject({ bytes: 2 + 3 + 1 });
  });

  it('refuses a line with a newline, naming the line field, and writes nothing', async () => {
    const files = fakeFiles();
    const error = await writeFile.execute(fakeContext({ files }), { in: { note: 'a\nb' } }, config({ line: '{{ note }}' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect((error as NodeError).details?.field).toBe('line');
    expect(files.appendCalls).toBe(0);
  });

  it('run twice with the same journal: the line is appended once', async () => {
    const files = fakeFiles();
    const ctx = fakeContext({ files });
    await writeFile.execute(ctx, { in: { a: 1 } }, config());
    await writeFile.execute(ctx, { in: { a: 1 } }, config());
    expect(files.appendCalls).toBe(1);
    expect(files.files.get('results.jsonl')).toHaveLength(1);
  });

  it.each(['/etc/passwd', '\\\\server\\share\\x', '\\x.txt', 'C:\\data\\x.jsonl', 'c:/x', '../x.jsonl', 'a/../../x', 'a\\..\\x', '..', '', 'sub/', 'a\nb.jsonl'])(
    'schema refuses the path %j',
    (path) => {
      const result = writeFile.config.safeParse({ path });
      expect(result.success).toBe(false);
      expect(result.error!.issues.every((i) => i.path[0] === 'path')).toBe(true);
    },
  );

  it.each(['out.jsonl', 'logs/2024/x.jsonl', '{{ name }}.jsonl', 'a..b.txt'])('schema accepts the path %j', (path) => {
    expect(writeFile.config.safeParse({ path }).success).toBe(true);
  });

  it.each([{ name: '../../etc/cron.d/x' }, { name: '/etc/x' }, { name: '' }])(
    'refuses a rendered path that leaves the output folder (%j), naming the path field',
    async (input) => {
      const files = fakeFiles();
      const error = await writeFile.execute(fakeContext({ files }), { in: input }, config({ path: '{{ name }}' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeError);
      expect((error as NodeError).details?.field).toBe('path');
      expect(files.appendCalls).toBe(0);
    },
  );
});
