import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executeRun } from './runner';
import { MemoryJournal } from './memory-journal';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';
import type { NodeServices } from '../../shared/services';
import type { RunEvent } from '../../shared/runs';

let effects = 0;
const boom = defineNode({
  type: 'test.boom', version: 1, title: 'Boom', description: '', category: 'action',
  config: z.object({ message: z.string().default('kaput') }),
  inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(_ctx, _inputs, cfg) { throw new Error(cfg.message); },
  exportCode: () => '',
});
const effect = defineNode({
  type: 'test.effect', version: 1, title: 'Effect', description: '', category: 'action',
  config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(ctx, { in: input }) {
    const n = await ctx.step.run('count', () => ++effects);
    return { out: { input, n, key: ctx.step.idempotencyKey('count') } };
  },
  exportCode: () => '',
});
const bad = defineNode({
  type: 'test.bad-output', version: 1, title: 'Bad', description: '', category: 'action',
  config: z.object({ kind: z.enum(['bigint', 'huge', 'unknown-port']) }), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
  async execute(_ctx, _i, cfg) {
    if (cfg.kind === 'bigint') return { out: { n: 10n } };
    if (cfg.kind === 'huge') return { out: 'x'.repeat(2_000) };
    return { nope: 1 } as never;
  },
  exportCode: () => '',
});
const registry = new NodeRegistry([...allNodeDefinitions, boom, effect, bad] as AnyNodeDefinition[]);

const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: { ok: true } }) },
  files: { appendLines: async (p) => `/out/${p}`, appendKeyed: async (p) => ({ path: `/out/${p}`, appended: true, bytes: 0 }) },
  clock: { now: () => 0 },
};

function flow(nodes: [string, string, Record<string, unknown>][], edges: [string, string, string, string][]): Flow {
  return {
    schemaVersion: 1, id: 'f1', name: 'Test',
    nodes: nodes.map(([id, type, config]) => ({ id, type, name: id, position: { x: 0, y: 0 }, config })),
    edges: edges.map(([source, sourcePort, target, targetPort], i) => ({ id: `e${i}`, source, sourcePort, target, targetPort })),
  };
}

async function run(f: Flow, input?: unknown, journal = new MemoryJournal(), runId = 'r1', maxOutputBytes?: number) {
  const events: RunEvent[] = [];
  const { status } = await executeRun({ runId, flow: f, flowVersion: 1, input, registry, journal, services, emit: (e) => events.push(e), ...(maxOutputBytes ? { maxOutputBytes } : {}) });
  return { status, events, journal };
}

describe('runner', () => {
  it('runs a linear flow, passing data along and journaling every node', async () => {
    const f = flow(
      [['t', 'manual-trigger@1', {}], ['s', 'set-fields@1', { fields: [{ name: 'double', value: '{{ n }}' }, { name: 'msg', value: 'n={{ n }}' }] }]],
      [['t', 'out', 's', 'in']],
    );
    const { status, events, journal } = await run(f, { n: 21 });
    expect(status).toBe('succeeded');
    expect(journal.nodes.get('r1/s')?.output).toEqual({ double: 21, msg: 'n=21' });
    expect(journal.runs.get('r1')?.status).toBe('succeeded');
    expect(events.map((e) => e.type)).toEqual(['run.started', 'node.started', 'node.succeeded', 'node.started', 'node.succeeded', 'run.finished']);
  });

  it('takes one If branch and skips the other branch and everything only it feeds', async () => {
    const f = flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['if', 'if@1', { left: '{{ amount }}', operator: 'greater', right: '100' }],
        ['yes', 'set-fields@1', { fields: [{ name: 'branch', value: 'yes' }] }],
        ['no', 'set-fields@1', { fields: [{ name: 'branch', value: 'no' }] }],
        ['after-no', 'set-fields@1', { fields: [] }],
      ],
      [['t', 'out', 'if', 'in'], ['if', 'true', 'yes', 'in'], ['if', 'false', 'no', 'in'], ['no', 'out', 'after-no', 'in']],
    );
    const { journal } = await run(f, { amount: 500 });
    expect(journal.nodes.get('r1/yes')?.status).toBe('succeeded');
    expect(journal.nodes.get('r1/no')?.status).toBe('skipped');
    expect(journal.nodes.get('r1/after-no')?.status).toBe('skipped');
    const second = await run(f, { amount: 5 }, new MemoryJournal(), 'r2');
    expect(second.journal.nodes.get('r2/yes')?.status).toBe('skipped');
    expect(second.journal.nodes.get('r2/no')?.output).toEqual({ branch: 'no' });
  });

  it('marks the run failed at the throwing node with its message and does not run downstream', async () => {
    const f = flow(
      [['t', 'manual-trigger@1', {}], ['b', 'test.boom@1', { message: 'database on fire' }], ['after', 'set-fields@1', { fields: [] }]],
      [['t', 'out', 'b', 'in'], ['b', 'out', 'after', 'in']],
    );
    const { status, journal, events } = await run(f, {});
    expect(status).toBe('failed');
    expect(journal.runs.get('r1')?.error).toEqual({ message: 'database on fire', nodeId: 'b' });
    expect(journal.nodes.get('r1/b')?.error?.message).toBe('database on fire');
    expect(journal.nodes.has('r1/after')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed' });
  });

  it('memoises steps: a resumed run gets the journaled result instead of repeating the effect', async () => {
    effects = 0;
    const f = flow([['t', 'manual-trigger@1', {}], ['fx', 'test.effect@1', {}]], [['t', 'out', 'fx', 'in']]);
    const journal = new MemoryJournal();
    await run(f, { a: 1 }, journal);
    expect(effects).toBe(1);
    // Same run id against the same journal = a resume: the step is not executed again.
    await executeRun({ runId: 'r1', flow: f, flowVersion: 1, input: { a: 1 }, registry, journal, services, emit: () => {} });
    expect(effects).toBe(1);
    expect(journal.nodes.get('r1/fx')?.output).toEqual({ input: { a: 1 }, n: 1, key: 'r1:fx:count' });
  });

  it('fails a node whose output is not JSON, too large, or on an unknown port, naming the node', async () => {
    for (const [kind, pattern] of [['bigint', /not JSON-serialisable/], ['huge', /limit/], ['unknown-port', /unknown output "nope"/]] as const) {
      const f = flow([['t', 'manual-trigger@1', {}], ['x', 'test.bad-output@1', { kind }]], [['t', 'out', 'x', 'in']]);
      const { status, journal } = await run(f, {}, new MemoryJournal(), 'r1', 1_000);
      expect(status).toBe('failed');
      expect(journal.nodes.get('r1/x')?.error?.message).toMatch(pattern);
    }
  });

  it('runs independent branches concurrently', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = defineNode({
      type: 'test.slow', version: 1, title: 'Slow', description: '', category: 'action', config: z.object({}),
      inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
      async execute() { inFlight++; peak = Math.max(peak, inFlight); await new Promise((r) => setTimeout(r, 30)); inFlight--; return { out: 1 }; },
      exportCode: () => '',
    });
    const reg = new NodeRegistry([...allNodeDefinitions, slow] as AnyNodeDefinition[]);
    const f = flow([['t', 'manual-trigger@1', {}], ['a', 'test.slow@1', {}], ['b', 'test.slow@1', {}], ['c', 'test.slow@1', {}]], [['t', 'out', 'a', 'in'], ['t', 'out', 'b', 'in'], ['t', 'out', 'c', 'in']]);
    const journal = new MemoryJournal();
    await executeRun({ runId: 'r', flow: f, flowVersion: 1, input: {}, registry: reg, journal, services, emit: () => {} });
    expect(peak).toBe(3);
  });
});

