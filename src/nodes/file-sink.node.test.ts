import { describe, expect, it } from 'vitest';
import { writeFileV2 as writeFile } from './file-sink.node';
import { fakeContext, fakeFiles } from './testing';
import { NodeError } from '../shared/services';

const config = (over: Record<string, unknown> = {}) => writeFile.config.parse(over);

describe('write-file@2 (keyed file sink)', () => {
  const key = 'run_test:node_test:append';
  it('appends the input as one keyed JSON line by default, as effect "append"', async () => {
    const files = fakeFiles();
    const ctx = fakeContext({ files });
    const input = { id: 1, text: 'multi\nline' };
    const out = await writeFile.execute(ctx, { in: input }, config());
    const line = JSON.stringify({ _key: key, ...input });
    expect(files.files.get('results.jsonl')).toEqual([line]);
    expect(out.out).toMatchObject({ path: '/out/results.jsonl', bytes: line.length + 1, idempotencyKey: key, applied: true, mayHaveRunBefore: false });
    expect(ctx.effects.get('append')).toBe(1);
  });

  it('wraps a missing or non-object input as value', async () => {
    const files = fakeFiles();
    await writeFile.execute(fakeContext({ files }), {}, config());
    expect(files.files.get('results.jsonl')).toEqual([JSON.stringify({ _key: key, value: null })]);
  });

  it('renders the path and the line templates', async () => {
    const files = fakeFiles();
    await writeFile.execute(fakeContext({ files }), { in: { day: '2024-05-01', id: 7 } }, config({ path: 'logs/{{ day }}.txt', line: 'order {{ id }}' }));
    expect(files.files.get('logs/2024-05-01.txt')).toEqual([JSON.stringify({ _key: key, value: 'order 7' })]);
  });

  it('writes CSV with a header and the key as first column; values with quotes and commas stay data', async () => {
    const files = fakeFiles();
    const cfg = config({ path: 'o.csv', format: 'csv', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'note', value: '{{ note }}' }] });
    await writeFile.execute(fakeContext({ files }), { in: { id: 3, note: 'a "b", c\nd' } }, cfg);
    expect(files.files.get('o.csv')).toEqual(['"_key","id","note"', `"${key}","3","a ""b"", c d"`]);
  });

  it('a mapped key dedupes across runs: two runs with the same id append one line', async () => {
    const files = fakeFiles();
    const cfg = config({ key: '{{ id }}' });
    const a = await writeFile.execute(fakeContext({ files, runId: 'r1' }), { in: { id: 9 } }, cfg);
    const b = await writeFile.execute(fakeContext({ files, runId: 'r2' }), { in: { id: 9 } }, cfg);
    expect(files.files.get('results.jsonl')).toHaveLength(1);
    expect([(a.out as { applied: boolean }).applied, (b.out as { applied: boolean }).applied]).toEqual([true, false]);
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
