/**
 * The engine: implements EngineApi on the SQLite store, the durable runner and the scheduler.
 * Transports (rpc over WebSocket, MessagePort, in-memory) call into this; it trusts their
 * argument parsing, nothing else.
 */
import { join } from 'node:path';
import { EngineError, type EngineApi, type FlowSummary, type ImportResult, type NodeTypeInfo, type SavedFlow, type StartRunArgs } from '../shared/api';
import { CURRENT_SCHEMA_VERSION, type Flow } from '../shared/flow/schema';
import { parseFlowDocument, parseFlowText, validateFlow } from '../shared/flow/validate';
import { idempotencyWarnings } from '../shared/flow/idempotency-lint';
import type { FlowProblem } from '../shared/flow/problems';
import { newId, newSortableId } from '../shared/ids';
import type { NodeRegistry } from '../shared/node-kit';
import type { NodeServices } from '../shared/services';
import type { RunEvent, RunStatus, RunSummary, RunTrace } from '../shared/runs';
import type { SampledChanges, SetupReport, TriggerStatus } from '../shared/triggers';
import { nodeRegistry } from '../nodes';
import { describeStorageError, openDatabase, type Db } from './store/database';
import { FlowStore } from './store/flow-store';
import { RunStore } from './store/run-store';
import { RunReads } from './store/run-reads';
import { RunHistory } from './store/run-history';
import { RunTextIndexer } from './store/run-text-index';
import { RunAnalytics } from './store/run-analytics';
import { PinStore } from './store/pin-store';
import { RunQueue } from './store/run-queue';
import { GroupCommitWriter } from './store/group-commit';
import { Checkpointer, walPathOf } from './store/checkpointer';
import { runIdForEvent } from './triggers/run-ids';
import { superviseEngine } from './engine-supervisor';
import { Scheduler } from './runtime/scheduler';
import { RunExecutor } from './run-executor';
import { createHttpService } from './services/http';
import { createFileService } from './services/files';
import { createPgSinkService } from './services/pg-sink';
import { createSqliteSinkService } from './services/sqlite-sink';
import { SinkApiImpl } from './sink-api';
import { createCodeService } from './services/code-sandbox';
import { nodeTypeInfo } from './node-types';
import { planRerun } from './rerun';
import { LlmServices, recordReplay } from './llm-services';
import { detectLlmServers } from './services/llm/detect-servers';
import { runProblems } from '../shared/flow/runnable';
import { TriggerStore } from './triggers/trigger-store';
import { TriggerRuns } from './triggers/trigger-runs';
import { TriggerManager, type TriggerRunInput } from './triggers/trigger-manager';
import { Connections } from './connections/connections';
import type { ConnectionsApi, ExportedConnection } from '../shared/connections';
import { describeProblems, seedOnce, startRetention } from './engine-housekeeping';
import type { EngineOptions } from './engine-options';
import { filterRunEvents, type RunEventFilter } from '../shared/run-event-filter';
import { createPrivateDir } from './data-folder/file-modes';
import { assertInputWithinLimits } from './data-folder/input-limits';
import { databaseFileBytes, folderBytes, reclaimableBytes, releaseFreePages } from './data-folder/compact';
import { Approvals } from './approvals/approvals';
import { LinkTokens } from './approvals/link-tokens';
import type { ApprovalEvent, ApprovalsApi } from '../shared/approvals';
import type { DemoApi } from '../shared/demo';
import { DemoWorkspace, disabledDemoStatus } from './demo/demo-workspace';
import type { PackHost } from './demo/packs/engine-methods';
import supportTriageFlow from '../../resources/demo/support-triage.flow.json';
import demoFlow from '../../resources/demo/order-triage.flow.json';
import llmDemoFlow from '../../resources/demo/review-triage.flow.json';

export type { EngineOptions } from './engine-options';

