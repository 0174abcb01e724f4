/**
 * A Millrace engine with one Postgres change trigger, in its own process, for the SIGKILL test.
 * First life activates the flow; later lives resume it from the journal (as the app does after a
 * crash). Prints JSON lines: {ready}, then {runs} every 100 ms. SIGTERM closes it cleanly.
 */
import { createEngine } from '../../engine';
import { cdcRegistry } from './testing';
import type { Flow } from '../../../shared/flow/schema';

const dataDir = process.env['CDC_DATA_DIR']!;
const flow: Flow = {
  schemaVersion: 1,
  id: 'crash-cdc',
  name: 'CDC crash test',
  nodes: [
    {
      id: 'pg',
      type: 'postgres-change@1',
      name: 'Rows changed',
      position: { x: 0, y: 0 },
      config: { host: '127.0.0.1', port: Number(process.env['CDC_PG_PORT']), tables: process.env['CDC_TABLE'] ?? 'public.cdc_rows' },
    },
  ],
  edges: [],
};

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main() {
  const engine = createEngine({ dataDir, registry: cdcRegistry, seedDemo: false, concurrency: 20, retention: { maxAgeDays: null, maxRunsPerFlow: null }, triggers: { healthIntervalMs: 1000 } });
  const fresh = (await engine.listFlows()).length === 0;
  if (fresh) {
    await engine.saveFlow({ flow });
    await engine.activateFlow({ id: flow.id });
  }
  process.once('SIGTERM', () => {
    void engine.close().then(() => process.exit(0));
  });
  say({ ready: true, fresh });
  setInterval(() => {
    const counts = engine.runCounts();
    void engine.getTriggerStatus({ flowId: flow.id }).then(([s]) => say({ runs: Object.values(counts).reduce((a, b) => a + b, 0), state: s?.state }));
  }, 100);
}

void main().catch((e: unknown) => {
  process.stderr.write(`cdc crash worker failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
