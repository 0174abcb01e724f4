/** The idempotency lint for the selected node (computed here from the same shared rules the engine uses). */
import { useMemo } from 'react';
import type { FlowNode } from '../../shared/flow/schema';
import { idempotencyWarnings } from '../../shared/flow/idempotency-lint';
import { nodeRegistry } from '../../nodes';
import { useEditor } from '../stores/editor-store';
import './sinks.css';

export function EffectWarnings({ node }: { node: FlowNode }) {
  const flow = useEditor((s) => s.flow);
  const warnings = useMemo(() => (flow ? idempotencyWarnings(flow, nodeRegistry).filter((w) => w.nodeId === node.id) : []), [flow, node.id]);
  if (warnings.length === 0) return null;
  return (
    <>
      {warnings.map((w) => (
        <div className="effect-warning" data-testid="effect-warning" key={w.message}>
          {w.message}
        </div>
      ))}
    </>
  );
}
