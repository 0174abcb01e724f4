/**
 * The canvas context menu's entries, per target (node, edge, empty canvas): one table, pure, so
 * the menu and its tests agree. Actions go through the editor store and actions.ts like any click.
 */
import { editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { runStore } from '../stores/run-store';
import { focusNode, rerun } from '../actions';
import { tracesStore } from '../stores/traces-store';
import { pinNode, unpinNode } from '../runs/traces-actions';
import { nodeRegistry } from '../../nodes';

export type MenuTarget = { kind: 'node'; nodeId: string } | { kind: 'edge'; edgeId: string } | { kind: 'pane' };

export interface MenuItem {
  id: string;
  label: string;
  /** Why it is greyed out; enabled when absent. */
  disabledReason?: string;
  danger?: boolean;
  run(): void;
}

const editor = () => editorStore.getState();

/** Selects the node (so copy/duplicate/delete act on it) unless it is already part of the selection. */
function selectNode(nodeId: string) {
  if (!editor().selection.nodes.includes(nodeId)) editor().setSelection({ nodes: [nodeId], edges: [] });
}

function renameNode(nodeId: string) {
  editor().setSelection({ nodes: [nodeId], edges: [] });
  const session = useSession.getState();
  if (!session.panels.right) session.togglePanel('right');
  session.setSideTab('node');
  // The inspector renders on the next frame; then its name field takes the keyboard.
  requestAnimationFrame(() => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="node-name"]');
    input?.focus();
    input?.select();
  });
}

export function menuItems(target: MenuTarget): MenuItem[] {
  if (target.kind === 'edge') {
    return [{ id: 'delete', label: 'Delete connection', danger: true, run: () => (editor().setSelection({ nodes: [], edges: [target.edgeId] }), editor().deleteSelection()) }];
  }
  if (target.kind === 'pane') {
    const hasClipboard = editor().clipboard !== null;
    return [
      { id: 'paste', label: 'Paste', ...(hasClipboard ? {} : { disabledReason: 'Copy a node first' }), run: () => editor().paste() },
      { id: 'select-all', label: 'Select everything', run: () => editor().selectAll() },
      { id: 'layout', label: 'Auto-layout', run: () => (editor().autoLayout(), useSession.getState().requestFit()) },
      { id: 'fit', label: 'Fit the flow in view', run: () => useSession.getState().requestFit() },
    ];
  }
  const { nodeId } = target;
  const runId = runStore.getState().selectedRunId;
  return [
    {
      id: 'run-from-here',
      label: 'Run from here',
      ...(runId ? {} : { disabledReason: 'Run the flow once (or select a run): the node reruns with that run’s input' }),
      run: () => void (runId ? rerun(runId, { nodeId }) : undefined),
    },
    pinItem(nodeId, runId),
    { id: 'rename', label: 'Rename', run: () => renameNode(nodeId) },
    { id: 'copy', label: 'Copy', run: () => (selectNode(nodeId), editor().copy()) },
    { id: 'duplicate', label: 'Duplicate', run: () => (selectNode(nodeId), editor().copy() && editor().paste()) },
    disableItem(nodeId),
    { id: 'focus', label: 'Show settings', run: () => focusNode(nodeId) },
    { id: 'delete', label: 'Delete', danger: true, run: () => (selectNode(nodeId), editor().deleteSelection()) },
  ];
}

/** Pin the node's output from the shown run (where it succeeded), or unpin it. */
function pinItem(nodeId: string, runId: string | null): MenuItem {
  if (tracesStore.getState().pins[nodeId]) return { id: 'pin', label: 'Unpin output', run: () => void unpinNode(nodeId) };
  const status = runId ? runStore.getState().traces[runId]?.nodes[nodeId]?.status : undefined;
  const why = !runId ? 'Select a run where this node succeeded: its output becomes the pinned data' : status !== 'succeeded' ? 'This node did not succeed in the shown run' : null;
  return { id: 'pin', label: 'Pin output', ...(why ? { disabledReason: why } : {}), run: () => void (runId && !why ? pinNode(nodeId, runId) : undefined) };
}

/** Disable / Enable: a disabled node passes its input through unchanged (src/engine/runtime/runner.ts). */
function disableItem(nodeId: string): MenuItem {
  const node = editor().flow?.nodes.find((n) => n.id === nodeId);
  const disabled = node?.settings?.disabled === true;
  if (node && nodeRegistry.get(node.type)?.trigger) return { id: 'disable', label: 'Disable', disabledReason: 'A trigger starts the flow: it cannot be disabled', run: () => undefined };
  return {
    id: 'disable',
    label: disabled ? 'Enable' : 'Disable',
    run: () => {
      if (!node) return;
      const { disabled: _, ...rest } = node.settings ?? {};
      const settings = disabled ? rest : { ...rest, disabled: true };
      editor().setNodeSettings(nodeId, Object.keys(settings).length > 0 ? settings : undefined);
    },
  };
}
