/** Options of the engine (src/engine/engine.ts). */
import type { NodeRegistry } from '../shared/node-kit';
import type { NodeServices } from '../shared/services';
import type { LlmServicesOptions } from './llm-services';
import type { ResolveSecret } from './triggers/pg/connection';
import type { DurabilityFs } from './store/group-commit';
import type { DemoContent, DemoDatabase } from './demo/demo-workspace';

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
  /** Runs executing at once across all flows. Default 20. */
  concurrency?: number;
  /** Keep finished runs this many days / this many per flow (null = forever). Defaults: 30 days, 10,000 per flow. */
  retention?: { maxAgeDays?: number | null; maxRunsPerFlow?: number | null; intervalMs?: number };
  /** Cap on the database file size; past it new runs are refused like on a full disk. */
  maxDatabaseBytes?: number;
  /** Largest JSON a node may output. Default 10 MB. */
  maxOutputBytes?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** Desktop secrets (Electron safeStorage); default: a 0600 file in the data folder. */
  secretBackend?: LlmServicesOptions['secretBackend'];
  /** Where MILLRACE_SECRET_* values come from (tests). Default: process.env. */
  env?: LlmServicesOptions['env'];
  /** LLM gateway settings (tests: breaker cooldowns, response cap…). */
  llm?: LlmServicesOptions['llm'];
  /** Resolves `secret:NAME` references of trigger connections. Default: the engine's secrets store. */
  resolveSecret?: ResolveSecret;
  /**
   * How the journal reaches the disk (tests): the fsync implementation (the power-loss test records
   * what each fsync made durable), a hook after each checkpoint, the WAL size that forces a
   * checkpoint, and the broken variant the power-loss test must catch.
   */
  storage?: {
    fs?: DurabilityFs;
    onCheckpointing?: () => void;
    onCheckpointed?: () => void;
    maxWalBytes?: number;
    idleCheckpointMs?: number;
    unsafeAcknowledgeAtCommit?: boolean;
  };
  /** Called when the disk failed to make the journal durable (the engine is dead; see engine-supervisor). */
  onFatalStorageError?: (e: Error) => void;
  /** Change triggers: slot health poll interval (default 5 s) and the received-but-not-durable cap; `backfillIgnoresSnapshot` is the tests' broken variant. */
  triggers?: { healthIntervalMs?: number; maxInFlight?: number; backfillIgnoresSnapshot?: boolean };
  /** Approvals: the name inbox decisions are recorded under (default: the OS user); `unconditionalDecide` / `ackBeforeCommit` are the tests' broken variants. */
  approvals?: { userName?: string; unconditionalDecide?: boolean; ackBeforeCommit?: boolean };
  /** The live demo workspace (database + content); off when absent. `millrace serve` turns it on (src/engine/demo/demo-wiring.ts). */
  demo?: { database: DemoDatabase; content: DemoContent };
}
