/** The sink and ledger methods of the EngineApi: the effect ledger, reconciliation, table and column pickers. */
import { randomUUID } from 'node:crypto';
import { EngineError } from '../shared/api';
import { asFlowId, asNodeId, asRunId } from '../shared/ids';
import type { NodeContext } from '../shared/node-kit';
import type { SinkApi } from '../shared/effects';
import type { NodeRegistry } from '../shared/node-kit';
import type { NodeServices } from '../shared/services';
import type { Flow } from '../shared/flow/schema';
import { postgresSink } from '../nodes/postgres-sink.node.js';
import { sqliteSink } from '../nodes/sqlite-sink.node.js';
import { parseTableList } from '../nodes/postgres-change.node.js';
import { pickConnection } from '../nodes/pg-connection.js';
import { EffectLedger } from './store/effect-ledger';
import type { Db } from './store/database';

export class SinkApiImpl implements SinkApi {
  private readonly ledger: EffectLedger;
  constructor(
    private readonly o: { db: Db; registry: NodeRegistry; services: NodeServices; getFlow: (id: string) => Promise<Flow>; redact?: (text: string) => string },
  ) {
    this.ledger = new EffectLedger(o.db);
  }

  listEffects: SinkApi['listEffects'] = async (arg) => {
    if (!arg.runId && !arg.flowId) throw new EngineError('invalid_argument', 'give a runId or a flowId');
    return this.ledger.list(arg);
  };

  reconcileEffects: SinkApi['reconcileEffects'] = async ({ flowId }) => {
    const flow = await this.o.getFlow(flowId);
    const sinks = flow.nodes.filter((n) => this.o.registry.get(n.type)?.category === 'sink').map((n) => ({ id: n.id, name: n.name }));
    return this.ledger.reconcile(flowId, sinks);
  };

  listSinkTables: SinkApi['listSinkTables'] = async ({ config }) => {
    const cfg = postgresSink.config.safeParse(config);
    if (!cfg.success) throw new EngineError('invalid_argument', `the connection settings are not complete: ${cfg.error.issues[0]?.message ?? ''}`);
    if (!this.o.services.postgres) throw new EngineError('invalid_argument', 'this engine has no Postgres client');
    return this.o.services.postgres.listTables(pickConnection(cfg.data)).catch(asApiError);
  };

  listSinkColumns: SinkApi['listSinkColumns'] = async ({ type, config }) => {
    if (type === 'postgres-sink@1') {
      const cfg = postgresSink.config.safeParse(config);
      if (!cfg.success) throw new EngineError('invalid_argument', `the sink settings are not complete: ${cfg.error.issues[0]?.message ?? ''}`);
      const { schema, table } = parseTableList(cfg.data.table)[0]!;
      return this.o.services.postgres!.listColumns(pickConnection(cfg.data), schema, table).catch(asApiError);
    }
    const cfg = sqliteSink.config.safeParse(config);
    if (!cfg.success) throw new EngineError('invalid_argument', `the sink settings are not complete: ${cfg.error.issues[0]?.message ?? ''}`);
    return this.o.services.sqlite!.listColumns(cfg.data.file, cfg.data.table).catch(asApiError);
  };

  testSink: SinkApi['testSink'] = async ({ type, config, sample }) => {
    const def = this.o.registry.get(type);
    if (!def || def.category !== 'sink') throw new EngineError('invalid_argument', `"${type}" is not a sink node type`);
    const cfg = def.config.safeParse(config);
    if (!cfg.success) throw new EngineError('invalid_argument', `the settings are not complete: ${cfg.error.issues[0]?.message ?? ''}`);
    const id = randomUUID();
    const key = (name: string) => `millrace-test:${id}:${name}`;
    const logs: string[] = [];
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), TEST_TIMEOUT_MS);
    // Outside any run: steps run once, nothing is journaled, the key says "test".
    const ctx: NodeContext = {
      runId: asRunId(`millrace-test-${id}`),
      flowId: asFlowId('millrace-test'),
      nodeId: asNodeId('test'),
      nodeName: 'Test',
      runInput: sample,
      attempt: 1,
      services: this.o.services,
      signal: abort.signal,
      log: (line) => void logs.push(line),
      step: {
        run: async (_name, fn) => fn(),
        effect: async (name, fn) => fn({ idempotencyKey: key(name), mayHaveRunBefore: false }),
        idempotencyKey: key,
        sleep: () => Promise.reject(new Error('a sink test does not wait')),
        sleepUntil: () => Promise.reject(new Error('a sink test does not wait')),
        waitForSignal: () => Promise.reject(new Error('a sink test does not wait')),
      },
    };
    try {
      const out = await def.execute(ctx, { in: sample }, cfg.data);
      return { ok: true, key: key(''), output: out['out'] ?? out, logs };
    } catch (e) {
      const redact = this.o.redact ?? ((s: string) => s);
      return { ok: false, key: key(''), error: redact(e instanceof Error ? e.message : String(e)), logs: logs.map(redact) };
    } finally {
      clearTimeout(timer);
    }
  };
}

const TEST_TIMEOUT_MS = 30_000;

function asApiError(e: unknown): never {
  throw new EngineError('invalid_argument', e instanceof Error ? e.message : String(e));
}
