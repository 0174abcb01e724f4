/**
 * bench:llm — what the gateway costs on top of a direct SDK call to the same server.
 *
 * The fake provider runs in a child process on 127.0.0.1. "direct" is the openai SDK alone
 * (maxRetries 0, non-streamed); "gateway" is the engine's gateway as the engine builds it
 * (SQLite cache and spend stores, secrets store with the key by reference, price table), cache
 * off, same SDK underneath. Calls alternate between the two in small blocks so drift on a shared
 * machine hits both alike. Then the cache-hit path alone (no network at all).
 *
 * Targets (issue 5): overhead p50 ≤ 1 ms; gateway ≥ 90% of direct throughput at concurrency 20;
 * cache hit p50 ≤ 0.5 ms.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import OpenAI from 'openai';
import { openDatabase } from '../src/engine/store/database';
import { GroupCommitWriter } from '../src/engine/store/group-commit';
import { SecretStore, createFileSecretBackend } from '../src/engine/secrets';
import { createEngineLlmGateway } from '../src/engine/services/llm';
import type { LlmRequest } from '../src/shared/llm';
import { percentile, round, saveResults } from './stats';

const here = dirname(fileURLToPath(import.meta.url));
const KEY = 'sk-bench-0123456789abcdef';

async function startServer(): Promise<{ baseUrl: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'llm-fake-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { baseUrl: string }).baseUrl);
    });
    child.once('exit', (code) => reject(new Error(`fake server exited (${code})`)));
  });
  return { baseUrl, stop: () => child.kill('SIGTERM') };
}

const server = await startServer();
const dir = mkdtempSync(join(tmpdir(), 'millrace-bench-llm-'));
const db = openDatabase(join(dir, 'millrace.db'));
const writer = new GroupCommitWriter(db);
const secrets = new SecretStore({ env: {}, backend: createFileSecretBackend(join(dir, 'secrets.json')) });
await secrets.set('BENCH_KEY', KEY);
const gateway = createEngineLlmGateway({ db, writer, dataDir: dir, secrets, budgetFor: () => undefined, now: Date.now, log: () => {} });
const direct = new OpenAI({ apiKey: KEY, baseURL: server.baseUrl, maxRetries: 0 });

const messages = [{ role: 'user' as const, content: 'Classify this order: 2x analytical engine, priority?' }];
const request = (cache: boolean): LlmRequest => ({
  targets: [{ provider: 'openai-compatible', baseUrl: server.baseUrl, model: 'gpt-4o-mini', apiKey: 'secret:BENCH_KEY', headers: {} }],
  system: '',
  prompt: messages[0]!.content,
  params: { maxTokens: 64, temperature: 0 },
  output: { kind: 'text', allowTruncated: false },
  stream: false,
  cache: { enabled: cache, ttlSeconds: 3600 },
  reliability: { maxAttempts: 3, initialBackoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 5000, attemptTimeoutMs: 10_000, stallTimeoutMs: 10_000, deadlineMs: 30_000 },
});
const noCache = request(false);
const callDirect = () => direct.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 64, temperature: 0 });
const callGateway = () => gateway.call(noCache, { flowId: 'bench' });

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Sequential latency, alternating blocks of `block` calls. */
async function latencies(rounds: number, block: number) {
  const d: number[] = [];
  const g: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < block; i++) d.push(await timed(callDirect));
    for (let i = 0; i < block; i++) g.push(await timed(callGateway));
  }
  return { direct: d.sort((a, b) => a - b), gateway: g.sort((a, b) => a - b) };
}

async function throughput(fn: () => Promise<unknown>, calls: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < calls) await fn();
    }),
  );
  return calls / ((performance.now() - t0) / 1000);
}

