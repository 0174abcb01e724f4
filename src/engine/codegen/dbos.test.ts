/**
 * DBOS target, for real: an exported CDC → LLM (fake) → sink flow runs on 2 DBOS worker processes
 * against a throwaway Postgres; one worker is SIGKILLed while it has runs in flight and restarted
 * with the same executor id (which recovers them); every change must produce exactly one sink row.
 * The sink is an HTTP endpoint writing to a Postgres table keyed by the Idempotency-Key the
 * http-request node sends (the sinks helper's Postgres sink node is not on this branch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Flow } from '../../shared/flow/schema';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { startFakeLlmProvider, type FakeLlmProvider } from '../services/llm/testing/fake-llm-provider';
import { buildProject } from './project';
import { materialize, runNode, tsxCli } from './testing/project-harness';
import { startSinkServer, type SinkServer } from './testing/sink-server';

let pgs: TestPostgres;
let llm: FakeLlmProvider;
let sink: SinkServer;
let work: string;
let sysdb: pg.Pool | undefined;
const children: ChildProcess[] = [];

function cdcFlow(port: number, sinkUrl: string, llmBaseUrl: string): Flow {
  return {
    schemaVersion: 1,
    id: 'cdc-llm-sink',
    name: 'CDC to LLM to sink',
    nodes: [
      { id: 'change', type: 'postgres-change@1', name: 'Order inserted', position: { x: 0, y: 0 }, config: { host: '127.0.0.1', port, database: 'postgres', user: 'postgres', tables: 'public.orders', update: false, delete: false } },
      { id: 'summarise', type: 'llm-call@1', name: 'Summarise', position: { x: 240, y: 0 }, config: { provider: 'openai-compatible', baseUrl: llmBaseUrl, model: 'fake', prompt: 'Summarise order {{ new.id }}: {{ new.note }}', stream: false, maxTokens: 32 } },
      { id: 'sink', type: 'http-request@1', name: 'Store summary', position: { x: 480, y: 0 }, config: { method: 'POST', url: sinkUrl, body: '{"prompt": "{{ request.prompt }}", "summary": "{{ response.text }}"}', timeoutMs: 30_000 } },
    ],
    edges: [
      { id: 'e1', source: 'change', sourcePort: 'change', target: 'summarise', targetPort: 'in' },
      { id: 'e2', source: 'summarise', sourcePort: 'call', target: 'sink', targetPort: 'in' },
    ],
  };
}

function start(dir: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; ready: Promise<void>; log: () => string } {
  // One process per worker (tsx's CLI would fork a second one, and SIGKILL would miss the real worker).
  const child = spawn(process.execPath, ['--import', 'tsx', 'flow.ts', ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(' ready (queue ')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready:\n${out}`)));
  });
  return { child, ready, log: () => out };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  pgs = await startTestPostgres();
  await pgs.query('CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)');
  llm = await startFakeLlmProvider({ defaultText: 'looks fine' });
  sink = await startSinkServer(pgs.connectionString(), { delayMs: 300 });
  work = mkdtempSync(join(tmpdir(), 'millrace-dbos-'));
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sysdb?.end();
  await sink?.close();
  await llm?.close();
  await pgs?.stop();
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

describe('DBOS target', () => {
  it('2 workers, one SIGKILLed mid-run and restarted: every change gives exactly one sink row', async () => {
    const dir = materialize(buildProject(cdcFlow(pgs.port, sink.url, llm.baseUrl), { target: 'dbos' }), work);
    const env = { DBOS_SYSTEM_DATABASE_URL: pgs.connectionString('postgres', 'millrace_dbos') };
    // The listener first: its launch creates the DBOS system database the workers then share.
    const listener = start(dir, ['--listen', '--executor-id', 'listener'], env);
    await listener.ready;
    sysdb = new pg.Pool({ connectionString: env.DBOS_SYSTEM_DATABASE_URL, max: 2 });
    const db = sysdb;
    const w1 = start(dir, ['--worker', '--executor-id', 'w1', '--concurrency', '4'], env);
    const w2 = start(dir, ['--worker', '--executor-id', 'w2', '--concurrency', '4'], env);
    await Promise.all([w1.ready, w2.ready]);

    const total = 40;
    for (let i = 1; i <= total; i += 5) {
      const ids = [i, i + 1, i + 2, i + 3, i + 4];
      await pgs.query(`INSERT INTO orders (id, note) SELECT x, 'note ' || x FROM unnest($1::int[]) AS x`, [ids]);
    }

    // Kill w1 while it holds runs that are mid-flight (its sink calls are out, not yet answered).
    const pendingOf = async (executor: string) =>
      Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM dbos.workflow_status WHERE executor_id = $1 AND status = 'PENDING'`, [executor])).rows[0]!.n);
    // (the sink's idempotency key is "<workflow id>:sink:request"; DBOS knows which worker runs each workflow)
    const w1AtSink = async () => {
      const ids = sink.inFlight().map((k) => k.replace(/:sink:request$/, ''));
      if (ids.length === 0) return false;
      const r = await db.query(`SELECT count(*) AS n FROM dbos.workflow_status WHERE executor_id = 'w1' AND status = 'PENDING' AND workflow_uuid = ANY($1)`, [ids]);
      return Number((r.rows[0] as { n: string }).n) > 0;
    };
    await until('w1 to have a run in flight at the sink', w1AtSink, 90_000);
    const w1Dead = new Promise((r) => w1.child.once('exit', r));
    w1.child.kill('SIGKILL');
    await w1Dead;
    const orphaned = await pendingOf('w1');
    expect(orphaned).toBeGreaterThan(0);
    // A supervisor restarts it under the same executor id: DBOS recovers its pending workflows.
    const w1b = start(dir, ['--worker', '--executor-id', 'w1', '--concurrency', '4'], env);
    await w1b.ready;

    const rows = async () => Number((await pgs.query<{ n: string }>('SELECT count(*) AS n FROM sink_rows')).rows[0]!.n);
    try {
      await until(`${total} sink rows`, async () => (await rows()) >= total, 180_000);
    } catch (e) {
      const st = await db.query(`SELECT executor_id, status, count(*) FROM dbos.workflow_status GROUP BY 1, 2`);
      const one = await db.query(`SELECT output, error FROM dbos.workflow_status LIMIT 1`);
      console.log(JSON.stringify(one.rows), sink.errors.slice(0, 3));
      throw new Error(`${(e as Error).message}: ${await rows()} rows; workflows ${JSON.stringify(st.rows)}\n--- listener\n${listener.log()}\n--- w2\n${w2.log()}\n--- w1 restarted\n${w1b.log()}\n--- w1\n${w1.log()}`);
    }
    await until('every workflow to finish', async () => (await pendingOf('w1')) + (await pendingOf('w2')) === 0, 60_000);
    const result = await pgs.query<{ n: string; d: string; lo: number; hi: number }>('SELECT count(*) AS n, count(DISTINCT order_id) AS d, min(order_id) AS lo, max(order_id) AS hi FROM sink_rows');
    expect(result.rows[0]).toEqual({ n: String(total), d: String(total), lo: 1, hi: total });
    const status = await db.query<{ status: string; n: string }>(`SELECT status, count(*) AS n FROM dbos.workflow_status GROUP BY status`);
    expect(status.rows).toEqual([{ status: 'SUCCESS', n: String(total) }]);
    // Both workers did work, and the killed one's runs were finished after its restart.
    const byExecutor = await db.query<{ executor_id: string }>(`SELECT DISTINCT executor_id FROM dbos.workflow_status ORDER BY 1`);
    expect(byExecutor.rows.map((r) => r.executor_id)).toEqual(['w1', 'w2']);
    // The kill landed mid-effect: the recovered run sent the sink call again, with the same key.
    // A sink that did not dedupe on it would now hold more rows than there were changes.
    const redelivered = [...sink.deliveries.values()].filter((n) => n > 1).length;
    const deliveries = [...sink.deliveries.values()].reduce((a, b) => a + b, 0);
    console.log(`dbos test: ${orphaned} runs orphaned by the kill, ${redelivered} sink call(s) delivered again with the same idempotency key`);
    expect(redelivered).toBeGreaterThan(0);
    expect(deliveries).toBeGreaterThan(total);
    expect(sink.deliveries.size).toBe(total);
    for (const c of [listener, w2, w1b]) c.child.kill('SIGTERM');
  }, 400_000);

  it('a one-off run prints the same --json shape as the engine', async () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'dbos-one-off',
      name: 'One-off',
      nodes: [
        { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{}' } },
        { id: 's', type: 'set-fields@1', name: 'Shape', position: { x: 200, y: 0 }, config: { fields: [{ name: 'greeting', value: 'Hello {{ who }}' }] } },
      ],
      edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 's', targetPort: 'in' }],
    };
    const dir = materialize(buildProject(flow, { target: 'dbos' }), mkdtempSync(join(work, 'one-')));
    const r = await runNode(tsxCli, ['flow.ts', '--json', '--input', '{"who":"Ada"}'], dir, { env: { DBOS_SYSTEM_DATABASE_URL: pgs.connectionString('postgres', 'millrace_dbos') }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout.trim().split('\n').pop()!) as { status: string; nodes: Record<string, unknown> };
    expect(json).toMatchObject({ status: 'succeeded', nodes: { t: { status: 'succeeded', output: { who: 'Ada' } }, s: { status: 'succeeded', output: { greeting: 'Hello Ada' } } } });
  }, 180_000);
});
