/**
 * The run status floating on a node's top edge, and the "attempt n" marker beside it. Its own
 * component so a live countdown re-renders the badge, not the whole node.
 */
import type { NodeTrace } from '../../shared/runs';
import { attemptMarker, describeWait } from '../runs/wait-text';
import { useNow } from '../ui/use-now';
import { Icon } from '../ui/icons';
import { STATUS_LABEL, formatDuration, type ShownNodeStatus } from './node-look';

const COUNTDOWN_TICK_MS = 1000;

function WaitingBadge({ trace, waiting, maxAttempts }: { trace: NodeTrace; waiting: NonNullable<NodeTrace['waiting']>; maxAttempts: number | undefined }) {
  const now = useNow(waiting.until !== null ? COUNTDOWN_TICK_MS : null);
  const text = describeWait(waiting, trace, maxAttempts, now);
  return (
    <span className="mr-status mr-status--waiting" data-testid="node-status" data-status="waiting" data-wait={waiting.kind} title={text.sentence}>
      <Icon name={waiting.kind === 'signal' ? 'send' : 'clock'} size={11} />
      {text.badge}
      {text.left ? (
        <span className="mr-status__time" data-testid="node-wait-left">
          {text.left}
        </span>
      ) : null}
    </span>
  );
}

/** The line inside a waiting node saying what it waits for, like a failed node's error line. */
export function NodeWaitLine({ trace, waiting, maxAttempts }: { trace: NodeTrace; waiting: NonNullable<NodeTrace['waiting']>; maxAttempts: number | undefined }) {
  // Retry lines name the error, which does not change; the others show a time of day, not a countdown.
  const text = describeWait(waiting, trace, maxAttempts, useNow(null));
  return (
    <div className="mr-node__wait" data-testid="node-wait" title={text.sentence}>
      {text.line}
    </div>
  );
}

const STOPPED_TITLE = 'The run ended (cancelled or out of time) before this node finished.';
const HELD_BACK_TITLE = 'A test run: this sink is set to skip on test runs, so it wrote nothing. Its output shows what it would have written.';

/** A sink that skipped a test run (sink-common.ts `skippedWrite`). */
function isHeldBack(output: unknown): boolean {
  return typeof output === 'object' && output !== null && (output as { skipped?: unknown }).skipped === 'test run';
}

/** `shown` is the trace status as the canvas presents it (see shownNodeStatus). */
export function NodeStatusBadge({ trace, shown, maxAttempts }: { trace: NodeTrace; shown: ShownNodeStatus; maxAttempts: number | undefined }) {
  const marker = shown === 'stopped' ? null : attemptMarker(trace);
  const heldBack = shown === 'succeeded' && isHeldBack(trace.output);
  const badge =
    shown === 'waiting' && trace.waiting ? (
      <WaitingBadge trace={trace} waiting={trace.waiting} maxAttempts={maxAttempts} />
    ) : (
      <span
        className={`mr-status mr-status--${shown}`}
        data-testid="node-status"
        data-status={shown}
        title={shown === 'stopped' ? STOPPED_TITLE : heldBack ? HELD_BACK_TITLE : trace.error?.message}
        data-held-back={heldBack ? 'test run' : undefined}
      >
        {shown === 'running' ? <span className="mr-spinner" /> : null}
        {heldBack ? 'Not written' : STATUS_LABEL[shown]}
        {trace.durationMs !== null && (shown === 'succeeded' || shown === 'failed' || shown === 'skipped') ? (
          <span className="mr-status__time">{formatDuration(trace.durationMs)}</span>
        ) : null}
      </span>
    );
  return (
    <>
      {badge}
      {marker ? (
        <span
          className="mr-attempt"
          data-testid="node-attempt"
          title={`${trace.attempts.length} failed attempt${trace.attempts.length === 1 ? '' : 's'}: ${trace.attempts[trace.attempts.length - 1]?.error.message ?? ''}`}
        >
          <Icon name="rerun" size={10} />
          {marker}
        </span>
      ) : null}
      {trace.redelivered ? (
        <span
          className="mr-attempt mr-attempt--redelivered"
          data-testid="node-redelivered"
          title={`sent again ${trace.redelivered}× after a crash or retry found it started but not recorded: the target may have received it before (same idempotency key)`}
        >
          may have been delivered before ×{trace.redelivered}
        </span>
      ) : null}
    </>
  );
}
