/** In-memory Journal for unit tests: the same contract as the SQLite store, inspectable state. */
import type { ErrorInfo, RunStatus, WaitInfo, AttemptInfo } from '../../shared/runs';
import type { FinalStatus, Journal, NodeState, RunError, StoredStep, StoredWait } from './journal';

interface MemRun {
  status: RunStatus;
  error: RunError;
  wakeAt: number | null;
}
interface MemNode {
  nodeType: string;
  status: 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
  input: unknown;
  outputs?: Record<string, unknown>;
  output?: unknown;
  error?: ErrorInfo;
  attempt: number;
  attempts: AttemptInfo[];
  waiting?: WaitInfo;
}

export class MemoryJournal implements Journal {
  readonly runs = new Map<string, MemRun>();
  readonly nodes = new Map<string, MemNode>();
  readonly steps = new Map<string, { nodeType: string; value: unknown }>();
  readonly waits = new Map<string, StoredWait>();
  readonly signals = new Map<string, unknown>();
  durableWrites = 0;
  /** Durability frontier. With `holdDurability` set, writes stay non-durable until `releaseDurability()`. */
  private seq = 0;
  private durableSeq = 0;
  holdDurability = false;
  private held: { seq: number; resolve: () => void }[] = [];

  private run(runId: string): MemRun {
    let r = this.runs.get(runId);
    if (!r) this.runs.set(runId, (r = { status: 'queued', error: null, wakeAt: null }));
    return r;
  }
  private durable(): Promise<void> {
    this.durableWrites++;
    return this.whenDurable(++this.seq);
  }
  lastSeq(): number {
    return this.seq;
  }
  whenDurable(seq: number): Promise<void> {
    if (!this.holdDurability) this.durableSeq = this.seq;
    if (seq <= this.durableSeq) return Promise.resolve();
    return new Promise((resolve) => this.held.push({ seq, resolve }));
  }
  /** Test helper: everything written so far becomes durable. */
  releaseDurability(): void {
    this.durableSeq = this.seq;
    const ready = this.held.filter((h) => h.seq <= this.durableSeq);
    this.held = this.held.filter((h) => h.seq > this.durableSeq);
    ready.forEach((h) => h.resolve());
  }

  runStarted(runId: string) {
    this.run(runId).status = 'running';
  }
  runWaiting(runId: string, wakeAt: number | null) {
    Object.assign(this.run(runId), { status: 'waiting', wakeAt });
    return this.durable();
  }
  runFinished(runId: string, status: FinalStatus, error: RunError) {
    Object.assign(this.run(runId), { status, error, wakeAt: null });
    return this.durable();
  }
  loadNodeStates(runId: string): Map<string, NodeState> {
    const out = new Map<string, NodeState>();
    for (const [key, n] of this.nodes) {
      const [r, nodeId] = key.split('/') as [string, string];
      if (r !== runId) continue;
      if (n.status === 'succeeded') out.set(nodeId, { status: 'succeeded', outputs: structuredClone(n.outputs ?? {}) });
      else if (n.status === 'skipped') out.set(nodeId, { status: 'skipped' });
      else if (n.status === 'failed') out.set(nodeId, { status: 'failed', error: n.error! });
      else out.set(nodeId, { status: n.status, failedAttempts: n.attempts.length, retryAt: n.attempts.at(-1)?.retryAt ?? null });
    }
    return out;
  }
  nodeStarted(runId: string, nodeId: string, nodeType: string, input: unknown, attempt: number) {
    const prev = this.nodes.get(`${runId}/${nodeId}`);
    this.nodes.set(`${runId}/${nodeId}`, { nodeType, status: 'running', input, attempt, attempts: prev?.attempts ?? [] });
  }
  nodeSucceeded(runId: string, nodeId: string, outputs: Record<string, unknown>, shown: unknown) {
    Object.assign(this.nodes.get(`${runId}/${nodeId}`)!, { status: 'succeeded', outputs: structuredClone(outputs), output: shown });
  }
  nodeFailed(runId: string, nodeId: string, error: ErrorInfo) {
    Object.assign(this.nodes.get(`${runId}/${nodeId}`)!, { status: 'failed', error });
  }
  nodeSkipped(runId: string, nodeId: string, nodeType: string) {
    this.nodes.set(`${runId}/${nodeId}`, { nodeType, status: 'skipped', input: null, attempt: 1, attempts: [] });
  }
  nodeWaiting(runId: string, nodeId: string, waiting: WaitInfo) {
    Object.assign(this.nodes.get(`${runId}/${nodeId}`)!, { status: 'waiting', waiting });
  }
  attemptFailed(runId: string, nodeId: string, attempt: number, error: ErrorInfo, retryAt: number, at: number) {
    const n = this.nodes.get(`${runId}/${nodeId}`)!;
    n.attempts.push({ attempt, error, at, retryAt });
    n.status = 'waiting';
    return this.durable();
  }
  getStep(runId: string, nodeId: string, name: string): StoredStep {
    const s = this.steps.get(`${runId}/${nodeId}/${name}`);
    return s ? { found: true, value: structuredClone(s.value), nodeType: s.nodeType } : { found: false };
  }
  putStep(runId: string, nodeId: string, name: string, nodeType: string, value: unknown) {
    this.steps.set(`${runId}/${nodeId}/${name}`, { nodeType, value: structuredClone(value) });
    return this.durable();
  }
  getWait(runId: string, nodeId: string, name: string) {
    return this.waits.get(`${runId}/${nodeId}/${name}`);
  }
  registerWait(runId: string, nodeId: string, name: string, wakeAt: number | null) {
    this.waits.set(`${runId}/${nodeId}/${name}`, { wakeAt, resolved: false, result: null });
    return this.durable();
  }
  resolveWait(runId: string, nodeId: string, name: string, result: unknown) {
    const w = this.waits.get(`${runId}/${nodeId}/${name}`);
    this.waits.set(`${runId}/${nodeId}/${name}`, { wakeAt: w?.wakeAt ?? null, resolved: true, result });
    return this.durable();
  }
  getSignal(runId: string, name: string) {
    const key = `${runId}/${name}`;
    return this.signals.has(key) ? { payload: this.signals.get(key) } : undefined;
  }
  /** Test helper: deliver a signal (first one wins, like the SQLite store). */
  signal(runId: string, name: string, payload: unknown): boolean {
    const key = `${runId}/${name}`;
    if (this.signals.has(key)) return false;
    this.signals.set(key, payload);
    return true;
  }
}