try {
  console.log(`fake provider (child process) at ${server.baseUrl}`);
  // Warm-up: JIT, keep-alive sockets, SQLite statements.
  await latencies(2, 150);
  await throughput(callDirect, 1000, 20);
  await throughput(callGateway, 1000, 20);

  const seq = await latencies(10, 200);
  const directP50 = percentile(seq.direct, 50);
  const gatewayP50 = percentile(seq.gateway, 50);
  console.log(`concurrency 1 (${seq.direct.length} calls each): direct p50 ${round(directP50, 3)} ms p99 ${round(percentile(seq.direct, 99), 3)} ms | gateway p50 ${round(gatewayP50, 3)} ms p99 ${round(percentile(seq.gateway, 99), 3)} ms`);

  // Five back-to-back pairs; the machine is shared, so each pair's ratio is taken on its own and
  // the median pair reported (a slow patch then hurts one pair, not one side).
  const pairs: { direct: number; gateway: number; cpuDirectUs: number; cpuGatewayUs: number }[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    const d = await throughput(callDirect, 3000, 20);
    const c1 = process.cpuUsage(c0);
    const g = await throughput(callGateway, 3000, 20);
    const c2 = process.cpuUsage(c0);
    const cpuDirect = c1.user + c1.system;
    pairs.push({ direct: d, gateway: g, cpuDirectUs: cpuDirect / 3000, cpuGatewayUs: (c2.user + c2.system - cpuDirect) / 3000 });
  }
  pairs.sort((a, b) => a.gateway / a.direct - b.gateway / b.direct);
  const median = pairs[2]!;
  const directPerSec = median.direct;
  const gatewayPerSec = median.gateway;
  console.log(`concurrency 20 (median of 5 pairs × 3,000 calls): direct ${Math.round(directPerSec)}/s, gateway ${Math.round(gatewayPerSec)}/s (${round((100 * gatewayPerSec) / directPerSec)}%)`);
  console.log(`  pairs: ${pairs.map((p) => `${Math.round(p.direct)}/${Math.round(p.gateway)} (${round((100 * p.gateway) / p.direct)}%)`).join(', ')}`);
  console.log(`  client CPU per call (median pair): direct ${Math.round(median.cpuDirectUs)} µs, gateway ${Math.round(median.cpuGatewayUs)} µs`);

  const cached = request(true);
  await gateway.call(cached, { flowId: 'bench' });
  const hits: number[] = [];
  for (let i = 0; i < 5000; i++) hits.push(await timed(() => gateway.call(cached, { flowId: 'bench' })));
  hits.sort((a, b) => a - b);
  const last = await gateway.call(cached, { flowId: 'bench' });
  if (!last.cache.hit) throw new Error('the cache-hit benchmark did not hit the cache');
  console.log(`cache hit (5,000 calls, no network): p50 ${round(percentile(hits, 50), 4)} ms p99 ${round(percentile(hits, 99), 4)} ms`);

  const overheadP50Ms = gatewayP50 - directP50;
  const targets = { overheadP50Ms: 1, conc20Ratio: 0.9, cacheHitP50Ms: 0.5 };
  const met = {
    overhead: overheadP50Ms <= targets.overheadP50Ms,
    conc20: gatewayPerSec >= targets.conc20Ratio * directPerSec,
    cacheHit: percentile(hits, 50) <= targets.cacheHitP50Ms,
  };
  console.log(`targets: overhead p50 ≤ 1 ms ${met.overhead ? 'met' : 'MISSED'}; ≥ 90% of direct at 20 ${met.conc20 ? 'met' : 'MISSED'}; cache hit p50 ≤ 0.5 ms ${met.cacheHit ? 'met' : 'MISSED'}`);
  saveResults('llm', {
    overheadP50Ms: round(overheadP50Ms, 3),
    conc1: { directP50Ms: round(directP50, 3), gatewayP50Ms: round(gatewayP50, 3), directP99Ms: round(percentile(seq.direct, 99), 3), gatewayP99Ms: round(percentile(seq.gateway, 99), 3), calls: seq.direct.length },
    conc20: {
      gatewayPerSec: Math.round(gatewayPerSec),
      directPerSec: Math.round(directPerSec),
      ratio: round(gatewayPerSec / directPerSec, 3),
      pairRatios: pairs.map((p) => round(p.gateway / p.direct, 3)),
      cpuPerCallUs: { direct: Math.round(median.cpuDirectUs), gateway: Math.round(median.cpuGatewayUs) },
    },
    cacheHitP50Ms: round(percentile(hits, 50), 4),
    cacheHitP99Ms: round(percentile(hits, 99), 4),
    targets,
    met,
    node: process.version,
  });
} finally {
  gateway.flush();
  writer.stop(new Error('closed'));
  db.close();
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
