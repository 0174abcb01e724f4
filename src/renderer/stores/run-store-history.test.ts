import { describe, expect, it } from 'vitest';
import { createRunStore } from './run-store';

describe('run store with history rows', () => {
  it('updates a listed run in place from live events and keeps what events do not carry', () => {
    const store = createRunStore();
    store.getState().reset('f');
    store.getState().setRuns(
      [{ id: 'r1', flowId: 'f', flowVersion: 1, flowName: 'F', status: 'running', createdAt: 1, finishedAt: null, durationMs: null, error: null, parentRunId: null, wakeAt: null, origin: { kind: 'manual' }, costUsd: null, approval: null }],
      'cursor-1',
    );
    store.getState().applyEvent({ type: 'run.started', runId: 'r1', flowId: 'f', flowName: 'F', flowVersion: 1, at: 1, input: null });
    store.getState().applyEvent({ type: 'run.finished', runId: 'r1', at: 9, status: 'succeeded', durationMs: 8, error: null });
    const [row] = store.getState().runs;
    expect(row).toMatchObject({ id: 'r1', status: 'succeeded', origin: { kind: 'manual' } });
    expect(store.getState().nextCursor).toBe('cursor-1');
  });

  it('puts a new live run on top only when no filter is set', () => {
    const store = createRunStore();
    store.getState().reset('f');
    store.getState().setFilters({ hasError: true });
    store.getState().applyEvent({ type: 'run.started', runId: 'r2', flowId: 'f', flowName: 'F', flowVersion: 1, at: 1, input: null });
    expect(store.getState().runs).toEqual([]);
    store.getState().setFilters({});
    store.getState().applyEvent({ type: 'run.started', runId: 'r3', flowId: 'f', flowName: 'F', flowVersion: 1, at: 1, input: null });
    expect(store.getState().runs.map((r) => r.id)).toEqual(['r3']);
  });

  it('appends a page without duplicating rows that arrived live meanwhile', () => {
    const store = createRunStore();
    store.getState().reset('f');
    const row = (id: string) => ({ id, flowId: 'f', flowVersion: 1, flowName: 'F', status: 'succeeded' as const, createdAt: 1, finishedAt: 2, durationMs: 1, error: null, parentRunId: null, wakeAt: null });
    store.getState().setRuns([row('a'), row('b')], 'c1');
    store.getState().appendRuns([row('b'), row('c')], null);
    expect(store.getState().runs.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(store.getState().nextCursor).toBeNull();
  });
});
