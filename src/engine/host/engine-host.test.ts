import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../engine';
import { runEngineHost, type EngineHostOptions, type HostedEngine, type ParentPortLike } from './engine-host';
import { dataDirFromArgv, type HostReport } from './host-protocol';
import { messagePortRpc } from './message-port-rpc';
import { fakeMessageChannel, type FakeMessagePort } from './testing';

type ParentMessageListener = Parameters<ParentPortLike['on']>[1];

function fakeParentPort() {
  const listeners: ParentMessageListener[] = [];
  const reports: HostReport[] = [];
  const port: ParentPortLike = {
    on: (_event, listener) => listeners.push(listener),
    postMessage: (message) => reports.push(message),
  };
  const send = (data: unknown, ports: FakeMessagePort[] = []) => listeners.forEach((l) => l({ data, ports }));
  return { port, reports, send };
}

const dirs: string[] = [];
function dataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'millrace-host-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  vi.useRealTimers();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function host(overrides: Partial<EngineHostOptions> = {}) {
  const parent = fakeParentPort();
  const exit = vi.fn();
  const log = vi.fn();
  const engines: HostedEngine[] = [];
  runEngineHost({
    parentPort: parent.port,
    dataDir: dataDir(),
    createEngine: (options) => {
      const engine = createEngine({ ...options, seedDemo: false });
      engines.push(engine);
      return engine;
    },
    log,
    exit,
    ...overrides,
  });
  const connect = () => {
    const { port1, port2 } = fakeMessageChannel();
    parent.send({ type: 'millrace:connect' }, [port1]);
    return { client: rawClient(port2), port1, port2 };
  };
  return { parent, exit, log, engines, connect };
}

/** Speaks the rpc wire protocol directly, so these tests depend on the server side only. */
function rawClient(port: FakeMessagePort) {
  const rpc = messagePortRpc(port);
  const results = new Map<number, (message: { ok: boolean; value?: unknown; error?: unknown }) => void>();
  let nextId = 1;
  rpc.onMessage((message) => {
    const m = message as { kind: string; id: number; ok: boolean; value?: unknown; error?: unknown };
    if (m.kind === 'result') results.get(m.id)?.(m);
  });
  return {
    call(method: string, arg?: unknown): Promise<unknown> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        results.set(id, (m) => (m.ok ? resolve(m.value) : reject(new Error(JSON.stringify(m.error)))));
        rpc.send({ kind: 'call', id, method, arg });
      });
    },
  };
}

describe('runEngineHost', () => {
  it('starts one engine, reports ready, and serves it on every port main hands over', async () => {
    const { parent, engines, connect } = host();
    expect(parent.reports).toEqual([{ type: 'millrace:ready' }]);
    const a = connect();
    const b = connect();
    const created = (await a.client.call('createFlow', { name: 'From window A' })) as { flow: { id: string } };
    const seenByB = (await b.client.call('listFlows')) as { id: string }[];
    expect(seenByB.map((f) => f.id)).toContain(created.flow.id);
    expect(engines).toHaveLength(1);
    await engines[0]?.close();
  });

  it('ignores connect messages without exactly one port, and unknown messages', async () => {
    const { parent, log, engines } = host();
    const one = fakeMessageChannel();
    const two = fakeMessageChannel();
    parent.send({ type: 'millrace:connect' });
    parent.send({ type: 'millrace:connect' }, [one.port1, two.port1]);
    parent.send({ type: 'evil', ports: 1 }, [one.port1]);
    parent.send('millrace:shutdown');
    expect(one.port1.listenerCount('message')).toBe(0);
    expect(two.port1.listenerCount('message')).toBe(0);
    expect(log).toHaveBeenCalledTimes(4);
    await engines[0]?.close();
  });

  it('drops the subscriptions of a port once its renderer side closes', async () => {
    const unsubscribed = vi.fn();
    const engines: HostedEngine[] = [];
    const { connect } = host({
      createEngine: (options) => {
        const engine = createEngine({ ...options, seedDemo: false });
        engines.push(engine);
        const subscribe = engine.onRunEvent.bind(engine);
        engine.onRunEvent = (listener) => {
          const unsubscribe = subscribe(listener);
          return () => {
            unsubscribed();
            unsubscribe();
          };
        };
        return engine;
      },
    });
    const { client, port2 } = connect();
    port2.postMessage({ kind: 'sub', stream: 'onRunEvent' });
    await client.call('listFlows');
    expect(unsubscribed).not.toHaveBeenCalled();
    port2.close();
    await vi.waitFor(() => expect(unsubscribed).toHaveBeenCalledTimes(1));
    await engines[0]?.close();
  });

  it('closes the engine and exits 0 on shutdown', async () => {
    const close = vi.fn(async () => {});
    const { parent, exit, engines } = host();
    const engine = engines[0];
    if (!engine) throw new Error('no engine');
    const realClose = engine.close.bind(engine);
    engine.close = async () => {
      close();
      await realClose();
    };
    parent.send({ type: 'millrace:shutdown' });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0));
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('tells main why the engine could not start, then exits 1', async () => {
    vi.useFakeTimers();
    const { parent, exit } = host({
      createEngine: () => {
        throw new Error('database is locked');
      },
    });
    expect(parent.reports).toEqual([{ type: 'millrace:failed', message: 'the engine could not start: database is locked' }]);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(exit).toHaveBeenCalledWith(1);
  });
});

describe('dataDirFromArgv', () => {
  it('reads --data-dir= anywhere in argv', () => {
    expect(dataDirFromArgv(['/electron', '/app/out/engine-host/index.cjs', '--data-dir=/home/u/data'])).toBe('/home/u/data');
    expect(dataDirFromArgv(['/electron', '--data-dir='])).toBeUndefined();
    expect(dataDirFromArgv([])).toBeUndefined();
  });
});

describe('messagePortRpc', () => {
  it('starts the port only when a listener is attached, and reports close once', async () => {
    const { port1, port2 } = fakeMessageChannel();
    const rpc = messagePortRpc(port1);
    const closed = vi.fn();
    rpc.onClose(closed);
    port2.postMessage({ hello: 1 });
    expect(port1.started).toBe(false);
    const received: unknown[] = [];
    rpc.onMessage((m) => received.push(m));
    expect(port1.started).toBe(true);
    await vi.waitFor(() => expect(received).toEqual([{ hello: 1 }]));
    rpc.close();
    rpc.close();
    expect(closed).toHaveBeenCalledTimes(1);
    rpc.send({ after: 'close' });
  });
});
