/** Client and server over an in-memory port pair, against a small fake engine. */
import { describe, expect, it, vi } from 'vitest';
import { EngineError, type EngineApi, type SavedFlow } from '../api';
import type { RunEvent, RunTrace } from '../runs';
import type { FlowProblem } from '../flow/problems';
import { createEngineClient } from './client';
import { serveEngineApi } from './server';
import { createMemoryPortPair, type RpcPort } from './protocol';
import { chainFlow } from '../flow/testing';

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const problems: FlowProblem[] = [
  { kind: 'structure', path: ['edges', 0, 'target'], edgeId: 'e1', message: 'edge ends at missing node "x"' },
  { kind: 'config', path: ['nodes', 1, 'config', 'url'], nodeId: 'n1', field: 'url', message: 'required' },
];

const event: RunEvent = { type: 'node.succeeded', runId: 'run_1', nodeId: 'n1', at: 5, durationMs: 2, output: { ok: true } };

class FakeEngine implements EngineApi {
  readonly calls: { method: string; arg: unknown }[] = [];
  readonly runListeners = new Set<(e: RunEvent) => void>();
  /** Resolvers of getRunTrace calls, which stay pending until a test settles them. */
  readonly pendingTraces: ((t: RunTrace) => void)[] = [];

  private record(method: string, arg?: unknown) {
    this.calls.push({ method, arg });
  }
  private saved(name: string): SavedFlow {
    return { flow: { ...chainFlow(2), name }, version: 1, updatedAt: 1000, problems: [] };
  }