export class Engine implements EngineApi {
  readonly outputDir: string;
  private readonly dataDir: string;
  private readonly db: Db;
  private readonly writer: GroupCommitWriter;
  private readonly checkpointer: Checkpointer;
  private readonly textIndexer: RunTextIndexer;
  private readonly flows: FlowStore;
  private readonly reads: RunReads;
  private readonly queue: RunQueue;
  private readonly scheduler: Scheduler;
  private readonly executor: RunExecutor;
  private readonly registry: NodeRegistry;
  private readonly closeServices: () => Promise<void>;
  private readonly llm: LlmServices;
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly triggerListeners = new Set<(s: TriggerStatus) => void>();
  /** Approval requests (src/engine/approvals); the web server's decision-link pages use it too. */
  readonly approvals: Approvals;
  private readonly approvalListeners = new Set<(e: ApprovalEvent) => void>();
  private readonly triggers: TriggerManager;
  private readonly sinkApi: SinkApiImpl;
  /** Named Postgres connections (src/engine/connections). */
  private readonly connections: Connections;
  private readonly triggerRuns: TriggerRuns;
  private readonly finishWaiters = new Map<string, (() => void)[]>();
  private readonly flowCache = new Map<string, SavedFlow>();
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private retentionTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(options: EngineOptions) {
    const log = options.log ?? (() => {});
    // Every log line passes the secrets store's redaction: a value that slips into an error never reaches the log.
    this.log = (line) => log(this.llm ? this.llm.secrets.redact(line) : line);
    this.now = options.now ?? Date.now;
    this.registry = options.registry ?? nodeRegistry;
    this.dataDir = options.dataDir;
    this.db = openDatabase(join(options.dataDir, 'millrace.db'), options.maxDatabaseBytes !== undefined ? { maxBytes: options.maxDatabaseBytes } : {});
    const storage = options.storage ?? {};
    this.writer = new GroupCommitWriter(this.db, {
      walPath: walPathOf(this.db),
      ...(storage.fs ? { fs: storage.fs } : {}),
      ...(storage.unsafeAcknowledgeAtCommit ? { unsafeAcknowledgeAtCommit: true } : {}),
      onError: (e) => this.log(`journal write failed: ${e.message}`),
      onStall: (e) =>
        this.log(e ? `the disk is full: runs in flight wait and resume when space returns; new runs are refused until then` : `disk space is back: the runs that waited go on`),
      onFatal: (e) => {
        this.log(`${e.message}; the engine stops and the database must be reopened from what is on disk`);
        options.onFatalStorageError?.(e);
      },
    });
    this.textIndexer = new RunTextIndexer(this.db, { committed: () => this.writer.committedSeq, log: this.log });
    this.checkpointer = new Checkpointer(this.db, this.writer, {
      ...(storage.maxWalBytes !== undefined ? { maxWalBytes: storage.maxWalBytes } : {}),
      ...(storage.idleCheckpointMs !== undefined ? { idleMs: storage.idleCheckpointMs } : {}),
      ...(storage.onCheckpointing ? { onCheckpointing: storage.onCheckpointing } : {}),
      ...(storage.onCheckpointed ? { onCheckpointed: storage.onCheckpointed } : {}),
      log: this.log,
    });
    this.flows = new FlowStore(this.db);
    this.llm = new LlmServices({
      db: this.db,
      writer: this.writer,
      flows: this.flows,
      dataDir: options.dataDir,
      secretBackend: options.secretBackend,
      env: options.env,
      llm: options.llm,
      now: this.now,
      log: this.log,
    });
    this.reads = new RunReads(this.db);
    this.queue = new RunQueue(this.db, this.writer);
    this.outputDir = options.outputDir ?? join(options.dataDir, 'output');
    // The default output folder (in the data folder) is 0700 from creation: sinks write run data there. A chosen one is left alone.
    if (options.outputDir === undefined) createPrivateDir(this.outputDir);
    const http = createHttpService();
    const files = createFileService(this.outputDir);
    this.connections = new Connections({
      db: this.db,
      flows: this.flows,
      now: this.now,
      resolveSecret: options.resolveSecret ?? ((ref) => this.llm.secrets.resolveSecretRef(ref)),
      durable: () => this.writer.sync(),
      onChanged: (id, settingsChanged) => {
        // Validation (a missing connection is a problem) is cached per flow version: drop it.
        this.flowCache.clear();
        if (settingsChanged) this.triggers.connectionChanged(id);
      },
    });
    // Sinks resolve `secret:NAME` through the same store as triggers and LLM keys.
    const postgres = createPgSinkService({ resolveSecret: options.resolveSecret ?? ((ref) => this.llm.secrets.resolveSecretRef(ref)), namedConnections: this.connections.named });
    const sqlite = createSqliteSinkService(this.outputDir);
    this.closeServices = async () => {
      http.close();
      await files.close();
      await postgres.close();
      sqlite.close();
    };
    this.approvals = new Approvals({
      db: this.db,
      writer: this.writer,
      queue: this.queue,
      tokens: LinkTokens.inDataDir(options.dataDir),
      now: this.now,
      wake: () => this.scheduler.wake(),
      emit: (e) => this.approvalListeners.forEach((l) => l(e)),
      closed: () => this.closed,
      ...options.approvals,
    });
    const services: NodeServices = { http, files, postgres, sqlite, clock: { now: this.now }, llm: this.llm.gateway, secrets: this.llm.secrets, approvals: this.approvals, code: createCodeService(), ...options.services };
    this.sinkApi = new SinkApiImpl({ db: this.db, registry: this.registry, services, getFlow: async (id) => (await this.getFlow({ id })).flow, redact: (s) => this.llm.secrets.redact(s) });
    this.executor = new RunExecutor({
      db: this.db,
      journal: new RunStore(this.db, this.writer),
      queue: this.queue,
      flows: this.flows,
      registry: this.registry,
      services,
      now: this.now,
      maxOutputBytes: options.maxOutputBytes,
      emit: (e) => this.emit(e),
      log: this.log,
      pins: (runId) => this.history.pins.forRun(runId),
    });
    const resumed = this.queue.requeueInterrupted();
    if (resumed > 0) this.log(`resuming ${resumed} run(s) interrupted by the last shutdown or crash`);
    if (options.seedDemo !== false) this.seedDemoOnce();
    this.scheduler = new Scheduler({
      queue: this.queue,
      execute: (run) => this.executor.execute(run.id),
      globalConcurrency: options.concurrency ?? 20,
      flowConcurrency: (flowId) => this.executor.flowConcurrency(flowId),
      now: this.now,
      onError: (e) => this.log(`scheduler: ${e instanceof Error ? e.stack : String(e)}`),
    });
    this.scheduler.start();
    this.retentionTimer = startRetention(this.queue, options.retention, this.now, this.log, () => releaseFreePages(this.db));
    this.triggerRuns = new TriggerRuns({
      flows: this.flows,
      queue: this.queue,
      getFlow: (id) => this.getFlow({ id }),
      notRunnable: (saved) => new EngineError('invalid_flow', describeProblems(`"${saved.flow.name}" cannot run`, saved.problems, saved.flow), saved.problems),
      now: this.now,
      wake: () => this.scheduler.wake(),
    });
    this.triggers = new TriggerManager({
      store: new TriggerStore(this.db, this.now),
      getFlow: async (id) => (await this.getFlow({ id })).flow,
      enqueue: (flowId, runs, alsoWrite) => this.enqueueTriggerRuns(flowId, runs, alsoWrite),
      // The same secrets store as LLM keys (env, 0600 file or desktop safeStorage), unless a test injects one.
      resolveSecret: options.resolveSecret ?? ((ref) => this.llm.secrets.resolveSecretRef(ref)),
      namedConnections: this.connections.named,
      onStatus: (status) => this.triggerListeners.forEach((l) => l(status)),
      log: this.log,
      durable: () => this.writer.sync(),
      ...options.triggers,
    });
    this.triggers.resumeAll();
    // The demo flow is saved at once (newest, so the UI opens it first); its database starts in the background.
    if (options.demo) seedOnce(this.flows, this.registry, 'demo_support_seeded', supportTriageFlow, this.now() + 1, this.now());
    this.demo = options.demo ? this.createDemo(options.demo) : undefined;
    // In the background: the app is usable while the demo database starts; its status says how far it got.
    void this.demo?.start();
  }

