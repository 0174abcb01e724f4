import { describe, expect, it } from 'vitest';
import { manualTrigger } from './manual-trigger.node';
import { fakeContext } from './testing';

const config = (payload: string) => manualTrigger.config.parse({ payload });

describe('manual-trigger@1', () => {
  it('passes the run input through when the run was started with one', async () => {
    const runInput = { customer: 'Grace', amount: 7, tags: ['a'] };
    const out = await manualTrigger.execute(fakeContext({ runInput }), {}, config('{"customer":"Ada"}'));
    expect(out.out).toEqual(runInput);
  });

  it('uses the configured payload when the run has no input', async () => {
    const out = await manualTrigger.execute(fakeContext(), {}, config('{"customer":"Ada","amount":42}'));
    expect(out.out).toEqual({ customer: 'Ada', amount: 42 });
  });

  it('prefers a falsy run input (null, 0, "") over the payload', async () => {
    for (const runInput of [null, 0, '']) {
      const out = await manualTrigger.execute(fakeContext({ runInput }), {}, config('{"x":1}'));
      expect(out.out).toBe(runInput);
    }
  });

  it('turns an empty payload into an empty object', async () => {
    const out = await manualTrigger.execute(fakeContext(), {}, config('   '));
    expect(out.out).toEqual({});
  });

  it('refuses a payload that is not JSON, naming the field', () => {
    const result = manualTrigger.config.safeParse({ payload: '{ customer: Ada }' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['payload']);
    expect(result.error?.issues[0]?.message).toMatch(/not valid JSON/);
  });

  it('is a trigger without inputs', () => {
    expect(manualTrigger.trigger).toBe(true);
    expect(Object.keys(manualTrigger.inputs)).toEqual([]);
  });
});
