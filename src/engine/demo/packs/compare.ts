/**
 * What "the same run" means for a played demo pack: a trace reduced to what must be identical on
 * any machine. Everything dropped or masked here is listed, and nothing else may differ:
 *
 * - timings: run/node `startedAt`, `finishedAt`, `durationMs`, node attempt times; in an LLM call
 *   record `startedAt`, `latencyMs`, `ttftMs` and each attempt's `startedAt`/`durationMs`;
 * - in an approval decision record: `requestId` (new per request) and `at` (when it was decided);
 * - the run's own id inside any string, masked as `<run>`: a manual run's id is random in its source
 *   folder and derived from its pack dedupe key when played (trigger runs keep their id whenever
 *   the flow id is the same, so for them the mask changes nothing);
 * - the data folder's output folder inside any string, masked as `<output>` (a file sink reports
 *   the absolute path it wrote; the relative target `file:…` is compared as is);
 * - the run summary beyond status and flow name (ids, flow version, timestamps).
 *
 * Node ids, statuses, inputs, outputs (LLM text, parsed data, cost and label, the approval's
 * action, reviewer, comment and changes, the sinks' keys, targets, answers and `applied`) and
 * errors are compared as they are.
 */
import type { RunTrace } from '../../../shared/runs';

const CALL_RECORD_KEYS = ['label', 'provider', 'model', 'attempts', 'latencyMs', 'ttftMs', 'startedAt'];
const DECISION_KEYS = ['requestId', 'action', 'by', 'via', 'at', 'comment', 'changes'];

const hasKeys = (o: Record<string, unknown>, keys: string[]) => keys.every((k) => k in o);

interface Masks {
  runId: string;
  outputDir: string | undefined;
}

function scrub(value: unknown, m: Masks): unknown {
  if (typeof value === 'string') {
    const s = value.split(m.runId).join('<run>');
    return m.outputDir ? s.split(m.outputDir).join('<output>') : s;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, m));
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const isCall = hasKeys(o, CALL_RECORD_KEYS);
  const isDecision = hasKeys(o, DECISION_KEYS);
  for (const [k, v] of Object.entries(o)) {
    if (isCall && (k === 'startedAt' || k === 'latencyMs' || k === 'ttftMs')) continue;
    if (isCall && k === 'attempts' && Array.isArray(v)) {
      out[k] = v.map((a) => {
        if (typeof a !== 'object' || a === null) return a;
        const { startedAt: _s, durationMs: _d, ...rest } = a as Record<string, unknown>;
        return scrub(rest, m);
      });
      continue;
    }
    if (isDecision && (k === 'requestId' || k === 'at')) continue;
    out[k] = scrub(v, m);
  }
  return out;
}

export interface ComparableTrace {
  status: string;
  flowName: string;
  input: unknown;
  nodes: Record<string, { nodeType: string; status: string; input: unknown; output: unknown; error: string | null; attempts: number }>;
}

/** `outputDir`: the engine's output folder (`engine.outputDir`). */
export function comparableTrace(trace: RunTrace, options: { outputDir?: string } = {}): ComparableTrace {
  const m: Masks = { runId: trace.run.id, outputDir: options.outputDir };
  const nodes: ComparableTrace['nodes'] = {};
  for (const id of Object.keys(trace.nodes).sort()) {
    const n = trace.nodes[id]!;
    nodes[id] = {
      nodeType: n.nodeType,
      status: n.status,
      input: scrub(n.input, m),
      output: scrub(n.output, m),
      error: n.error ? (scrub(n.error.message, m) as string) : null,
      attempts: n.attempts.length,
    };
  }
  return { status: trace.run.status, flowName: trace.run.flowName, input: scrub(trace.input, m), nodes };
}
