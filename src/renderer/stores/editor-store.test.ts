import { describe, expect, it } from 'vitest';
import type { Flow } from '../../shared/flow/schema';
import { FlowSchema } from '../../shared/flow/schema';
import { createEditorStore, PASTE_OFFSET, PASTE_OFFSET_Y } from './editor-store';
import { COALESCE_MS } from './history';
import { testRegistry } from './test-registry';

const emptyFlow = (): Flow => ({ schemaVersion: 1, id: 'flow_1', name: 'Test', nodes: [], edges: [] });

function setup() {
  let now = 1_000_000;
  const store = createEditorStore(testRegistry, () => now);
  store.getState().load(emptyFlow());
  const s = () => store.getState();
  const flow = () => {
    const f = s().flow;
    if (!f) throw new Error('no flow');
    return f;
  };
  return { store, s, flow, tick: (ms: number) => (now += ms) };
}

/** start → text, plus a lone count node. */
function threeNodes() {
  const t = setup();
  const a = t.s().addNode('start@1', { x: 0, y: 0 });
  const b = t.s().addNode('text@1', { x: 300, y: 0 });
  const c = t.s().addNode('count@1', { x: 600, y: 0 });
  if (!a || !b || !c) throw new Error('addNode failed');
  expect(t.s().connect({ source: a, sourcePort: 'out', target: b, targetPort: 'in' })).toBeNull();
  return { ...t, a, b, c };
}

describe('editor store: adding and connecting', () => {
  it('adds nodes with default config, unique names, valid ids, and selects the new node', () => {
    const { s, flow } = setup();
    const first = s().addNode('text@1', { x: 10.4, y: 20.6 });
    const second = s().addNode('text@1', { x: 50, y: 20 });
    expect(flow().nodes.map((n) => n.name)).toEqual(['Text', 'Text 2']);
    expect(flow().nodes[0]).toMatchObject({ type: 'text@1', position: { x: 10, y: 21 }, config: { value: 'hi' } });
    expect(first).toMatch(/^text_[a-z0-9]+$/);
    expect(s().selection.nodes).toEqual([second]);
    expect(FlowSchema.safeParse(flow()).success).toBe(true);
  });

  it('adding after a selected node feeds it from the first output the new node accepts, as one undo step', () => {
    const { s, flow } = setup();
    const start = s().addNode('start@1', { x: 0, y: 0 })!;
    const text = s().addNode('text@1', { x: 300, y: 0 }, start)!;
    expect(flow().edges).toEqual([expect.objectContaining({ source: start, sourcePort: 'out', target: text, targetPort: 'in' })]);
    // text's string output does not fit count's number input: added, not connected.
    const count = s().addNode('count@1', { x: 600, y: 0 }, text)!;
    expect(flow().edges.filter((e) => e.target === count)).toEqual([]);
    // A trigger has no input to feed.
    s().addNode('start@1', { x: 0, y: 300 }, text);
    expect(flow().edges).toHaveLength(1);
    s().undo();
    s().undo();
    s().undo();
    expect(flow().nodes.map((n) => n.id)).toEqual([start]);
    expect(flow().edges).toEqual([]);
  });

  it('numbers names on their stem: a copy of "Text 2" is "Text 3"', () => {
    const { s, flow } = setup();
    s().addNode('text@1', { x: 0, y: 0 });
    const second = s().addNode('text@1', { x: 0, y: 200 })!;
    s().setSelection({ nodes: [second], edges: [] });
    s().copy();
    s().paste();
    expect(flow().nodes.map((n) => n.name)).toEqual(['Text', 'Text 2', 'Text 3']);
  });

  it('refuses incompatible ports with a reason naming both nodes and types', () => {
    const { s, flow, b, c } = threeNodes();
    const why = s().connect({ source: b, sourcePort: 'out', target: c, targetPort: 'in' });
    expect(why).toBe('Cannot connect "Text" to "Count": a string output cannot feed a number input.');
    expect(flow().edges).toHaveLength(1);
    expect(s().connectionProblem({ source: b, sourcePort: 'out', target: c, targetPort: 'in' })).toBe(why);
  });

  it('refuses self-loops, duplicates, cycles and missing ports', () => {
    const { s, a, b } = threeNodes();
    const c2 = s().addNode('text@1', { x: 0, y: 200 });
    if (!c2) throw new Error();
    expect(s().connect({ source: b, sourcePort: 'out', target: b, targetPort: 'in' })).toMatch(/cannot feed itself/);
    expect(s().connect({ source: a, sourcePort: 'out', target: b, targetPort: 'in' })).toMatch(/already connected/);
    expect(s().connect({ source: b, sourcePort: 'out', target: c2, targetPort: 'in' })).toBeNull();
    expect(s().connect({ source: c2, sourcePort: 'out', target: b, targetPort: 'in' })).toMatch(/loop/);
    expect(s().connect({ source: a, sourcePort: 'nope', target: c2, targetPort: 'in' })).toMatch(/has no output "nope"/);
  });

  it('keeps validation problems per node up to date', () => {
    const { s, b, c } = threeNodes();
    expect(s().problemsByNode[c]?.[0]?.message).toMatch(/not connected/);
    s().setConfigField(b, 'value', '');
    expect(s().problemsByNode[b]).toEqual([expect.objectContaining({ field: 'value', message: 'required' })]);
  });
});

