import { describe, expect, it } from 'vitest';
import type { RunEvent, RunTrace } from '../../shared/runs';
import { createRunStore, MAX_TRACES, selectedTrace } from './run-store';

const started = (runId: string, flowId = 'flow_a'): RunEvent => ({
  type: 'run.started',
  runId,
  flowId,
  flowName: 'A',
  flowVersion: 3,
  at: 1000,
  input: { x: 1 },
});

describe('run store', () => {
  it('folds live events into a trace and lists runs of the open flow', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    store.getState().applyEvent(started('run_1'));
    store.getState().applyEvent({ type: 'node.started', runId: 'run_1', nodeId: 'n1', nodeType: 'if@1', at: 1001, attempt: 1, input: { x: 1 } });
    store.getState().applyEvent({ type: 'node.succeeded', runId: 'run_1', nodeId: 'n1', at: 1010, durationMs: 9, output: { ok: true } });
    store.getState().applyEvent({ type: 'node.skipped', runId: 'run_1', nodeId: 'n2', at: 1011, reason: 'branch not taken' });
    store.getState().selectRun('run_1');
    const trace = selectedTrace(store.getState());
    expect(trace?.nodes['n1']).toMatchObject({ status: 'succeeded', durationMs: 9, output: { ok: true }, input: { x: 1 } });
    expect(trace?.nodes['n2']?.status).toBe('skipped');
    expect(store.getState().runs.map((r) => [r.id, r.status])).toEqual([['run_1', 'running']]);
    store.getState().applyEvent({ type: 'run.finished', runId: 'run_1', at: 1020, status: 'succeeded', durationMs: 20, error: null });
    expect(store.getState().runs[0]).toMatchObject({ status: 'succeeded', durationMs: 20 });
  });

  it('traces runs of other flows without listing them', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    store.getState().applyEvent(started('run_b', 'flow_b'));
    expect(store.getState().runs).toEqual([]);
    expect(store.getState().traces['run_b']).toBeDefined();
  });

  it('reports events whose run start was missed, so the trace can be fetched', () => {
    const store = createRunStore();
    const result = store.getState().applyEvent({ type: 'node.started', runId: 'run_x', nodeId: 'n', nodeType: 'if@1', at: 1, attempt: 1, input: null });
    expect(result.missedStart).toBe(true);
    expect(store.getState().traces['run_x']).toBeUndefined();
  });

  it('keeps a bounded number of traces but never evicts the selected one', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    store.getState().applyEvent(started('run_0'));
    store.getState().selectRun('run_0');
    for (let i = 1; i <= MAX_TRACES + 5; i++) store.getState().applyEvent(started(`run_${i}`));
    const ids = Object.keys(store.getState().traces);
    expect(ids).toHaveLength(MAX_TRACES);
    expect(ids).toContain('run_0');
    expect(ids).toContain(`run_${MAX_TRACES + 5}`);
  });

  it('a loaded trace replaces the live one', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    store.getState().applyEvent(started('run_1'));
    const loaded: RunTrace = {
      run: { id: 'run_1', flowId: 'flow_a', flowVersion: 3, flowName: 'A', status: 'failed', createdAt: 1000, finishedAt: 2000, durationMs: 1000, error: { message: 'boom', nodeId: 'n1' }, parentRunId: null, wakeAt: null },
      input: null,
      nodes: {},
    };
    store.getState().setTrace(loaded);
    expect(store.getState().traces['run_1']).toBe(loaded);
    expect(store.getState().runs[0]?.status).toBe('failed');
  });

  it('keeps the link to the original run, which live events do not carry', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    store.getState().applyEvent(started('run_2'));
    store.getState().noteParent('run_2', 'run_1');
    expect(store.getState().traces['run_2']?.run.parentRunId).toBe('run_1');
    store.getState().applyEvent({ type: 'run.finished', runId: 'run_2', at: 1100, status: 'succeeded', durationMs: 100, error: null });
    expect(store.getState().runs.find((r) => r.id === 'run_2')?.parentRunId).toBe('run_1');
    // Noted before its start event arrives (the rerun call can answer after the event).
    store.getState().noteParent('run_3', 'run_1');
    store.getState().applyEvent(started('run_3'));
    expect(store.getState().runs.find((r) => r.id === 'run_3')?.parentRunId).toBe('run_1');
  });

  it('keeps reused nodes of a re-run loaded before its start event', () => {
    const store = createRunStore();
    store.getState().reset('flow_a');
    const reused = { nodeId: 'n1', nodeType: 'if@1', status: 'succeeded' as const, startedAt: 1, finishedAt: 2, durationMs: 1, input: null, output: { ok: true }, error: null, attempt: 1, attempts: [], waiting: null };
    store.getState().setTrace({
      run: { id: 'run_4', flowId: 'flow_a', flowVersion: 3, flowName: 'A', status: 'queued', createdAt: 1000, finishedAt: null, durationMs: null, error: null, parentRunId: 'run_1', wakeAt: null },
      input: null,
      nodes: { n1: reused },
    });
    store.getState().applyEvent(started('run_4'));
    const trace = store.getState().traces['run_4'];
    expect(trace?.run).toMatchObject({ status: 'running', parentRunId: 'run_1' });
    expect(trace?.nodes['n1']).toEqual(reused);
  });
});
