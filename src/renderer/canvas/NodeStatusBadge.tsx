/**
 * The run status floating on a node's top edge, and the "attempt n" marker beside it. Its own
 * component so a live countdown re-renders the badge, not the whole node.
 */
import type { NodeTrace } from '../../shared/runs';
import { attemptMarker, describeWait } from '../runs/wait-text';
import { useNow } from '../ui/use-now';
import { Icon } from '../ui/icons';
import { STATUS_LABEL, formatDuration } from './node-look';

const COUNTDOWN_TICK_MS = 1000;

function WaitingBadge({ trace, waiting, maxAttempts }: { trace: NodeTrace; waiting: NonNullable<NodeTrace['waiting']>; maxAttempts: number | undefined }) {
  const now = useNow(waiting.until !== null ? COUNTDOWN_TICK_MS : null);
  const text = describeWait(waiting, trace, maxAttempts, now);
  return (
    <span className="mr-status mr-status--waiting" data-testid="node-status" data-status="waiting" data-wait={waiting.kind} title={text.sentence}>
      <Icon name={waiting.kind === 'signal' ? 'send' : 'clock'} size={11} />
      {text.label}
      {text.detail ? (
        <span className="mr-status__time" data-testid="node-wait">
          {text.detail}
        </span>
      ) : null}
    </span>
  );
}

export function NodeStatusBadge({ trace, maxAttempts }: { trace: NodeTrace; maxAttempts: number | undefined }) {
  const { status } = trace;
  const marker = attemptMarker(trace);
  const badge =
    status === 'waiting' && trace.waiting ? (
      <WaitingBadge trace={trace} waiting={trace.waiting} maxAttempts={maxAttempts} />
    ) : (
      <span className={`mr-status mr-status--${status}`} data-testid="node-status" data-status={status} title={trace.error?.message}>
        {status === 'running' ? <span className="mr-spinner" /> : null}
        {STATUS_LABEL[status]}
        {trace.durationMs !== null && status !== 'running' && status !== 'waiting' ? <span className="mr-status__time">{formatDuration(trace.durationMs)}</span> : null}
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
    </>
  );
}
