/**
 * The `--json` result of a run, printed by `millrace run --json` and by an exported program alike:
 * `{"status":…,"nodes":{"<nodeId>":{"status":…,"output":…}}}`. One function for both, so a
 * difference between the two is a difference in behaviour, never in formatting.
 */
import type { Flow } from '../../shared/flow/schema';
import type { RunTrace } from '../../shared/runs';

export interface RunResultJson {
  runId: string;
  status: string;
  error: { message: string; nodeId?: string } | null;
  nodes: Record<string, { status: string; output: unknown; error?: string }>;
}

export function runResultJson(trace: RunTrace, flow: Flow): RunResultJson {
  const nodes: RunResultJson['nodes'] = {};
  for (const node of flow.nodes) {
    const t = trace.nodes[node.id];
    nodes[node.id] = {
      status: t?.status ?? 'pending',
      output: t?.status === 'succeeded' ? (t.output ?? null) : null,
      ...(t?.error ? { error: t.error.message } : {}),
    };
  }
  const err = trace.run.error;
  return {
    runId: trace.run.id,
    status: trace.run.status,
    error: err ? { message: err.message, ...(err.nodeId ? { nodeId: err.nodeId } : {}) } : null,
    nodes,
  };
}
