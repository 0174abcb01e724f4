import { describe, expect, it } from 'vitest';
import { diffNode } from './compare';
import { heatColor, heatLevel, heatScale } from './heat';
import { describeOrigin } from './RunsList';
import { segmentsOf } from './RunWaterfall';
import { portValue, preview } from './value-preview';
import type { NodeTrace, RunSummary } from '../../shared/runs';
import type { NodeStats } from '../../shared/run-history';

const node = (over: Partial<NodeTrace> = {}): NodeTrace => ({
  nodeId: 'n', nodeType: 'x@1', status: 'succeeded', startedAt: 100, finishedAt: 150, durationMs: 50, input: { a: 1 }, output: { b: 2 }, error: null, attempt: 1, attempts: [], waiting: null, ...over,
});
const summary: RunSummary = { id: 'r', flowId: 'f', flowVersion: 1, flowName: 'F', status: 'succeeded', createdAt: 0, finishedAt: 1, durationMs: 1, error: null, parentRunId: null, wakeAt: null };
const stats = (nodeId: string, p95Ms: number | null, errorRate: number | null): NodeStats => ({
  nodeId, runs: 1, succeeded: 1, failed: 0, waiting: 0, errorRate, retries: 0, p50Ms: p95Ms, p95Ms, maxMs: p95Ms, costUsd: null, tokens: null, llmCalls: 0, cacheHitRate: null,
});

describe('traces views', () => {
  it('diffs two node runs by status, input, output, duration (beyond noise) and cost', () => {
    expect(diffNode(node(), node())).toEqual([]);
    expect(diffNode(node(), node({ durationMs: 53 }))).toEqual([]);
    expect(diffNode(node(), node({ status: 'failed', output: null, durationMs: 500 }))).toEqual(['status', 'output', 'duration']);
    expect(diffNode(node(), undefined)).toEqual(['status']);
    expect(diffNode(node({ output: { call: { cost: { usd: 1 } } } }), node({ output: { call: { cost: { usd: 2 } } } }))).toContain('output');
  });

  it('scales heat from the coolest to the hottest node; error rate is absolute', () => {
    const s = { a: stats('a', 10, 0), b: stats('b', 110, 0.5) };
    expect(heatScale(s, 'latency')).toEqual({ min: 10, max: 110 });
    expect(heatLevel(60, heatScale(s, 'latency'))).toBe(0.5);
    expect(heatScale(s, 'errors')).toEqual({ min: 0, max: 1 });
    expect(heatColor(null, heatScale(s, 'latency'))).toBe('transparent');
    expect(heatScale({}, 'cost')).toBeNull();
  });

  it('says what started a run', () => {
    expect(describeOrigin({ ...summary, origin: { kind: 'change', table: 'public.orders', operation: 'update', key: { id: 7 } } })).toBe('update public.orders id=7');
    expect(describeOrigin({ ...summary, origin: { kind: 'manual' } })).toBe('manual');
    expect(describeOrigin(summary)).toBeNull();
  });

  it('previews edge values as short text and picks the port of a multi-port output', () => {
    expect(preview('<b>hi</b>')).toBe('"<b>hi</b>"');
    expect(preview({ long: 'x'.repeat(100) })).toHaveLength(40);
    expect(portValue({ text: 't', data: 1 }, 'text', 2)).toBe('t');
    expect(portValue({ text: 't' }, 'out', 1)).toEqual({ text: 't' });
  });

  it('draws failed attempts and backoff waits before the final attempt in the waterfall', () => {
    const n = node({ startedAt: 400, finishedAt: 450, attempt: 2, attempts: [{ attempt: 1, error: { message: 'reset' }, at: 120, retryAt: 400 }] });
    expect(segmentsOf(n, 450).map((s) => [s.kind, s.from, s.to])).toEqual([
      ['failed-attempt', 120, 120],
      ['backoff', 120, 400],
      ['attempt', 400, 450],
    ]);
  });
});
