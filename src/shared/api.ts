/**
 * EngineApi: the one contract between the UI (or any client) and the engine, whatever the
 * transport (in-memory, WebSocket, Electron MessagePort). Every method takes at most one plain
 * object argument, which the server parses with `engineApiArgs` before the engine sees it.
 */
import { z } from 'zod';
import type { Flow } from './flow/schema';
import type { FlowProblem } from './flow/problems';
import type { PortMap, NodeCategory, FieldHint } from './node-kit';
import type { RunEvent, RunStatus, RunSummary, RunTrace } from './runs';
import { SECRET_NAME, type LlmCost } from './llm';
import { triggerApiArgs, type SampledChanges, type SetupReport, type TriggerStatus } from './triggers';
import { RunEventFilterSchema, type RunEventFilter } from './run-event-filter';
import { sinkApiArgs, type SinkApi } from './effects';
import type { FlowWarning } from './flow/idempotency-lint';
import { approvalApiArgs, type ApprovalsApi } from './approvals';
import { demoApiArgs, type DemoApi } from './demo';
import {
  flowSeriesQuerySchema,
  nodeRunsQuerySchema,
  runHistoryQuerySchema,
  statsWindowSchema,
  type ErrorGroup,
  type FlowSeries,
  type NodeRunRef,
  type NodeRunsQuery,
  type NodeStats,
  type RunHistoryPage,
  type RunHistoryQuery,
  type StatsWindow,
  type FlowSeriesQuery,
  type PinInfo,
  pinArgsSchema,
  unpinArgsSchema,
  listPinsArgsSchema,
} from './run-history';
import { codegenApiArgs, type CodegenApi } from './codegen-api';
import { connectionApiArgs, type ConnectionsApi } from './connections';

export interface NodeTypeInfo {
  ref: string;
  type: string;
  version: number;
  title: string;
  description: string;
  category: NodeCategory;
  trigger: boolean;
  inputs: PortMap;
  outputs: PortMap;
  ui: Record<string, FieldHint>;
  /** JSON Schema of the config, for clients that do not share our zod definitions. */
  configSchema: unknown;
}

export interface FlowSummary {
  id: string;
  name: string;
  version: number;
  nodeCount: number;
  updatedAt: number;
}

export interface SavedFlow {
  flow: Flow;
  version: number;
  updatedAt: number;
  /** Config problems (structure problems are refused on save). */
  problems: FlowProblem[];
  /** Warnings that do not block running (the idempotency lint, src/shared/flow/idempotency-lint.ts). */
  warnings?: FlowWarning[];
}

export type ImportResult = { ok: true; saved: SavedFlow } | { ok: false; problems: FlowProblem[] };

/** An event stream: call with a listener (and a filter, where the stream takes one), get an unsubscribe function back. */
export type EventStream<T, F = never> = (listener: (event: T) => void, filter?: F) => () => void;

export interface StartRunArgs {
  flowId: string;
  input?: unknown;
  /** The same source event (e.g. a database change's position) never creates two runs. */
  dedupeKey?: string;
  /** Runs sharing a key (e.g. the same database row) execute one at a time, in arrival order. */
  orderingKey?: string;
  /**
   * A test run (the Run dialog of a change-trigger flow): labelled "test" in the runs list, the
   * canvas and exports, and sinks whose "On test runs" setting is skip do not write.
   */
  test?: boolean;
}

/** A stored secret: its name and where it lives. Values never cross the API. */
export interface SecretInfo {
  name: string;
  /** `env` values (MILLRACE_SECRET_*) are read-only from the app. */
  source: 'env' | 'file' | 'desktop';
  writable: boolean;
}

/** The LLM node's Test button: one one-token request to the primary target, no retries. */
export type LlmTestResult =
  | { ok: true; label: 'live' | 'replay' | 'synthetic'; provider: string; model: string; latencyMs: number; reply: string; totalTokens: number | null; cost: LlmCost }
  | { ok: false; error: string };

/** Where the engine keeps its data and how much disk it takes. */
export interface DataFolderInfo {
  path: string;
  /** Every file under the data folder (database, WAL, secrets, replay recordings, output when inside). */
  bytes: number;
  /** The database and its WAL. */
  databaseBytes: number;
  /** Space inside the database freed by retention and not yet returned to the disk. */
  reclaimableBytes: number;
  /** Set while the disk is full (runs in flight wait for space, new runs are refused): what to do. */
  problem?: string;
}

/** An OpenAI-compatible server found by `detectLlmServers` (Ollama, LM Studio, or a URL the user gave). */
export interface LlmServerInfo {
  name: string;
  baseUrl: string;
  reachable: boolean;
  models: string[];
  error?: string;
}

