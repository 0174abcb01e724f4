/**
 * The engine: implements EngineApi on top of the SQLite store and the runner. Transports (rpc over
 * WebSocket, MessagePort, in-memory) call into this; it trusts their argument parsing, nothing else.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError, type EngineApi, type FlowSummary, type ImportResult, type NodeTypeInfo, type SavedFlow } from '../shared/api';
import { CURRENT_SCHEMA_VERSION, type Flow } from '../shared/flow/schema';
import { parseFlowDocument, parseFlowText, validateFlow } from '../shared/flow/validate';
import { formatProblem, type FlowProblem } from '../shared/flow/problems';
import { newId } from '../shared/ids';
import { typeRef, type NodeRegistry } from '../shared/node-kit';
import type { NodeServices } from '../shared/services';
import type { RunEvent, RunSummary, RunTrace } from '../shared/runs';
import { nodeRegistry } from '../nodes';
import { openDatabase, type Db } from './store/database';
import { FlowStore } from './store/flow-store';
import { RunStore } from './store/run-store';
import { executeRun } from './runtime/runner';
import { createHttpService } from './services/http';
import { createFileService } from './services/files';
import demoFlow from '../../resources/demo/order-triage.flow.json';

export interface EngineOptions {
  /** Folder for the database; created if missing. */
  dataDir: string;
  /** Where Write file nodes write. Default: `<dataDir>/output`. */
  outputDir?: string;
  registry?: NodeRegistry;
  /** Replace services (tests). */
  services?: Partial<NodeServices>;
  /** Seed the demo flow into an empty database (once per data dir). Default true. */
  seedDemo?: boolean;
  log?: (line: string) => void;
}

export class Engine implements EngineApi {
  readonly outputDir: string;
  private readonly db: Db;
  private readonly flows: FlowStore;
  private readonly runs: RunStore;
  private readonly registry: NodeRegistry;
  private readonly services: NodeServices;
  private readonly closeHttp: () => void;
  private readonly listeners = new Set<(e: RunEvent) => void>();
  private readonly active = new Map<string, { promise: Promise<unknown>; abort: AbortController }>();
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(options: EngineOptions) {
    this.log = options.log ?? (() => {});
    this.registry = options.registry ?? nodeRegistry;
    this.db = openDatabase(join(options.dataDir, 'millrace.db'));
    this.flows = new FlowStore(this.db);
    this.runs = new RunStore(this.db);
    this.outputDir = options.outputDir ?? join(options.dataDir, 'output');
    const http = createHttpService();
    this.closeHttp = () => http.close();
    this.services = {
      http,
      files: createFileService(this.outputDir),
      clock: { now: () => Date.now() },
      ...options.services,
    };
    const interrupted = this.runs.failInterruptedRuns(Date.now());
    if (interrupted > 0) this.log(`marked ${interrupted} interrupted run(s) as failed`);
    if (options.seedDemo !== false) this.seedDemoOnce();
  }

  async listNodeTypes(): Promise<NodeTypeInfo[]> {
    return this.registry.all().map((d) => ({
      ref: typeRef(d),
      type: d.type,
      version: d.version,
      title: d.title,
      description: d.description,
      category: d.category,
      trigger: d.trigger === true,
      inputs: d.inputs,
      outputs: d.outputs,
      ui: d.ui as NodeTypeInfo['ui'],
      configSchema: jsonSchemaOf(d.config),
    }));
  }

  async listFlows(): Promise<FlowSummary[]> {
    return this.flows.list();
  }

  async getFlow({ id }: { id: string }): Promise<SavedFlow> {
    const stored = this.flows.get(id);
    if (!stored) throw new EngineError('not_found', `no flow with id "${id}"`);
    const parsed = parseFlowDocument(stored.doc, this.registry);
    if (!parsed.ok) {
      throw new EngineError('invalid_flow', `the stored flow "${id}" no longer validates`, parsed.problems);
    }
    return { flow: parsed.flow, version: stored.version, updatedAt: stored.updatedAt, problems: parsed.problems };
  }

  async createFlow({ name, template }: { name: string; template?: 'empty' | 'demo' }): Promise<SavedFlow> {
    const base: Flow =
      template === 'demo'
        ? { ...(demoFlow as Flow), id: newId('flow'), name }
        : {
            schemaVersion: CURRENT_SCHEMA_VERSION,
            id: newId('flow'),
            name,
            nodes: [],
            edges: [],
          };
    return this.saveParsed(base);
  }

  async saveFlow({ flow }: { flow: unknown }): Promise<SavedFlow> {
    const parsed = parseFlowDocument(flow, this.registry);
    if (!parsed.ok) throw new EngineError('invalid_flow', describeProblems('the flow cannot be saved', parsed.problems), parsed.problems);
    return this.saveParsed(parsed.flow);
  }