  async listNodeTypes(): Promise<NodeTypeInfo[]> {
    return this.registry.all().map(nodeTypeInfo);
  }

  async listFlows(): Promise<FlowSummary[]> {
    return this.flows.list();
  }

  async getFlow({ id }: { id: string }): Promise<SavedFlow> {
    // Starting runs reads the flow every time: reuse the parsed, validated copy while its version is unchanged.
    const cached = this.flowCache.get(id);
    if (cached && cached.version === this.flows.version(id)) return cached;
    const saved = this.loadFlow(id);
    this.flowCache.set(id, saved);
    return saved;
  }

  private loadFlow(id: string): SavedFlow {
    const stored = this.flows.get(id);
    if (!stored) throw new EngineError('not_found', `no flow with id "${id}"`);
    const parsed = parseFlowDocument(stored.doc, this.registry);
    if (!parsed.ok) throw new EngineError('invalid_flow', `the stored flow "${id}" no longer validates`, parsed.problems);
    return { flow: parsed.flow, version: stored.version, updatedAt: stored.updatedAt, problems: [...parsed.problems, ...this.connections.problems(parsed.flow)], warnings: idempotencyWarnings(parsed.flow, this.registry) };
  }

  async createFlow({ name, template }: { name: string; template?: 'empty' | 'demo' }): Promise<SavedFlow> {
    const base: Flow =
      template === 'demo'
        ? { ...(demoFlow as Flow), id: newId('flow'), name }
        : { schemaVersion: CURRENT_SCHEMA_VERSION, id: newId('flow'), name, nodes: [], edges: [] };
    return this.saveParsed(base);
  }

