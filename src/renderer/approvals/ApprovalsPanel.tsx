/**
 * The Approvals inbox: pending requests (oldest first) and decided ones (history), filters by flow
 * and assignee, the data under review beside the referenced fields, the edit form built from the
 * node's edit schema, approve / reject with a comment. Keys: j/k or ↓/↑ next/previous, a approve,
 * r reject, Esc close (not while typing in a field).
 */
import { useEffect } from 'react';
import { describeDecision, type ApprovalItem, type EditField } from '../../shared/approvals';
import { getPath } from '../../shared/template';
import { useNow } from '../ui/use-now';
import { JsonTree } from './JsonTree';
import { approvalsStore, decideSelected, exportDecisions, select, setComment, setDraft, useApprovals, visibleItems } from './approvals-store';
import './approvals.css';

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}

function onKey(e: KeyboardEvent) {
  const s = approvalsStore.getState();
  if (!s.open) return;
  const t = e.target as HTMLElement | null;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
  const act: Record<string, () => void> = {
    j: () => select(1),
    ArrowDown: () => select(1),
    k: () => select(-1),
    ArrowUp: () => select(-1),
    a: () => void decideSelected('approve'),
    r: () => void decideSelected('reject'),
    Escape: () => approvalsStore.setState({ open: false }),
  };
  const f = act[e.key];
  if (f && !e.metaKey && !e.ctrlKey && !e.altKey) {
    e.preventDefault();
    e.stopPropagation();
    f();
  }
}

