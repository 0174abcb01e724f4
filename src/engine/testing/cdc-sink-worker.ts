/**
 * Postgres change → Set fields → Postgres sink, in its own process, for the CDC sink crash test.
 * First life saves and activates the flow; later lives resume it from the journal. Prints JSON
 * lines: {ready}, then {runs, finished, state} every 100 ms. SIGTERM closes it cleanly.
 */
import { createEngine } from '../engine';
import { createPgSinkService } from '../services/pg-sink';
import type { Flow } from '../../shared/flow/schema';

const dataDir = process.env['CDC_DATA_DIR']!;
const port = Number(process.env['CDC_PG_PORT']);
const conn = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' };
const flow: Flow = {
  schemaVersion: 1,
  id: 'cdc-sink',
  name: 'CDC → sink',
  nodes: [
    { id: 'pg', type: 'postgres-change@1', name: 'Rows changed', position: { x: 0, y: 0 }, config: { ...conn, tables: 'public.cdc_rows', delete: false } },
    { id: 'map', type: 'set-fields@1', name: 'Map', position: { x: 200, y: 0 }, config: { fields: [{ name: 'id', value: '{{ new.id }}' }, { name: 'version', value: '{{ new.version }}' }] } },
    {
      id: 'sink', type: 'postgres-sink@1', name: 'Sink', position: { x: 400, y: 0 },
      config: { ...conn, table: 'public.sink_changes', mode: 'insert', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'version', value: '{{ version }}' }] },
      // Postgres restarts make writes fail for a moment: retried with backoff, the same idempotency key each time.
      settings: { retry: { maxAttempts: 20, initialDelayMs: 200, maxDelayMs: 2000 } },
    },
  ],
  edges: [
    { id: 'e1', source: 'pg', sourcePort: 'change', target: 'map', targetPort: 'in' },
    { id: 'e2', source: 'map', sourcePort: 'out', target: 'sink', targetPort: 'in' },
  ],
};

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main() {
  // CDC_SINK_UNSAFE=no-key: the broken sink (no idempotency row), to show the audit catches it.
  const unsafe = process.env['CDC_SINK_UNSAFE'] === 'no-key' ? { services: { postgres: createPgSinkService({ resolveSecret: async () => '', unsafe: 'no-key' }) } } : {};
  const engine = createEngine({ ...unsafe, dataDir, seedDemo: false, concurrency: 20, retention: { maxAgeDays: null, maxRunsPerFlow: null }, triggers: { healthIntervalMs: 1000 } });
  if ((await engine.listFlows()).length === 0) {
    await engine.saveFlow({ flow });
    await engine.activateFlow({ id: flow.id });
  }
  process.once('SIGTERM', () => {
    void engine.close().then(() => process.exit(0));
  });
  say({ ready: true });
  setInterval(() => {
    const counts = engine.runCounts();
    void engine.getTriggerStatus({ flowId: flow.id }).then(([s]) =>
      say({ runs: Object.values(counts).reduce((a, b) => a + b, 0), finished: (counts['succeeded'] ?? 0) + (counts['failed'] ?? 0), failed: counts['failed'] ?? 0, state: s?.state }),
    );
  }, 100);
}

void main().catch((e: unknown) => {
  process.stderr.write(`cdc sink worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
