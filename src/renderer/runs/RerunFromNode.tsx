/**
 * "Re-run from here": a new run that keeps the results of the nodes before this one and gives this
 * node its input again, as it was or edited. Nothing is sent while the edited JSON does not parse.
 */
import { useState } from 'react';
import type { NodeTrace } from '../../shared/runs';
import { rerun } from '../actions';
import { Icon } from '../ui/icons';
import { jsonDraftOf, parseJsonDraft } from './json-draft';

export function RerunFromNode({ runId, node }: { runId: string; node: NodeTrace }) {
  // A skipped node got no input in this run, so one has to be written.
  const mustEdit = node.status === 'skipped';
  const [editing, setEditing] = useState(mustEdit);
  const [draft, setDraft] = useState(() => (mustEdit ? '' : jsonDraftOf(node.input)));
  const [busy, setBusy] = useState(false);
  const parsed = editing ? parseJsonDraft(draft, { optional: false }) : null;
  const invalid = parsed !== null && !parsed.ok;
  return (
    <div className="run-data__section rerun-box" data-testid="rerun-from-here">
      <div className="section-title">Re-run from here</div>
      <p className="rerun-box__text">
        A new run: the nodes before this one keep their results from this run, this node gets {editing ? 'the input below' : 'the same input again'}, and
        everything after it runs again.
      </p>
      {mustEdit ? null : (
        <label className="check">
          <input type="checkbox" checked={editing} data-testid="rerun-edit-input" onChange={(e) => setEditing(e.target.checked)} />
          Edit the input first
        </label>
      )}
      {editing ? (
        <textarea
          className={`input input--mono${invalid ? ' is-invalid' : ''}`}
          rows={Math.min(14, Math.max(4, draft.split('\n').length))}
          spellCheck={false}
          aria-label="Input for the re-run"
          data-testid="rerun-input"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      ) : null}
      {parsed && !parsed.ok ? (
        <div className="field__error" data-testid="rerun-input-error">
          {parsed.error}
        </div>
      ) : null}
      <button
        type="button"
        className="button button--primary button--small"
        data-testid="rerun-from-here-button"
        disabled={busy || invalid}
        onClick={() => {
          if (parsed && !parsed.ok) return;
          setBusy(true);
          void rerun(runId, { nodeId: node.nodeId, ...(parsed ? { input: parsed.value } : {}) }).finally(() => setBusy(false));
        }}
      >
        <Icon name="rerun" size={13} /> Re-run from here
      </button>
    </div>
  );
}
