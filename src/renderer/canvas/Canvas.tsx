/** The React Flow canvas, driven entirely by the editor store (the store is the source of truth). */
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react';
import type { Position } from '../../shared/flow/schema';
import { nodeRegistry } from '../../nodes';
import { editorStore, useEditor, type SelectionChange } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { selectedTrace, useRuns } from '../stores/run-store';
import { focusNode } from '../actions';
import { FlowNodeView } from './FlowNodeView';
import { newMappingCache, toCanvasEdges, toCanvasNodes, type CanvasNode } from './rf-mapping';
import type { Size } from './layout';
import { RunBanner } from '../runs/RunBanner';
import { ValueEdge } from './ValueEdge';
import { HeatmapBar } from '../runs/HeatmapBar';
import { ContextMenu, type OpenMenu } from './ContextMenu';
import type { MenuTarget } from './context-menu';

export const PALETTE_MIME = 'application/x-millrace-node';

const nodeTypes = { millrace: FlowNodeView };
// Every edge shows the value that passed along it in the shown run (ValueEdge).
const edgeTypes = { value: ValueEdge };
const defaultEdgeOptions = { type: 'value' };
const fitOptions = { padding: 0.12, maxZoom: 1.1 };
/** The minimap takes at most ~16% of the canvas width (168 × 112 on a wide one, never below 96 × 64). */
function minimapSize(canvasWidth: number): { width: number; height: number } {
  const width = Math.round(Math.min(168, Math.max(96, canvasWidth * 0.16)));
  return { width, height: Math.round((width * 2) / 3) };
}
const editor = () => editorStore.getState();
const toast = (text: string) => useSession.getState().toast('error', text);

function onNodesChange(changes: NodeChange<CanvasNode>[]) {
  const positions: Record<string, Position> = {};
  const sizes: Record<string, Size> = {};
  const selection: SelectionChange[] = [];
  let moved = false;
  let dragging = false;
  for (const change of changes) {
    if (change.type === 'position' && change.position) {
      positions[change.id] = change.position;
      moved = true;
      dragging ||= change.dragging ?? false;
    } else if (change.type === 'dimensions' && change.dimensions) {
      sizes[change.id] = change.dimensions;
    } else if (change.type === 'select') {
      selection.push({ id: change.id, selected: change.selected });
    }
  }
  if (Object.keys(sizes).length > 0) editor().setMeasured(sizes);
  if (moved) editor().moveNodes(positions, dragging);
  if (selection.length > 0) editor().applySelectionChanges(selection, []);
}

function onEdgesChange(changes: EdgeChange[]) {
  const selection: SelectionChange[] = [];
  for (const change of changes) if (change.type === 'select') selection.push({ id: change.id, selected: change.selected });
  if (selection.length > 0) editor().applySelectionChanges([], selection);
}

function asPortConnection(c: Connection | Edge) {
  if (!c.sourceHandle || !c.targetHandle) return null;
  return { source: c.source, sourcePort: c.sourceHandle, target: c.target, targetPort: c.targetHandle };
}

const isValidConnection = (c: Connection | Edge) => {
  const conn = asPortConnection(c);
  return conn !== null && editor().connectionProblem(conn) === null;
};

function onConnect(c: Connection) {
  const conn = asPortConnection(c);
  if (!conn) return;
  const refused = editor().connect(conn);
  if (refused) toast(refused);
}

/** React Flow only says "invalid"; this says why, so the user knows what to change. */
const onConnectEnd: OnConnectEnd = (_event, state) => {
  if (state.isValid !== false || !state.fromNode || !state.toNode || !state.fromHandle || !state.toHandle) return;
  if (state.fromHandle.type === state.toHandle.type) {
    toast('Connect an output (right side) to an input (left side).');
    return;
  }
  const fromIsSource = state.fromHandle.type === 'source';
  const source = fromIsSource ? state.fromHandle : state.toHandle;
  const target = fromIsSource ? state.toHandle : state.fromHandle;
  const why = editor().connectionProblem({
    source: source.nodeId,
    sourcePort: source.id ?? '',
    target: target.nodeId,
    targetPort: target.id ?? '',
  });
  if (why) toast(why);
};

