/**
 * One bad client must not take the engine down. The server runs in its own process; each attack
 * comes over its own connection and must close just that connection with the right code, while a
 * second, well-behaved client keeps being served. The same attack against a server built without
 * the error handlers must kill it: proof this test can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { WebSocket } from 'ws';
import { connectEngine } from './ws-client';
import { startServeChild, type ServeChild } from './testing/serve-child';
import { rawWs } from './testing/raw-ws';
import type { EngineClient } from '../../shared/rpc/client';
import { MAX_FLOW_DOCUMENT_BYTES, MAX_INPUT_BYTES, MAX_WS_MESSAGE_BYTES } from '../../shared/limits';

let dir: string;
let server: ServeChild;
let good: EngineClient;
let flowId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-abuse-'));
  server = await startServeChild(join(dir, 'data'));
  good = await connectEngine(server.wsUrl);
  const created = await good.createFlow({ name: 'Abuse target' });
  flowId = created.flow.id;
  await good.saveFlow({
    flow: { ...created.flow, nodes: [{ id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{}' } }], edges: [] },
  });
}, 60_000);

afterAll(async () => {
  good?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The good client still gets real answers, and the process is alive. */
async function stillServing() {
  expect(server.alive()).toBe(true);
  const { runId } = await good.startRun({ flowId, input: { ok: true } });
  expect((await good.getRunTrace({ runId })).run.id).toBe(runId);
}

const text = (s: string) => Buffer.from(s, 'utf8');

describe('malformed WebSocket frames close one connection, never the process', () => {
  const attacks: [string, (ws: Awaited<ReturnType<typeof rawWs>>) => void, number][] = [
    ['a frame header claiming 65 MiB', (ws) => ws.frame({ opcode: 0x1, claimLength: 65 * 1024 * 1024 }), 1009],
    ['invalid UTF-8 in a text frame', (ws) => ws.frame({ opcode: 0x1, payload: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) }), 1007],
    ['RSV1 set without an extension', (ws) => ws.frame({ opcode: 0x1, rsv1: true, payload: text('{}') }), 1002],
    ['an unknown opcode', (ws) => ws.frame({ opcode: 0x3, payload: text('x') }), 1002],
    ['a fragmented control frame', (ws) => ws.frame({ opcode: 0x9, fin: false, payload: text('ping') }), 1002],
    ['truncated JSON', (ws) => ws.frame({ opcode: 0x1, payload: text('{"kind":"call","id":1,"method":"listFl') }), 1007],
    ['a binary frame', (ws) => ws.frame({ opcode: 0x2, payload: Buffer.from([1, 2, 3]) }), 1003],
  ];
  for (const [name, attack, code] of attacks) {
    it(`${name} → close ${code}; the other client keeps working`, async () => {
      const ws = await rawWs(server.port, server.token);
      attack(ws);
      expect(await ws.closed).toBe(code);
      ws.socket.destroy();
      await stillServing();
    });
  }

  it(`a real ${Math.round((MAX_WS_MESSAGE_BYTES * 1.1) / 2 ** 20)} MiB startRun is refused with 1009 before it is buffered`, async () => {
    const ws = new WebSocket(server.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.on('error', () => {});
    ws.send(JSON.stringify({ kind: 'call', id: 1, method: 'startRun', arg: { flowId, input: 'x'.repeat(Math.round(MAX_WS_MESSAGE_BYTES * 1.1)) } }));
    expect(await closed).toBe(1009);
    await stillServing();
  });
});

/** Sends a raw call over its own socket and returns the result message. */
async function rawCall(method: string, argJson: string): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  const ws = new WebSocket(server.wsUrl);
  ws.on('error', () => {});
  await new Promise((r) => ws.once('open', r));
  const reply = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
  ws.send(`{"kind":"call","id":7,"method":"${method}","arg":${argJson}}`);
  const msg = JSON.parse(await reply) as { ok: boolean; error?: { code: string; message: string } };
  ws.close();
  return msg;
}

describe('depth and size limits answer with an error naming the limit', () => {
  it('a 100,000-deep input is refused by depth, not by a stack overflow', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const reply = await rawCall('startRun', `{"flowId":"${flowId}","input":${deep}}`);
    expect(reply.ok).toBe(false);
    expect(reply.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/nests deeper than the limit of 1,000 levels/) });
    expect(reply.error?.message).not.toMatch(/call stack/);
    // The client library refuses before serialising (JSON.stringify would overflow).
    let nested: unknown = 1;
    for (let i = 0; i < 100_000; i++) nested = [nested];
    await expect(good.startRun({ flowId, input: nested })).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/1,000 levels/) });
    await stillServing();
  });

  it('an input over the input limit names the limit (server, and the client library before sending)', async () => {
    const blob = 'x'.repeat(MAX_INPUT_BYTES + 10);
    const reply = await rawCall('startRun', JSON.stringify({ flowId, input: { blob } }));
    expect(reply.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/startRun: the run input is larger than the limit of 8 MiB/) });
    await expect(good.startRun({ flowId, input: { blob } })).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/startRun: the run input is larger than the limit of 8 MiB/),
    });
    await stillServing();
  });

  it('a flow document over the flow limit is refused on save and import', async () => {
    const saved = await good.getFlow({ id: flowId });
    const big = { ...saved.flow, description: 'x'.repeat(MAX_FLOW_DOCUMENT_BYTES + 10) };
    expect((await rawCall('saveFlow', JSON.stringify({ flow: big }))).error?.message).toMatch(/saveFlow: the flow document is larger than the limit of 4 MiB/);
    await expect(good.saveFlow({ flow: big })).rejects.toMatchObject({ message: expect.stringMatching(/the flow document is larger than the limit of 4 MiB/) });
    await expect(good.importFlow({ text: JSON.stringify(big) })).rejects.toMatchObject({ message: expect.stringMatching(/the flow file is larger than the limit of 4 MiB/) });
    expect((await good.getFlow({ id: flowId })).version).toBe(saved.version);
  });
});

describe('malformed HTTP', () => {
  it('a malformed %-escape answers 400, not 500', async () => {
    for (const path of ['/%zz', '/%E0%A4%A', '/assets/%']) {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
      expect([path, res.status]).toEqual([path, 400]);
    }
    await stillServing();
  });

  it('a garbage request line gets 400 and the server goes on', async () => {
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(server.port, '127.0.0.1', () => socket.write('\x00\x01GARBAGE\r\n\r\n'));
      let got = '';
      socket.on('data', (c: Buffer) => (got += c.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', () => resolve(got));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    await stillServing();
  });
});

describe('the broken variant: the same server without the error handlers', () => {
  it('dies on one RSV1 frame (so the tests above can fail)', async () => {
    const broken = await startServeChild(join(dir, 'broken'), { SERVE_NO_ERROR_HANDLERS: '1' });
    try {
      const ws = await rawWs(broken.port, broken.token);
      ws.frame({ opcode: 0x1, rsv1: true, payload: text('{}') });
      const code = await broken.exited;
      expect(code).not.toBe(0);
      expect(broken.stderr()).toMatch(/RSV1 must be clear|Unhandled 'error' event/);
    } finally {
      await broken.stop();
    }
  }, 60_000);
});
