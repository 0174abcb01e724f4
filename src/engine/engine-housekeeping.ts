/**
 * Engine housekeeping kept out of engine.ts: background retention, seeding the bundled demos once
 * per data folder, and the one-line summary of flow problems used in refusals.
 */
import type { Flow } from '../shared/flow/schema';
import { parseFlowDocument } from '../shared/flow/validate';
import { formatProblem, type FlowProblem } from '../shared/flow/problems';
import type { NodeRegistry } from '../shared/node-kit';
import type { FlowStore } from './store/flow-store';
import type { RunQueue } from './store/run-queue';
import type { EngineOptions } from './engine-options';

/** Prunes finished runs in small batches on a timer, so pruning never stalls runs. Undefined when retention is off. */
export function startRetention(
  queue: RunQueue,
  options: EngineOptions['retention'] = {},
  now: () => number,
  log: (line: string) => void,
  /** Every tick, after pruning: give (part of) the freed pages back to the disk. */
  reclaim: () => void = () => {},
): ReturnType<typeof setInterval> | undefined {
  const maxAgeDays = options.maxAgeDays === undefined ? 30 : options.maxAgeDays;
  const maxRunsPerFlow = options.maxRunsPerFlow === undefined ? 10_000 : options.maxRunsPerFlow;
  if (maxAgeDays === null && maxRunsPerFlow === null) return undefined;
  const prune = () => {
    try {
      const olderThan = maxAgeDays === null ? null : now() - maxAgeDays * 86_400_000;
      const n = queue.prune(olderThan, maxRunsPerFlow);
      if (n > 0) log(`retention: pruned ${n} finished run(s)`);
      reclaim();
    } catch (e) {
      log(`retention failed: ${String(e)}`);
    }
  };
  const timer = setInterval(prune, options.intervalMs ?? 60_000);
  timer.unref?.();
  return timer;
}

/** Saves a bundled demo flow once per data folder: deleting it does not bring it back. */
export function seedOnce(flows: FlowStore, registry: NodeRegistry, marker: string, doc: unknown, at: number, now: number): void {
  if (flows.getSetting(marker) !== undefined) return;
  const parsed = parseFlowDocument(doc, registry);
  if (!parsed.ok) throw new Error(`the bundled demo flow is invalid: ${parsed.problems.map((p) => formatProblem(p)).join('; ')}`);
  if (!flows.exists(parsed.flow.id)) flows.save(parsed.flow, at);
  flows.setSetting(marker, new Date(now).toISOString());
}

/** "prefix: node "X", field "y": message; …" — the first five problems, naming nodes and fields. */
export function describeProblems(prefix: string, problems: FlowProblem[], flow?: Flow): string {
  const names = new Map((flow?.nodes ?? []).map((n) => [n.id, n.name]));
  const lines = problems.slice(0, 5).map((p) => formatProblem(p, names));
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return `${prefix}: ${lines.join('; ')}${more}`;
}
