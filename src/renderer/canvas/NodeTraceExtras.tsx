/**
 * Cross-run figures on a canvas node: the "pinned" label, the heatmap tint and figures for the
 * chosen window, and what differs from the compared run. All values render as text.
 */
import { useMemo } from 'react';
import { useRuns } from '../stores/run-store';
import { heatValue, useTraces } from '../stores/traces-store';
import type { NodeStats } from '../../shared/run-history';
import { formatDuration } from './node-look';
import { diffNode } from '../runs/compare';
import { heatColor, heatScale } from '../runs/heat';
import { formatUsd } from '../runs/RunsList';

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`);

function figures(s: NodeStats, nodeType: string): string[] {
  const lines = [`${s.runs.toLocaleString()} runs · err ${pct(s.errorRate)} · ${s.retries} retries`];
  if (nodeType.startsWith('approval')) lines.push(`wait p50 ${formatDuration(s.p50Ms) || '–'} · p95 ${formatDuration(s.p95Ms) || '–'} · ${s.waiting} pending`);
  else lines.push(`p50 ${formatDuration(s.p50Ms) || '–'} · p95 ${formatDuration(s.p95Ms) || '–'}`);
  if (s.llmCalls > 0) lines.push(`${s.costUsd === null ? 'cost unknown' : formatUsd(s.costUsd)} · ${(s.tokens ?? 0).toLocaleString()} tok · cache ${pct(s.cacheHitRate)}`);
  return lines;
}

export function NodeTraceExtras({ nodeId, nodeType }: { nodeId: string; nodeType: string }) {
  const pin = useTraces((s) => s.pins[nodeId]);
  const heatmap = useTraces((s) => s.heatmap);
  const metric = useTraces((s) => s.metric);
  const stats = useTraces((s) => (s.heatmap ? s.stats[nodeId] : undefined));
  const allStats = useTraces((s) => s.stats);
  const scale = useMemo(() => (heatmap ? heatScale(allStats, metric) : null), [heatmap, allStats, metric]);
  const compareId = useTraces((s) => s.compareRunId);
  const diff = useRuns((s) => {
    if (!compareId || !s.selectedRunId || compareId === s.selectedRunId) return null;
    const before = s.traces[compareId];
    const after = s.traces[s.selectedRunId];
    return before && after ? diffNode(before.nodes[nodeId], after.nodes[nodeId]).join(', ') : null;
  });
  const value = heatValue(stats, metric);
  return (
    <>
      {pin ? (
        <div className="mr-node__pinned" data-testid="node-pinned" title={`Output pinned from run ${pin.sourceRunId}: manual runs use it instead of running this node`}>
          pinned output · not executed in manual runs
        </div>
      ) : null}
      {heatmap ? (
        <div className="mr-node__heat" data-testid="node-heat" data-value={value ?? ''} style={{ ['--heat' as string]: heatColor(value, scale) }}>
          {stats ? figures(stats, nodeType).map((line) => <div key={line}>{line}</div>) : <div className="muted">no runs in this window</div>}
        </div>
      ) : null}
      {diff !== null ? (
        <div className={`mr-node__diff${diff ? ' is-different' : ''}`} data-testid="node-diff" data-diff={diff}>
          {diff ? `differs: ${diff}` : 'same in both runs'}
        </div>
      ) : null}
    </>
  );
}