  async saveFlow({ flow }: { flow: unknown }): Promise<SavedFlow> {
    const parsed = parseFlowDocument(flow, this.registry);
    if (!parsed.ok) throw new EngineError('invalid_flow', describeProblems('the flow cannot be saved', parsed.problems), parsed.problems);
    const saved = await this.saveParsed(parsed.flow);
    await this.triggers.flowSaved(saved.flow);
    return saved;
  }

  async renameFlow({ id, name }: { id: string; name: string }): Promise<FlowSummary> {
    const saved = await this.getFlow({ id });
    await this.saveParsed({ ...saved.flow, name });
    return this.flows.list().find((f) => f.id === id)!;
  }

  async deleteFlow({ id }: { id: string }): Promise<void> {
    if (this.executor.hasActiveRuns(id)) throw new EngineError('invalid_argument', 'this flow has runs in progress; cancel them first');
    this.flowCache.delete(id);
    // Its replication slots go first: a deleted flow must not leave a slot holding WAL on the user's server.
    await this.triggers.flowDeleted(id);
    if (!this.flows.delete(id)) throw new EngineError('not_found', `no flow with id "${id}"`);
    await this.writer.sync();
  }

  async importFlow({ text }: { text: string }): Promise<ImportResult> {
    const parsed = parseFlowText(text, this.registry);
    if (!parsed.ok) return { ok: false, problems: parsed.problems };
    // Importing never overwrites: a flow whose id already exists comes in as a copy.
    const flow = this.flows.exists(parsed.flow.id) ? { ...parsed.flow, id: newId('flow'), name: `${parsed.flow.name} (imported)` } : parsed.flow;
    return { ok: true, saved: await this.saveParsed(flow) };
  }

  async validateFlow({ flow }: { flow: unknown }): Promise<FlowProblem[]> {
    const parsed = parseFlowDocument(flow, this.registry);
    return parsed.ok ? [...parsed.problems, ...this.connections.problems(parsed.flow)] : parsed.problems;
  }

  /** Durable before it returns: a caller that got a run id (or a trigger that acks its source) can rely on it. */
  async startRun({ flowId, input, dedupeKey, orderingKey, test }: StartRunArgs): Promise<{ runId: string; deduplicated: boolean }> {
    this.assertOpen();
    assertInputWithinLimits(input, 'the run input'); // in-process callers (CLI) too, not only the rpc server
    const saved = await this.getFlow({ id: flowId });
    const problems = saved.problems.length > 0 ? saved.problems : runProblems(saved.flow, this.registry);
    if (problems.length > 0) {
      throw new EngineError('invalid_flow', describeProblems(`"${saved.flow.name}" cannot run`, problems, saved.flow), problems);
    }
    const now = this.now();
    this.flows.pinVersion(flowId, saved.version, saved.flow, now);
    const timeout = saved.flow.settings?.runTimeoutMs;
    // A run for a source event has an id derived from its dedupe key: the same event, replayed,
    // is the same run, and every idempotency key built from the run id survives the replay.
    const runId = dedupeKey ? runIdForEvent(flowId, dedupeKey) : newSortableId('run');
    try {
      // The scheduler claims the run only once its creation is durable (RunQueue.claimable).
      return await this.queue.enqueue(
        {
          id: runId,
          flowId,
          flowVersion: saved.version,
          flowName: saved.flow.name,
          input,
          createdAt: now,
          dedupeKey: dedupeKey ?? null,
          orderingKey: orderingKey ?? null,
          deadlineAt: timeout !== undefined ? now + timeout : null,
          ...(test === true ? { test: true } : {}),
        },
        saved.flow.name,
      );
    } catch (e) {
      const why = describeStorageError(e);
      throw why ? new EngineError('internal', `cannot start the run: ${why}`) : e;
    } finally {
      this.scheduler.wake();
    }
  }

  /** Trigger runs in bulk, with the trigger's position in the same transaction; durable when it resolves. */
  async enqueueTriggerRuns(flowId: string, runs: readonly TriggerRunInput[], alsoWrite?: () => void): Promise<{ created: number; deduplicated: number }> {
    this.assertOpen();
    return this.triggerRuns.enqueue(flowId, runs, alsoWrite);
  }

  async checkTriggerSetup({ flowId, nodeId }: { flowId: string; nodeId: string }): Promise<SetupReport> {
    return this.triggers.checkSetup(flowId, nodeId);
  }

  async activateFlow({ id, resync }: { id: string; resync?: boolean }): Promise<TriggerStatus[]> {
    this.assertOpen();
    return this.triggers.activate(id, { resync: resync === true });
  }

