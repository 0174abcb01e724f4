import { describe, expect, it } from 'vitest';
import { setFields } from './set-fields.node';
import { fakeContext } from './testing';

type Field = { name: string; value: string };
const run = (input: unknown, fields: Field[], keepInput = false) =>
  setFields.execute(fakeContext(), { in: input }, setFields.config.parse({ fields, keepInput })).then((r) => r.out);

describe('set-fields@1', () => {
  it('interpolates templates into text', async () => {
    const out = await run({ customer: 'Ada', amount: 42 }, [{ name: 'greeting', value: 'Hello {{ customer }}, you owe {{ amount }}' }]);
    expect(out).toEqual({ greeting: 'Hello Ada, you owe 42' });
  });

  it('keeps the type of a value that is exactly one reference', async () => {
    const input = { amount: 42, paid: false, items: [{ sku: 'A' }], customer: { name: 'Ada' } };
    const out = await run(input, [
      { name: 'total', value: '{{ amount }}' },
      { name: 'paid', value: '{{paid}}' },
      { name: 'first', value: '{{ items[0] }}' },
      { name: 'who', value: '{{ customer }}' },
      { name: 'all', value: '{{ $json }}' },
    ]);
    expect(out).toEqual({ total: 42, paid: false, first: { sku: 'A' }, who: { name: 'Ada' }, all: input });
  });

  it('builds nested objects from dotted names', async () => {
    const out = await run({ a: 1, b: 2 }, [
      { name: 'order.totals.a', value: '{{ a }}' },
      { name: 'order.totals.b', value: '{{ b }}' },
      { name: 'order.label', value: 'x' },
    ]);
    expect(out).toEqual({ order: { totals: { a: 1, b: 2 }, label: 'x' } });
  });

  it('replaces a non-object value on the way to a nested field', async () => {
    const out = await run({ order: 5 }, [{ name: 'order.id', value: '7' }], true);
    expect(out).toEqual({ order: { id: '7' } });
  });

  it('fails on a missing reference, naming the field and the path', async () => {
    await expect(run({ a: 1 }, [{ name: 'x', value: '{{ nowhere.deep }}' }])).rejects.toMatchObject({
      message: expect.stringMatching(/^fields: \{\{ nowhere\.deep \}\}: the input has no "nowhere" \(it has: a\)/) as unknown,
      details: { field: 'fields', permanent: true },
    });
  });

  it('sets an optional missing reference to null, a default to its value', async () => {
    const out = await run({}, [
      { name: 'x', value: '{{ nowhere.deep? }}' },
      { name: 'y', value: '{{ nowhere ?? "none" }}' },
    ]);
    expect(out).toEqual({ x: null, y: 'none' });
  });

  it('keeps input fields when asked, without mutating the input', async () => {
    const input = { id: 1, nested: { a: 1 } };
    const out = await run(input, [{ name: 'nested.b', value: '2' }], true);
    expect(out).toEqual({ id: 1, nested: { a: 1, b: '2' } });
    expect(input).toEqual({ id: 1, nested: { a: 1 } });
  });

  it('drops input fields by default', async () => {
    const out = await run({ id: 1 }, [{ name: 'y', value: 'z' }]);
    expect(out).toEqual({ y: 'z' });
  });

  it('ignores keepInput for an input that is not an object', async () => {
    const out = await run([1, 2], [{ name: 'n', value: '{{ $json[1] }}' }], true);
    expect(out).toEqual({ n: 2 });
  });

  it.each(['__proto__', 'constructor', 'a.prototype', 'x.__proto__.polluted'])('refuses the reserved field name %s', (name) => {
    const result = setFields.config.safeParse({ fields: [{ name, value: '1' }] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toContainEqual(['fields', 0, 'name']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each(['', '1abc', 'a..b', 'a b', 'a.'])('refuses the malformed field name %j', (name) => {
    expect(setFields.config.safeParse({ fields: [{ name, value: '1' }] }).success).toBe(false);
  });

  it('refuses a value with a broken template', () => {
    const result = setFields.config.safeParse({ fields: [{ name: 'a', value: 'Hello {{ customer' }] });
    expect(result.error?.issues[0]?.path).toEqual(['fields', 0, 'value']);
  });
});