  async listNodeTypes() {
    this.record('listNodeTypes');
    return [];
  }
  async listFlows() {
    this.record('listFlows');
    return [{ id: 'flow_test', name: 'Test flow', version: 1, nodeCount: 2, updatedAt: 1000 }];
  }
  async getFlow(arg: { id: string }) {
    this.record('getFlow', arg);
    if (arg.id !== 'flow_test') throw new EngineError('not_found', `no flow "${arg.id}"`);
    return this.saved('Test flow');
  }
  async createFlow(arg: { name: string; template?: 'empty' | 'demo' }) {
    this.record('createFlow', arg);
    return this.saved(arg.name);
  }
  async saveFlow(arg: { flow: unknown }): Promise<never> {
    this.record('saveFlow', arg);
    throw new EngineError('invalid_flow', 'the flow has 2 problems', problems);
  }
  async renameFlow(arg: { id: string; name: string }) {
    this.record('renameFlow', arg);
    return { id: arg.id, name: arg.name, version: 2, nodeCount: 2, updatedAt: 2000 };
  }
  async deleteFlow(arg: { id: string }) {
    this.record('deleteFlow', arg);
  }
  async importFlow(arg: { text: string }): Promise<never> {
    this.record('importFlow', arg);
    throw new Error('disk on fire');
  }
  async exportFlowCode(arg: { flowId: string; target: 'standalone' | 'dbos' }) {
    this.record('exportFlowCode', arg);
    return { files: [] };
  }
  async importFlowCode(arg: { text: string }) {
    this.record('importFlowCode', arg);
    return { ok: false as const, issues: [] };
  }
  async validateFlow(arg: { flow: unknown }): Promise<never> {
    this.record('validateFlow', arg);
    throw 'a bare string'; // the server must cope with non-Error throws
  }
  async startRun(arg: { flowId: string; input?: unknown }) {
    this.record('startRun', arg);
    return { runId: 'run_1', deduplicated: false };
  }
  async cancelRun(arg: { runId: string }) {
    this.record('cancelRun', arg);
    return { status: 'cancelled' as const };
  }
  async rerun(arg: { runId: string }) {
    this.record('rerun', arg);
    return { runId: 'run_2' };
  }
  async signalRun(arg: { runId: string; name: string }) {
    this.record('signalRun', arg);
    return { accepted: true };
  }
  async listRuns(arg: { flowId?: string; limit?: number }) {
    this.record('listRuns', arg);
    return [];
  }
  getRunTrace(arg: { runId: string }) {
    this.record('getRunTrace', arg);
    return new Promise<RunTrace>((resolve) => this.pendingTraces.push(resolve));
  }
  async listSecrets() {
    this.record('listSecrets');
    return [{ name: 'OPENAI_API_KEY', source: 'file' as const, writable: true }];
  }
  async setSecret(arg: { name: string; value: string }) {
    this.record('setSecret', { name: arg.name });
  }
  async deleteSecret(arg: { name: string }) {
    this.record('deleteSecret', arg);
    return { deleted: true };
  }
  async recordLlmReplay(arg: { runId: string }) {
    this.record('recordLlmReplay', arg);
    return { entries: 0, file: '' };
  }
  async detectLlmServers(arg: { urls?: string[] }) {
    this.record('detectLlmServers', arg);
    return [];
  }
  async testLlm(arg: { config: unknown }) {
    this.record('testLlm', arg);
    return { ok: false as const, error: 'not in this fake' };
  }
  async getDataFolderInfo() {
    this.record('getDataFolderInfo');
    return { path: '/data', bytes: 1, databaseBytes: 1, reclaimableBytes: 0 };
  }
  onRunEvent = (listener: (e: RunEvent) => void) => {
    this.runListeners.add(listener);
    return () => void this.runListeners.delete(listener);
  };
  emit(e: RunEvent) {
    for (const l of this.runListeners) l(e);
  }
  async checkTriggerSetup(arg: { flowId: string; nodeId: string }) {
    this.record('checkTriggerSetup', arg);
    return { ok: true, connected: true, serverVersion: '15.0', problems: [] };
  }
  async activateFlow(arg: { id: string }) {
    this.record('activateFlow', arg);
    return [];
  }
  async deactivateFlow(arg: { id: string; dropSlot: boolean }) {
    this.record('deactivateFlow', arg);
    return [];
  }
  async getTriggerStatus(arg: { flowId: string }) {
    this.record('getTriggerStatus', arg);
    return [];
  }
  onTriggerStatus = () => () => undefined;
  async listEffects() {
    return [];
  }
  async reconcileEffects(arg: { flowId: string }) {
    return { flowId: arg.flowId, nodes: [], gaps: [] };
  }
  async listSinkTables() {
    return [];
  }
  async listSinkColumns() {
    return [];
  }
  async testSink() {
    return { ok: false as const, key: '', error: 'fake', logs: [] };
  }
  // Approvals (src/shared/approvals.ts): not exercised by this fake.
  async listApprovals() {
    return [];
  }
  async decideApproval(): Promise<never> {
    throw new Error('not in this fake');
  }
  async exportApprovals() {
    return { jsonl: '', count: 0 };
  }
  async approvalStats() {
    return [];
  }
  onApprovalEvent = () => () => undefined;
  async listRunHistory(arg: unknown) {
    this.record('listRunHistory', arg);
    return { rows: [], nextCursor: null };
  }
  async getNodeStats(arg: unknown) {
    this.record('getNodeStats', arg);
    return [];
  }
  async getNodeRuns(arg: unknown) {
    this.record('getNodeRuns', arg);
    return [];
  }
  async getNodeErrorGroups(arg: unknown) {
    this.record('getNodeErrorGroups', arg);
    return [];
  }
  async getFlowSeries(arg: unknown) {
    this.record('getFlowSeries', arg);
    return { t: [], runs: [], failed: [], costUsd: [] };
  }
  async listPins(arg: unknown) {
    this.record('listPins', arg);
    return [];
  }
  async pinNodeOutput(arg: unknown) {
    this.record('pinNodeOutput', arg);
    return [];
  }
  async unpinNode(arg: unknown) {
    this.record('unpinNode', arg);
    return [];
  }
}

