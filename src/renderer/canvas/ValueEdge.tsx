/**
 * An edge that shows the value that passed along it in the shown run (like Rivet's wires): a short
 * text preview on the wire, the value (cut) on hover, the source node's run data on click.
 */
import { memo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useNodes, type EdgeProps } from '@xyflow/react';
import { routeAroundNodes } from './edge-routing';
import { nodeRegistry } from '../../nodes';
import { useRuns } from '../stores/run-store';
import { editorStore } from '../stores/editor-store';
import { focusNode } from '../actions';
import { HOVER_CHARS, portValue, preview } from '../runs/value-preview';

/** Output port count per node of a flow document (documents are immutable: one map per version). */
const portCounts = new WeakMap<object, Map<string, number>>();
function outputPortCount(nodeId: string): number {
  const flow = editorStore.getState().flow;
  if (!flow) return 0;
  let counts = portCounts.get(flow);
  if (!counts) {
    counts = new Map(flow.nodes.map((n) => [n.id, Object.keys(nodeRegistry.get(n.type)?.outputs ?? {}).length]));
    portCounts.set(flow, counts);
  }
  return counts.get(nodeId) ?? 0;
}

function ValueEdgeInner(props: EdgeProps) {
  const { id, source, target, sourceHandleId, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, style } = props;
  const nodes = useNodes();
  // A wire that would cross a node it does not connect is routed around it (edge-routing.ts); others stay plain curves.
  const routed = routeAroundNodes({ source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition }, nodes);
  const [path, labelX, labelY] = routed ?? getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  // Selectors return strings, so an edge re-renders only when its own preview changes.
  const value = useRuns((s) => {
    const node = s.selectedRunId ? s.traces[s.selectedRunId]?.nodes[source] : undefined;
    if (!node || node.status !== 'succeeded') return null;
    const v = portValue(node.output, sourceHandleId ?? '', outputPortCount(source));
    return v === undefined ? null : JSON.stringify({ short: preview(v), full: preview(v, HOVER_CHARS) });
  });
  const shown = value === null ? null : (JSON.parse(value) as { short: string; full: string });
  return (
    <>
      <BaseEdge id={id} path={path} {...(markerEnd ? { markerEnd } : {})} {...(style ? { style } : {})} />
      {shown ? (
        <EdgeLabelRenderer>
          <button
            type="button"
            className="edge-value nodrag nopan"
            data-testid="edge-value"
            data-edge-id={id}
            title={shown.full}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            onClick={() => {
              editorStore.getState().setSelection({ nodes: [source], edges: [] });
              focusNode(source);
            }}
          >
            {shown.short}
          </button>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const ValueEdge = memo(ValueEdgeInner);