/** Sink, approval and demo methods are declared in ./effects.ts (SinkApi), ./approvals.ts (ApprovalsApi) and ./demo.ts (DemoApi). */
export interface EngineApi extends SinkApi, ApprovalsApi, CodegenApi, DemoApi, ConnectionsApi {
  listNodeTypes(): Promise<NodeTypeInfo[]>;
  listFlows(): Promise<FlowSummary[]>;
  getFlow(arg: { id: string }): Promise<SavedFlow>;
  createFlow(arg: { name: string; template?: 'empty' | 'demo' }): Promise<SavedFlow>;
  /** Saves a new version. Refuses structurally broken documents (error code `invalid_flow`). */
  saveFlow(arg: { flow: unknown }): Promise<SavedFlow>;
  renameFlow(arg: { id: string; name: string }): Promise<FlowSummary>;
  deleteFlow(arg: { id: string }): Promise<void>;
  /** Parses a flow file. Never executes anything; saves nothing when there are structure problems. */
  importFlow(arg: { text: string }): Promise<ImportResult>;
  validateFlow(arg: { flow: unknown }): Promise<FlowProblem[]>;
  /**
   * Queues a run of the saved flow; durable when it resolves. Refused with `invalid_flow` and the
   * problem list when the flow has any. A repeated dedupeKey returns the existing run.
   */
  startRun(arg: StartRunArgs): Promise<{ runId: string; deduplicated: boolean }>;
  /** Cancels a queued, waiting or running run. */
  cancelRun(arg: { runId: string }): Promise<{ status: RunStatus }>;
  /** Starts a new run linked to an old one: whole, or from a node with its original or an edited input. */
  rerun(arg: { runId: string; fromNodeId?: string; input?: unknown }): Promise<{ runId: string }>;
  /** Delivers a named signal to a run (e.g. an approval). Kept if it arrives early; a repeat is ignored. */
  signalRun(arg: { runId: string; name: string; payload?: unknown }): Promise<{ accepted: boolean }>;
  listRuns(arg: { flowId?: string; limit?: number }): Promise<RunSummary[]>;
  getRunTrace(arg: { runId: string }): Promise<RunTrace>;
  /** Names and sources of stored secrets (never values). */
  listSecrets(): Promise<SecretInfo[]>;
  /** Stores a secret; flows refer to it as `secret:NAME`. */
  setSecret(arg: { name: string; value: string }): Promise<void>;
  deleteSecret(arg: { name: string }): Promise<{ deleted: boolean }>;
  /** Sends a one-token request with an llm-call node's config and reports what happened. */
  testLlm(arg: { config: unknown }): Promise<LlmTestResult>;
  /** Probes local OpenAI-compatible servers (Ollama 11434, LM Studio 1234) and the given URLs; lists their models. */
  detectLlmServers(arg: { urls?: string[] }): Promise<LlmServerInfo[]>;
  /** Saves a run's live LLM answers as replay recordings (<data folder>/llm-replay/), usable at once by replay nodes. */
  recordLlmReplay(arg: { runId: string }): Promise<{ entries: number; file: string }>;
  /** Subscribe with the narrowest filter you need (one run, one flow, run summaries only): unfiltered means every node's data of every run. */
  onRunEvent: EventStream<RunEvent, RunEventFilter>;
  /** The data folder's path and size on disk. */
  getDataFolderInfo(): Promise<DataFolderInfo>;
  /** Postgres change trigger: connects with the node's settings and reports every setup problem with its fix. */
  checkTriggerSetup(arg: { flowId: string; nodeId: string }): Promise<SetupReport>;
  /** Starts the flow's change triggers (creates publication + slot); `resync` replaces a lost slot and backfills again. */
  activateFlow(arg: { id: string; resync?: boolean }): Promise<TriggerStatus[]>;
  /** Stops the flow's change triggers; `dropSlot` also drops their slots (else the slots keep WAL for a resume). */
  deactivateFlow(arg: { id: string; dropSlot: boolean }): Promise<TriggerStatus[]>;
  getTriggerStatus(arg: { flowId: string }): Promise<TriggerStatus[]>;
  /** Reads the newest rows of a change trigger's tables through its connection, shaped as its changes, for a test run. */
  sampleTriggerChanges(arg: { flowId: string; nodeId: string; limit?: number }): Promise<SampledChanges>;
  /** One keyset page of a flow's runs, newest first, filtered (src/shared/run-history.ts). */
  listRunHistory(arg: RunHistoryQuery): Promise<RunHistoryPage>;
  /** Per-node runs, latency percentiles, error rate, retries, cost, tokens and cache hits in a window. */
  getNodeStats(arg: StatsWindow): Promise<NodeStats[]>;
  /** A node's slowest, costliest or failing runs in a window. */
  getNodeRuns(arg: NodeRunsQuery): Promise<NodeRunRef[]>;
  /** A node's failures in a window, grouped by message. */
  getNodeErrorGroups(arg: Omit<NodeRunsQuery, 'order' | 'limit'>): Promise<ErrorGroup[]>;
  /** Runs, failures and cost of a flow over time, in equal buckets. */
  getFlowSeries(arg: FlowSeriesQuery): Promise<FlowSeries>;
  /** The flow's pinned node outputs. */
  listPins(arg: { flowId: string }): Promise<PinInfo[]>;
  /** Pins a node's output from a run where it succeeded: manual runs then use it instead of executing the node. */
  pinNodeOutput(arg: { flowId: string; nodeId: string; runId: string }): Promise<PinInfo[]>;
  unpinNode(arg: { flowId: string; nodeId: string }): Promise<PinInfo[]>;
  /** State, slot health and backfill progress of every trigger, as they change. */
  onTriggerStatus: EventStream<TriggerStatus>;
}