function setup() {
  const [clientPort, serverPort] = createMemoryPortPair();
  const engine = new FakeEngine();
  const onInternalError = vi.fn();
  const dispose = serveEngineApi(engine, serverPort, { onInternalError });
  const client = createEngineClient(clientPort);
  return { engine, client, clientPort, serverPort, onInternalError, dispose };
}

/** A raw port talking to a served fake engine, to send what a typed client never would. */
function rawSetup() {
  const [rawPort, serverPort] = createMemoryPortPair();
  const engine = new FakeEngine();
  serveEngineApi(engine, serverPort);
  const received: unknown[] = [];
  rawPort.onMessage((m) => void received.push(m));
  return { engine, rawPort, received };
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  return error as EngineError;
}

describe('rpc calls', () => {
  it('round-trips a typed call, with the server-parsed argument reaching the engine', async () => {
    const { engine, client } = setup();
    const saved = await client.createFlow({ name: '  Orders  ', template: 'demo' });
    expect(engine.calls).toEqual([{ method: 'createFlow', arg: { name: 'Orders', template: 'demo' } }]);
    expect(saved.flow.name).toBe('Orders');
    expect(saved).toEqual({ flow: { ...chainFlow(2), name: 'Orders' }, version: 1, updatedAt: 1000, problems: [] });
  });

  it('calls methods without arguments', async () => {
    const { client } = setup();
    expect(await client.listFlows()).toEqual([{ id: 'flow_test', name: 'Test flow', version: 1, nodeCount: 2, updatedAt: 1000 }]);
  });

  it('resolves a void method', async () => {
    const { engine, client } = setup();
    await expect(client.deleteFlow({ id: 'flow_test' })).resolves.toBeNull();
    expect(engine.calls).toHaveLength(1);
  });

  it('answers concurrent calls to the right caller', async () => {
    const { client } = setup();
    const [a, b] = await Promise.all([client.renameFlow({ id: 'a', name: 'A' }), client.renameFlow({ id: 'b', name: 'B' })]);
    expect([a.id, b.id]).toEqual(['a', 'b']);
  });

  it('refuses an invalid argument with invalid_argument naming the method and field; the engine is not called', async () => {
    const { engine, client } = setup();
    const error = await rejection(client.getFlow({ id: 42 } as never));
    expect(error.code).toBe('invalid_argument');
    expect(error.message).toMatch(/^getFlow: /);
    expect(error.message).toContain('id');
    expect(engine.calls).toEqual([]);
  });

  it('refuses unknown argument keys and arguments to methods that take none', async () => {
    const { engine, client } = setup();
    const extra = await rejection(client.startRun({ flowId: 'f', sneaky: true } as never));
    expect(extra.code).toBe('invalid_argument');
    expect(extra.message).toContain('sneaky');
    const none = await rejection((client.listFlows as (a: unknown) => Promise<unknown>)({ x: 1 }));
    expect(none.code).toBe('invalid_argument');
    const limit = await rejection(client.listRuns({ limit: 0 }));
    expect(limit.message).toContain('limit');
    expect(engine.calls).toEqual([]);
  });

  it('carries an EngineError with its problems across intact', async () => {
    const { client, onInternalError } = setup();
    const error = await rejection(client.saveFlow({ flow: {} }));
    expect(error.code).toBe('invalid_flow');
    expect(error.message).toBe('the flow has 2 problems');
    expect(error.problems).toEqual(problems);
    expect(onInternalError).not.toHaveBeenCalled();
  });

  it('carries a not_found EngineError without problems', async () => {
    const { client } = setup();
    const error = await rejection(client.getFlow({ id: 'nope' }));
    expect([error.code, error.message, error.problems]).toEqual(['not_found', 'no flow "nope"', undefined]);
  });

  it('reports unexpected errors to onInternalError and sends them as code internal', async () => {
    const { client, onInternalError } = setup();
    const error = await rejection(client.importFlow({ text: '{}' }));
    expect(error.code).toBe('internal');
    expect(error.message).toBe('importFlow failed: disk on fire');
    expect(onInternalError).toHaveBeenCalledTimes(1);
    const [reported, method] = onInternalError.mock.calls[0]!;
    expect(reported).toBeInstanceOf(Error);
    expect((reported as Error).message).toBe('disk on fire');
    expect(method).toBe('importFlow');
  });

  it('copes with a thrown non-Error', async () => {
    const { client, onInternalError } = setup();
    const error = await rejection(client.validateFlow({ flow: {} }));
    expect([error.code, error.message]).toEqual(['internal', 'validateFlow failed: a bare string']);
    expect(onInternalError).toHaveBeenCalledWith('a bare string', 'validateFlow');
  });

  it.each(['dropDatabase', '__proto__', 'constructor', 'toString', 'onRunEvent'])('answers the unknown method %j with unknown_method', async (method) => {
    const { engine, rawPort, received } = rawSetup();
    rawPort.send({ kind: 'call', id: 7, method, arg: {} });
    await flush();
    expect(received).toEqual([{ kind: 'result', id: 7, ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } }]);
    expect(engine.calls).toEqual([]);
  });
});