  async deactivateFlow({ id, dropSlot }: { id: string; dropSlot: boolean }): Promise<TriggerStatus[]> {
    return this.triggers.deactivate(id, dropSlot);
  }

  async getTriggerStatus({ flowId }: { flowId: string }): Promise<TriggerStatus[]> {
    return this.triggers.statusWithBacklog(flowId);
  }

  async sampleTriggerChanges({ flowId, nodeId, limit }: { flowId: string; nodeId: string; limit?: number }): Promise<SampledChanges> {
    return this.triggers.sampleChanges(flowId, nodeId, limit ?? 10);
  }

  onTriggerStatus = (listener: (s: TriggerStatus) => void): (() => void) => {
    this.triggerListeners.add(listener);
    return () => this.triggerListeners.delete(listener);
  };

  async cancelRun({ runId }: { runId: string }): Promise<{ status: RunStatus }> {
    this.assertOpen();
    const status = this.queue.status(runId);
    if (status === undefined) throw new EngineError('not_found', `no run with id "${runId}"`);
    const running = this.executor.cancel(runId);
    if (running) await running;
    // Parked (or parked while being cancelled): cancel it in the queue.
    if (await this.queue.cancelParked(runId, this.now())) {
      const at = this.now();
      this.emit({ type: 'run.finished', runId, at, status: 'cancelled', durationMs: 0, error: { message: 'the run was cancelled' } });
      this.notifyFinished(runId);
    }
    return { status: this.queue.status(runId)! };
  }

  async rerun(arg: { runId: string; fromNodeId?: string; input?: unknown }): Promise<{ runId: string }> {
    this.assertOpen();
    assertInputWithinLimits(arg.input, 'the run input');
    const original = this.reads.getTrace(arg.runId);
    if (!original) throw new EngineError('not_found', `no run with id "${arg.runId}"`);
    const saved = await this.getFlow({ id: original.run.flowId });
    if (saved.problems.length > 0) {
      throw new EngineError('invalid_flow', describeProblems(`"${saved.flow.name}" cannot run`, saved.problems, saved.flow), saved.problems);
    }
    const plan = planRerun(saved.flow, original, this.registry, arg.fromNodeId, arg.input);
    const now = this.now();
    this.flows.pinVersion(saved.flow.id, saved.version, saved.flow, now);
    const runId = newSortableId('run');
    // The run and the copies of the nodes it reuses are one write: the scheduler can never see the
    // run without them (and execute a reused node again).
    const { runId: created } = await this.queue.enqueue(
      {
        id: runId,
        flowId: saved.flow.id,
        flowVersion: saved.version,
        flowName: saved.flow.name,
        input: plan.runInput,
        createdAt: now,
        parentRunId: original.run.id,
        // Same effects as the original (a retry after fixing a sink must not land a second row).
        effectKeyRunId: this.queue.effectKeyRunIdOf(original.run.id),
        inputOverrides: plan.inputOverrides,
        // A re-run of a test run is a test run too (same sample input, same sink behaviour).
        ...(original.run.test ? { test: true } : {}),
      },
      saved.flow.name,
      () => this.executor.copyReusedNodes(runId, original.run.id, plan.reuse),
    );
    this.scheduler.wake();
    return { runId: created };
  }

  async signalRun({ runId, name, payload }: { runId: string; name: string; payload?: unknown }): Promise<{ accepted: boolean }> {
    this.assertOpen();
    assertInputWithinLimits(payload, 'the signal payload');
    const status = this.queue.status(runId);
    if (status === undefined) throw new EngineError('not_found', `no run with id "${runId}"`);
    if (status === 'succeeded' || status === 'failed' || status === 'cancelled') return { accepted: false };
    const r = await this.queue.signal(runId, name, payload ?? null, this.now());
    this.scheduler.wake();
    return r;
  }

  async listRuns(arg: { flowId?: string; limit?: number }): Promise<RunSummary[]> {
    return this.reads.listRuns(arg);
  }