type MethodKeys<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];
export type EngineMethod = MethodKeys<EngineApi>;
export type EngineStream = Exclude<keyof EngineApi, EngineMethod>;

const idArg = z.string().min(1).max(64);
const none = z.undefined().or(z.object({}).strict());

/** Argument parsers for every method: the server applies them before calling the engine. */
export const engineApiArgs = {
  listNodeTypes: none,
  listFlows: none,
  getFlow: z.object({ id: idArg }).strict(),
  createFlow: z.object({ name: z.string().trim().min(1).max(200), template: z.enum(['empty', 'demo']).optional() }).strict(),
  saveFlow: z.object({ flow: z.unknown() }).strict(),
  renameFlow: z.object({ id: idArg, name: z.string().trim().min(1).max(200) }).strict(),
  deleteFlow: z.object({ id: idArg }).strict(),
  importFlow: z.object({ text: z.string() }).strict(), // size: MAX_FLOW_DOCUMENT_BYTES (rpc/arg-limits.ts)
  validateFlow: z.object({ flow: z.unknown() }).strict(),
  startRun: z
    .object({ flowId: idArg, input: z.unknown().optional(), dedupeKey: z.string().min(1).max(500).optional(), orderingKey: z.string().min(1).max(500).optional(), test: z.boolean().optional() })
    .strict(),
  cancelRun: z.object({ runId: idArg }).strict(),
  rerun: z.object({ runId: idArg, fromNodeId: idArg.optional(), input: z.unknown().optional() }).strict(),
  signalRun: z.object({ runId: idArg, name: z.string().min(1).max(200), payload: z.unknown().optional() }).strict(),
  listRuns: z.object({ flowId: idArg.optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  getRunTrace: z.object({ runId: idArg }).strict(),
  listSecrets: none,
  setSecret: z.object({ name: z.string().regex(SECRET_NAME, 'letters, digits and "_", starting with a letter'), value: z.string().min(1).max(20_000) }).strict(),
  deleteSecret: z.object({ name: z.string().regex(SECRET_NAME, 'letters, digits and "_", starting with a letter') }).strict(),
  testLlm: z.object({ config: z.unknown() }).strict(),
  recordLlmReplay: z.object({ runId: idArg }).strict(),
  getDataFolderInfo: none,
  detectLlmServers: z.object({ urls: z.array(z.string().max(2000).regex(/^https?:\/\/\S+$/i, 'must start with http:// or https://')).max(5).optional() }).strict(),
  ...triggerApiArgs,
  ...sinkApiArgs,
  ...approvalApiArgs,
  listRunHistory: runHistoryQuerySchema,
  getNodeStats: statsWindowSchema,
  getNodeRuns: nodeRunsQuerySchema,
  getNodeErrorGroups: nodeRunsQuerySchema.omit({ order: true, limit: true }),
  getFlowSeries: flowSeriesQuerySchema,
  listPins: listPinsArgsSchema,
  pinNodeOutput: pinArgsSchema,
  unpinNode: unpinArgsSchema,
  ...codegenApiArgs,
  ...demoApiArgs,
  ...connectionApiArgs,
} satisfies Record<EngineMethod, z.ZodType>;

export const engineStreams = ['onRunEvent', 'onTriggerStatus', 'onApprovalEvent'] as const satisfies readonly EngineStream[];

/** Filter parsers per stream: the server applies them before subscribing. */
export const engineStreamFilters = {
  onRunEvent: RunEventFilterSchema.optional(),
  onTriggerStatus: z.undefined(),
  onApprovalEvent: z.undefined(),
} satisfies Record<EngineStream, z.ZodType>;

export const ENGINE_ERROR_CODES = ['invalid_argument', 'invalid_flow', 'not_found', 'unknown_method', 'internal', 'disconnected'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

/** An error that crosses the transport intact: code, user-facing message, optional problem list. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly problems?: FlowProblem[],
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
