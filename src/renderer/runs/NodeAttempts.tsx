/** The Attempts section of a node's run data: every failed attempt, its error and when the next one was due. */
import type { NodeTrace } from '../../shared/runs';
import { STATUS_LABEL, formatDuration, type ShownNodeStatus } from '../canvas/node-look';
import { clockTime } from './wait-text';

export function NodeAttempts({ node, shown, now }: { node: NodeTrace; shown: ShownNodeStatus; now: number }) {
  if (node.attempts.length === 0) return null;
  const lastFailed = node.attempts[node.attempts.length - 1]?.attempt ?? 0;
  return (
    <div className="run-data__section" data-testid="node-attempts">
      <div className="section-title">Attempts</div>
      <ol className="attempts">
        {node.attempts.map((a) => (
          <li className="attempt attempt--failed" key={a.attempt} data-testid="attempt" data-attempt={a.attempt}>
            <div className="attempt__head">
              <span className="attempt__number">Attempt {a.attempt}</span>
              <span className="attempt__when">failed {clockTime(a.at, now)}</span>
            </div>
            <div className="attempt__error">{a.error.message}</div>
            {a.retryAt !== null ? (
              <div className="attempt__next">
                next attempt {clockTime(a.retryAt, now)} <span className="muted">(after {formatDuration(a.retryAt - a.at)})</span>
              </div>
            ) : null}
          </li>
        ))}
        {node.attempt > lastFailed ? (
          <li className={`attempt attempt--${shown}`} data-testid="attempt" data-attempt={node.attempt}>
            <div className="attempt__head">
              <span className="attempt__number">Attempt {node.attempt}</span>
              <span className="attempt__when">
                {STATUS_LABEL[shown]}
                {node.startedAt !== null ? ` · started ${clockTime(node.startedAt, now)}` : ''}
              </span>
            </div>
          </li>
        ) : null}
      </ol>
    </div>
  );
}