  async renameFlow({ id, name }: { id: string; name: string }): Promise<FlowSummary> {
    const saved = await this.getFlow({ id });
    await this.saveParsed({ ...saved.flow, name });
    return this.flows.list().find((f) => f.id === id)!;
  }

  async deleteFlow({ id }: { id: string }): Promise<void> {
    if (!this.flows.delete(id)) throw new EngineError('not_found', `no flow with id "${id}"`);
  }

  async importFlow({ text }: { text: string }): Promise<ImportResult> {
    const parsed = parseFlowText(text, this.registry);
    if (!parsed.ok) return { ok: false, problems: parsed.problems };
    // Importing never overwrites: a flow whose id already exists comes in as a copy.
    const flow = this.flows.exists(parsed.flow.id) ? { ...parsed.flow, id: newId('flow'), name: `${parsed.flow.name} (imported)` } : parsed.flow;
    return { ok: true, saved: this.saveParsed(flow) };
  }

  async validateFlow({ flow }: { flow: unknown }): Promise<FlowProblem[]> {
    return parseFlowDocument(flow, this.registry).problems;
  }

  async startRun({ flowId, input }: { flowId: string; input?: unknown }): Promise<{ runId: string }> {
    if (this.closed) throw new EngineError('internal', 'the engine is shutting down');
    const saved = await this.getFlow({ id: flowId });
    if (saved.problems.length > 0) {
      throw new EngineError('invalid_flow', describeProblems(`"${saved.flow.name}" cannot run`, saved.problems, saved.flow), saved.problems);
    }
    const runId = newId('run');
    const now = Date.now();
    this.db.transaction(() => {
      this.flows.pinVersion(flowId, saved.version, saved.flow, now);
      this.runs.createRun({ id: runId, flowId, flowVersion: saved.version, flowName: saved.flow.name, input: input ?? null, createdAt: now });
    })();
    const abort = new AbortController();
    const promise = executeRun({
      runId,
      flow: saved.flow,
      flowVersion: saved.version,
      input,
      registry: this.registry,
      journal: this.runs,
      services: this.services,
      emit: (e) => this.emit(e),
      signal: abort.signal,
      log: this.log,
    })
      .catch((e: unknown) => this.log(`run ${runId} crashed: ${e instanceof Error ? e.stack : String(e)}`))
      .finally(() => this.active.delete(runId));
    this.active.set(runId, { promise, abort });
    return { runId };
  }

  async listRuns(arg: { flowId?: string; limit?: number }): Promise<RunSummary[]> {
    return this.runs.listRuns(arg);
  }

  async getRunTrace({ runId }: { runId: string }): Promise<RunTrace> {
    const trace = this.runs.getTrace(runId);
    if (!trace) throw new EngineError('not_found', `no run with id "${runId}"`);
    return trace;
  }

  onRunEvent = (listener: (e: RunEvent) => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Resolves when the run has finished (for the CLI and tests). */
  async waitForRun(runId: string): Promise<RunTrace> {
    await this.active.get(runId)?.promise;
    return this.getRunTrace({ runId });
  }

  /** Cancels in-flight runs, waits for them to journal their end, closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.active.values()) a.abort.abort();
    await Promise.allSettled([...this.active.values()].map((a) => a.promise));
    this.closeHttp();
    this.listeners.clear();
    this.db.close();
  }

  private saveParsed(flow: Flow): SavedFlow {
    const { version, updatedAt } = this.flows.save(flow, Date.now());
    return { flow, version, updatedAt, problems: validateFlow(flow, this.registry) };
  }

  private emit(e: RunEvent) {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log(`run event listener failed: ${String(err)}`);
      }
    }
  }

  private seedDemoOnce() {
    if (this.flows.getSetting('demo_seeded') !== undefined) return;
    const parsed = parseFlowDocument(demoFlow, this.registry);
    if (!parsed.ok) throw new Error(`the bundled demo flow is invalid: ${parsed.problems.map((p) => formatProblem(p)).join('; ')}`);
    if (!this.flows.exists(parsed.flow.id)) this.flows.save(parsed.flow, Date.now());
    this.flows.setSetting('demo_seeded', new Date().toISOString());
  }
}

export function createEngine(options: EngineOptions): Engine {
  return new Engine(options);
}

function describeProblems(prefix: string, problems: FlowProblem[], flow?: Flow): string {
  const names = new Map((flow?.nodes ?? []).map((n) => [n.id, n.name]));
  const lines = problems.slice(0, 5).map((p) => formatProblem(p, names));
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
  return `${prefix}: ${lines.join('; ')}${more}`;
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}
