/**
 * The Approvals inbox state: pending and decided requests, filters, the selected item, drafts of
 * edits. Refreshed from the engine on every approval event (and on connect); desktop notifications
 * for new requests go through `notify` (browser Notification in web mode, after permission).
 */
import { create } from 'zustand';
import type { ApprovalEvent, ApprovalItem, DecideResult } from '../../shared/approvals';
import { validateEdits } from '../../shared/approvals';
import type { EngineClient } from '../../shared/rpc/client';
import { EngineError } from '../../shared/api';

export interface ApprovalsState {
  open: boolean;
  tab: 'pending' | 'history';
  pending: ApprovalItem[];
  history: ApprovalItem[];
  filter: { flowId: string; assignee: string };
  selectedId: string | null;
  /** Edits typed per request (form text by field path). */
  drafts: Record<string, Record<string, string | boolean>>;
  comments: Record<string, string>;
  errors: Record<string, Record<string, string>>;
  /** The last answer per request (accepted, or "already decided by …"). */
  answers: Record<string, { ok: boolean; text: string }>;
  busy: boolean;
}

export const approvalsStore = create<ApprovalsState>(() => ({
  open: false,
  tab: 'pending',
  pending: [],
  history: [],
  filter: { flowId: '', assignee: '' },
  selectedId: null,
  drafts: {},
  comments: {},
  errors: {},
  answers: {},
  busy: false,
}));

export const useApprovals = approvalsStore;

let client: EngineClient | null = null;

export function visibleItems(s: ApprovalsState): ApprovalItem[] {
  const list = s.tab === 'pending' ? s.pending : s.history;
  return list.filter((i) => (s.filter.flowId === '' || i.flowId === s.filter.flowId) && (s.filter.assignee === '' || i.assignee === s.filter.assignee));
}

/** Wires the inbox to a (re)connected engine. */
export function connectApprovals(c: EngineClient, notify: (e: Extract<ApprovalEvent, { type: 'approval.opened' }>) => void = browserNotify): void {
  client = c;
  c.onApprovalEvent((e) => {
    if (e.type === 'approval.opened') notify(e);
    void refreshApprovals();
  });
  void refreshApprovals();
}

export async function refreshApprovals(): Promise<void> {
  if (!client) return;
  const [pending, history] = await Promise.all([client.listApprovals({ status: 'pending' }), client.listApprovals({ status: 'history', limit: 200 })]);
  approvalsStore.setState((s) => {
    const visible = visibleItems({ ...s, pending, history });
    const selectedId = visible.some((i) => i.requestId === s.selectedId) ? s.selectedId : (visible[0]?.requestId ?? null);
    return { pending, history, selectedId };
  });
}

export function select(delta: number): void {
  const s = approvalsStore.getState();
  const list = visibleItems(s);
  if (list.length === 0) return;
  const at = Math.max(0, list.findIndex((i) => i.requestId === s.selectedId));
  approvalsStore.setState({ selectedId: list[Math.min(list.length - 1, Math.max(0, at + delta))]!.requestId });
}

export function setDraft(requestId: string, path: string, value: string | boolean): void {
  approvalsStore.setState((s) => ({ drafts: { ...s.drafts, [requestId]: { ...s.drafts[requestId], [path]: value } } }));
}

export function setComment(requestId: string, text: string): void {
  approvalsStore.setState((s) => ({ comments: { ...s.comments, [requestId]: text } }));
}

/** Approve (with the drafted edits) or reject (with the comment as reason) the selected item. */
export async function decideSelected(action: 'approve' | 'reject'): Promise<void> {
  const s = approvalsStore.getState();
  const item = s.pending.find((i) => i.requestId === s.selectedId);
  if (!item || !client || s.busy) return;
  const draft = s.drafts[item.requestId] ?? {};
  const edits: Record<string, unknown> = {};
  if (action === 'approve') for (const [k, v] of Object.entries(draft)) edits[k] = v;
  // The engine checks again; checking here first puts the errors beside the fields at once.
  const checked = validateEdits(item.fields, edits);
  if (!checked.ok) {
    approvalsStore.setState({ errors: { ...s.errors, [item.requestId]: Object.fromEntries(checked.problems.map((p) => [p.field, p.message])) } });
    return;
  }
  approvalsStore.setState({ busy: true, errors: { ...s.errors, [item.requestId]: {} } });
  try {
    const comment = s.comments[item.requestId] ?? '';
    const r: DecideResult = await client.decideApproval({ requestId: item.requestId, action, ...(action === 'approve' ? { edits } : {}), comment, payloadHash: item.payloadHash });
    const text = r.accepted ? `${r.decision.action} — recorded` : r.message;
    approvalsStore.setState((st) => ({ answers: { ...st.answers, [item.requestId]: { ok: r.accepted, text } } }));
  } catch (e) {
    const text = e instanceof EngineError || e instanceof Error ? e.message : String(e);
    approvalsStore.setState((st) => ({ answers: { ...st.answers, [item.requestId]: { ok: false, text } } }));
  } finally {
    approvalsStore.setState({ busy: false });
    await refreshApprovals();
  }
}

export async function exportDecisions(flowId: string): Promise<{ jsonl: string; count: number } | null> {
  return client ? client.exportApprovals({ flowId }) : null;
}

/** Web mode: the browser's notification, only once the user has allowed it. */
function browserNotify(e: Extract<ApprovalEvent, { type: 'approval.opened' }>): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const n = new Notification(`Approval needed: ${e.item.title}`, { body: `${e.item.flowName} · ${e.item.nodeName}`, tag: e.item.requestId });
  n.onclick = () => {
    window.focus();
    approvalsStore.setState({ open: true, tab: 'pending', selectedId: e.item.requestId });
  };
}

export function askNotificationPermission(): void {
  if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission();
}