function FieldInput({ item, field }: { item: ApprovalItem; field: EditField }) {
  const draft = useApprovals((s) => s.drafts[item.requestId]?.[field.path]);
  const error = useApprovals((s) => s.errors[item.requestId]?.[field.path]);
  const original = getPath(item.data, field.path);
  const value = draft ?? (field.type === 'boolean' ? original === true : original === undefined || original === null ? '' : typeof original === 'object' ? JSON.stringify(original) : String(original));
  const id = `approval-field-${field.path}`;
  const set = (v: string | boolean) => setDraft(item.requestId, field.path, v);
  const label = `${field.label ?? field.path}${field.required ? ' *' : ''}`;
  return (
    <div className={`approval-field${error ? ' is-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {field.type === 'boolean' ? (
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} data-testid={id} />
      ) : field.type === 'enum' ? (
        <select id={id} className="input" value={String(value)} onChange={(e) => set(e.target.value)} data-testid={id}>
          {field.required ? null : <option value="" />}
          {(field.options ?? []).map((o) => (
            <option key={o}>{o}</option>
          ))}
        </select>
      ) : field.type === 'text' ? (
        <textarea id={id} className="input" rows={4} value={String(value)} onChange={(e) => set(e.target.value)} data-testid={id} />
      ) : (
        <input id={id} className="input" inputMode={field.type === 'number' || field.type === 'integer' ? 'decimal' : undefined} value={String(value)} onChange={(e) => set(e.target.value)} data-testid={id} />
      )}
      {error ? (
        <div className="field__error" data-testid={`approval-error-${field.path}`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

function Detail({ item }: { item: ApprovalItem }) {
  const now = useNow(1000);
  const comment = useApprovals((s) => s.comments[item.requestId] ?? '');
  const answer = useApprovals((s) => s.answers[item.requestId]);
  const busy = useApprovals((s) => s.busy);
  const pending = item.status === 'pending';
  // Links are served by the web-mode server; the desktop app (app://) serves none, so it offers none.
  const link = item.linkPath && window.location.protocol === 'http:' ? `${window.location.origin}${item.linkPath}` : null;
  return (
    <div className="approval-detail" data-testid="approval-detail" data-request-id={item.requestId}>
      <h2>{item.title}</h2>
      <div className="approval-meta">
        <span>{item.flowName}</span> · <span>{item.nodeName}</span> · <span title={item.runId}>run {item.runId.slice(-6)}</span> · <span>waiting {age(now - item.createdAt)}</span>
        {item.expiresAt !== null && pending ? <span> · {age(item.expiresAt - now)} left, then {item.onTimeout}</span> : null}
        {item.assignee ? <span> · for {item.assignee}</span> : null}
      </div>
      {item.instructions ? <p className="approval-instructions">{item.instructions}</p> : null}
      <div className="approval-columns">
        {item.runInput !== null || Object.keys(item.context).length > 0 ? (
          <section data-testid="approval-context">
            <h3>Source (run input)</h3>
            {item.runInput !== null ? <JsonTree value={item.runInput} /> : null}
            {Object.entries(item.context).map(([k, v]) => (
              <JsonTree key={k} name={k} value={v} />
            ))}
          </section>
        ) : null}
        <section>
          <h3>Data to review</h3>
          <JsonTree value={item.data} />
        </section>
      </div>
      {pending ? (
        <form
          className="approval-form"
          onSubmit={(e) => {
            e.preventDefault();
            void decideSelected('approve');
          }}
        >
          {item.fields.length > 0 ? <h3>Edit before approving</h3> : null}
          {item.fields.map((f) => (
            <FieldInput key={f.path} item={item} field={f} />
          ))}
          <label htmlFor="approval-comment">Comment / reason</label>
          <textarea id="approval-comment" className="input" rows={2} value={comment} onChange={(e) => setComment(item.requestId, e.target.value)} data-testid="approval-comment" />
          <div className="approval-actions">
            <button type="submit" className="button button--primary" disabled={busy} data-testid="approval-approve">
              Approve <kbd>a</kbd>
            </button>
            <button type="button" className="button button--danger" disabled={busy} onClick={() => void decideSelected('reject')} data-testid="approval-reject">
              Reject <kbd>r</kbd>
            </button>
            {link ? (
              <button type="button" className="button" onClick={() => void navigator.clipboard?.writeText(link)} title={link} data-testid="approval-copy-link">
                Copy decision link
              </button>
            ) : null}
          </div>
        </form>
      ) : null}
      {answer ? (
        <div className={`approval-answer${answer.ok ? ' is-ok' : ' is-bad'}`} data-testid="approval-answer">
          {answer.text}
        </div>
      ) : null}
      {item.decision ? <DecisionView decision={item.decision} /> : null}
    </div>
  );
}

export function DecisionView({ decision }: { decision: NonNullable<ApprovalItem['decision']> }) {
  return (
    <div className="approval-decision" data-testid="approval-decision">
      <div className="approval-decision__head">{describeDecision(decision)}</div>
      {decision.comment ? <div className="approval-decision__comment">“{decision.comment}”</div> : null}
      {decision.changes.map((c) => (
        <div key={c.path} className="approval-change">
          <code>{c.path}</code> <s>{JSON.stringify(c.before)}</s> → <b>{JSON.stringify(c.after)}</b>
        </div>
      ))}
    </div>
  );
}

async function download(flowId: string) {
  const r = await exportDecisions(flowId);
  if (!r) return;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([r.jsonl], { type: 'application/x-ndjson' }));
  a.download = `approvals-${flowId}.jsonl`;
  a.click();
  URL.revokeObjectURL(a.href);
}

export function ApprovalsPanel() {
  const state = useApprovals((s) => s);
  const now = useNow(5000);
  useEffect(() => {
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  if (!state.open) return null;
  const items = visibleItems(state);
  const all = [...state.pending, ...state.history];
  const flows = [...new Map(all.map((i) => [i.flowId, i.flowName])).entries()];
  const assignees = [...new Set(all.map((i) => i.assignee).filter(Boolean))];
  const selected = items.find((i) => i.requestId === state.selectedId) ?? items[0];
  const set = approvalsStore.setState;
  return (
    <div className="approvals-panel" role="dialog" aria-label="Approvals" data-testid="approvals-panel">
      <div className="approvals-panel__head">
        <h1>Approvals</h1>
        <div className="approvals-tabs">
          <button type="button" className={state.tab === 'pending' ? 'is-active' : ''} onClick={() => set({ tab: 'pending', selectedId: null })} data-testid="approvals-tab-pending">
            Pending ({state.pending.length})
          </button>
          <button type="button" className={state.tab === 'history' ? 'is-active' : ''} onClick={() => set({ tab: 'history', selectedId: null })} data-testid="approvals-tab-history">
            History
          </button>
        </div>
        <select className="input" value={state.filter.flowId} onChange={(e) => set({ filter: { ...state.filter, flowId: e.target.value } })} aria-label="Filter by flow">
          <option value="">All flows</option>
          {flows.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
        <select className="input" value={state.filter.assignee} onChange={(e) => set({ filter: { ...state.filter, assignee: e.target.value } })} aria-label="Filter by assignee">
          <option value="">Anyone</option>
          {assignees.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        {state.tab === 'history' && state.filter.flowId ? (
          <button type="button" className="button" onClick={() => void download(state.filter.flowId)} data-testid="approvals-export">
            Export JSONL
          </button>
        ) : null}
        <span className="muted approvals-keys">j/k move · a approve · r reject · Esc close</span>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => set({ open: false })}>
          ×
        </button>
      </div>
      <div className="approvals-panel__body">
        <ul className="approvals-list" data-testid="approvals-list">
          {items.length === 0 ? <li className="muted approvals-empty">{state.tab === 'pending' ? 'Nothing waiting for you.' : 'No decisions yet.'}</li> : null}
          {items.map((i) => (
            <li key={i.requestId}>
              <button type="button" className={`approvals-item${i.requestId === selected?.requestId ? ' is-selected' : ''}`} onClick={() => set({ selectedId: i.requestId })} data-testid="approvals-item">
                <span className="approvals-item__title">{i.title}</span>
                <span className="approvals-item__meta">
                  {i.flowName} · {i.decision ? describeDecision(i.decision) : `${age(now - i.createdAt)} ago`}
                </span>
              </button>
            </li>
          ))}
        </ul>
        {selected ? <Detail item={selected} /> : <div className="approval-detail muted">Select a request.</div>}
      </div>
    </div>
  );
}
