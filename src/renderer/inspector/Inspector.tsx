/** The right-hand panel: the selected node (settings and run data) or the runs of the flow. */
import { useState } from 'react';
import { nodeRegistry } from '../../nodes';
import type { FlowNode } from '../../shared/flow/schema';
import type { AnyNodeDefinition } from '../../shared/node-kit';
import { formatProblem } from '../../shared/flow/problems';
import { editorStore, useEditor } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { useRuns } from '../stores/run-store';
import { focusNode } from '../actions';
import { CATEGORY_LOOK } from '../canvas/node-look';
import { Icon } from '../ui/icons';
import { ConfigForm } from './ConfigForm';
import { FlowSettingsSection, NodeSettingsSection } from './EngineSettings';
import { NodeRunData } from '../runs/NodeRunData';
import { RunsList } from '../runs/RunsList';
import { EffectWarnings } from '../sinks/EffectWarnings';
import { SinkTest } from '../sinks/SinkTest';
import { nodeExtension } from '../node-extensions';
import { TriggerPanel } from '../triggers/TriggerPanel';

function NameInput({ node }: { node: FlowNode }) {
  const [draft, setDraft] = useState(node.name);
  const [seen, setSeen] = useState(node.name);
  if (node.name !== seen) {
    setSeen(node.name);
    setDraft(node.name);
  }
  const empty = draft.trim() === '';
  return (
    <>
      <input
        className={`input input--title${empty ? ' is-invalid' : ''}`}
        value={draft}
        maxLength={200}
        aria-label="Node name"
        data-testid="node-name"
        onChange={(e) => {
          setDraft(e.target.value);
          // A node must have a name: an empty draft stays local until it is filled in again.
          if (e.target.value.trim() !== '') editorStore.getState().renameNode(node.id, e.target.value);
        }}
      />
      {empty ? <div className="field__error">A node needs a name.</div> : null}
    </>
  );
}

/** The generic form, or the node type's own settings body where it has one. */
function Settings({ def, node }: { def: AnyNodeDefinition; node: FlowNode }) {
  const Custom = nodeExtension(node.type)?.settings;
  return Custom ? <Custom def={def} node={node} /> : <ConfigForm def={def} node={node} />;
}

function NodeDetails({ node }: { node: FlowNode }) {
  const def = nodeRegistry.get(node.type);
  const tab = useSession((s) => s.nodeTab);
  const setTab = useSession((s) => s.setNodeTab);
  const hasRun = useRuns((s) => s.selectedRunId !== null);
  if (!def) {
    return (
      <div className="inspector__body">
        <div className="field__error">Unknown node type {node.type}: this Millrace does not know it. Delete the node or update Millrace.</div>
      </div>
    );
  }
  return (
    <div className="inspector__node">
      <div className={`inspector__header cat-${def.category}`}>
        <span className="inspector__icon">
          <Icon name={CATEGORY_LOOK[def.category].icon} size={18} />
        </span>
        <div className="inspector__heading">
          <NameInput key={node.id} node={node} />
          <div className="inspector__type">
            {def.title} <span className="muted">· {def.description}</span>
          </div>
        </div>
      </div>
      <div className="subtabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'config'} className={tab === 'config' ? 'is-active' : ''} onClick={() => setTab('config')} data-testid="tab-settings">
          Settings
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'run'}
          className={tab === 'run' ? 'is-active' : ''}
          onClick={() => setTab('run')}
          data-testid="tab-run-data"
        >
          Run data{hasRun ? <span className="dot dot--accent" /> : null}
        </button>
      </div>
      <div className="inspector__body">
        {tab === 'config' ? (
          <>
            {def.type === 'postgres-change' ? <TriggerPanel node={node} /> : null}
            <EffectWarnings node={node} />
            {def.category === 'sink' ? <SinkTest node={node} /> : null}
            <Settings def={def} node={node} />
            <NodeSettingsSection key={node.id} node={node} />
          </>
        ) : (
          <NodeRunData nodeId={node.id} />
        )}
      </div>
    </div>
  );
}

function FlowOverview() {
  const problems = useEditor((s) => s.problems);
  const flow = useEditor((s) => s.flow);
  const names = new Map((flow?.nodes ?? []).map((n) => [n.id, n.name]));
  return (
    <div className="inspector__body">
      <div className="empty-note">
        <Icon name="flow" size={28} className="muted" />
        <p>Select a node to edit its settings.</p>
        <p className="muted">Shift-drag to select several, {'?'} for shortcuts.</p>
      </div>
      {problems.length > 0 ? (
        <div className="problems-box">
          <div className="problems-box__title">
            <Icon name="alert" size={14} /> {problems.length} problem{problems.length === 1 ? '' : 's'} to fix before running
          </div>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                {p.nodeId ? (
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      if (!p.nodeId) return;
                      editorStore.getState().setSelection({ nodes: [p.nodeId], edges: [] });
                      focusNode(p.nodeId);
                    }}
                  >
                    {formatProblem(p, names)}
                  </button>
                ) : (
                  formatProblem(p, names)
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {flow ? <FlowSettingsSection key={flow.id} flow={flow} /> : null}
    </div>
  );
}

function Selection() {
  const selection = useEditor((s) => s.selection);
  const node = useEditor((s) => (s.selection.nodes.length === 1 ? s.flow?.nodes.find((n) => n.id === s.selection.nodes[0]) : undefined));
  if (node) return <NodeDetails node={node} />;
  if (selection.nodes.length > 1 || selection.edges.length > 0) {
    const count = selection.nodes.length;
    const edges = selection.edges.length;
    return (
      <div className="inspector__body">
        <div className="empty-note">
          <p>
            {count > 0 ? `${count} node${count === 1 ? '' : 's'}` : ''}
            {count > 0 && edges > 0 ? ' and ' : ''}
            {edges > 0 ? `${edges} connection${edges === 1 ? '' : 's'}` : ''} selected
          </p>
          <button type="button" className="button button--danger" onClick={() => editorStore.getState().deleteSelection()}>
            <Icon name="trash" size={14} /> Delete
          </button>
        </div>
      </div>
    );
  }
  return <FlowOverview />;
}

export function Inspector() {
  const tab = useSession((s) => s.sideTab);
  const setTab = useSession((s) => s.setSideTab);
  const runCount = useRuns((s) => s.runs.length);
  return (
    <aside className="sidebar sidebar--right" data-testid="inspector">
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'node'} className={tab === 'node' ? 'is-active' : ''} onClick={() => setTab('node')}>
          Inspector
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'runs'}
          className={tab === 'runs' ? 'is-active' : ''}
          onClick={() => setTab('runs')}
          data-testid="tab-runs"
        >
          Runs {runCount > 0 ? <span className="count">{runCount}</span> : null}
        </button>
      </div>
      {tab === 'node' ? <Selection /> : <RunsList />}
    </aside>
  );
}
