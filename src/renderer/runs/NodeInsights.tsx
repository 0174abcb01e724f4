/** Heatmap mode, one node: its slowest, costliest or failing runs in the window, and its errors grouped by message. */
import { useEffect, useState } from 'react';
import type { ErrorGroup, NodeRunRef } from '../../shared/run-history';
import { engine } from '../engine-client';
import { selectRun, failed } from '../actions';
import { useTraces } from '../stores/traces-store';
import { formatDuration } from '../canvas/node-look';
import { formatUsd } from './RunsList';
import { statsWindow } from './traces-actions';
import { shortRunId } from './run-status';

type Order = 'slowest' | 'costliest' | 'failing';
const ORDER_FOR_METRIC = { latency: 'slowest', cost: 'costliest', errors: 'failing' } as const;

export function NodeInsights({ flowId, nodeId, nodeName }: { flowId: string; nodeId: string; nodeName: string }) {
  const metric = useTraces((s) => s.metric);
  const window = useTraces((s) => s.window);
  const stats = useTraces((s) => s.stats);
  const [order, setOrder] = useState<Order>(ORDER_FOR_METRIC[metric]);
  const [runs, setRuns] = useState<NodeRunRef[]>([]);
  const [groups, setGroups] = useState<ErrorGroup[]>([]);
  useEffect(() => {
    let live = true;
    const w = statsWindow();
    Promise.all([engine().getNodeRuns({ flowId, nodeId, ...w, order, limit: 10 }), engine().getNodeErrorGroups({ flowId, nodeId, ...w })])
      .then(([r, g]) => {
        if (!live) return;
        setRuns(r);
        setGroups(g);
      })
      .catch(failed('Could not load the node’s runs'));
    return () => {
      live = false;
    };
  }, [flowId, nodeId, order, window, stats]);
  return (
    <div className="node-insights" data-testid="node-insights">
      <div className="node-insights__head">
        <span className="node-insights__name">{nodeName}</span>
        <select className="select" aria-label="Which runs" data-testid="node-insights-order" value={order} onChange={(e) => setOrder(e.target.value as Order)}>
          <option value="slowest">Slowest</option>
          <option value="costliest">Costliest</option>
          <option value="failing">Failing</option>
        </select>
      </div>
      {runs.length === 0 ? <p className="muted">No runs.</p> : null}
      <ol className="node-insights__runs">
        {runs.map((r) => (
          <li key={r.runId}>
            <button type="button" className="link-button" data-testid="node-insights-run" data-run-id={r.runId} onClick={() => void selectRun(r.runId)}>
              {shortRunId(r.runId)}
            </button>
            <span className={`run-dot run-dot--${r.status}`} />
            <span>{formatDuration(r.durationMs)}</span>
            {r.costUsd !== null ? <span>{formatUsd(r.costUsd)}</span> : null}
            {r.attempt > 1 ? <span>{r.attempt} attempts</span> : null}
            {r.error ? <span className="node-insights__error">{r.error}</span> : null}
          </li>
        ))}
      </ol>
      {groups.length > 0 ? (
        <>
          <div className="section-title">Errors by message</div>
          <ul className="node-insights__groups" data-testid="error-groups">
            {groups.map((g) => (
              <li key={g.message}>
                <span className="node-insights__count">{g.count}×</span>
                <span className="node-insights__error" data-testid="error-group-message">
                  {g.message}
                </span>
                <button type="button" className="link-button" onClick={() => void selectRun(g.sampleRunId)}>
                  latest
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
