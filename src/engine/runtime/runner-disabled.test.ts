/**
 * Disabled nodes (issue 13, item 10): never executed; the input passes through unchanged to the
 * first output, so the nodes after it still run; on an If only the first branch gets it; a
 * trigger's `disabled` is ignored (a flow cannot start without it).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executeRun } from './runner';
import { MemoryJournal } from './memory-journal';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import type { Flow, FlowNode } from '../../shared/flow/schema';
import type { NodeServices } from '../../shared/services';
import type { RunEvent } from '../../shared/runs';

let calls = 0;
const counted = defineNode({
  type: 'test.counted', version: 1, title: 'Counted', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute() {
    calls++;
    return { out: { replaced: true } };
  },
});
const echo = defineNode({
  type: 'test.echo', version: 1, title: 'Echo', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(_ctx, { in: input }) {
    return { out: { got: input } };
  },
});
const registry = new NodeRegistry([...allNodeDefinitions, counted, echo] as AnyNodeDefinition[]);
const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: null }) },
  files: { appendLines: async (p) => p, appendKeyed: async (p) => ({ path: p, appended: true, bytes: 0 }) },
  clock: { now: () => 0 },
};
const node = (id: string, type: string, extra: Partial<FlowNode> = {}): FlowNode => ({ id, type, name: id, position: { x: 0, y: 0 }, config: {}, ...extra });
const edge = (source: string, sourcePort: string, target: string) => ({ id: `${source}-${sourcePort}-${target}`, source, sourcePort, target, targetPort: 'in' });

async function run(flow: Flow, input: unknown) {
  const events: RunEvent[] = [];
  const journal = new MemoryJournal();
  const out = await executeRun({ runId: 'r1', flow, flowVersion: 1, input, registry, journal, services, emit: (e) => events.push(e) });
  const outputOf = (id: string) => events.find((e): e is Extract<RunEvent, { type: 'node.succeeded' }> => e.type === 'node.succeeded' && e.nodeId === id)?.output;
  return { ...out, events, outputOf, skipped: events.filter((e) => e.type === 'node.skipped').map((e) => e.nodeId) };
}

describe('disabled nodes', () => {
  it('are not executed; their input passes through unchanged and the flow runs on', async () => {
    calls = 0;
    const flow: Flow = {
      schemaVersion: 1, id: 'f', name: 'F',
      nodes: [node('t', 'manual-trigger@1'), node('c', 'test.counted@1', { settings: { disabled: true } }), node('e', 'test.echo@1')],
      edges: [edge('t', 'out', 'c'), edge('c', 'out', 'e')],
    };
    const r = await run(flow, { order: 7 });
    expect(r.status).toBe('succeeded');
    expect(calls).toBe(0);
    expect(r.outputOf('c')).toEqual({ order: 7 });
    expect(r.outputOf('e')).toEqual({ got: { order: 7 } });

    // The same flow enabled: the node runs and replaces the value (the test can tell the two apart).
    const enabled = await run({ ...flow, nodes: flow.nodes.map((n) => (n.id === 'c' ? { ...n, settings: {} } : n)) }, { order: 7 });
    expect(calls).toBe(1);
    expect(enabled.outputOf('e')).toEqual({ got: { replaced: true } });
  });

  it('a disabled If sends its input down the first (true) branch only', async () => {
    const flow: Flow = {
      schemaVersion: 1, id: 'f', name: 'F',
      nodes: [node('t', 'manual-trigger@1'), node('if', 'if@1', { settings: { disabled: true } }), node('yes', 'test.echo@1'), node('no', 'test.echo@1')],
      edges: [edge('t', 'out', 'if'), edge('if', 'true', 'yes'), edge('if', 'false', 'no')],
    };
    const r = await run(flow, { amount: 1 });
    expect(r.outputOf('yes')).toEqual({ got: { amount: 1 } });
    expect(r.skipped).toEqual(['no']);
  });

  it('ignores disabled on a trigger', async () => {
    const flow: Flow = {
      schemaVersion: 1, id: 'f', name: 'F',
      nodes: [node('t', 'manual-trigger@1', { settings: { disabled: true } }), node('e', 'test.echo@1')],
      edges: [edge('t', 'out', 'e')],
    };
    const r = await run(flow, { a: 1 });
    expect(r.outputOf('e')).toEqual({ got: { a: 1 } });
  });
});
