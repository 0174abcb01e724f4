/**
 * Planning a re-run. A whole re-run starts from the trigger with the original (or an edited) input.
 * A re-run from node N reuses the original results of every node that is not N or downstream of N,
 * and gives N its original input (or the edited one).
 */
import { EngineError } from '../shared/api';
import type { Flow } from '../shared/flow/schema';
import type { NodeRegistry } from '../shared/node-kit';
import type { RunTrace } from '../shared/runs';

export interface RerunPlan {
  runInput: unknown;
  inputOverrides: Record<string, unknown> | null;
  /** Node ids whose original results are copied into the new run. */
  reuse: string[];
}

export function planRerun(flow: Flow, original: RunTrace, registry: NodeRegistry, fromNodeId?: string, input?: unknown): RerunPlan {
  const trigger = flow.nodes.find((n) => registry.get(n.type)?.trigger);
  if (fromNodeId === undefined || fromNodeId === trigger?.id) {
    return { runInput: input !== undefined ? input : original.input, inputOverrides: null, reuse: [] };
  }
  const from = flow.nodes.find((n) => n.id === fromNodeId);
  if (!from) throw new EngineError('invalid_argument', `the flow has no node "${fromNodeId}" (it may have been deleted since that run)`);
  const downstream = new Set<string>([fromNodeId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of flow.edges) {
      if (downstream.has(e.source) && !downstream.has(e.target)) {
        downstream.add(e.target);
        grew = true;
      }
    }
  }
  const reuse = flow.nodes
    .map((n) => n.id)
    .filter((id) => !downstream.has(id) && ['succeeded', 'skipped'].includes(original.nodes[id]?.status ?? ''));
  const originalInput = original.nodes[fromNodeId]?.input;
  if (input === undefined && originalInput === undefined) {
    throw new EngineError('invalid_argument', `"${from.name}" did not run in the original run; give an input to re-run from it`);
  }
  return { runInput: original.input, inputOverrides: { [fromNodeId]: input !== undefined ? input : originalInput }, reuse };
}
