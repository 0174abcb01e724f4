/**
 * The editor store: the open flow document, selection, undo history and clipboard. Everything
 * here is plain data; every edit goes through an action so undo, autosave and validation see it.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Flow, FlowSettings, NodeSettings, Position } from '../../shared/flow/schema';
import type { FlowProblem } from '../../shared/flow/problems';
import { validateFlow } from '../../shared/flow/validate';
import type { NodeRegistry } from '../../shared/node-kit';
import { nodeRegistry } from '../../nodes';
import * as ops from './flow-ops';
import { emptyHistory, record, redo, undo, type History } from './history';
import { DEFAULT_NODE_SIZE, layoutPositions, type Size } from '../canvas/layout';

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface SelectionChange {
  id: string;
  selected: boolean;
}

export const PASTE_OFFSET = 40;
/** Each paste also moves down a node's height, so a copy never sits on top of its original. */
export const PASTE_OFFSET_Y = DEFAULT_NODE_SIZE.height + PASTE_OFFSET;

export interface EditorState {
  flow: Flow | null;
  selection: Selection;
  /** Rendered node sizes reported by the canvas (for layout and the minimap); not part of the document. */
  measured: Record<string, Size>;
  history: History;
  clipboard: ops.Fragment | null;
  pasteCount: number;
  /** Bumps on every document edit; autosave watches it. Loading a flow does not bump it. */
  edits: number;
  problems: FlowProblem[];
  problemsByNode: Record<string, FlowProblem[]>;
  /** The document as it was when the current drag began, so a whole drag is one undo step. */
  dragStart: Flow | null;

  load(flow: Flow): void;
  unload(): void;
  /** With `connectFrom`, the new node is fed from that node's first fitting output (one undo step). */
  addNode(ref: string, position: Position, connectFrom?: string): string | null;
  connectionProblem(c: ops.PortConnection): string | null;
  /** Returns the reason when the connection is refused. */
  connect(c: ops.PortConnection): string | null;
  moveNodes(positions: Record<string, Position>, dragging: boolean): void;
  endDrag(): void;
  setMeasured(sizes: Record<string, Size>): void;
  applySelectionChanges(nodes: SelectionChange[], edges: SelectionChange[]): void;
  setSelection(selection: Selection): void;
  selectAll(): void;
  deleteSelection(): void;
  setConfigField(nodeId: string, field: string, value: unknown): void;
  renameNode(nodeId: string, name: string): void;
  /** A node's engine settings (retries, timeout); `undefined` = defaults. */
  setNodeSettings(nodeId: string, settings: NodeSettings | undefined): void;
  setFlowSettings(settings: FlowSettings | undefined): void;
  setFlowName(name: string): void;
  copy(): boolean;
  paste(): void;
  undo(): void;
  redo(): void;
  autoLayout(): void;
}

const emptySelection = (): Selection => ({ nodes: [], edges: [] });

function analyse(flow: Flow, registry: NodeRegistry): Pick<EditorState, 'problems' | 'problemsByNode'> {
  const problems = validateFlow(flow, registry);
  const problemsByNode: Record<string, FlowProblem[]> = {};
  for (const p of problems) {
    if (p.nodeId) (problemsByNode[p.nodeId] ??= []).push(p);
  }
  return { problems, problemsByNode };
}

function keepExisting(flow: Flow, selection: Selection): Selection {
  const nodes = new Set(flow.nodes.map((n) => n.id));
  const edges = new Set(flow.edges.map((e) => e.id));
  return { nodes: selection.nodes.filter((id) => nodes.has(id)), edges: selection.edges.filter((id) => edges.has(id)) };
}

function applyChanges(current: string[], changes: SelectionChange[]): string[] {
  if (changes.length === 0) return current;
  const set = new Set(current);
  for (const c of changes) {
    if (c.selected) set.add(c.id);
    else set.delete(c.id);
  }
  return [...set];
}

