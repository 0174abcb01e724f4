/**
 * The operation is the suspension: a step that must wait (timer, signal, retry backoff) throws
 * Suspend. The runner catches it, records the run as waiting and lets go of it completely; the
 * scheduler starts the run again later and journaled steps replay instantly.
 */
import type { WaitInfo } from '../../shared/runs';

export class Suspend extends Error {
  constructor(readonly waiting: WaitInfo) {
    super(`suspended (${waiting.kind})`);
    this.name = 'Suspend';
  }
}