  // Run history and analytics: SQL in store/run-history.ts and store/run-analytics.ts.
  private historyReads?: { history: RunHistory; analytics: RunAnalytics; pins: PinStore };
  private get history() {
    return (this.historyReads ??= { history: new RunHistory(this.db), analytics: new RunAnalytics(this.db), pins: new PinStore(this.db) });
  }
  listRunHistory: EngineApi['listRunHistory'] = async (q) => this.history.history.page(q);
  getNodeStats: EngineApi['getNodeStats'] = async (w) => this.history.analytics.nodeStats(w);
  getNodeRuns: EngineApi['getNodeRuns'] = async (q) => this.history.analytics.nodeRuns(q);
  getNodeErrorGroups: EngineApi['getNodeErrorGroups'] = async (q) => this.history.analytics.errorGroups(q);
  getFlowSeries: EngineApi['getFlowSeries'] = async (q) => this.history.analytics.flowSeries(q);
  listPins: EngineApi['listPins'] = async ({ flowId }) => this.history.pins.list(flowId);
  pinNodeOutput: EngineApi['pinNodeOutput'] = async ({ flowId, nodeId, runId }) => {
    const r = this.history.pins.pin(flowId, nodeId, runId, this.now());
    if (!r.ok) throw new EngineError('not_found', `cannot pin: ${r.reason}`);
    return this.history.pins.list(flowId);
  };
  unpinNode: EngineApi['unpinNode'] = async ({ flowId, nodeId }) => {
    this.history.pins.unpin(flowId, nodeId);
    return this.history.pins.list(flowId);
  };

  async getRunTrace({ runId }: { runId: string }): Promise<RunTrace> {
    const trace = this.reads.getTrace(runId);
    if (!trace) throw new EngineError('not_found', `no run with id "${runId}"`);
    return trace;
  }

  // Secrets and the LLM node's Test / record buttons live in ./llm-services.ts.
  listSecrets: EngineApi['listSecrets'] = () => this.llm.listSecrets();
  setSecret: EngineApi['setSecret'] = ({ name, value }) => this.llm.setSecret(name, value);
  deleteSecret: EngineApi['deleteSecret'] = ({ name }) => this.llm.deleteSecret(name);
  testLlm: EngineApi['testLlm'] = ({ config }) => this.llm.testLlm(config);
  detectLlmServers: EngineApi['detectLlmServers'] = ({ urls }) => detectLlmServers(urls);
  recordLlmReplay: EngineApi['recordLlmReplay'] = async ({ runId }) => recordReplay(this.llm.gateway, this.dataDir, await this.getRunTrace({ runId }));
  // Loaded on first use: the TypeScript compiler the importer uses would otherwise slow every engine start.
  exportFlowCode: EngineApi['exportFlowCode'] = async (arg) => (await import('./codegen/engine-methods')).exportFlowCode(this.codegenHost(), arg);
  importFlowCode: EngineApi['importFlowCode'] = async (arg) => (await import('./codegen/engine-methods')).importFlowCode(this.codegenHost(), arg);
  private codegenHost() {
    return {
      getFlow: (a: { id: string }) => this.getFlow(a),
      saveFlow: (a: { flow: unknown }) => this.saveFlow(a),
      flowExists: (id: string) => this.flows.exists(id),
      connectionsFor: (flow: Flow) => this.connections.exportedFor(flow),
      importConnections: (list: readonly ExportedConnection[]) => this.connections.importExported(list),
    };
  }

  /** An exported program's connections (defineFlow's `connections`), before it saves and runs its flow (library/run-flow.ts). Not part of the EngineApi. */
  importConnections(list: readonly ExportedConnection[]): Promise<void> {
    return this.connections.importExported(list);
  }

