/** The node context menu's Pin and Disable entries (issue 13, item 10): when they are enabled and what they change. */
import { beforeEach, describe, expect, it } from 'vitest';
import { menuItems } from './context-menu';
import { editorStore } from '../stores/editor-store';
import { runStore } from '../stores/run-store';
import { tracesStore } from '../stores/traces-store';
import type { Flow } from '../../shared/flow/schema';
import type { RunTrace } from '../../shared/runs';

const flow: Flow = {
  schemaVersion: 1,
  id: 'f',
  name: 'F',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 's', type: 'set-fields@1', name: 'Set', position: { x: 200, y: 0 }, config: {}, settings: { timeoutMs: 5000 } },
  ],
  edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' }],
};

const item = (nodeId: string, id: string) => menuItems({ kind: 'node', nodeId }).find((i) => i.id === id)!;

function showRun(status: 'succeeded' | 'failed') {
  const node = { nodeId: 's', nodeType: 'set-fields@1', status, startedAt: 1, finishedAt: 2, durationMs: 1, input: {}, output: { a: 1 }, error: null, attempt: 1, attempts: [], waiting: null };
  const trace: RunTrace = {
    run: { id: 'run_1', flowId: 'f', flowVersion: 1, flowName: 'F', status, createdAt: 1, finishedAt: 2, durationMs: 1, error: null, parentRunId: null, wakeAt: null },
    input: {},
    nodes: { s: node },
  };
  runStore.getState().setTrace(trace);
  runStore.getState().selectRun('run_1');
}

beforeEach(() => {
  editorStore.getState().load(flow);
  runStore.getState().reset('f');
  tracesStore.getState().reset('f');
});

describe('node context menu', () => {
  it('Pin is enabled only when the shown run has this node succeeded; a pinned node offers Unpin', () => {
    expect(item('s', 'pin').disabledReason).toMatch(/Select a run/);
    showRun('failed');
    expect(item('s', 'pin').disabledReason).toMatch(/did not succeed/);
    showRun('succeeded');
    expect(item('s', 'pin')).toMatchObject({ label: 'Pin output' });
    expect(item('s', 'pin').disabledReason).toBeUndefined();
    tracesStore.getState().setPins([{ nodeId: 's', sourceRunId: 'run_1', pinnedAt: 1, output: { a: 1 } }]);
    expect(item('s', 'pin')).toMatchObject({ label: 'Unpin output' });
  });

  it('Disable sets settings.disabled (keeping the other settings), Enable removes it; a trigger cannot be disabled', () => {
    expect(item('s', 'disable').label).toBe('Disable');
    item('s', 'disable').run();
    expect(editorStore.getState().flow!.nodes[1]!.settings).toEqual({ timeoutMs: 5000, disabled: true });
    expect(item('s', 'disable').label).toBe('Enable');
    item('s', 'disable').run();
    expect(editorStore.getState().flow!.nodes[1]!.settings).toEqual({ timeoutMs: 5000 });
    expect(item('t', 'disable').disabledReason).toMatch(/trigger/);
  });
});
