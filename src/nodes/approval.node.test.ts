import { describe, expect, it } from 'vitest';
import { approval } from './approval.node';
import { fakeContext } from './testing';
import { defaultConfig } from '../shared/config-fields';
import { validateEdits, applyEdits, type ApprovalOpen, type ApprovalOutcome, type ApprovalService, type EditField } from '../shared/approvals';
import type { WaitResult } from '../shared/node-kit';

function setup(outcome: ApprovalOutcome, wait: WaitResult = { kind: 'signal', payload: null }) {
  const opened: ApprovalOpen[] = [];
  const settled: boolean[] = [];
  const service: ApprovalService = {
    async open(_run, _node, _name, r) {
      opened.push(r);
      return { requestId: 'apr_1', signal: 'approval:apr_1', expiresAt: r.timeoutMs === null ? null : 1_700_000_000_000 + r.timeoutMs };
    },
    async settle(_id, timedOut) {
      settled.push(timedOut);
      return outcome;
    },
  };
  const ctx = fakeContext();
  const waits: { name: string; options: unknown }[] = [];
  ctx.services.approvals = service;
  ctx.step.waitForSignal = async (name, options) => {
    waits.push({ name, options });
    return wait;
  };
  return { ctx, opened, settled, waits };
}

const decision = (action: 'approved' | 'rejected' | 'timed-out') => ({ requestId: 'apr_1', action, by: 'ada', via: 'inbox' as const, at: 1, comment: 'why', changes: [] });
const config = (c: Record<string, unknown> = {}) => approval.config.parse({ ...defaultConfig(approval.config), ...c });

describe('approval node', () => {
  it('opens one request with rendered title, the data and the referenced fields, waits on its own signal', async () => {
    const { ctx, opened, waits } = setup({ status: 'decided', decision: decision('approved'), output: { a: 2 } });
    const out = await approval.execute(ctx, { in: { a: 1, name: 'Ada' } }, config({ title: 'Check {{ name }}', show: [{ label: 'whole', value: '{{ $json }}' }], timeoutMinutes: 1 }));
    expect(opened).toEqual([expect.objectContaining({ title: 'Check Ada', data: { a: 1, name: 'Ada' }, context: { whole: { a: 1, name: 'Ada' } }, timeoutMs: 60_000 })]);
    expect(waits).toEqual([{ name: 'approval', options: { signal: 'approval:apr_1', timeoutMs: 60_000 } }]);
    expect(out).toEqual({ approved: { a: 2 }, decision: decision('approved') });
    // Replayed with the same journal: the request is not opened again.
    await approval.execute(ctx, { in: { a: 1, name: 'Ada' } }, config({ title: 'Check {{ name }}' }));
    expect(opened).toHaveLength(1);
  });

  it('routes rejections with their reason and timeouts to the timed out port', async () => {
    const rejected = setup({ status: 'decided', decision: decision('rejected'), output: null });
    expect(await approval.execute(rejected.ctx, { in: { a: 1 } }, config())).toEqual({ rejected: { reason: 'why', data: { a: 1 }, decision: decision('rejected') }, decision: decision('rejected') });
    const timed = setup({ status: 'decided', decision: decision('timed-out'), output: null }, { kind: 'timeout' });
    expect(await approval.execute(timed.ctx, { in: { a: 1 } }, config({ timeoutMinutes: 5, onTimeout: 'timed-out' }))).toMatchObject({ timedOut: { data: { a: 1 } } });
    expect(timed.settled).toEqual([true]);
  });

  it('fails permanently with a clear message when its request was replaced by a re-run', async () => {
    const { ctx } = setup({ status: 'replaced', replacedBy: 'run_2' });
    await expect(approval.execute(ctx, { in: {} }, config())).rejects.toThrow('this approval request was replaced by run run_2');
  });

  it('rejects a malformed edit schema in the config', () => {
    const r = approval.config.safeParse({ editableFields: [{ path: 'a..b', type: 'enum' }] });
    expect(r.success).toBe(false);
  });
});

describe('edits', () => {
  const fields: EditField[] = [
    { path: 'category', type: 'enum', options: ['a', 'b'], required: true },
    { path: 'n', type: 'number', required: false },
    { path: 'ok', type: 'boolean', required: false },
    { path: 'nested.text', type: 'text', required: false, maxLength: 5 },
  ];
  it('coerces form values and reports every bad field', () => {
    expect(validateEdits(fields, { category: 'b', n: '2.5', ok: 'on', 'nested.text': 'hey' })).toEqual({ ok: true, values: { category: 'b', n: 2.5, ok: true, 'nested.text': 'hey' } });
    expect(validateEdits(fields, { category: 'c', n: 'x', 'nested.text': 'too long', other: 1 })).toEqual({
      ok: false,
      problems: [
        { field: 'other', message: 'this field is not editable' },
        { field: 'category', message: 'must be one of: a, b' },
        { field: 'n', message: 'must be a number' },
        { field: 'nested.text', message: 'at most 5 characters' },
      ],
    });
  });
  it('applies edits to a copy and lists only real changes', () => {
    const data = { category: 'a', n: 1, nested: { text: 'x' } };
    expect(applyEdits(data, { category: 'a', n: 2, 'nested.text': 'y' })).toEqual({
      output: { category: 'a', n: 2, nested: { text: 'y' } },
      changes: [
        { path: 'n', before: 1, after: 2 },
        { path: 'nested.text', before: 'x', after: 'y' },
      ],
    });
    expect(data.nested.text).toBe('x');
  });
});