describe('rpc streams', () => {
  it('one engine subscription per listener (each may carry its own filter); each leaves on its own', async () => {
    const { engine, client } = setup();
    const a: RunEvent[] = [];
    const b: RunEvent[] = [];
    const offA = client.onRunEvent((e) => a.push(e));
    const offB = client.onRunEvent((e) => b.push(e));
    await flush();
    expect(engine.runListeners.size).toBe(2);

    engine.emit(event);
    await flush();
    expect(a).toEqual([event]);
    expect(b).toEqual([event]);

    offA();
    engine.emit(event);
    await flush();
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(2);
    expect(engine.runListeners.size).toBe(1);

    offB();
    await flush();
    expect(engine.runListeners.size).toBe(0);
  });

  it('resubscribes after everyone left', async () => {
    const { engine, client } = setup();
    client.onRunEvent(() => {})();
    await flush();
    const got: RunEvent[] = [];
    client.onRunEvent((e) => got.push(e));
    await flush();
    engine.emit(event);
    await flush();
    expect(got).toEqual([event]);
  });

  it('ignores a second call of an unsubscribe function', async () => {
    const { engine, client } = setup();
    const off = client.onRunEvent(() => {});
    off();
    const got: RunEvent[] = [];
    client.onRunEvent((e) => got.push(e));
    off();
    await flush();
    engine.emit(event);
    await flush();
    expect(got).toEqual([event]);
    expect(engine.runListeners.size).toBe(1);
  });

  it('delivers copies, not the engine objects', async () => {
    const { engine, client } = setup();
    const got: RunEvent[] = [];
    client.onRunEvent((e) => got.push(e));
    await flush();
    engine.emit(event);
    await flush();
    expect(got[0]).toEqual(event);
    expect(got[0]).not.toBe(event);
  });

  it('unsubscribes from the engine when the connection closes', async () => {
    const { engine, client, serverPort } = setup();
    client.onRunEvent(() => {});
    await flush();
    expect(engine.runListeners.size).toBe(1);
    serverPort.close();
    expect(engine.runListeners.size).toBe(0);
  });

  it('ignores sub/unsub of unknown streams', async () => {
    const { engine, rawPort, received } = rawSetup();
    rawPort.send({ kind: 'sub', stream: 'onSecrets' });
    rawPort.send({ kind: 'unsub', stream: 'onSecrets' });
    await flush();
    expect(received).toEqual([]);
    expect(engine.runListeners.size).toBe(0);
  });
});

