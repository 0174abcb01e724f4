import { describe, expect, it } from 'vitest';
import { applyRunEvent, foldRunEvents, type RunEvent } from './runs';

const started = (runId = 'run_a', at = 1000): RunEvent => ({
  type: 'run.started',
  runId,
  flowId: 'flow_1',
  flowName: 'Orders',
  flowVersion: 3,
  at,
  input: { amount: 42 },
});

const happyPath: RunEvent[] = [
  started(),
  { type: 'node.started', runId: 'run_a', nodeId: 'trigger', nodeType: 'manual-trigger@1', at: 1001, attempt: 1, input: null },
  { type: 'node.succeeded', runId: 'run_a', nodeId: 'trigger', at: 1003, durationMs: 2, output: { amount: 42 } },
  { type: 'node.started', runId: 'run_a', nodeId: 'check', nodeType: 'if@1', at: 1004, attempt: 1, input: { amount: 42 } },
  { type: 'node.succeeded', runId: 'run_a', nodeId: 'check', at: 1005, durationMs: 1, output: { false: { amount: 42 } } },
  { type: 'node.skipped', runId: 'run_a', nodeId: 'notify', at: 1006, reason: 'branch not taken' },
  { type: 'run.finished', runId: 'run_a', at: 1010, status: 'succeeded', durationMs: 10, error: null },
];

describe('foldRunEvents', () => {
  it('returns null for no events', () => {
    expect(foldRunEvents([])).toBeNull();
  });

  it('builds the trace of a finished run', () => {
    const trace = foldRunEvents(happyPath)!;
    expect(trace.run).toEqual({
      id: 'run_a',
      flowId: 'flow_1',
      flowName: 'Orders',
      flowVersion: 3,
      status: 'succeeded',
      createdAt: 1000,
      finishedAt: 1010,
      durationMs: 10,
      error: null,
      parentRunId: null,
      wakeAt: null,
    });
    expect(trace.input).toEqual({ amount: 42 });
    expect(trace.nodes['trigger']).toEqual({
      nodeId: 'trigger',
      nodeType: 'manual-trigger@1',
      status: 'succeeded',
      startedAt: 1001,
      finishedAt: 1003,
      durationMs: 2,
      input: null,
      output: { amount: 42 },
      error: null,
      attempt: 1,
      attempts: [],
      waiting: null,
    });
    expect(trace.nodes['check']?.input).toEqual({ amount: 42 });
    expect(trace.nodes['notify']).toMatchObject({ status: 'skipped', startedAt: null, finishedAt: 1006, nodeType: '' });
  });

  it('records a failed node and a failed run with the node at fault', () => {
    const trace = foldRunEvents([
      started(),
      { type: 'node.started', runId: 'run_a', nodeId: 'notify', nodeType: 'http-request@1', at: 1001, attempt: 1, input: {} },
      { type: 'node.failed', runId: 'run_a', nodeId: 'notify', at: 1002, durationMs: 1, error: { message: 'answered 500', field: 'url' } },
      { type: 'run.finished', runId: 'run_a', at: 1003, status: 'failed', durationMs: 3, error: { message: 'answered 500', nodeId: 'notify' } },
    ])!;
    expect(trace.nodes['notify']).toMatchObject({ status: 'failed', error: { message: 'answered 500', field: 'url' }, output: null });
    expect(trace.run).toMatchObject({ status: 'failed', error: { message: 'answered 500', nodeId: 'notify' } });
  });

  it('shows a running node while the run is live', () => {
    const trace = foldRunEvents(happyPath.slice(0, 4))!;
    expect(trace.run.status).toBe('running');
    expect(trace.nodes['check']?.status).toBe('running');
    expect(trace.run.finishedAt).toBeNull();
  });
});

