/** Per-flow charts (uPlot): runs and failures over time, cost over time, for the heatmap's window. */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FlowSeries } from '../../shared/run-history';
import { engine } from '../engine-client';
import { useTraces } from '../stores/traces-store';
import { useRuns } from '../stores/run-store';
import { statsWindow } from './traces-actions';

const BUCKETS = 48;

function Chart({ title, series, data, testId }: { title: string; series: uPlot.Series[]; data: uPlot.AlignedData; testId: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const plot = new uPlot(
      { width: 280, height: 64, legend: { show: false }, cursor: { drag: { x: false, y: false } }, scales: { x: { time: true } }, axes: [{ size: 20, font: '9px sans-serif', ticks: { size: 3 } }, { size: 32, font: '9px sans-serif', ticks: { size: 3 } }], series: [{}, ...series] },
      data,
      box.current,
    );
    return () => plot.destroy();
  }, [series, data]);
  return (
    <div className="flow-chart" data-testid={testId}>
      <div className="flow-chart__title">
        {title}
        {series.map((s) => (
          <span key={String(s.label)} className="flow-chart__key" style={{ ['--key' as string]: String(s.stroke) }}>
            {String(s.label)}
          </span>
        ))}
      </div>
      <div ref={box} />
    </div>
  );
}

const countSeries: uPlot.Series[] = [
  { label: 'runs', stroke: '#4f6bed', width: 1.5 },
  { label: 'failed', stroke: '#d9363e', width: 1.5 },
];
const costSeries: uPlot.Series[] = [{ label: 'cost $', stroke: '#c98a00', width: 1.5 }];

export function FlowCharts() {
  const flowId = useRuns((s) => s.flowId);
  const window = useTraces((s) => s.window);
  const stats = useTraces((s) => s.stats);
  const [series, setSeries] = useState<FlowSeries | null>(null);
  useEffect(() => {
    if (!flowId) return;
    let live = true;
    void engine()
      .getFlowSeries({ flowId, ...statsWindow(), buckets: BUCKETS })
      .then((s) => live && setSeries(s))
      .catch(() => live && setSeries(null));
    return () => {
      live = false;
    };
    // stats change when runs finish: the charts follow them.
  }, [flowId, window, stats]);
  if (!series) return null;
  const t = series.t.map((x) => x / 1000);
  return (
    <div className="flow-charts">
      <Chart title="Runs and failures" series={countSeries} data={[t, series.runs, series.failed]} testId="chart-runs" />
      <Chart title="Cost" series={costSeries} data={[t, series.costUsd]} testId="chart-cost" />
    </div>
  );
}
