import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeMessageChannel } from '../engine/host/testing';
import { messagePortRpc } from '../engine/host/message-port-rpc';
import { serveEngineApi } from '../shared/rpc/server';
import type { EngineApi } from '../shared/api';
import type { ApprovalEvent, ApprovalItem } from '../shared/approvals';
import { ApprovalNotifier } from './approval-notifications';

vi.mock('electron', () => import('./fake-electron'));

type Fake = typeof import('./fake-electron');
let fake: Fake;

beforeEach(async () => {
  fake = (await import('electron')) as unknown as Fake;
  fake.resetFakeElectron();
});

const item: ApprovalItem = {
  requestId: 'apr_1', runId: 'run_1', flowId: 'f', flowName: 'Triage', nodeId: 'n', nodeName: 'Check', title: 'Check ticket 7', instructions: '',
  assignee: 'support', data: {}, context: {}, runInput: null, fields: [], payloadHash: 'h', status: 'pending', createdAt: 1, expiresAt: null, onTimeout: 'reject', decision: null, linkPath: '/approve/x',
};

/** An engine that only streams approval events, served over a fake MessagePortMain pair like the host does. */
function fakeHost() {
  const listeners = new Set<(e: ApprovalEvent) => void>();
  const engine = { onApprovalEvent: (l: (e: ApprovalEvent) => void) => (listeners.add(l), () => listeners.delete(l)) } as unknown as EngineApi;
  let connects = 0;
  return {
    emit: (e: ApprovalEvent) => listeners.forEach((l) => l(e)),
    listeners,
    get connects() {
      return connects;
    },
    connect() {
      connects++;
      const { port1, port2 } = fakeMessageChannel();
      serveEngineApi(engine, messagePortRpc(port1));
      return port2;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('approval notifications (Electron main)', () => {
  it('shows a desktop notification when an approval starts waiting; a click focuses the window', async () => {
    const host = fakeHost();
    const focus = vi.fn();
    const notifier = new ApprovalNotifier({ connect: () => host.connect(), focus, log: () => {} });
    notifier.attach();
    await settle();
    host.emit({ type: 'approval.opened', item });
    host.emit({ type: 'approval.closed', requestId: 'apr_1', flowId: 'f', runId: 'run_1', decision: null });
    await settle();
    expect(fake.Notification.shown).toHaveLength(1);
    const shown = fake.Notification.shown[0]!;
    expect(shown.options).toEqual({ title: 'Approval needed: Check ticket 7', body: 'Triage · Check · for support' });
    shown.emit('click');
    expect(focus).toHaveBeenCalledOnce();
    notifier.close();
  });

  it('re-attaches after an engine restart and stays quiet where notifications are unsupported', async () => {
    const host = fakeHost();
    const notifier = new ApprovalNotifier({ connect: () => host.connect(), focus: () => {}, log: () => {} });
    notifier.attach();
    notifier.attach(); // the engine restarted: a new port, the old client closed
    await settle();
    expect(host.connects).toBe(2);
    fake.Notification.supported = false;
    host.emit({ type: 'approval.opened', item });
    await settle();
    expect(fake.Notification.shown).toHaveLength(0);
    fake.Notification.supported = true;
    host.emit({ type: 'approval.opened', item });
    await settle();
    expect(fake.Notification.shown).toHaveLength(1); // one notification per event, not one per attach
    notifier.close();
  });

  it('does nothing while the engine is down', () => {
    const notifier = new ApprovalNotifier({ connect: () => undefined, focus: () => {}, log: () => {} });
    expect(() => notifier.attach()).not.toThrow();
  });
});
