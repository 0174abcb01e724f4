import { describe, expect, it } from 'vitest';
import { compare, ifNode } from './if.node';
import { fakeContext } from './testing';

type Op = Parameters<typeof compare>[1];

describe('if@1 compare', () => {
  it.each<[unknown, Op, unknown, boolean]>([
    [5, 'equals', '5', true],
    ['5.0', 'equals', 5, true],
    ['abc', 'equals', 'abc', true],
    ['abc', 'equals', 'ABC', false],
    [true, 'equals', 'true', true],
    [5, 'not-equals', 6, true],
    ['a', 'not-equals', 'a', false],
    [10, 'greater', 9, true],
    [9, 'greater', 9, false],
    [9, 'greater-or-equal', 9, true],
    [8, 'greater-or-equal', 9, false],
    [2, 'less', 10, true],
    [10, 'less', 2, false],
    [10, 'less-or-equal', 10, true],
    [11, 'less-or-equal', 10, false],
    ['hello world', 'contains', 'lo w', true],
    ['hello', 'contains', 'z', false],
    [['a', 'b'], 'contains', 'b', true],
    [[1, 2], 'contains', '2', true],
    [['ab'], 'contains', 'a', false],
    [undefined, 'is-empty', null, true],
    [null, 'is-empty', null, true],
    ['', 'is-empty', null, true],
    [[], 'is-empty', null, true],
    [{}, 'is-empty', null, true],
    [0, 'is-empty', null, false],
    ['x', 'is-empty', null, false],
    [[0], 'is-not-empty', null, true],
    ['', 'is-not-empty', null, false],
  ])('%j %s %j → %s', (left, op, right, expected) => {
    expect(compare(left, op, right)).toBe(expected);
  });

  it('compares numerically when both sides are numeric, as text otherwise', () => {
    expect(compare('10', 'greater', '9')).toBe(true); // numeric; as text "10" < "9"
    expect(compare('10', 'greater', '9a')).toBe(false); // text comparison: "1" < "9"
    expect(compare('b', 'greater', 'a')).toBe(true);
  });

  it('does not treat blank text as zero', () => {
    expect(compare('', 'equals', 0)).toBe(false);
    expect(compare(' ', 'equals', 0)).toBe(false);
  });
});

describe('if@1 node', () => {
  const run = (input: unknown, left: string, operator: Op, right: string) =>
    ifNode.execute(fakeContext(), { in: input }, ifNode.config.parse({ left, operator, right }));

  it('sends the input down the true branch only', async () => {
    const input = { amount: 142 };
    const out = await run(input, '{{ amount }}', 'greater', '100');
    expect(out).toEqual({ true: input });
    expect('false' in out).toBe(false);
  });

  it('sends the input down the false branch only', async () => {
    const input = { amount: 42 };
    const out = await run(input, '{{ amount }}', 'greater', '100');
    expect(out).toEqual({ false: input });
    expect('true' in out).toBe(false);
  });

  it('renders templates on both sides', async () => {
    const out = await run({ a: 'x', b: 'x' }, '{{ a }}', 'equals', '{{ b }}');
    expect(Object.keys(out)).toEqual(['true']);
  });

  it('checks emptiness of a whole value reference', async () => {
    expect(Object.keys(await run({ tags: [] }, '{{ tags }}', 'is-empty', ''))).toEqual(['true']);
    expect(Object.keys(await run({ tags: ['x'] }, '{{ tags }}', 'is-empty', ''))).toEqual(['false']);
  });

  it('refuses an unknown operator and an empty left side', () => {
    const bad = ifNode.config.safeParse({ left: '', operator: 'between' });
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(['left', 'operator']);
  });
});
