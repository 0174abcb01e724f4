/**
 * Subscription filters for run events: one run, one flow, or run summaries only. The engine applies
 * them before an event is queued for a client, so an idle UI showing one flow does not receive (and
 * the server does not buffer) every node's input and output of every run.
 */
import { z } from 'zod';
import type { RunEvent } from './runs';

export const RunEventFilterSchema = z
  .object({
    /** Only this run's events. */
    runId: z.string().min(1).max(64).optional(),
    /** Only events of this flow's runs. */
    flowId: z.string().min(1).max(64).optional(),
    /** Only run-level events (started, waiting, resumed, finished), with the run input left out. */
    summaries: z.boolean().optional(),
  })
  .strict();
export type RunEventFilter = z.infer<typeof RunEventFilterSchema>;

const RUN_LEVEL: ReadonlySet<RunEvent['type']> = new Set(['run.started', 'run.waiting', 'run.resumed', 'run.finished']);

/**
 * Wraps a listener so it sees only the events the filter selects. Only `run.started` carries the
 * flow id, so a flow filter remembers each run's verdict from its start event (forgotten when the
 * run finishes) and asks `flowOf` about runs it never saw start (in flight when it subscribed,
 * or resumed after a restart).
 */
export function filterRunEvents(
  filter: RunEventFilter | undefined,
  listener: (e: RunEvent) => void,
  flowOf: (runId: string) => string | undefined = () => undefined,
): (e: RunEvent) => void {
  if (!filter || (!filter.runId && !filter.flowId && !filter.summaries)) return listener;
  const inFlow = new Map<string, boolean>();
  return (event) => {
    if (filter.runId && event.runId !== filter.runId) return;
    if (filter.flowId) {
      let verdict = inFlow.get(event.runId);
      if (verdict === undefined) {
        verdict = (event.type === 'run.started' ? event.flowId : flowOf(event.runId)) === filter.flowId;
        inFlow.set(event.runId, verdict);
      }
      if (event.type === 'run.finished') inFlow.delete(event.runId);
      if (!verdict) return;
    }
    if (filter.summaries) {
      if (!RUN_LEVEL.has(event.type)) return;
      if (event.type === 'run.started') return listener({ ...event, input: null });
    }
    listener(event);
  };
}