describe('runner replay safety', () => {
  it('fails loudly when a journaled step was recorded by another node version', async () => {
    const f = flow([['t', 'manual-trigger@1', {}], ['fx', 'test.effect@1', {}]], [['t', 'out', 'fx', 'in']]);
    const journal = new MemoryJournal();
    await journal.putStep('r9', 'fx', 'count', 'test.effect@0', 7);
    effects = 0;
    const { status } = await executeRun({ runId: 'r9', flow: f, flowVersion: 1, input: {}, registry, journal, services, emit: () => {} });
    expect(status).toBe('failed');
    expect(journal.nodes.get('r9/fx')?.error?.message).toMatch(/recorded by test\.effect@0 but this run now has test\.effect@1/);
    expect(effects).toBe(0);
  });
});

describe('durability frontier', () => {
  const tick = () => new Promise((r) => setTimeout(r, 20));

  it('runs no effect before the run\'s earlier writes are durable, and does not finish before its steps are durable', async () => {
    effects = 0;
    const f = flow([['t', 'manual-trigger@1', {}], ['a', 'test.effect@1', {}], ['b', 'test.effect@1', {}]], [['t', 'out', 'a', 'in'], ['a', 'out', 'b', 'in']]);
    const journal = new MemoryJournal();
    journal.holdDurability = true;
    const events: string[] = [];
    const done = executeRun({ runId: 'rb', flow: f, flowVersion: 1, input: {}, registry, journal, services, emit: (e) => events.push(e.type) });
    await tick();
    expect(effects).toBe(1); // a ran (nothing written before it); b waits for a's step result
    journal.releaseDurability();
    await tick();
    expect(effects).toBe(2);
    expect(events).not.toContain('run.finished'); // b's step result is not durable yet
    journal.holdDurability = false;
    journal.releaseDurability();
    expect((await done).status).toBe('succeeded');
  });

  it('holds every parallel effect until the write before them is durable (two branches waiting at once)', async () => {
    effects = 0;
    const f = flow(
      [['t', 'manual-trigger@1', {}], ['s', 'test.effect@1', {}], ['x', 'test.effect@1', {}], ['y', 'test.effect@1', {}]],
      [['t', 'out', 's', 'in'], ['s', 'out', 'x', 'in'], ['s', 'out', 'y', 'in']],
    );
    const journal = new MemoryJournal();
    journal.holdDurability = true;
    const done = executeRun({ runId: 'rp', flow: f, flowVersion: 1, input: {}, registry, journal, services, emit: () => {} });
    await tick();
    expect(effects).toBe(1); // only s: x and y both wait for s's result to be durable
    journal.releaseDurability();
    await tick();
    expect(effects).toBe(3);
    journal.holdDurability = false;
    journal.releaseDurability();
    expect((await done).status).toBe('succeeded');
  });
});