const onNodeDragStop = () => editor().endDrag();
const minimapClass = (node: CanvasNode) => `cat-${nodeRegistry.get(node.data.node.type)?.category ?? 'unknown'}`;

export function Canvas() {
  const flow = useEditor((s) => s.flow);
  const selection = useEditor((s) => s.selection);
  const measured = useEditor((s) => s.measured);
  const theme = useSession((s) => s.theme);
  const fitRequest = useSession((s) => s.fitRequest);
  const trace = useRuns(selectedTrace);
  const canvasWidth = useStore((s) => s.width);
  const minimapStyle = useMemo(() => minimapSize(canvasWidth), [canvasWidth]);
  const { fitView, setViewport, screenToFlowPosition } = useReactFlow();
  // Reused across renders so unchanged nodes keep their object identity (see rf-mapping).
  const [cache] = useState(newMappingCache);
  const [menu, setMenu] = useState<OpenMenu | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const openMenu = useCallback((event: { preventDefault(): void; clientX: number; clientY: number; currentTarget: unknown }, target: MenuTarget) => {
    event.preventDefault();
    const box = document.querySelector('.canvas')?.getBoundingClientRect();
    setMenu({ target, x: event.clientX - (box?.left ?? 0), y: event.clientY - (box?.top ?? 0) });
  }, []);

  const selectedNodes = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const selectedEdges = useMemo(() => new Set(selection.edges), [selection.edges]);
  const running = useMemo(
    () => new Set(Object.values(trace?.nodes ?? {}).filter((n) => n.status === 'running').map((n) => n.nodeId)),
    [trace],
  );
  const nodes = useMemo(
    () => (flow ? toCanvasNodes(flow, selectedNodes, measured, cache) : []),
    [flow, selectedNodes, measured, cache],
  );
  const edges = useMemo(() => (flow ? toCanvasEdges(flow, selectedEdges, running, cache) : []), [flow, selectedEdges, running, cache]);

  useEffect(() => {
    if (fitRequest === 0) return;
    // React Flow queues a fit until nodes are measured: on an empty flow it would fire on the
    // first node added and yank the view away from where the user is placing nodes.
    if ((editor().flow?.nodes.length ?? 0) > 0) void fitView({ ...fitOptions, duration: 250 });
    else void setViewport({ x: 0, y: 0, zoom: 1 });
  }, [fitRequest, fitView, setViewport]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const ref = event.dataTransfer.getData(PALETTE_MIME);
      if (!ref) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Drop the node with its header under the pointer, as if held there.
      const id = editor().addNode(ref, { x: at.x - 116, y: at.y - 24 });
      if (id) focusNode(id);
    },
    [screenToFlowPosition],
  );

  if (!flow) return <div className="canvas canvas--empty" />;

  return (
    <div className="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<CanvasNode>
        key={flow.id}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStop={onNodeDragStop}
        onSelectionDragStop={onNodeDragStop}
        onNodeClick={(_event, node) => focusNode(node.id)}
        onNodeContextMenu={(event, node) => openMenu(event, { kind: 'node', nodeId: node.id })}
        onEdgeContextMenu={(event, edge) => openMenu(event, { kind: 'edge', edgeId: edge.id })}
        onPaneContextMenu={(event) => openMenu(event, { kind: 'pane' })}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Control', 'Meta']}
        colorMode={theme}
        minZoom={0.2}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        attributionPosition="bottom-left"
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} />
        <Controls showInteractive={false} position="bottom-left" className="mr-controls" />
        <MiniMap pannable zoomable nodeClassName={minimapClass} nodeBorderRadius={6} className="mr-minimap" style={minimapStyle} />
      </ReactFlow>
      <RunBanner />
      <HeatmapBar />
      {menu ? <ContextMenu menu={menu} onClose={closeMenu} /> : null}
      {flow.nodes.length === 0 ? (
        <div className="canvas__empty">
          <div className="canvas__empty-title">This flow is empty</div>
          <div>Drag a node from the palette, or click one to add it. Start with a trigger.</div>
        </div>
      ) : null}
    </div>
  );
}
