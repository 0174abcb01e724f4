/** In the node's Run data tab: pin / unpin its output, and the side-by-side diff against the compared run. */
import { useRuns } from '../stores/run-store';
import { useTraces } from '../stores/traces-store';
import type { NodeTrace } from '../../shared/runs';
import { pinNode, unpinNode, compareWith } from './traces-actions';
import { JsonView } from './JsonView';
import { diffNode, nodeCost } from './compare';
import { formatDuration } from '../canvas/node-look';
import { formatUsd } from './RunsList';
import { shortRunId } from './run-status';

export function PinControl({ nodeId, runId, node }: { nodeId: string; runId: string; node: NodeTrace }) {
  const pin = useTraces((s) => s.pins[nodeId]);
  return (
    <div className="pin-control">
      {pin ? (
        <>
          <span className="muted">Pinned from run {shortRunId(pin.sourceRunId)}: manual runs use it instead of running this node.</span>
          <button type="button" className="button button--small" data-testid="unpin-button" onClick={() => void unpinNode(nodeId)}>
            Unpin
          </button>
        </>
      ) : node.status === 'succeeded' ? (
        <button type="button" className="button button--small" data-testid="pin-button" title="Use this output as test data: manual runs skip this node and feed it downstream" onClick={() => void pinNode(nodeId, runId)}>
          Pin this output
        </button>
      ) : null}
    </div>
  );
}

function Side({ label, node }: { label: string; node: NodeTrace | undefined }) {
  const cost = nodeCost(node);
  return (
    <div className="compare__side">
      <div className="compare__label">{label}</div>
      <div className="muted">
        {node ? node.status : 'did not run'}
        {node?.durationMs != null ? ` · ${formatDuration(node.durationMs)}` : ''}
        {cost !== null ? ` · ${formatUsd(cost)}` : ''}
      </div>
      {node?.error ? <div className="compare__error">{node.error.message}</div> : null}
      <div className="section-title">Output</div>
      <JsonView value={node?.status === 'succeeded' ? node.output : undefined} empty="No output." />
      <div className="section-title">Input</div>
      <JsonView value={node?.input ?? undefined} empty="No input." />
    </div>
  );
}

export function CompareNode({ nodeId }: { nodeId: string }) {
  const compareId = useTraces((s) => s.compareRunId);
  const selectedId = useRuns((s) => s.selectedRunId);
  const before = useRuns((s) => (compareId ? s.traces[compareId] : undefined));
  const after = useRuns((s) => (selectedId ? s.traces[selectedId] : undefined));
  if (!compareId || !selectedId || compareId === selectedId) return null;
  const diff = before && after ? diffNode(before.nodes[nodeId], after.nodes[nodeId]) : [];
  return (
    <div className="run-data__section compare" data-testid="compare-node">
      <div className="section-title">
        Compared with run {shortRunId(compareId)}: {diff.length > 0 ? `differs in ${diff.join(', ')}` : 'no difference'}
        <button type="button" className="link-button" onClick={() => void compareWith(null)}>
          stop comparing
        </button>
      </div>
      <div className="compare__sides">
        <Side label={`Run ${shortRunId(compareId)}`} node={before?.nodes[nodeId]} />
        <Side label={`Run ${shortRunId(selectedId)} (shown)`} node={after?.nodes[nodeId]} />
      </div>
    </div>
  );
}