describe('editor store: undo and redo', () => {
  it('undoes and redoes edits as whole snapshots', () => {
    const { s, flow, b } = threeNodes();
    const before = flow();
    s().renameNode(b, 'Renamed');
    expect(flow().nodes.find((n) => n.id === b)?.name).toBe('Renamed');
    s().undo();
    expect(flow()).toBe(before);
    s().redo();
    expect(flow().nodes.find((n) => n.id === b)?.name).toBe('Renamed');
  });

  it('merges quick edits of one field into one step, but not edits of different fields', () => {
    const { s, flow, b, tick } = threeNodes();
    const before = flow();
    s().setConfigField(b, 'value', 'h');
    tick(100);
    s().setConfigField(b, 'value', 'he');
    tick(100);
    s().setConfigField(b, 'value', 'hey');
    s().undo();
    expect(flow()).toBe(before);
    s().redo();
    tick(COALESCE_MS + 1);
    s().setConfigField(b, 'value', 'later');
    s().undo();
    expect(flow().nodes.find((n) => n.id === b)?.config['value']).toBe('hey');
  });

  it('makes a whole drag one undo step and does not bump edits mid-drag', () => {
    const { s, flow, a } = threeNodes();
    const before = flow();
    const edits = s().edits;
    s().moveNodes({ [a]: { x: 5, y: 5 } }, true);
    s().moveNodes({ [a]: { x: 50, y: 50 } }, true);
    expect(s().edits).toBe(edits);
    s().moveNodes({ [a]: { x: 80, y: 80 } }, false);
    expect(s().edits).toBe(edits + 1);
    expect(flow().nodes[0]?.position).toEqual({ x: 80, y: 80 });
    s().undo();
    expect(flow()).toBe(before);
  });

  it('clears redo after a new edit and drops selection of nodes that vanish', () => {
    const { s, flow, c } = threeNodes();
    s().setSelection({ nodes: [c], edges: [] });
    s().deleteSelection();
    s().undo();
    s().setSelection({ nodes: [c], edges: [] });
    s().redo();
    expect(s().selection.nodes).toEqual([]);
    s().undo();
    s().renameNode(c, 'x');
    expect(s().history.future).toHaveLength(0);
    expect(flow().nodes).toHaveLength(3);
  });

  it('loading another flow resets history', () => {
    const { s } = threeNodes();
    expect(s().history.past.length).toBeGreaterThan(0);
    s().load(emptyFlow());
    expect(s().history.past).toHaveLength(0);
    s().undo();
    expect(s().flow?.nodes).toHaveLength(0);
  });
});

