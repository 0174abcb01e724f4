/** What one node received and produced in the selected run, its attempts and waits, and re-running from it. */
import { selectedTrace, useRuns } from '../stores/run-store';
import { useEditor } from '../stores/editor-store';
import { formatDuration, shownNodeStatus, STATUS_LABEL } from '../canvas/node-look';
import { runFlow } from '../actions';
import { Icon } from '../ui/icons';
import { useNow } from '../ui/use-now';
import { JsonView } from './JsonView';
import { NodeAttempts } from './NodeAttempts';
import { WaitNotice } from './WaitNotice';
import { RerunFromNode } from './RerunFromNode';
import { isActive } from './run-status';
import { attemptMarker, clockTime } from './wait-text';
import { nodeExtension } from '../node-extensions';
import { CompareNode, PinControl } from './NodeTraceTools';

export function NodeRunData({ nodeId }: { nodeId: string }) {
  const trace = useRuns(selectedTrace);
  const selectedRunId = useRuns((s) => s.selectedRunId);
  const maxAttempts = useEditor((s) => s.flow?.nodes.find((n) => n.id === nodeId)?.settings?.retry?.maxAttempts);
  const node = trace?.nodes[nodeId];
  const now = useNow(node?.status === 'waiting' && node.waiting?.until != null ? 1000 : null);

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
    return (
      <div className="empty-note muted" data-testid="node-output">
        {isActive(trace.run.status) ? 'Waiting for this node to run…' : 'This node did not run in the selected run.'}
      </div>
    );
  }
  const shown = shownNodeStatus(node.status, trace.run.status);
  const marker = attemptMarker(node);
  const RunData = nodeExtension(node.nodeType)?.runData;
  return (
    <div className="run-data">
      <div className="run-data__status">
        <span className={`mr-status mr-status--${shown}`} data-testid="node-run-status" data-status={shown}>
          {STATUS_LABEL[shown]}
        </span>
        {marker ? <span className="mr-attempt mr-attempt--inline">{marker}{maxAttempts !== undefined ? ` of ${maxAttempts}` : ''}</span> : null}
        {node.durationMs !== null ? (
          <span className="muted">
            <Icon name="clock" size={13} /> {formatDuration(node.durationMs)}
          </span>
        ) : null}
        {node.startedAt !== null ? <span className="muted">{clockTime(node.startedAt, now)}</span> : null}
      </div>
      {shown === 'stopped' ? (
        <div className="wait-box wait-box--stopped" data-testid="node-stopped">
          {trace.run.status === 'cancelled'
            ? 'The run was cancelled before this node finished.'
            : `The run ended before this node finished${trace.run.error ? `: ${trace.run.error.message}` : '.'}`}
        </div>
      ) : null}
      {shown === 'waiting' && node.waiting ? <WaitNotice runId={selectedRunId} node={node} waiting={node.waiting} maxAttempts={maxAttempts} now={now} /> : null}
      {node.status === 'failed' && node.error ? (
        <div className="error-box" data-testid="node-error">
          <div className="error-box__title">
            <Icon name="alert" size={14} /> Error{node.error.field ? ` in “${node.error.field}”` : ''}
          </div>
          <div className="error-box__message">{node.error.message}</div>
        </div>
      ) : null}
      <PinControl nodeId={nodeId} runId={selectedRunId} node={node} />
      <CompareNode nodeId={nodeId} />
      <NodeAttempts node={node} shown={shown} now={now} />
      {RunData ? <RunData trace={node} /> : null}
      <div className="run-data__section">
        <div className="section-title">Output</div>
        <JsonView
          value={node.status === 'succeeded' ? node.output : undefined}
          testId="node-output"
          empty={shown === 'running' ? 'Running…' : shown === 'waiting' ? 'Waiting…' : node.status === 'skipped' ? 'Skipped: this branch was not taken.' : 'No output.'}
        />
      </div>
      <div className="run-data__section">
        <div className="section-title">Input</div>
        <JsonView value={node.input ?? undefined} testId="node-input" empty="No input." />
      </div>
      <RerunFromNode key={`${selectedRunId}:${nodeId}`} runId={selectedRunId} node={node} />
    </div>
  );
}