  getDataFolderInfo: EngineApi['getDataFolderInfo'] = async () => {
    const dbFile = join(this.dataDir, 'millrace.db');
    return {
      path: this.dataDir,
      bytes: folderBytes(this.dataDir),
      databaseBytes: databaseFileBytes(dbFile),
      reclaimableBytes: reclaimableBytes(this.db),
      ...(this.writer.stalledOn ? { problem: 'The disk is full: runs in flight are paused and go on by themselves when space returns; new runs are refused until then. Free some space; nothing recorded was lost.' } : {}),
    };
  };
  // The effect ledger, reconciliation and the sinks' table/column pickers live in ./sink-api.ts.
  listEffects: EngineApi['listEffects'] = (arg) => this.sinkApi.listEffects(arg);
  reconcileEffects: EngineApi['reconcileEffects'] = (arg) => this.sinkApi.reconcileEffects(arg);
  listSinkTables: EngineApi['listSinkTables'] = (arg) => this.sinkApi.listSinkTables(arg);
  listSinkColumns: EngineApi['listSinkColumns'] = (arg) => this.sinkApi.listSinkColumns(arg);
  testSink: EngineApi['testSink'] = (arg) => this.sinkApi.testSink(arg);
  // Named Postgres connections: src/engine/connections/connections.ts.
  listConnections: ConnectionsApi['listConnections'] = () => this.connections.listConnections();
  saveConnection: ConnectionsApi['saveConnection'] = (arg) => this.connections.saveConnection(arg);
  deleteConnection: ConnectionsApi['deleteConnection'] = (arg) => this.connections.deleteConnection(arg);
  testConnection: ConnectionsApi['testConnection'] = (arg) => this.connections.testConnection(arg);
  // The live demo: src/engine/demo/.
  /** The live demo workspace, when the engine was started with `demo` (src/engine/demo/). */
  readonly demo: DemoWorkspace | undefined;
  getDemoStatus: DemoApi['getDemoStatus'] = async () => (this.demo ? this.demo.status() : disabledDemoStatus());
  startDemo: DemoApi['startDemo'] = async () => (this.demo ? this.demo.start() : disabledDemoStatus());
  resetDemo: DemoApi['resetDemo'] = async () => this.demoOrRefuse().reset();
  simulateTraffic: DemoApi['simulateTraffic'] = async ({ ratePerSecond, maxTickets }) => this.demoOrRefuse().simulateTraffic(ratePerSecond, maxTickets);
  stopTraffic: DemoApi['stopTraffic'] = async () => (this.demo ? this.demo.stopTraffic() : disabledDemoStatus());
  private demoOrRefuse(): DemoWorkspace {
    if (!this.demo) throw new EngineError('invalid_argument', 'the demo workspace is off in this engine (started with --no-demo)');
    return this.demo;
  }
  private createDemo(wiring: NonNullable<EngineOptions['demo']>): DemoWorkspace {
    return new DemoWorkspace({
      ...wiring,
      flow: supportTriageFlow,
      now: this.now,
      host: {
        log: this.log,
        setSecret: (name, value) => this.llm.setSecret(name, value),
        getSetting: (key) => this.flows.getSetting(key),
        setSetting: (key, value) => this.flows.setSetting(key, value),
        flowExists: (id) => this.flows.exists(id),
        restoreFlow: async (doc) => {
          await this.saveFlow({ flow: doc });
        },
        triggerActive: (flowId) => this.triggers.status(flowId).some((s) => s.state !== 'inactive'),
        activate: (flowId) => this.triggers.activate(flowId),
        deactivate: (flowId, dropSlot) => this.triggers.deactivate(flowId, dropSlot),
        cancelUnfinishedRuns: async (flowId) => {
          const open = (await this.listRuns({ flowId, limit: 1000 })).filter((r) => r.status === 'queued' || r.status === 'running' || r.status === 'waiting');
          for (const r of open) await this.cancelRun({ runId: r.id });
          return open.length;
        },
      },
    });
  }
  exportDemoPack: DemoApi['exportDemoPack'] = async (arg) => (await import('./demo/packs/engine-methods')).exportDemoPack(this.packHost(), arg);
  openDemoPack: DemoApi['openDemoPack'] = async (arg) => (await import('./demo/packs/engine-methods')).openDemoPack(this.packHost(), arg);
  /** What demo packs read and drive (src/engine/demo/packs/); `millrace pack play` uses it for its per-run report. */
  packHost(): PackHost {
    return {
      db: this.db,
      dataDir: this.dataDir,
      registry: this.registry,
      replayBook: this.llm.gateway.replayBook,
      approvals: this.approvals,
      now: this.now,
      getFlow: (a) => this.getFlow(a),
      saveFlow: (a) => this.saveFlow(a),
      flowExists: (id) => this.flows.exists(id),
      getRunTrace: (a) => this.getRunTrace(a),
      startRun: (a) => this.startRun(a),
      enqueueTriggerRuns: (flowId, runs) => this.enqueueTriggerRuns(flowId, runs),
      onRunEvent: (l) => this.onRunEvent(l),
      runStatus: (id) => this.queue.status(id),
    };
  }

  // Approvals: src/engine/approvals/approvals.ts.
  listApprovals: ApprovalsApi['listApprovals'] = async (arg) => this.approvals.list(arg);
  decideApproval: ApprovalsApi['decideApproval'] = async (arg) => this.approvals.decideFromInbox(arg);
  exportApprovals: ApprovalsApi['exportApprovals'] = async ({ flowId }) => this.approvals.exportJsonl(flowId);
  approvalStats: ApprovalsApi['approvalStats'] = async ({ flowId }) => this.approvals.stats(flowId);
  onApprovalEvent = (listener: (e: ApprovalEvent) => void): (() => void) => {
    this.approvalListeners.add(listener);
    return () => this.approvalListeners.delete(listener);
  };

  /** The secrets store (the Postgres trigger resolves `secret:NAME` connection strings through it). */
  get secrets(): LlmServices['secrets'] {
    return this.llm.secrets;
  }

