/**
 * Ids for runs created from source events. Why not `newId`: fully random ids land all over the
 * `runs.id` unique index, and at trigger rates (tens of thousands of runs a second) those
 * scattered B-tree inserts were the largest cost of creating a run; ids that grow with the source
 * position append instead (measured ~1.5x faster inserts).
 */
import { createHash } from 'node:crypto';

/**
 * The id of a run created for a source event: derived from (flow, dedupe key), so the same event
 * gets the same run id however often it is replayed — and so does every idempotency key built
 * from it (run + node + step). A key that starts with a fixed-width hex position (a CDC commit
 * LSN) keeps that prefix, so ids still grow with time and append to the `runs.id` index.
 */
export function runIdForEvent(flowId: string, dedupeKey: string): string {
  const digest = createHash('sha256').update(flowId).update('\0').update(dedupeKey).digest('hex').slice(0, 20);
  const position = /^[0-9A-F]{16}/.exec(dedupeKey)?.[0];
  return position ? `run_${position.toLowerCase()}${digest}` : `run_e${digest}`;
}
