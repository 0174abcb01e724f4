/**
 * Sink crash worker: one run of Manual trigger → <sink>, in a real process that SIGKILLs itself
 * at exactly one point — after the sink's target acknowledged the write and before the engine
 * records the effect's result (its checkpoint). The kill happens once (a marker file remembers
 * it); the next life replays the run. The harness then audits the target from outside.
 *
 * Env: SINK_DATA_DIR, SINK_KIND (postgres | sqlite | file | webhook), SINK_KILL_MARKER,
 * SINK_PG_PORT, SINK_WEBHOOK_URL, SINK_UNSAFE (a broken Postgres variant: no-key).
 */
import { closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '../engine';
import { createPgSinkService } from '../services/pg-sink';
import { createSqliteSinkService } from '../services/sqlite-sink';
import { createFileService } from '../services/files';
import { createHttpService } from '../services/http';
import type { NodeServices } from '../../shared/services';
import type { Flow } from '../../shared/flow/schema';

const dataDir = process.env['SINK_DATA_DIR']!;
const kind = process.env['SINK_KIND']!;
const marker = process.env['SINK_KILL_MARKER']!;
const outputDir = join(dataDir, 'output');

/** Dies right after the target acknowledged, the first time only. */
function killAfter<A extends unknown[], R>(fn: (...a: A) => Promise<R>, acknowledged: (r: R) => boolean = () => true) {
  return async (...a: A): Promise<R> => {
    const r = await fn(...a);
    if (acknowledged(r) && !existsSync(marker)) {
      const fd = openSync(marker, 'w');
      writeSync(fd, 'killed');
      fsyncSync(fd);
      closeSync(fd);
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => {}); // never resumes
    }
    return r;
  };
}

const pgConfig = { host: '127.0.0.1', port: Number(process.env['SINK_PG_PORT'] ?? 5432), user: 'postgres', database: 'postgres' };
const sinks: Record<string, Record<string, unknown> & { type: string }> = {
  postgres: { type: 'postgres-sink@1', ...pgConfig, table: 'public.sink_rows', columns: [{ name: 'job', value: '{{ job }}' }] },
  sqlite: { type: 'sqlite-sink@1', file: 'sink.db', table: 'rows', columns: [{ name: 'job', value: '{{ job }}' }] },
  file: { type: 'write-file@2', path: 'sink.jsonl' },
  webhook: { type: 'webhook-sink@1', url: process.env['SINK_WEBHOOK_URL'] ?? '', signingSecret: 'secret:WH' },
};

async function main() {
  const http = createHttpService();
  const files = createFileService(outputDir);
  const postgres = createPgSinkService({
    resolveSecret: async () => '',
    ...(process.env['SINK_UNSAFE'] === 'no-key' ? { unsafe: 'no-key' as const } : {}),
  });
  const sqlite = createSqliteSinkService(outputDir);
  const services: Partial<NodeServices> = {
    http: { request: kind === 'webhook' ? killAfter(http.request, (r) => r.status < 300) : http.request },
    files: { appendLines: files.appendLines, appendKeyed: kind === 'file' ? killAfter(files.appendKeyed) : files.appendKeyed },
    postgres: { ...postgres, write: kind === 'postgres' ? killAfter(postgres.write) : postgres.write },
    sqlite: { ...sqlite, write: kind === 'sqlite' ? killAfter(sqlite.write) : sqlite.write },
  };
  const engine = createEngine({
    dataDir,
    outputDir,
    seedDemo: false,
    services,
    env: { MILLRACE_SECRET_WH: `whsec_${Buffer.from('a-test-signing-secret-32-bytes!!').toString('base64')}` },
    retention: { maxAgeDays: null, maxRunsPerFlow: null },
  });
  const { type, ...config } = sinks[kind]!;
  const flow: Flow = {
    schemaVersion: 1,
    id: 'sink-crash',
    name: 'Sink crash',
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      { id: 'sink', type, name: 'Sink', position: { x: 200, y: 0 }, config },
    ],
    edges: [{ id: 'e', source: 't', sourcePort: 'out', target: 'sink', targetPort: 'in' }],
  };
  if ((await engine.listFlows()).length === 0) await engine.saveFlow({ flow });
  // The same dedupe key in every life: a restart finds the run, never makes a second one.
  const { runId } = await engine.startRun({ flowId: 'sink-crash', input: { job: 'job-1' }, dedupeKey: 'job-1' });
  const trace = await engine.waitForRun(runId);
  await engine.close();
  await postgres.close();
  sqlite.close();
  http.close();
  process.stdout.write(`${JSON.stringify({ done: true, runId, status: trace.run.status, output: trace.nodes['sink']?.output ?? null, error: trace.nodes['sink']?.error ?? null })}\n`);
}

void main().catch((e: unknown) => {
  process.stderr.write(`sink crash worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
