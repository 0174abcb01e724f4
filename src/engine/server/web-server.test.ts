import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createEngine, type Engine } from '../engine';
import { startWebServer, type WebServer } from './web-server';
import { connectEngine } from './ws-client';
import { loadOrCreateToken } from './security';
import { statSync } from 'node:fs';
import type { RunEvent } from '../../shared/runs';
import type { Flow } from '../../shared/flow/schema';

let dir: string;
let engine: Engine;
let server: WebServer;
const wsUrl = (token = server.token) => `ws://127.0.0.1:${server.port}/api/ws?token=${encodeURIComponent(token)}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-web-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Millrace</title>');
  engine = createEngine({ dataDir: join(dir, 'data') });
  server = await startWebServer({ engine, rendererDir: renderer });
});
afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the HTTP status the server answered the handshake with, or 101 if it upgraded. */
function handshake(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

describe('web mode server', () => {
  it('binds to 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=`));
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the UI with a strict CSP and no referrer', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("object-src 'none'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const traversal = await fetch(`http://127.0.0.1:${server.port}/..%2f..%2fdata%2fmillrace.db`);
    expect(traversal.status).toBe(404);
  });

  it('refuses WebSockets without the right token, from a foreign Origin, or with a foreign Host', async () => {
    expect(await handshake(`ws://127.0.0.1:${server.port}/api/ws`)).toBe(401);
    expect(await handshake(wsUrl('wrong-token'))).toBe(401);
    expect(await handshake(wsUrl(), { origin: 'https://evil.example' })).toBe(403);
    expect(await handshake(wsUrl(), { origin: `http://127.0.0.1:${server.port + 1}` })).toBe(403);
    expect(await handshake(wsUrl(), { host: `evil.example:${server.port}` })).toBe(421);
    expect(await handshake(wsUrl(), { origin: `http://127.0.0.1:${server.port}` })).toBe(101);
    expect(await handshake(wsUrl(), { origin: `http://localhost:${server.port}` })).toBe(101);
  });

  it('creates, validates, runs and reads a trace over a real WebSocket, with live events', async () => {
    const client = await connectEngine(wsUrl());
    try {
      const types = await client.listNodeTypes();
      expect(types.map((t) => t.ref)).toEqual(expect.arrayContaining(['manual-trigger@1', 'set-fields@1', 'if@1', 'http-request@1', 'write-file@1']));
      const created = await client.createFlow({ name: 'Over the wire' });
      const flow: Flow = {
        ...created.flow,
        nodes: [
          { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{"n": 2}' } },
          { id: 's', type: 'set-fields@1', name: 'Shape', position: { x: 200, y: 0 }, config: { fields: [{ name: 'label', value: 'n is {{ n }}' }] } },
        ],
        edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' }],
      };
      expect(await client.validateFlow({ flow })).toEqual([]);
      await client.saveFlow({ flow });
      const events: RunEvent[] = [];
      const finished = new Promise<void>((resolve) => {
        client.onRunEvent((e) => {
          events.push(e);
          if (e.type === 'run.finished') resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 20)); // the subscription message travels before the run starts
      const { runId } = await client.startRun({ flowId: flow.id });
      await finished;
      const trace = await client.getRunTrace({ runId });
      expect(trace.run.status).toBe('succeeded');
      expect(trace.nodes['s']?.output).toEqual({ label: 'n is 2' });
      expect(events.filter((e) => e.runId === runId).map((e) => e.type)).toEqual([
        'run.started', 'node.started', 'node.succeeded', 'node.started', 'node.succeeded', 'run.finished',
      ]);
    } finally {
      client.close();
    }
  });

  it('answers bad arguments with a typed error naming the field, and keeps serving', async () => {
    const client = await connectEngine(wsUrl());
    try {
      await expect(client.getFlow({ id: 42 } as never)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/id/) });
      await expect(client.getFlow({ id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
      await expect(client.saveFlow({ flow: { schemaVersion: 99 } })).rejects.toMatchObject({ code: 'invalid_flow', message: expect.stringMatching(/newer Millrace/) });
      expect((await client.listFlows()).length).toBeGreaterThan(0);
    } finally {
      client.close();
    }
  });

  it('keeps the token in a 0600 file in the data folder, so open tabs survive a restart', () => {
    const first = loadOrCreateToken(join(dir, 'tokens'));
    expect(loadOrCreateToken(join(dir, 'tokens'))).toBe(first);
    expect(statSync(join(dir, 'tokens', 'web-token')).mode & 0o777).toBe(0o600);
    writeFileSync(join(dir, 'tokens', 'web-token'), 'short');
    expect(loadOrCreateToken(join(dir, 'tokens'))).not.toBe(first);
  });
});
