/**
 * The effect ledger and the per-flow reconciliation, in the engine: every sink effect appears with
 * its source position, key, target and answer; the reconciliation lists each gap, and each broken
 * sink below (no effect step, an effect cut off, a target that does not dedupe) is caught.
 * Also: "retry from this node" after fixing a sink's config completes without re-running upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { createEngine, type Engine } from '../engine';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { NodeError } from '../../shared/services';
import { allNodeDefinitions } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';

const io = { inputs: { in: { type: 'any' as const } }, outputs: { out: { type: 'any' as const } }, ui: {}, exportCode: () => '' };
let upstreamCalls = 0;
/** Stands in for an expensive upstream node (an LLM call, an approval): counts executions. */
const expensive = defineNode({
  type: 'test.expensive', version: 1, title: 'Expensive', description: '', category: 'ai', config: z.object({}), ...io,
  async execute(ctx, { in: input }) {
    const n = await ctx.step.run('call', () => ++upstreamCalls);
    return { out: { ...(input as object), call: n } };
  },
});
/** Broken: writes outside ctx.step.effect (no ledger entry). */
const sneaky = defineNode({
  type: 'test.sneaky-sink', version: 1, title: 'Sneaky', description: '', category: 'sink', config: z.object({}), ...io,
  async execute(ctx) {
    return { out: await ctx.step.run('write', () => 'done') };
  },
});
/** Broken: its target never dedupes, every run applies even the same key. */
const naive = defineNode({
  type: 'test.naive-sink', version: 1, title: 'Naive', description: '', category: 'sink', config: z.object({}), ...io,
  async execute(ctx, { in: input }) {
    const key = `fixed:${(input as { id: string }).id}`;
    return { out: await ctx.step.effect('write', (info) => ({ idempotencyKey: key, target: 'naive:store', answer: 'stored', applied: true, mayHaveRunBefore: info.mayHaveRunBefore })) };
  },
});
/** Broken: the effect dies mid-way (no answer recorded). */
const cut = defineNode({
  type: 'test.cut-sink', version: 1, title: 'Cut', description: '', category: 'sink', config: z.object({}), ...io,
  async execute(ctx) {
    return { out: await ctx.step.effect('write', () => Promise.reject(new NodeError('connection cut mid-write', { permanent: true }))) };
  },
});

let dir: string;
let engine: Engine;
let server: Server;
let port: number;
let hits = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-ledger-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, registry: new NodeRegistry([...allNodeDefinitions, expensive, sneaky, naive, cut] as AnyNodeDefinition[]) });
  server = createServer((_req, res) => {
    hits++;
    res.writeHead(200).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await engine?.close();
  server?.closeAllConnections();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const chain = (id: string, sinks: [string, string, Record<string, unknown>][]): Flow => ({
  schemaVersion: 1,
  id,
  name: id,
  nodes: [
    { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'llm', type: 'test.expensive@1', name: 'Expensive', position: { x: 200, y: 0 }, config: {} },
    ...sinks.map(([nid, type, config], i) => ({ id: nid, type, name: nid, position: { x: 400, y: i * 100 }, config })),
  ],
  edges: [
    { id: 'e0', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' },
    ...sinks.map(([nid], i) => ({ id: `e${i + 1}`, source: 'llm', sourcePort: 'out', target: nid, targetPort: 'in' })),
  ],
});
const run = async (flowId: string, input: unknown, dedupeKey?: string) =>
  engine.waitForRun((await engine.startRun({ flowId, input, ...(dedupeKey ? { dedupeKey } : {}) })).runId);

describe('effect ledger', () => {
  it('records source position → run → node → key → target → answer for each sink effect; reconciliation has no gap', async () => {
    await engine.saveFlow({ flow: chain('good', [['file', 'write-file@2', { path: 'good.jsonl' }], ['db', 'sqlite-sink@1', { file: 'good.db', table: 't', columns: [{ name: 'id', value: '{{ id }}' }] }]]) });
    const a = await run('good', { id: 'a' }, '0/16B3748:00000001');
    const effects = await engine.listEffects({ runId: a.run.id });
    expect(effects.map((e) => [e.nodeId, e.step, e.state, e.applied])).toEqual(
      expect.arrayContaining([
        ['file', 'append', 'done', true],
        ['db', 'write', 'done', true],
      ]),
    );
    expect(effects.find((e) => e.nodeId === 'db')).toMatchObject({ sourcePosition: '0/16B3748:00000001', idempotencyKey: `${a.run.id}:db:write`, target: 'sqlite:good.db/t', answer: 'insert ok, 1 row(s)', mayHaveRunBefore: false });
    await run('good', { id: 'b' });
    const rec = await engine.reconcileEffects({ flowId: 'good' });
    expect(rec.gaps).toEqual([]);
    expect(rec.nodes).toEqual(
      expect.arrayContaining([
        { nodeId: 'file', nodeName: 'file', reached: 2, effects: 2, applied: 2, mayHaveRunBefore: 0 },
        { nodeId: 'db', nodeName: 'db', reached: 2, effects: 2, applied: 2, mayHaveRunBefore: 0 },
      ]),
    );
  });

  it('catches a sink that wrote outside an effect, an effect with no answer, and a key applied twice', async () => {
    await engine.saveFlow({ flow: chain('broken', [['sneaky', 'test.sneaky-sink@1', {}], ['naive', 'test.naive-sink@1', {}], ['cut', 'test.cut-sink@1', {}]]) });
    const a = await run('broken', { id: 'same' });
    const b = await run('broken', { id: 'same' });
    const rec = await engine.reconcileEffects({ flowId: 'broken' });
    const kinds = rec.gaps.map((g) => `${g.kind}:${g.nodeId}`).sort();
    expect(kinds).toEqual(['effect-in-doubt:cut', 'effect-in-doubt:cut', 'key-applied-twice:naive', 'reached-without-effect:sneaky', 'reached-without-effect:sneaky']);
    expect(rec.gaps.find((g) => g.kind === 'key-applied-twice')?.message).toContain(`${a.run.id}, ${b.run.id}`);
  });
});

describe('retry from this node', () => {
  it('after fixing an unreachable target, the re-run from the sink completes without running upstream again', async () => {
    const sink = (url: string) => chain('retry', [['hook', 'webhook-sink@1', { url, maxAttempts: 2 }]]);
    await engine.saveFlow({ flow: sink('http://127.0.0.1:1/down') });
    const before = upstreamCalls;
    const failed = await run('retry', { id: 'r1' });
    expect(failed.run.status).toBe('failed');
    expect(failed.nodes['hook']?.error?.message).toMatch(/connection refused.*gave up after 2 attempts/);
    expect(upstreamCalls).toBe(before + 1);
    await engine.saveFlow({ flow: sink(`http://127.0.0.1:${port}/up`) });
    const { runId } = await engine.rerun({ runId: failed.run.id, fromNodeId: 'hook' });
    const done = await engine.waitForRun(runId);
    expect(done.run.status).toBe('succeeded');
    expect(hits).toBe(1);
    expect(upstreamCalls).toBe(before + 1);
    expect(done.nodes['llm']?.output).toEqual(failed.nodes['llm']?.output);
  });
});
