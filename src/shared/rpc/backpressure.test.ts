/**
 * The outbound bound of the rpc server, with a port whose backlog the test controls: events stop
 * past the bound, exactly one resync follows once the client has caught up, results are never
 * dropped, and a client that never reads again is cut off. The unbounded variant is run too.
 */
import { describe, expect, it } from 'vitest';
import { createEngineClient } from './client';
import { createMemoryPortPair, type RpcPort } from './protocol';
import { serveEngineApi } from './server';
import type { EngineApi } from '../api';
import type { RunEvent } from '../runs';
import { filterRunEvents } from '../run-event-filter';

const flush = () => new Promise((r) => setTimeout(r, 0));
const waitFor = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function setup(maxOutboundBytes: number) {
  const listeners = new Set<(e: RunEvent) => void>();
  const engine = {
    onRunEvent: (l: (e: RunEvent) => void, filter?: Parameters<EngineApi['onRunEvent']>[1]) => {
      const f = filterRunEvents(filter, l);
      listeners.add(f);
      return () => listeners.delete(f);
    },
    listFlows: async () => [],
  } as unknown as EngineApi;
  const [serverPort, clientPort] = createMemoryPortPair();
  let backlog = 0;
  let aborted: string | null = null;
  const measured: RpcPort = { ...serverPort, backlog: () => backlog, abort: (_c, reason) => ((aborted = reason), serverPort.close()) };
  serveEngineApi(engine, measured, { maxOutboundBytes, abortOutboundBytes: 10 * maxOutboundBytes });
  const client = createEngineClient(clientPort);
  const emit = (e: RunEvent) => listeners.forEach((l) => l(e));
  return { client, emit, setBacklog: (n: number) => (backlog = n), aborted: () => aborted };
}

const started = (runId: string, flowId = 'f'): RunEvent => ({ type: 'run.started', runId, flowId, flowName: 'F', flowVersion: 1, at: 1, input: { big: 'x' } });

describe('outbound bound and resync', () => {
  it('drops events past the bound and sends one resync after the client catches up', async () => {
    const { client, emit, setBacklog } = setup(1000);
    const got: string[] = [];
    const resyncs: string[] = [];
    client.onRunEvent((e) => got.push(e.runId));
    client.onResync((r) => resyncs.push(r));
    await flush();
    emit(started('r1'));
    setBacklog(5000); // the client stopped reading
    for (let i = 2; i <= 50; i++) emit(started(`r${i}`));
    await flush();
    expect(got).toEqual(['r1']);
    expect(resyncs).toEqual([]);
    setBacklog(0); // it reads again
    await waitFor(() => resyncs.length === 1);
    emit(started('r51'));
    await flush();
    expect(got).toEqual(['r1', 'r51']);
    await new Promise((r) => setTimeout(r, 200));
    expect(resyncs).toHaveLength(1);
  });

  it('never drops results, but cuts off a client that stopped reading altogether', async () => {
    const { client, setBacklog, aborted } = setup(1000);
    setBacklog(5000);
    await expect(client.listFlows()).resolves.toEqual([]);
    setBacklog(20_000);
    await expect(client.listFlows()).rejects.toMatchObject({ code: 'disconnected' });
    expect(aborted()).toMatch(/stopped reading/);
  });

  it('the unbounded variant (bound disabled) never resyncs and queues everything: what the bound prevents', async () => {
    const { client, emit, setBacklog } = setup(Number.POSITIVE_INFINITY);
    const got: string[] = [];
    const resyncs: string[] = [];
    client.onRunEvent((e) => got.push(e.runId));
    client.onResync((r) => resyncs.push(r));
    await flush();
    setBacklog(1e12);
    for (let i = 1; i <= 50; i++) emit(started(`r${i}`));
    setBacklog(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toHaveLength(50);
    expect(resyncs).toEqual([]);
  });
});

describe('subscription filters', () => {
  it('delivers one flow, one run, or summaries only, per listener', async () => {
    const { client, emit } = setup(1e9);
    const flow: string[] = [];
    const run: string[] = [];
    const summaries: RunEvent[] = [];
    client.onRunEvent((e) => flow.push(`${e.runId}:${e.type}`), { flowId: 'A' });
    client.onRunEvent((e) => run.push(`${e.runId}:${e.type}`), { runId: 'b1' });
    client.onRunEvent((e) => summaries.push(e), { summaries: true });
    await flush();
    emit(started('a1', 'A'));
    emit(started('b1', 'B'));
    emit({ type: 'node.started', runId: 'a1', nodeId: 'n', nodeType: 't', at: 2, input: 1, attempt: 1 });
    emit({ type: 'node.started', runId: 'b1', nodeId: 'n', nodeType: 't', at: 2, input: 1, attempt: 1 });
    emit({ type: 'run.finished', runId: 'a1', at: 3, status: 'succeeded', durationMs: 1, error: null });
    await flush();
    expect(flow).toEqual(['a1:run.started', 'a1:node.started', 'a1:run.finished']);
    expect(run).toEqual(['b1:run.started', 'b1:node.started']);
    expect(summaries.map((e) => `${e.runId}:${e.type}`)).toEqual(['a1:run.started', 'b1:run.started', 'a1:run.finished']);
    expect(summaries[0]).toMatchObject({ input: null });
  });

  it('asks about runs it never saw start (in flight when it subscribed)', () => {
    const got: string[] = [];
    const l = filterRunEvents({ flowId: 'A' }, (e) => got.push(e.runId), (runId) => (runId === 'old' ? 'A' : 'B'));
    l({ type: 'run.resumed', runId: 'old', at: 1 });
    l({ type: 'run.resumed', runId: 'other', at: 1 });
    expect(got).toEqual(['old']);
  });

  it('refuses a malformed filter at the caller, clearly', () => {
    const { client } = setup(1e9);
    expect(() => client.onRunEvent(() => {}, { flowId: 42 } as never)).toThrow(/onRunEvent: bad filter/);
  });
});