  onRunEvent = (listener: (e: RunEvent) => void, filter?: RunEventFilter): (() => void) => {
    const filtered = filterRunEvents(filter, listener, (runId) => this.flowOfRun(runId));
    this.listeners.add(filtered);
    return () => this.listeners.delete(filtered);
  };

  private flowOfRunStmt: ReturnType<Db['prepare']> | undefined;
  /** For flow-filtered subscriptions that meet a run they did not see start. */
  private flowOfRun(runId: string): string | undefined {
    this.flowOfRunStmt ??= this.db.prepare('SELECT flow_id FROM runs WHERE id = ?');
    return (this.flowOfRunStmt.get(runId) as { flow_id: string } | undefined)?.flow_id;
  }

  /** Resolves with the trace once the run has finished (succeeded, failed or cancelled). */
  async waitForRun(runId: string): Promise<RunTrace> {
    const done = () => ['succeeded', 'failed', 'cancelled'].includes(this.queue.status(runId) ?? 'succeeded');
    if (!done()) {
      await new Promise<void>((resolve) => {
        const list = this.finishWaiters.get(runId) ?? [];
        list.push(resolve);
        this.finishWaiters.set(runId, list);
        if (done()) resolve();
      });
    }
    return this.getRunTrace({ runId });
  }

  /**
   * Engine-wide key/value settings for embedders (e.g. the position of a source the host feeds
   * through `enqueueTriggerRuns`). `set` is a direct write: call it from that method's `alsoWrite`
   * so it commits, and becomes durable, with the runs.
   */
  readonly settings = {
    get: (key: string): string | undefined => this.flows.getSetting(key),
    set: (key: string, value: string): void => this.flows.setSetting(key, value),
  };

  /** Counts by status (tests, crash harness, diagnostics). */
  runCounts(): Record<string, number> {
    return this.reads.countByStatus();
  }

  /** Group-commit statistics (benchmarks). */
  journalStats() {
    return { ...this.writer.stats };
  }

  /** Checkpoints taken off the hot path: how many, how many forced by the WAL bound, time spent (benchmarks). */
  checkpointStats() {
    return { ...this.checkpointer.stats };
  }

  /**
   * Stops scheduling, lets active runs reach a safe point (they are interrupted, not cancelled, and
   * resume on the next start), flushes the journal and closes the database.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.retentionTimer);
    // Triggers first: what they received is written (or dropped unconfirmed) before the journal closes.
    await this.triggers.close();
    this.executor.interruptAll();
    await this.scheduler.stop();
    this.llm.close();
    this.checkpointer.stop();
    this.textIndexer.stop();
    await this.writer.stop(new EngineError('internal', 'the engine is closed'));
    await this.closeServices();
    // The demo database last: runs were interrupted above (they resume on the next start), so no
    // sink write is cut off by its shutdown and mistaken for a failure. A clean stop; the next start resumes.
    await this.demo?.close();
    this.listeners.clear();
    this.approvalListeners.clear();
    for (const waiters of this.finishWaiters.values()) waiters.forEach((w) => w());
    this.db.close();
  }

  private assertOpen() {
    if (this.closed) throw new EngineError('internal', 'the engine is shutting down');
  }

  /** "Saved" is a promise to the user: the flow is on disk (fsynced) before this resolves. */
  private async saveParsed(flow: Flow): Promise<SavedFlow> {
    const { version, updatedAt } = this.flows.save(flow, this.now());
    await this.writer.sync();
    return { flow, version, updatedAt, problems: [...validateFlow(flow, this.registry), ...this.connections.problems(flow)], warnings: idempotencyWarnings(flow, this.registry) };
  }

  private emit(e: RunEvent) {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log(`run event listener failed: ${String(err)}`);
      }
    }
    if (e.type === 'run.finished') this.notifyFinished(e.runId);
  }

  private notifyFinished(runId: string) {
    const waiters = this.finishWaiters.get(runId);
    this.finishWaiters.delete(runId);
    waiters?.forEach((w) => w());
  }

  private seedDemoOnce() {
    // Each demo has its own marker, so a data folder from before the LLM demo still gets it once.
    // The LLM demo is saved a moment "earlier" so the order-triage demo stays first in the list.
    seedOnce(this.flows, this.registry, 'demo_llm_seeded', llmDemoFlow, this.now() - 1, this.now());
    seedOnce(this.flows, this.registry, 'demo_seeded', demoFlow, this.now(), this.now());
  }
}

/**
 * The engine behind a handle that survives a fatal storage error (an fsync failure): the handle
 * reopens the database from disk and carries subscriptions over (./engine-supervisor.ts).
 */
export function createEngine(options: EngineOptions): Engine {
  return superviseEngine(options);
}