describe('rpc disconnect', () => {
  it('rejects pending calls with disconnected when the port closes, and tells onDisconnect once', async () => {
    const { engine, client, serverPort } = setup();
    const onDisconnect = vi.fn();
    client.onDisconnect(onDisconnect);
    const pending = client.getRunTrace({ runId: 'run_1' });
    await flush();
    expect(engine.pendingTraces).toHaveLength(1);
    serverPort.close();
    const error = await rejection(pending);
    expect(error.code).toBe('disconnected');
    expect(onDisconnect).toHaveBeenCalledTimes(1);
    client.close();
    expect(onDisconnect).toHaveBeenCalledTimes(1);
  });

  it('rejects calls made after the close at once', async () => {
    const { engine, client } = setup();
    client.close();
    expect((await rejection(client.listFlows())).code).toBe('disconnected');
    expect(engine.calls).toEqual([]);
  });

  it('drops a result that arrives after the close without throwing', async () => {
    const { engine, client } = setup();
    const pending = client.getRunTrace({ runId: 'run_1' });
    await flush();
    client.close();
    await rejection(pending);
    engine.pendingTraces[0]!({ run: {} as RunTrace['run'], input: null, nodes: {} });
    await flush();
  });

  it('lets a subscription end quietly after the close', async () => {
    const { client } = setup();
    const off = client.onRunEvent(() => {});
    client.close();
    expect(() => off()).not.toThrow();
    expect(() => client.onRunEvent(() => {})).not.toThrow();
  });
});

describe('malformed messages', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'call listFlows'],
    ['an unknown kind', { kind: 'exec', id: 1, method: 'listFlows' }],
    ['a call without id', { kind: 'call', method: 'listFlows' }],
    ['a negative id', { kind: 'call', id: -1, method: 'listFlows' }],
    ['a fractional id', { kind: 'call', id: 1.5, method: 'listFlows' }],
    ['a numeric method', { kind: 'call', id: 1, method: 5 }],
    ['an overlong method name', { kind: 'call', id: 1, method: 'x'.repeat(65) }],
  ])('the server ignores %s and keeps serving', async (_label, message) => {
    const { engine, rawPort, received } = rawSetup();
    rawPort.send(message);
    await flush();
    expect(received).toEqual([]);
    expect(engine.calls).toEqual([]);
    rawPort.send({ kind: 'call', id: 2, method: 'listNodeTypes' });
    await flush();
    expect(received).toEqual([{ kind: 'result', id: 2, ok: true, value: [] }]);
  });

  it('the client ignores junk and results for unknown ids, and keeps its pending call', async () => {
    const [clientPort, fakeServer] = createMemoryPortPair();
    const client = createEngineClient(clientPort);
    const sent: unknown[] = [];
    fakeServer.onMessage((m) => void sent.push(m));
    const pending = client.listFlows();
    await flush();
    expect(sent).toEqual([{ kind: 'call', id: 1, method: 'listFlows', arg: undefined }]);
    for (const junk of [null, 42, { kind: 'result' }, { kind: 'result', id: 1, ok: 'yes' }, { kind: 'result', id: 99, ok: true, value: 'stray' }, { kind: 'event', stream: 5 }]) {
      fakeServer.send(junk);
    }
    fakeServer.send({ kind: 'result', id: 1, ok: true, value: ['real'] });
    await expect(pending).resolves.toEqual(['real']);
  });
});

describe('createMemoryPortPair', () => {
  it('delivers asynchronously, as a copy', async () => {
    const [a, b]: [RpcPort, RpcPort] = createMemoryPortPair();
    const got: unknown[] = [];
    b.onMessage((m) => void got.push(m));
    const message = { n: [1] };
    a.send(message);
    expect(got).toEqual([]);
    await flush();
    expect(got).toEqual([message]);
    expect(got[0]).not.toBe(message);
  });

  it('closes both ends, tells both, and refuses to send afterwards', () => {
    const [a, b] = createMemoryPortPair();
    const closed: string[] = [];
    a.onClose(() => closed.push('a'));
    b.onClose(() => closed.push('b'));
    b.close();
    b.close();
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(() => a.send({})).toThrow(/closed/);
  });
});
