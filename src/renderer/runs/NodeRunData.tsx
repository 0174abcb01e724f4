/** What one node received and produced in the selected run. */
import { selectedTrace, useRuns } from '../stores/run-store';
import { formatDuration, STATUS_LABEL } from '../canvas/node-look';
import { runFlow } from '../actions';
import { Icon } from '../ui/icons';
import { JsonView } from './JsonView';
import { nodeExtension } from '../node-extensions';

export function NodeRunData({ nodeId }: { nodeId: string }) {
  const trace = useRuns(selectedTrace);
  const selectedRunId = useRuns((s) => s.selectedRunId);
  const node = trace?.nodes[nodeId];

  if (!selectedRunId) {
    return (
      <div className="empty-note">
        <p>No run selected.</p>
        <p className="muted">Run the flow, or pick a run in the Runs tab, to see what this node received and produced.</p>
        <button type="button" className="button button--primary" onClick={() => void runFlow()}>
          <Icon name="play" size={14} /> Run flow
        </button>
      </div>
    );
  }
  if (!trace) return <div className="empty-note muted">Loading the run…</div>;
  if (!node || node.status === 'pending') {
    const finished = trace.run.status !== 'running' && trace.run.status !== 'queued';
    return (
      <div className="empty-note muted" data-testid="node-output">
        {finished ? 'This node did not run in the selected run.' : 'Waiting for this node to run…'}
      </div>
    );
  }
  const RunData = nodeExtension(node.nodeType)?.runData;
  return (
    <div className="run-data">
      <div className="run-data__status">
        <span className={`mr-status mr-status--${node.status}`}>{STATUS_LABEL[node.status]}</span>
        {node.durationMs !== null ? (
          <span className="muted">
            <Icon name="clock" size={13} /> {formatDuration(node.durationMs)}
          </span>
        ) : null}
        {node.startedAt !== null ? <span className="muted">{new Date(node.startedAt).toLocaleTimeString()}</span> : null}
      </div>
      {node.error ? (
        <div className="error-box" data-testid="node-error">
          <div className="error-box__title">
            <Icon name="alert" size={14} /> Error{node.error.field ? ` in “${node.error.field}”` : ''}
          </div>
          <div className="error-box__message">{node.error.message}</div>
        </div>
      ) : null}
      {RunData ? <RunData trace={node} /> : null}
      <div className="run-data__section">
        <div className="section-title">Output</div>
        <JsonView
          value={node.status === 'succeeded' ? node.output : undefined}
          testId="node-output"
          empty={node.status === 'running' ? 'Running…' : node.status === 'skipped' ? 'Skipped: this branch was not taken.' : 'No output.'}
        />
      </div>
      <div className="run-data__section">
        <div className="section-title">Input</div>
        <JsonView value={node.input ?? undefined} testId="node-input" empty="No input." />
      </div>
    </div>
  );
}
