/**
 * Test kit for the Postgres change trigger: a flow with the trigger (and an optional recording
 * sink), an engine in a temp folder, and readers for what became of the changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { allNodeDefinitions } from '../../../nodes';
import type { ChangeEvent } from '../../../nodes/postgres-change.node.js';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../../shared/node-kit';
import type { Flow } from '../../../shared/flow/schema';
import { createEngine, type Engine, type EngineOptions } from '../../engine';
import type { TestPostgres } from './postgres-for-tests';
import { payloadsOf } from '../../store/payloads';

/** Executions seen by the recorder node in this process, in execution order. */
export const recorded: { runId: string; event: ChangeEvent }[] = [];

/** Records each change it executes, after an optional random pause (so runs of different rows interleave). */
export const recorderNode = defineNode({
  type: 'test.cdc-recorder',
  version: 1,
  title: 'Recorder',
  description: 'records changes',
  category: 'sink',
  config: z.object({ maxPauseMs: z.number().default(0) }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'any' } },
  ui: {},
  async execute(ctx, { in: input }, cfg) {
    if (cfg.maxPauseMs > 0) await new Promise((r) => setTimeout(r, Math.random() * cfg.maxPauseMs));
    recorded.push({ runId: ctx.runId, event: input as ChangeEvent });
    return { out: null };
  },
  exportCode: (_c, { varName, inputs }) => `const ${varName} = ${inputs['in']};`,
});

/** The sink's copy of the source table, keyed by the row's primary key (JSON). */
export const mirror = new Map<string, Record<string, unknown>>();

/** Applies each change to `mirror`: the "sink equals source" check of the backfill test. */
export const mirrorNode = defineNode({
  type: 'test.cdc-mirror',
  version: 1,
  title: 'Mirror',
  description: 'applies changes to an in-memory copy',
  category: 'sink',
  config: z.object({}),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'any' } },
  ui: {},
  async execute(_ctx, { in: input }) {
    const e = input as ChangeEvent;
    const key = JSON.stringify(e.key);
    if (e.operation === 'delete') mirror.delete(key);
    else mirror.set(key, { ...(mirror.get(key) ?? {}), ...e.new });
    return { out: null };
  },
  exportCode: (_c, { varName, inputs }) => `const ${varName} = ${inputs['in']};`,
});

export const cdcRegistry = new NodeRegistry([...allNodeDefinitions, recorderNode, mirrorNode] as AnyNodeDefinition[]);

export function triggerFlow(id: string, pg: TestPostgres, config: Record<string, unknown>, options: { recorder?: { maxPauseMs: number }; mirror?: boolean } = {}): Flow {
  const trigger = { id: 'pg', type: 'postgres-change@1', name: 'Orders changed', position: { x: 0, y: 0 }, config: { host: pg.host, port: pg.port, ...config } };
  const sink = options.recorder
    ? { id: 'rec', type: 'test.cdc-recorder@1', name: 'Recorder', position: { x: 200, y: 0 }, config: options.recorder }
    : options.mirror
      ? { id: 'rec', type: 'test.cdc-mirror@1', name: 'Mirror', position: { x: 200, y: 0 }, config: {} }
      : null;
  if (!sink) return { schemaVersion: 1, id, name: id, nodes: [trigger], edges: [] };
  return { schemaVersion: 1, id, name: id, nodes: [trigger, sink], edges: [{ id: 'e1', source: 'pg', sourcePort: 'change', target: 'rec', targetPort: 'in' }] };
}

export interface EngineFixture {
  engine: Engine;
  dataDir: string;
  restart(): Promise<Engine>;
  close(): Promise<void>;
}

export function startEngine(options: Partial<EngineOptions> = {}): EngineFixture {
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-cdc-'));
  const make = () =>
    createEngine({ dataDir, registry: cdcRegistry, seedDemo: false, retention: { maxAgeDays: null, maxRunsPerFlow: null }, triggers: { healthIntervalMs: 500 }, ...options });
  const fixture: EngineFixture = {
    engine: make(),
    dataDir,
    async restart() {
      await fixture.engine.close();
      fixture.engine = make();
      return fixture.engine;
    },
    async close() {
      await fixture.engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/** Run inputs of a flow in queue order, read from the journal file (the engine must be closed, or use `runEvents`). */
export function journalEvents(dataDir: string, flowId: string): { dedupeKey: string; orderingKey: string | null; event: ChangeEvent }[] {
  const db = new Database(join(dataDir, 'millrace.db'), { readonly: true });
  try {
    const rows = db.prepare(`SELECT dedupe_key, ordering_key, input FROM runs WHERE flow_id = ? ORDER BY seq`).all(flowId) as { dedupe_key: string; ordering_key: string | null; input: string }[];
    return rows.map((r) => ({ dedupeKey: r.dedupe_key, orderingKey: r.ordering_key, event: payloadsOf(db).decode(r.input) as ChangeEvent }));
  } finally {
    db.close();
  }
}

/** Run inputs of a flow through the live engine, oldest first. */
export async function runEvents(engine: Engine, flowId: string): Promise<ChangeEvent[]> {
  const runs = (await engine.listRuns({ flowId, limit: 1000 })).reverse();
  const traces = await Promise.all(runs.map((r) => engine.getRunTrace({ runId: r.id })));
  return traces.map((t) => t.input as ChangeEvent);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function waitForRunCount(engine: Engine, flowId: string, n: number, timeoutMs?: number): Promise<void> {
  await waitFor(`${n} runs`, async () => (await engine.listRuns({ flowId, limit: 1000 })).length >= n, timeoutMs);
}

export async function waitForState(engine: Engine, flowId: string, state: string, timeoutMs?: number) {
  return waitFor(`trigger state ${state}`, async () => (await engine.getTriggerStatus({ flowId })).find((s) => s.state === state), timeoutMs);
}
