/**
 * Heatmap mode over the canvas: colours nodes by p95 latency, cost or error rate over a window,
 * with the legend, the flow's charts, and the selected node's worst runs and grouped errors.
 */
import { useMemo, useState } from 'react';
import { useTraces, type HeatMetric, type StatsWindowName } from '../stores/traces-store';
import { useEditor } from '../stores/editor-store';
import { tracesStore } from '../stores/traces-store';
import { refreshStats, setHeatmap } from './traces-actions';
import { heatColor, heatScale } from './heat';
import { formatDuration } from '../canvas/node-look';
import { formatUsd } from './RunsList';
import { NodeInsights } from './NodeInsights';
import { FlowCharts } from './FlowCharts';

const METRICS: Record<HeatMetric, string> = { latency: 'p95 latency', cost: 'cost', errors: 'error rate' };
const WINDOWS: Record<StatsWindowName, string> = { hour: 'Last hour', day: 'Last day', week: 'Last 7 days' };

function formatMetric(metric: HeatMetric, v: number): string {
  if (metric === 'latency') return formatDuration(v) || '0 ms';
  if (metric === 'cost') return formatUsd(v);
  return `${(v * 100).toFixed(0)}%`;
}

export function HeatmapBar() {
  const on = useTraces((s) => s.heatmap);
  const metric = useTraces((s) => s.metric);
  const window = useTraces((s) => s.window);
  const stats = useTraces((s) => s.stats);
  const flow = useEditor((s) => s.flow);
  const selectedNodeId = useEditor((s) => (s.selection.nodes.length === 1 ? s.selection.nodes[0] : undefined));
  const scale = useMemo(() => (on ? heatScale(stats, metric) : null), [on, stats, metric]);
  const selectedNode = flow?.nodes.find((n) => n.id === selectedNodeId);
  // The panel can fold to its header so it never hides the nodes under it.
  const [folded, setFolded] = useState(false);
  return (
    <div className={`heatmap-bar${on ? ' is-on' : ''}`} data-testid="heatmap-bar">
      <div className="heatmap-bar__row">
        <label className="heatmap-bar__toggle">
          <input type="checkbox" data-testid="heatmap-toggle" checked={on} onChange={(e) => void setHeatmap(e.target.checked)} />
          Heatmap
        </label>
        {on ? (
          <>
            <select className="select" aria-label="Colour by" data-testid="heatmap-metric" value={metric} onChange={(e) => tracesStore.getState().setMetric(e.target.value as HeatMetric)}>
              {Object.entries(METRICS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
            <select
              className="select"
              aria-label="Window"
              data-testid="heatmap-window"
              value={window}
              onChange={(e) => {
                tracesStore.getState().setWindow(e.target.value as StatsWindowName);
                void refreshStats();
              }}
            >
              {Object.entries(WINDOWS).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
            <button type="button" className="icon-button" aria-label={folded ? 'Show heatmap details' : 'Hide heatmap details'} aria-expanded={!folded} onClick={() => setFolded(!folded)}>
              {folded ? '▸' : '▾'}
            </button>
          </>
        ) : null}
      </div>
      {on ? (
        <>
          <div className="heatmap-legend" data-testid="heatmap-legend">
            {scale ? (
              <>
                <span>{formatMetric(metric, scale.min)}</span>
                <span className="heatmap-legend__ramp" style={{ background: `linear-gradient(90deg, ${heatColor(scale.min, scale)}, ${heatColor((scale.min + scale.max) / 2, scale)}, ${heatColor(scale.max, scale)})` }} />
                <span>{formatMetric(metric, scale.max)}</span>
              </>
            ) : (
              <span className="muted">No {METRICS[metric]} in this window.</span>
            )}
          </div>
          {folded ? null : <FlowCharts />}
          {folded ? null : flow && selectedNode ? <NodeInsights key={`${selectedNode.id}:${metric}`} flowId={flow.id} nodeId={selectedNode.id} nodeName={selectedNode.name} /> : <p className="muted heatmap-bar__hint">Select a node to list its slowest, costliest or failing runs.</p>}
        </>
      ) : null}
    </div>
  );
}