describe('editor store: delete, copy and paste', () => {
  it('deletes selected nodes with their edges, and selected edges alone', () => {
    const { s, flow, a, b } = threeNodes();
    const edge = flow().edges[0]?.id ?? '';
    s().setSelection({ nodes: [], edges: [edge] });
    s().deleteSelection();
    expect(flow().edges).toHaveLength(0);
    s().undo();
    s().setSelection({ nodes: [a], edges: [] });
    s().deleteSelection();
    expect(flow().nodes.map((n) => n.id)).not.toContain(a);
    expect(flow().edges).toHaveLength(0);
    expect(flow().nodes.map((n) => n.id)).toContain(b);
  });

  it('pastes copies with new ids, offset positions, inner edges only, and selects them', () => {
    const { s, flow, a, b, c } = threeNodes();
    s().setSelection({ nodes: [a, b], edges: [] });
    expect(s().copy()).toBe(true);
    s().paste();
    const pasted = s().selection.nodes;
    expect(pasted).toHaveLength(2);
    expect(pasted).not.toContain(a);
    const copies = flow().nodes.filter((n) => pasted.includes(n.id));
    expect(copies.map((n) => n.position)).toEqual([
      { x: PASTE_OFFSET, y: PASTE_OFFSET_Y },
      { x: 300 + PASTE_OFFSET, y: PASTE_OFFSET_Y },
    ]);
    expect(copies.map((n) => n.name)).toEqual(['Start 2', 'Text 2']);
    const newEdges = flow().edges.filter((e) => pasted.includes(e.source));
    expect(newEdges).toHaveLength(1);
    expect(pasted).toContain(newEdges[0]?.target);
    s().paste();
    const third = flow().nodes.filter((n) => s().selection.nodes.includes(n.id));
    expect(third[0]?.position).toEqual({ x: 2 * PASTE_OFFSET, y: 2 * PASTE_OFFSET_Y });
    // Copies of copies are numbered on, not suffixed again.
    expect(third.map((n) => n.name)).toEqual(['Start 3', 'Text 3']);
    expect(flow().nodes.map((n) => n.id)).toContain(c);
    expect(FlowSchema.safeParse(flow()).success).toBe(true);
    s().undo();
    s().undo();
    expect(flow().nodes).toHaveLength(3);
  });

  it('copy with nothing selected does nothing; the clipboard survives loading another flow', () => {
    const { s, a } = threeNodes();
    s().setSelection({ nodes: [], edges: [] });
    expect(s().copy()).toBe(false);
    s().setSelection({ nodes: [a], edges: [] });
    s().copy();
    s().load(emptyFlow());
    s().paste();
    expect(s().flow?.nodes).toHaveLength(1);
  });
});

describe('editor store: layout and measurements', () => {
  it('lays out left to right in dependency order, as one undo step', () => {
    const { s, flow, a, b } = threeNodes();
    s().moveNodes({ [a]: { x: 900, y: 400 }, [b]: { x: 0, y: 0 } }, false);
    s().setMeasured({ [a]: { width: 200, height: 80 } });
    const before = flow();
    s().autoLayout();
    const pos = (id: string) => flow().nodes.find((n) => n.id === id)?.position ?? { x: NaN, y: NaN };
    expect(pos(a).x).toBeLessThan(pos(b).x);
    expect(pos(b).x - pos(a).x).toBeGreaterThanOrEqual(200);
    s().undo();
    expect(flow()).toBe(before);
  });
});

describe('editor store: engine settings', () => {
  const retry = { maxAttempts: 3, initialDelayMs: 5000, maxDelayMs: 60_000 };

  it('sets and clears a node’s retry policy as undoable, saved edits', () => {
    const { s, flow, b, tick } = threeNodes();
    const before = flow();
    const edits = s().edits;
    s().setNodeSettings(b, { retry });
    expect(flow().nodes.find((n) => n.id === b)?.settings).toEqual({ retry });
    expect(s().edits).toBe(edits + 1);
    expect(FlowSchema.safeParse(flow()).success).toBe(true);
    // Quick edits of the same settings merge into one undo step (typing); a later one is its own.
    tick(COALESCE_MS + 1);
    s().setNodeSettings(b, undefined);
    expect(flow().nodes.find((n) => n.id === b)).not.toHaveProperty('settings');
    s().undo();
    expect(flow().nodes.find((n) => n.id === b)?.settings).toEqual({ retry });
    s().undo();
    expect(flow()).toBe(before);
  });

  it('ignores a settings edit that changes nothing', () => {
    const { s, b } = threeNodes();
    s().setNodeSettings(b, { retry });
    const edits = s().edits;
    s().setNodeSettings(b, { retry: { ...retry } });
    s().setFlowSettings(undefined);
    expect(s().edits).toBe(edits);
  });

  it('sets the flow’s time limit and concurrency, and undoes it', () => {
    const { s, flow } = setup();
    s().setFlowSettings({ runTimeoutMs: 60_000, concurrency: 2 });
    expect(flow().settings).toEqual({ runTimeoutMs: 60_000, concurrency: 2 });
    s().undo();
    expect(flow()).not.toHaveProperty('settings');
  });
});
