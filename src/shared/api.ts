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
import { triggerApiArgs, type SetupReport, type TriggerStatus } from './triggers';
import { codegenApiArgs, type CodegenApi } from './codegen-api';

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
}

export type ImportResult = { ok: true; saved: SavedFlow } | { ok: false; problems: FlowProblem[] };

/** An event stream: call with a listener, get an unsubscribe function back. */
export type EventStream<T> = (listener: (event: T) => void) => () => void;

export interface StartRunArgs {
  flowId: string;
  input?: unknown;
  /** The same source event (e.g. a database change's position) never creates two runs. */
  dedupeKey?: string;
  /** Runs sharing a key (e.g. the same database row) execute one at a time, in arrival order. */
  orderingKey?: string;
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
  | { ok: true; label: 'live' | 'replay'; provider: string; model: string; latencyMs: number; reply: string; totalTokens: number | null; cost: LlmCost }
  | { ok: false; error: string };

export interface EngineApi extends CodegenApi {
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
  /** Saves a run's live LLM answers as replay recordings (<data folder>/llm-replay/), usable at once by replay nodes. */
  recordLlmReplay(arg: { runId: string }): Promise<{ entries: number; file: string }>;
  onRunEvent: EventStream<RunEvent>;
  /** Postgres change trigger: connects with the node's settings and reports every setup problem with its fix. */
  checkTriggerSetup(arg: { flowId: string; nodeId: string }): Promise<SetupReport>;
  /** Starts the flow's change triggers (creates publication + slot); `resync` replaces a lost slot and backfills again. */
  activateFlow(arg: { id: string; resync?: boolean }): Promise<TriggerStatus[]>;
  /** Stops the flow's change triggers; `dropSlot` also drops their slots (else the slots keep WAL for a resume). */
  deactivateFlow(arg: { id: string; dropSlot: boolean }): Promise<TriggerStatus[]>;
  getTriggerStatus(arg: { flowId: string }): Promise<TriggerStatus[]>;
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
  importFlow: z.object({ text: z.string().max(60 * 1024 * 1024) }).strict(),
  validateFlow: z.object({ flow: z.unknown() }).strict(),
  startRun: z
    .object({ flowId: idArg, input: z.unknown().optional(), dedupeKey: z.string().min(1).max(500).optional(), orderingKey: z.string().min(1).max(500).optional() })
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
  ...triggerApiArgs,
  ...codegenApiArgs,
} satisfies Record<EngineMethod, z.ZodType>;

export const engineStreams = ['onRunEvent', 'onTriggerStatus'] as const satisfies readonly EngineStream[];

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
