/**
 * The journal the runner writes to. One interface, two implementations: SQLite (the app) and
 * in-memory (unit tests). Every write happens before the runner moves on, so what the canvas shows
 * is what is on disk.
 */
import type { ErrorInfo, RunStatus } from '../../shared/runs';

export interface NewRun {
  id: string;
  flowId: string;
  flowVersion: number;
  flowName: string;
  input: unknown;
  createdAt: number;
}

export type StoredStep = { found: true; value: unknown } | { found: false };

export interface Journal {
  createRun(run: NewRun): void;
  runStarted(runId: string, at: number): void;
  runFinished(runId: string, status: Exclude<RunStatus, 'queued' | 'running'>, error: (ErrorInfo & { nodeId?: string }) | null, at: number): void;
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, at: number): void;
  nodeSucceeded(runId: string, nodeId: string, output: unknown, at: number): void;
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo, at: number): void;
  nodeSkipped(runId: string, nodeId: string, nodeType: string, at: number): void;
  getStep(runId: string, nodeId: string, name: string): StoredStep;
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown, at: number): void;
}

/** In-memory journal for tests: same contract, inspectable state. */
export class MemoryJournal implements Journal {
  readonly runs = new Map<string, NewRun & { status: RunStatus; error: unknown; startedAt?: number; finishedAt?: number }>();
  readonly nodes = new Map<string, { nodeType: string; status: string; input: unknown; output?: unknown; error?: ErrorInfo; startedAt: number; finishedAt?: number }>();
  readonly steps = new Map<string, { nodeType: string; value: unknown }>();

  createRun(run: NewRun) {
    this.runs.set(run.id, { ...run, status: 'queued', error: null });
  }
  runStarted(runId: string, at: number) {
    const r = this.runs.get(runId)!;
    r.status = 'running';
    r.startedAt = at;
  }
  runFinished(runId: string, status: Exclude<RunStatus, 'queued' | 'running'>, error: unknown, at: number) {
    const r = this.runs.get(runId)!;
    Object.assign(r, { status, error, finishedAt: at });
  }
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, at: number) {
    this.nodes.set(`${runId}/${nodeId}`, { nodeType, status: 'running', input, startedAt: at });
  }
  nodeSucceeded(runId: string, nodeId: string, output: unknown, at: number) {
    Object.assign(this.nodes.get(`${runId}/${nodeId}`)!, { status: 'succeeded', output, finishedAt: at });
  }
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo, at: number) {
    Object.assign(this.nodes.get(`${runId}/${nodeId}`)!, { status: 'failed', error, finishedAt: at });
  }
  nodeSkipped(runId: string, nodeId: string, nodeType: string, at: number) {
    this.nodes.set(`${runId}/${nodeId}`, { nodeType, status: 'skipped', input: null, startedAt: at, finishedAt: at });
  }
  getStep(runId: string, nodeId: string, name: string): StoredStep {
    const s = this.steps.get(`${runId}/${nodeId}/${name}`);
    return s ? { found: true, value: structuredClone(s.value) } : { found: false };
  }
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown) {
    this.steps.set(`${runId}/${nodeId}/${name}`, { nodeType, value: structuredClone(value) });
  }
}
