/**
 * Fakes for node unit tests: a NodeContext whose step.run memoises by step name like the journal
 * does, and recording HTTP and file services. Pure TypeScript, so node tests run anywhere.
 */
import { asFlowId, asNodeId, asRunId } from '../shared/ids';
import type { NodeContext } from '../shared/node-kit';
import type { FileService, HttpRequest, HttpResponse, HttpService, LlmService, NodeServices } from '../shared/services';

export interface FakeHttp extends HttpService {
  /** Every request that reached the service, in order. */
  readonly requests: HttpRequest[];
}

/** An HTTP service that records requests and answers with `respond` (default: 200 with `{ ok: true }`). */
export function fakeHttp(respond: (req: HttpRequest) => HttpResponse | Promise<HttpResponse> = () => ({ status: 200, headers: {}, body: { ok: true } })): FakeHttp {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async request(req) {
      requests.push(req);
      return respond(req);
    },
  };
}

export interface FakeFiles extends FileService {
  /** Lines appended per relative path. */
  readonly files: Map<string, string[]>;
  /** How many times appendLines was called. */
  appendCalls: number;
}

/** A file service that keeps appended lines in memory under `/out/<path>`. */
export function fakeFiles(): FakeFiles {
  const files = new Map<string, string[]>();
  const service: FakeFiles = {
    files,
    appendCalls: 0,
    async appendLines(relativePath, lines) {
      service.appendCalls++;
      files.set(relativePath, [...(files.get(relativePath) ?? []), ...lines]);
      return `/out/${relativePath}`;
    },
    async appendKeyed(relativePath, rec) {
      service.appendCalls++;
      const existing = files.get(relativePath) ?? [];
      if (existing.some((l) => l.startsWith(rec.format === 'jsonl' ? `{"_key":${JSON.stringify(rec.key)}` : `"${rec.key.replace(/"/g, '""')}"`))) {
        return { path: `/out/${relativePath}`, appended: false, bytes: 0 };
      }
      files.set(relativePath, [...existing, ...(existing.length === 0 && rec.header ? [rec.header] : []), rec.line]);
      return { path: `/out/${relativePath}`, appended: true, bytes: new TextEncoder().encode(rec.line).length + 1 };
    },
  };
  return service;
}

export interface FakeContext extends NodeContext {
  http: FakeHttp;
  files: FakeFiles;
  /** Journaled step results by step name. */
  journal: Map<string, unknown>;
  /** How often each step's function actually ran (a memoised replay does not count). */
  effects: Map<string, number>;
  logs: string[];
  /** Everything the node reported through ctx.progress, in order. */
  progressed: string[];
}

export interface FakeContextOptions {
  http?: FakeHttp;
  files?: FakeFiles;
  runInput?: unknown;
  runId?: string;
  nodeId?: string;
  nodeName?: string;
  llm?: LlmService;
  /** Extra services (postgres, sqlite, secrets…) for sink tests. */
  services?: Partial<NodeServices>;
  /** A test run (the Run dialog): sinks set to skip do not write. */
  isTestRun?: boolean;
}

/**
 * A NodeContext for one node of one run. Executing a node twice with the same context behaves
 * like a resumed run: completed steps return their journaled result instead of running again.
 */
export function fakeContext(options: FakeContextOptions = {}): FakeContext {
  const runId = options.runId ?? 'run_test';
  const nodeId = options.nodeId ?? 'node_test';
  const journal = new Map<string, unknown>();
  const effects = new Map<string, number>();
  const logs: string[] = [];
  const progressed: string[] = [];
  /** Effects whose "started" marker was written (a thrown effect stays started, like a crash would leave it). */
  const started = new Set<string>();
  const http = options.http ?? fakeHttp();
  const files = options.files ?? fakeFiles();
  return {
    runId: asRunId(runId),
    flowId: asFlowId('flow_test'),
    nodeId: asNodeId(nodeId),
    nodeName: options.nodeName ?? 'Test node',
    runInput: options.runInput,
    ...(options.isTestRun !== undefined ? { isTestRun: options.isTestRun } : {}),
    attempt: 1,
    signal: new AbortController().signal,
    services: { http, files, clock: { now: () => 1_700_000_000_000 }, ...(options.llm ? { llm: options.llm } : {}), ...options.services },
    step: {
      async run<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
        if (journal.has(name)) return journal.get(name) as T;
        effects.set(name, (effects.get(name) ?? 0) + 1);
        const result = await fn();
        journal.set(name, result);
        return result;
      },
      async effect<T>(name: string, fn: (info: { idempotencyKey: string; mayHaveRunBefore: boolean }) => Promise<T> | T): Promise<T> {
        if (journal.has(name)) return journal.get(name) as T;
        const mayHaveRunBefore = started.has(name);
        started.add(name);
        effects.set(name, (effects.get(name) ?? 0) + 1);
        const result = await fn({ idempotencyKey: `${runId}:${nodeId}:${name}`, mayHaveRunBefore });
        journal.set(name, result);
        return result;
      },
      idempotencyKey: (name) => `${runId}:${nodeId}:${name}`,
      // Node unit tests cover nodes that do not wait; waits are tested against the real runtime.
      sleep: () => Promise.reject(new Error('fakeContext: sleep is not supported')),
      sleepUntil: () => Promise.reject(new Error('fakeContext: sleepUntil is not supported')),
      waitForSignal: () => Promise.reject(new Error('fakeContext: waitForSignal is not supported')),
    },
    log: (message) => void logs.push(message),
    progress: (text) => void progressed.push(text),
    http,
    files,
    journal,
    effects,
    logs,
    progressed,
  };
}
