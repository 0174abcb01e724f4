/** The flow list: switch, create, rename (double-click or pencil), delete (with confirmation). */
import { useState } from 'react';
import type { FlowSummary } from '../../shared/api';
import { useSession } from '../stores/session-store';
import { askDeleteFlow, createFlow, openFlow, renameFlow } from '../actions';
import { timeAgo } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { DemoFlowActions } from '../demo/DemoFlowActions';

function RenameInput({ flow, done }: { flow: FlowSummary; done(): void }) {
  const [draft, setDraft] = useState(flow.name);
  const commit = () => {
    if (draft.trim() !== '' && draft.trim() !== flow.name) void renameFlow(flow.id, draft);
    done();
  };
  return (
    <input
      className="input input--compact"
      value={draft}
      autoFocus
      maxLength={200}
      aria-label="Flow name"
      data-testid="flow-rename-input"
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') done();
        e.stopPropagation();
      }}
    />
  );
}

export function FlowList() {
  const flows = useSession((s) => s.flows);
  const current = useSession((s) => s.currentFlowId);
  const [renaming, setRenaming] = useState<string | null>(null);
  return (
    <div className="flow-list">
      <div className="panel-title">
        Flows
        <button type="button" className="button button--small button--ghost" data-testid="new-flow" onClick={() => void createFlow('empty')} title="Create a new, empty flow">
          <Icon name="plus" size={14} /> New
        </button>
      </div>
      <div className="flow-list__items">
        {flows.map((flow) => (
          <div
            key={flow.id}
            className={`flow-item${flow.id === current ? ' is-active' : ''}`}
            data-testid="flow-item"
            data-flow-id={flow.id}
            data-active={flow.id === current}
            role="button"
            tabIndex={0}
            onClick={() => renaming !== flow.id && void openFlow(flow.id)}
            onDoubleClick={() => setRenaming(flow.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && renaming !== flow.id) void openFlow(flow.id);
            }}
          >
            <Icon name="flow" size={15} className="flow-item__icon" />
            {renaming === flow.id ? (
              <RenameInput flow={flow} done={() => setRenaming(null)} />
            ) : (
              <span className="flow-item__text">
                <span className="flow-item__name" title={flow.name}>
                  {flow.name}
                </span>
                <span className="flow-item__meta">
                  {flow.nodeCount} node{flow.nodeCount === 1 ? '' : 's'} · {timeAgo(flow.updatedAt)}
                </span>
              </span>
            )}
            {renaming === flow.id ? null : (
              <span className="flow-item__actions">
                <button
                  type="button"
                  className="icon-button"
                  title="Rename"
                  aria-label={`Rename ${flow.name}`}
                  data-testid="flow-rename"
                  onClick={(e) => {
                    e.stopPropagation();
                    setRenaming(flow.id);
                  }}
                >
                  <Icon name="pencil" size={13} />
                </button>
                <button
                  type="button"
                  className="icon-button icon-button--danger"
                  title="Delete"
                  aria-label={`Delete ${flow.name}`}
                  data-testid="flow-delete"
                  onClick={(e) => {
                    e.stopPropagation();
                    askDeleteFlow(flow.id);
                  }}
                >
                  <Icon name="trash" size={13} />
                </button>
              </span>
            )}
          </div>
        ))}
      </div>
      <DemoFlowActions />
    </div>
  );
}
