/** Pin semantics in the runner: a pinned node is never executed, its pinned outputs feed downstream, and a replay keeps them. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executeRun } from './runner';
import { MemoryJournal } from './memory-journal';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';
import type { NodeServices } from '../../shared/services';
import type { RunEvent } from '../../shared/runs';

let calls = 0;
const counted = defineNode({
  type: 'test.counted', version: 1, title: 'Counted', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(ctx) {
    return { out: await ctx.step.run('call', () => ({ calls: ++calls })) };
  },
  exportCode: () => '',
});
const echo = defineNode({
  type: 'test.echo', version: 1, title: 'Echo', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(_ctx, { in: input }) {
    return { out: { got: input } };
  },
  exportCode: () => '',
});
const registry = new NodeRegistry([...allNodeDefinitions, counted, echo] as AnyNodeDefinition[]);
const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: null }) },
  files: { appendLines: async (p) => p, appendKeyed: async (p) => ({ path: p, appended: true, bytes: 0 }) },
  clock: { now: () => 0 },
};
const flow: Flow = {
  schemaVersion: 1, id: 'f', name: 'F',
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 't', position: { x: 0, y: 0 }, config: {} },
    { id: 'c', type: 'test.counted@1', name: 'c', position: { x: 0, y: 0 }, config: {} },
    { id: 'e', type: 'test.echo@1', name: 'e', position: { x: 0, y: 0 }, config: {} },
  ],
  edges: [
    { id: 'e1', source: 't', sourcePort: 'out', target: 'c', targetPort: 'in' },
    { id: 'e2', source: 'c', sourcePort: 'out', target: 'e', targetPort: 'in' },
  ],
};

async function run(journal: MemoryJournal, runId: string, pins?: Map<string, Record<string, unknown>>) {
  const events: RunEvent[] = [];
  const out = await executeRun({ runId, flow, flowVersion: 1, input: {}, registry, journal, services, emit: (e) => events.push(e), ...(pins ? { pins } : {}) });
  return { ...out, events };
}

describe('runner pins', () => {
  it('does not execute a pinned node; its pinned outputs feed downstream and are journaled', async () => {
    calls = 0;
    const journal = new MemoryJournal();
    const pins = new Map([['c', { out: { calls: 'pinned' } }]]);
    const { status, events } = await run(journal, 'r1', pins);
    expect(status).toBe('succeeded');
    expect(calls).toBe(0);
    const echoed = events.find((e) => e.type === 'node.succeeded' && e.nodeId === 'e');
    expect(echoed).toMatchObject({ output: { got: { calls: 'pinned' } } });
    expect(journal.loadNodeStates('r1').get('c')).toEqual({ status: 'succeeded', outputs: { out: { calls: 'pinned' } } });
    // Without pins the node runs.
    await run(new MemoryJournal(), 'r2');
    expect(calls).toBe(1);
  });

  it('a replay of a run that used a pin keeps the pinned result even if the pin is gone', async () => {
    calls = 0;
    const journal = new MemoryJournal();
    await run(journal, 'r1', new Map([['c', { out: 'p' }]]));
    const again = await run(journal, 'r1');
    expect(calls).toBe(0);
    expect(again.events.filter((e) => e.type === 'node.started')).toEqual([]);
  });
});
