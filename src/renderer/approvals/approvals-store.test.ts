import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineClient } from '../../shared/rpc/client';
import type { ApprovalEvent, ApprovalItem, DecideApprovalArgs } from '../../shared/approvals';
import { approvalsStore, connectApprovals, decideSelected, select, setComment, setDraft, visibleItems } from './approvals-store';

const item = (id: string, flowId: string, assignee = ''): ApprovalItem => ({
  requestId: id, runId: `run_${id}`, flowId, flowName: flowId, nodeId: 'n', nodeName: 'Check', title: id, instructions: '', assignee,
  data: { category: 'bug', n: 1 }, context: {}, runInput: null,
  fields: [{ path: 'category', type: 'enum', options: ['bug', 'billing'], required: true }, { path: 'n', type: 'integer', required: false }],
  payloadHash: `h_${id}`, status: 'pending', createdAt: 1, expiresAt: null, onTimeout: 'reject', decision: null, linkPath: `/approve/${id}`,
});

function fakeClient(pending: ApprovalItem[]) {
  let listener: ((e: ApprovalEvent) => void) | undefined;
  const decided: DecideApprovalArgs[] = [];
  const client = {
    listApprovals: vi.fn(async (arg: { status?: string }) => (arg.status === 'history' ? [] : pending)),
    decideApproval: vi.fn(async (arg: DecideApprovalArgs) => {
      decided.push(arg);
      return decided.length === 1
        ? { accepted: true as const, decision: { requestId: arg.requestId, action: 'approved' as const, by: 'ada', via: 'inbox' as const, at: 1, comment: '', changes: [] } }
        : { accepted: false as const, reason: 'already-decided' as const, message: 'already decided: approved by ada at 1970-01-01T00:00:00.001Z', decision: null };
    }),
    exportApprovals: vi.fn(),
    onApprovalEvent: (l: (e: ApprovalEvent) => void) => ((listener = l), () => undefined),
  };
  return { client: client as unknown as EngineClient, decided, fire: (e: ApprovalEvent) => listener?.(e), calls: client };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  approvalsStore.setState({ open: true, tab: 'pending', pending: [], history: [], filter: { flowId: '', assignee: '' }, selectedId: null, drafts: {}, comments: {}, errors: {}, answers: {}, busy: false });
});

describe('approvals inbox store', () => {
  it('loads on connect, reloads on events, filters, and moves the selection', async () => {
    const { client, fire, calls } = fakeClient([item('a', 'f1', 'ops'), item('b', 'f2'), item('c', 'f1')]);
    const notify = vi.fn();
    connectApprovals(client, notify);
    await flush();
    expect(approvalsStore.getState().pending.map((i) => i.requestId)).toEqual(['a', 'b', 'c']);
    expect(approvalsStore.getState().selectedId).toBe('a');
    select(1);
    expect(approvalsStore.getState().selectedId).toBe('b');
    select(5);
    expect(approvalsStore.getState().selectedId).toBe('c');
    approvalsStore.setState({ filter: { flowId: 'f1', assignee: '' } });
    expect(visibleItems(approvalsStore.getState()).map((i) => i.requestId)).toEqual(['a', 'c']);
    approvalsStore.setState({ filter: { flowId: '', assignee: 'ops' } });
    expect(visibleItems(approvalsStore.getState()).map((i) => i.requestId)).toEqual(['a']);
    fire({ type: 'approval.opened', item: item('d', 'f1') });
    await flush();
    expect(notify).toHaveBeenCalledOnce();
    expect(calls.listApprovals.mock.calls.length).toBe(4); // pending + history, twice
  });

  it('shows schema errors beside the fields without calling the engine, then sends edits, comment and the payload hash', async () => {
    const { client, decided } = fakeClient([item('a', 'f1')]);
    connectApprovals(client, () => {});
    await flush();
    setDraft('a', 'category', 'spam');
    setDraft('a', 'n', '1.5');
    await decideSelected('approve');
    expect(decided).toEqual([]);
    expect(approvalsStore.getState().errors['a']).toEqual({ category: 'must be one of: bug, billing', n: 'must be a whole number' });
    setDraft('a', 'category', 'billing');
    setDraft('a', 'n', '2');
    setComment('a', 'fixed');
    await decideSelected('approve');
    expect(decided).toEqual([{ requestId: 'a', action: 'approve', edits: { category: 'billing', n: '2' }, comment: 'fixed', payloadHash: 'h_a' }]);
    expect(approvalsStore.getState().answers['a']).toEqual({ ok: true, text: 'approved — recorded' });
    await decideSelected('reject');
    expect(decided[1]).toEqual({ requestId: 'a', action: 'reject', comment: 'fixed', payloadHash: 'h_a' });
    expect(approvalsStore.getState().answers['a']).toMatchObject({ ok: false, text: expect.stringContaining('already decided: approved by ada') });
  });
});
