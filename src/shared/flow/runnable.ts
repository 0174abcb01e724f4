/**
 * What a flow needs before it can run at all, beyond per-node validation: a trigger. An empty flow
 * (or one with only transforms) would otherwise "succeed" in 0 ms and add a run to history.
 */
import type { NodeRegistry } from '../node-kit';
import type { Flow } from './schema';
import type { FlowProblem } from './problems';

export const NO_TRIGGER = 'This flow has no trigger: add a trigger (Manual trigger or Postgres change) from the palette, connect it, then Run.';

export function runProblems(flow: Pick<Flow, 'nodes'>, registry: Pick<NodeRegistry, 'get'>): FlowProblem[] {
  if (flow.nodes.some((n) => registry.get(n.type)?.trigger === true)) return [];
  return [{ kind: 'config', path: ['nodes'], message: NO_TRIGGER }];
}
