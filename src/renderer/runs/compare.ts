/** What differs for one node between two runs: input, output, status, duration, cost. */
import type { NodeTrace } from '../../shared/runs';
import { parseCallRecord } from '../../shared/llm';
import { stringify } from './JsonView';

export type DiffField = 'status' | 'input' | 'output' | 'duration' | 'cost';

export function nodeCost(n: NodeTrace | undefined): number | null {
  return n ? (parseCallRecord(n.output)?.cost.usd ?? null) : null;
}

/** Durations count as different when they differ by more than 20 % and 5 ms (noise is not news). */
export function diffNode(a: NodeTrace | undefined, b: NodeTrace | undefined): DiffField[] {
  if (!a && !b) return [];
  if (!a || !b) return ['status'];
  const out: DiffField[] = [];
  if (a.status !== b.status) out.push('status');
  if (stringify(a.input) !== stringify(b.input)) out.push('input');
  if (stringify(a.output) !== stringify(b.output)) out.push('output');
  const da = a.durationMs ?? 0;
  const db = b.durationMs ?? 0;
  if (Math.abs(da - db) > Math.max(5, 0.2 * Math.max(da, db))) out.push('duration');
  if (nodeCost(a) !== nodeCost(b)) out.push('cost');
  return out;
}
