/**
 * On the canvas, under an approval node of the selected run: who decided, what, when, and the
 * field changes; while it waits, "waiting for approval". Also the decision view in Run data.
 */
import type { DecisionRecord } from '../../shared/approvals';
import type { NodeTrace } from '../../shared/runs';
import { useRuns } from '../stores/run-store';
import { approvalsStore } from './approvals-store';
import { DecisionView } from './ApprovalsPanel';

function decisionOf(output: unknown): DecisionRecord | null {
  if (typeof output !== 'object' || output === null) return null;
  const d = (output as { decision?: unknown }).decision;
  if (typeof d !== 'object' || d === null) return null;
  const r = d as Partial<DecisionRecord>;
  return typeof r.action === 'string' && typeof r.by === 'string' && typeof r.at === 'number' && Array.isArray(r.changes) ? (d as DecisionRecord) : null;
}

export function ApprovalNodeExtras({ nodeId }: { nodeId: string }) {
  const trace = useRuns((s) => (s.selectedRunId ? s.traces[s.selectedRunId]?.nodes[nodeId] : undefined));
  if (!trace) return null;
  if (trace.status === 'waiting') {
    return (
      <button type="button" className="approval-node-decision link" onClick={() => approvalsStore.setState({ open: true, tab: 'pending' })} data-testid="approval-node-waiting">
        Waiting for approval — open inbox
      </button>
    );
  }
  const d = decisionOf(trace.output);
  if (!d) return null;
  const verb = d.action === 'timed-out' ? 'Timed out' : d.action === 'approved' ? 'Approved' : 'Rejected';
  return (
    <div className={`approval-node-decision is-${d.action}`} data-testid="approval-node-decision" title={d.comment}>
      <div>
        <b>{verb}</b> by {d.by} · {new Date(d.at).toLocaleTimeString()}
      </div>
      {d.comment ? <div>“{d.comment}”</div> : null}
      {d.changes.map((c) => (
        <div key={c.path} className="approval-change">
          <code>{c.path}</code>: <s>{JSON.stringify(c.before)}</s> → <b>{JSON.stringify(c.after)}</b>
        </div>
      ))}
    </div>
  );
}

export function ApprovalRunData({ trace }: { trace: NodeTrace }) {
  const d = decisionOf(trace.output);
  return d ? <DecisionView decision={d} /> : null;
}
