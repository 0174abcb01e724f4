/** Client and server over an in-memory port pair, against a small fake engine. */
import { describe, expect, it, vi } from 'vitest';
import { EngineError } from '../api';
import type { RunEvent, RunTrace } from '../runs';
import { chainFlow } from '../flow/testing';
import { createEngineClient } from './client';
import { serveEngineApi } from './server';
import { createMemoryPortPair, type RpcPort } from './protocol';
import { FakeEngine, event, problems } from './fake-engine';

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));


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
