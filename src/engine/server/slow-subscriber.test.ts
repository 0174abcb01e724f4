/**
 * A subscriber that stops reading must cost the server a bounded amount of memory. One client
 * subscribes to every run event (no filter: the worst case) and pauses its socket; another starts
 * runs with 200 KB inputs. The server (its own process) must stay under 500 MB RSS and the paused
 * client must get a resync when it reads again. With the bound disabled, the same traffic takes
 * RSS past 500 MB and no resync ever comes: proof the test can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { connectEngine } from './ws-client';
import { startServeChild, type ServeChild } from './testing/serve-child';

const MB = 1024 * 1024;
const RSS_LIMIT = 500 * MB;
const INPUT = 'x'.repeat(200 * 1024);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-slow-sub-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  maxRss: number;
  resynced: boolean;
  seconds: number;
}

/** Runs `runs` flows with 200 KB inputs past a paused subscriber; samples the server's RSS throughout. */
async function drive(server: ServeChild, runs: number, stopAbove = Number.POSITIVE_INFINITY): Promise<Outcome> {
  const t0 = Date.now();
  const starter = await connectEngine(server.wsUrl);
  const created = await starter.createFlow({ name: 'Big inputs' });
  const flowId = created.flow.id;
  await starter.saveFlow({
    flow: { ...created.flow, nodes: [{ id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{}' } }], edges: [] },
  });

  const paused = new WebSocket(server.wsUrl);
  paused.on('error', () => {});
  await new Promise((r) => paused.once('open', r));
  let resynced = false;
  paused.on('message', (d) => {
    if (String(d).startsWith('{"kind":"resync"')) resynced = true;
  });
  paused.send(JSON.stringify({ kind: 'sub', stream: 'onRunEvent', sub: 1 }));
  await new Promise((r) => setTimeout(r, 100));
  paused.pause();

  let maxRss = server.rssBytes();
  const sampler = setInterval(() => {
    if (server.alive()) maxRss = Math.max(maxRss, server.rssBytes());
  }, 100);
  let finished = 0;
  starter.onRunEvent((e) => e.type === 'run.finished' && finished++, { flowId, summaries: true });
  try {
    let next = 0;
    const worker = async () => {
      while (next < runs && maxRss <= stopAbove) {
        next++;
        await starter.startRun({ flowId, input: { blob: INPUT, n: next } });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const started = next;
    const deadline = Date.now() + 120_000;
    while (finished < started && Date.now() < deadline && maxRss <= stopAbove) await new Promise((r) => setTimeout(r, 100));
    paused.resume();
    const resyncDeadline = Date.now() + 20_000;
    while (!resynced && Date.now() < resyncDeadline) await new Promise((r) => setTimeout(r, 100));
    return { maxRss, resynced, seconds: (Date.now() - t0) / 1000 };
  } finally {
    clearInterval(sampler);
    paused.terminate();
    starter.close();
  }
}

describe('a paused subscriber', () => {
  it('costs bounded memory during 3,000 runs with 200 KB inputs, and gets a resync when it reads again', async () => {
    const server = await startServeChild(join(dir, 'bounded'));
    try {
      const out = await drive(server, 3000);
      console.log(`[slow subscriber] bounded: max RSS ${Math.round(out.maxRss / MB)} MB, resync ${out.resynced}, ${out.seconds.toFixed(1)} s`);
      expect(server.alive()).toBe(true);
      expect(out.maxRss).toBeLessThan(RSS_LIMIT);
      expect(out.resynced).toBe(true);
      expect(server.stderr()).toMatch(/client fell behind/);
    } finally {
      await server.stop();
    }
  }, 600_000);

  it('the broken variant (bound disabled) grows past 500 MB and never resyncs', async () => {
    const server = await startServeChild(join(dir, 'unbounded'), { SERVE_MAX_OUTBOUND_BYTES: 'Infinity' });
    try {
      // Stops as soon as RSS crosses the limit: the point is made, no need to run out the machine.
      const out = await drive(server, 3000, RSS_LIMIT);
      console.log(`[slow subscriber] unbounded: max RSS ${Math.round(out.maxRss / MB)} MB, resync ${out.resynced}, ${out.seconds.toFixed(1)} s`);
      expect(out.maxRss).toBeGreaterThan(RSS_LIMIT);
      expect(out.resynced).toBe(false);
    } finally {
      await server.stop();
    }
  }, 600_000);
});