describe('applyRunEvent', () => {
  it('ignores node and finish events before the run started', () => {
    expect(applyRunEvent(null, happyPath[1]!)).toBeNull();
    expect(applyRunEvent(null, happyPath[6]!)).toBeNull();
  });

  it('leaves the trace unchanged (same object) for every event of another run', () => {
    const trace = foldRunEvents(happyPath.slice(0, 3))!;
    const others: RunEvent[] = [
      started('run_b', 2000),
      { type: 'node.started', runId: 'run_b', nodeId: 'trigger', nodeType: 'manual-trigger@1', at: 2001, attempt: 1, input: 'other' },
      { type: 'node.succeeded', runId: 'run_b', nodeId: 'check', at: 2002, durationMs: 1, output: 'other' },
      { type: 'node.failed', runId: 'run_b', nodeId: 'trigger', at: 2002, durationMs: 1, error: { message: 'x' } },
      { type: 'node.skipped', runId: 'run_b', nodeId: 'trigger', at: 2002, reason: 'x' },
      { type: 'run.finished', runId: 'run_b', at: 2003, status: 'cancelled', durationMs: 3, error: null },
    ];
    for (const event of others) expect(applyRunEvent(trace, event)).toBe(trace);
  });

  it('keeps following its run while another run starts and finishes in between', () => {
    const interleaved = [...happyPath.slice(0, 3), started('run_b', 1500), happyPath[6]!];
    const trace = foldRunEvents(interleaved)!;
    expect(trace.run.id).toBe('run_a');
    expect(trace.run.status).toBe('succeeded');
  });

  it('never mutates the trace it is given', () => {
    const before = foldRunEvents(happyPath.slice(0, 2))!;
    const snapshot = structuredClone(before);
    const after = applyRunEvent(before, happyPath[2]!);
    expect(before).toEqual(snapshot);
    expect(after).not.toBe(before);
    expect(after!.nodes['trigger']?.status).toBe('succeeded');
  });
});

describe('waits and retries in the trace', () => {
  it('shows a retrying node as waiting with its failed attempts, then the run waiting and resumed', () => {
    const t = foldRunEvents([
      { type: 'run.started', runId: 'r', flowId: 'f', flowName: 'F', flowVersion: 1, at: 0, input: null },
      { type: 'node.started', runId: 'r', nodeId: 'n', nodeType: 'http-request@1', at: 1, input: {}, attempt: 1 },
      { type: 'node.retrying', runId: 'r', nodeId: 'n', at: 2, attempt: 1, error: { message: '503' }, retryAt: 1002 },
      { type: 'run.waiting', runId: 'r', at: 3, wakeAt: 1002 },
    ])!;
    expect(t.run).toMatchObject({ status: 'waiting', wakeAt: 1002 });
    expect(t.nodes['n']).toMatchObject({ status: 'waiting', waiting: { kind: 'retry', until: 1002 }, attempts: [{ attempt: 1, retryAt: 1002 }] });
    const resumed = foldRunEvents([
      { type: 'run.started', runId: 'r', flowId: 'f', flowName: 'F', flowVersion: 1, at: 0, input: null },
      { type: 'run.waiting', runId: 'r', at: 3, wakeAt: null },
      { type: 'run.resumed', runId: 'r', at: 9 },
      { type: 'node.started', runId: 'r', nodeId: 'n', nodeType: 'x@1', at: 10, input: {}, attempt: 2 },
    ])!;
    expect(resumed.run).toMatchObject({ status: 'running', wakeAt: null });
    expect(resumed.nodes['n']).toMatchObject({ status: 'running', attempt: 2, waiting: null });
  });
});

describe('node.progress', () => {
  const base: RunEvent[] = [started(), { type: 'node.started', runId: 'run_a', nodeId: 'llm', nodeType: 'llm-call@1', at: 1001, attempt: 1, input: null }];

  it('shows live text on a running node and clears it when the node finishes', () => {
    const live = foldRunEvents([...base, { type: 'node.progress', runId: 'run_a', nodeId: 'llm', at: 1002, text: 'Hel' }, { type: 'node.progress', runId: 'run_a', nodeId: 'llm', at: 1003, text: 'Hello' }])!;
    expect(live.nodes['llm']?.progress).toBe('Hello');
    const done = applyRunEvent(live, { type: 'node.succeeded', runId: 'run_a', nodeId: 'llm', at: 1004, durationMs: 3, output: { text: 'Hello' } })!;
    expect(done.nodes['llm']).not.toHaveProperty('progress');
    expect(done.nodes['llm']?.status).toBe('succeeded');
  });

  it('ignores progress that arrives after the node finished', () => {
    const done = foldRunEvents([...base, { type: 'node.failed', runId: 'run_a', nodeId: 'llm', at: 1002, durationMs: 1, error: { message: 'x' } }])!;
    const late = applyRunEvent(done, { type: 'node.progress', runId: 'run_a', nodeId: 'llm', at: 1003, text: 'late' })!;
    expect(late.nodes['llm']).not.toHaveProperty('progress');
  });
});