export function createEditorStore(registry: NodeRegistry = nodeRegistry, now: () => number = Date.now) {
  return createStore<EditorState>()((set, get) => {
    /** Applies an edit as one undo step; `key` merges rapid edits of the same field. */
    const commit = (next: Flow, key: string | null = null, extra: Partial<EditorState> = {}) => {
      const { flow, history, edits, selection } = get();
      if (!flow || next === flow) return;
      set({
        flow: next,
        history: record(history, flow, key, now()),
        edits: edits + 1,
        selection: keepExisting(next, extra.selection ?? selection),
        ...analyse(next, registry),
        ...extra,
      });
    };

    return {
      flow: null,
      selection: emptySelection(),
      measured: {},
      history: emptyHistory(),
      clipboard: null,
      pasteCount: 0,
      edits: 0,
      problems: [],
      problemsByNode: {},
      dragStart: null,

      load(flow) {
        set({ flow, selection: emptySelection(), history: emptyHistory(), pasteCount: 0, dragStart: null, ...analyse(flow, registry) });
      },
      unload() {
        set({ flow: null, selection: emptySelection(), history: emptyHistory(), problems: [], problemsByNode: {}, dragStart: null });
      },

      addNode(ref, position, connectFrom) {
        const flow = get().flow;
        if (!flow) return null;
        const added = connectFrom ? ops.addNodeAfter(flow, registry, ref, position, connectFrom) : ops.addNode(flow, registry, ref, position);
        if (!added) return null;
        commit(added.flow, null, { selection: { nodes: [added.nodeId], edges: [] } });
        return added.nodeId;
      },

      connectionProblem(c) {
        const flow = get().flow;
        return flow ? ops.connectionProblem(flow, registry, c) : 'No flow is open.';
      },
      connect(c) {
        const flow = get().flow;
        if (!flow) return 'No flow is open.';
        const why = ops.connectionProblem(flow, registry, c);
        if (why) return why;
        commit(ops.connect(flow, c).flow);
        return null;
      },

      moveNodes(positions, dragging) {
        const { flow, dragStart } = get();
        if (!flow) return;
        const next = ops.moveNodes(flow, positions);
        if (dragging) {
          // Positions do not affect validation, so skip re-analysing on every pointer move.
          if (next !== flow) set({ flow: next, dragStart: dragStart ?? flow });
        } else if (dragStart) {
          set({ flow: next });
          get().endDrag();
        } else {
          commit(next);
        }
      },
      endDrag() {
        const { flow, dragStart, history, edits } = get();
        if (!flow || !dragStart) return;
        set({ dragStart: null });
        if (flow === dragStart) return;
        set({ history: record(history, dragStart, null, now()), edits: edits + 1 });
      },

      setMeasured(sizes) {
        set((s) => ({ measured: { ...s.measured, ...sizes } }));
      },

      applySelectionChanges(nodes, edges) {
        const s = get().selection;
        const next = { nodes: applyChanges(s.nodes, nodes), edges: applyChanges(s.edges, edges) };
        if (next.nodes !== s.nodes || next.edges !== s.edges) set({ selection: next });
      },
      setSelection(selection) {
        set({ selection });
      },
      selectAll() {
        const flow = get().flow;
        if (flow) set({ selection: { nodes: flow.nodes.map((n) => n.id), edges: flow.edges.map((e) => e.id) } });
      },

      deleteSelection() {
        const { flow, selection } = get();
        if (!flow || (selection.nodes.length === 0 && selection.edges.length === 0)) return;
        commit(ops.removeElements(flow, selection.nodes, selection.edges), null, { selection: emptySelection() });
      },

      setConfigField(nodeId, field, value) {
        const flow = get().flow;
        if (flow) commit(ops.setConfigField(flow, nodeId, field, value), `config:${nodeId}:${field}`);
      },
      renameNode(nodeId, name) {
        const flow = get().flow;
        if (flow) commit(ops.updateNode(flow, nodeId, (n) => ({ ...n, name })), `name:${nodeId}`);
      },
      setNodeSettings(nodeId, settings) {
        const flow = get().flow;
        if (flow) commit(ops.setNodeSettings(flow, nodeId, settings), `settings:${nodeId}`);
      },
      setFlowSettings(settings) {
        const flow = get().flow;
        if (flow) commit(ops.setFlowSettings(flow, settings), 'flow-settings');
      },
      setFlowName(name) {
        const flow = get().flow;
        // Renames go through the engine's renameFlow; the local copy only follows, outside undo.
        if (flow) set({ flow: { ...flow, name } });
      },

      copy() {
        const { flow, selection } = get();
        const fragment = flow ? ops.copyFragment(flow, selection.nodes) : null;
        if (!fragment) return false;
        set({ clipboard: fragment, pasteCount: 0 });
        return true;
      },
      paste() {
        const { flow, clipboard, pasteCount } = get();
        if (!flow || !clipboard) return;
        const times = pasteCount + 1;
        const pasted = ops.pasteFragment(flow, clipboard, { x: PASTE_OFFSET * times, y: PASTE_OFFSET_Y * times });
        commit(pasted.flow, null, { selection: { nodes: pasted.nodeIds, edges: [] }, pasteCount: pasteCount + 1 });
      },

      undo() {
        const { flow, history, selection, edits } = get();
        const result = flow && undo(history, flow);
        if (!result) return;
        set({ flow: result.flow, history: result.history, edits: edits + 1, selection: keepExisting(result.flow, selection), ...analyse(result.flow, registry) });
      },
      redo() {
        const { flow, history, selection, edits } = get();
        const result = flow && redo(history, flow);
        if (!result) return;
        set({ flow: result.flow, history: result.history, edits: edits + 1, selection: keepExisting(result.flow, selection), ...analyse(result.flow, registry) });
      },

      autoLayout() {
        const { flow, measured } = get();
        if (!flow || flow.nodes.length === 0) return;
        commit(ops.moveNodes(flow, layoutPositions(flow, measured)));
      },
    };
  });
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (state: EditorState) => T): T {
  return useStore(editorStore, selector);
}
