/**
 * The engine SIGKILLed exactly between a sink's effect and its checkpoint (the worker kills
 * itself right after the target acknowledged the write, before the step result is recorded),
 * then restarted: every sink ends with exactly one effect, the webhook receiver sees the same
 * Idempotency-Key and webhook-id on the repeat, and the trace (and ledger) mark the effect
 * "may have been delivered before". The broken Postgres variant (no idempotency row) is run
 * through the same audit, which must catch its duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Webhook } from 'standardwebhooks';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { readEffectLedger } from '../store/effect-ledger';

const worker = join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'sink-crash-worker.ts');
const SECRET = `whsec_${Buffer.from('a-test-signing-secret-32-bytes!!').toString('base64')}`;

let pg: TestPostgres;
let server: Server;
let hookUrl: string;
const hooks: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hooks.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  server?.close();
  await pg?.stop();
});

interface Life {
  code: number | null;
  signal: string | null;
  out: string;
  err: string;
}

function life(dataDir: string, kind: string, extra: Record<string, string> = {}): Promise<Life> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, SINK_DATA_DIR: dataDir, SINK_KIND: kind, SINK_KILL_MARKER: join(dataDir, 'killed'), SINK_PG_PORT: String(pg.port), SINK_WEBHOOK_URL: hookUrl, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal, out, err })));
}

/** Kill once at the point, restart, return the second life's report. */
async function crashAndRecover(kind: string, extra: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `millrace-sinkcrash-${kind}-`));
  const first = await life(dataDir, kind, extra);
  expect(first.signal, first.err).toBe('SIGKILL');
  expect(existsSync(join(dataDir, 'killed'))).toBe(true);
  const second = await life(dataDir, kind, extra);
  expect(second.code, second.err).toBe(0);
  const report = JSON.parse(second.out.trim().split('\n').pop()!) as { runId: string; status: string; output: Record<string, unknown> };
  const ledger = readEffectLedger(join(dataDir, 'millrace.db'), { runId: report.runId });
  return { dataDir, report, ledger, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

describe('SIGKILL between a sink effect and its checkpoint', () => {
  it('Postgres: exactly one row; the replay found the key in millrace_effects; marked may-have-been-delivered', { timeout: 90_000 }, async () => {
    await pg.query(`CREATE TABLE sink_rows (id serial PRIMARY KEY, job text NOT NULL)`);
    const r = await crashAndRecover('postgres');
    expect(r.report.status).toBe('succeeded');
    expect((await pg.query(`SELECT count(*)::int AS n FROM sink_rows WHERE job = 'job-1'`)).rows[0]).toEqual({ n: 1 });
    expect(r.report.output).toMatchObject({ applied: false, mayHaveRunBefore: true });
    expect(r.ledger).toHaveLength(1);
    expect(r.ledger[0]).toMatchObject({ nodeId: 'sink', state: 'done', mayHaveRunBefore: true, idempotencyKey: `${r.report.runId}:sink:write`, sourcePosition: 'job-1' });
    r.cleanup();
  });

  it('broken variant (Postgres sink without the idempotency row): the same audit finds 2 rows', { timeout: 90_000 }, async () => {
    await pg.query(`TRUNCATE sink_rows`);
    const r = await crashAndRecover('postgres', { SINK_UNSAFE: 'no-key' });
    expect((await pg.query(`SELECT count(*)::int AS n FROM sink_rows WHERE job = 'job-1'`)).rows[0]).toEqual({ n: 2 });
    r.cleanup();
  });

  it('SQLite: exactly one row', { timeout: 90_000 }, async () => {
    const r = await crashAndRecover('sqlite');
    const db = new Database(join(r.dataDir, 'output', 'sink.db'), { readonly: true });
    expect(db.prepare(`SELECT count(*) AS n FROM rows WHERE job = 'job-1'`).get()).toEqual({ n: 1 });
    expect(db.prepare(`SELECT count(*) AS n FROM millrace_effects`).get()).toEqual({ n: 1 });
    db.close();
    expect(r.report.output).toMatchObject({ applied: false, mayHaveRunBefore: true });
    expect(r.ledger[0]).toMatchObject({ mayHaveRunBefore: true, state: 'done' });
    r.cleanup();
  });

  it('File: exactly one line', { timeout: 90_000 }, async () => {
    const r = await crashAndRecover('file');
    const lines = readFileSync(join(r.dataDir, 'output', 'sink.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toEqual([JSON.stringify({ _key: `${r.report.runId}:sink:append`, job: 'job-1' })]);
    expect(r.report.output).toMatchObject({ applied: false, mayHaveRunBefore: true });
    expect(r.ledger[0]).toMatchObject({ mayHaveRunBefore: true });
    r.cleanup();
  });

  it('Webhook: the repeat carries the same Idempotency-Key and webhook-id, both signed validly', { timeout: 90_000 }, async () => {
    hooks.length = 0;
    const r = await crashAndRecover('webhook');
    expect(hooks).toHaveLength(2);
    const ids = hooks.map((h) => [h.headers['idempotency-key'], h.headers['webhook-id']]);
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]![0]).toBe(`${r.report.runId}:sink:deliver`);
    for (const h of hooks) expect(new Webhook(SECRET).verify(h.body, h.headers as Record<string, string>)).toEqual({ job: 'job-1' });
    expect(r.report.output).toMatchObject({ mayHaveRunBefore: true, status: 200 });
    expect(r.ledger[0]).toMatchObject({ mayHaveRunBefore: true, target: `webhook:POST ${hookUrl}` });
    r.cleanup();
  });
});
