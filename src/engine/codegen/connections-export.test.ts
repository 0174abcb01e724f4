/**
 * A flow whose Postgres sink picks a named connection, exported to TypeScript: the connection goes
 * into defineFlow (references only, never the secret's value), export → import → export is
 * byte-identical, importing into another data folder brings the connection back under its id, and
 * the exported program runs and lands its row in a real Postgres (checked with SQL), resolving the
 * connection's secret from its own environment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';
import type { Flow } from '../../shared/flow/schema';
import { startTestPostgres, type TestPostgres } from '../triggers/pg/postgres-for-tests';
import { generateFlowSource } from './generate';
import { importFlowSource } from './import-flow';
import { materialize, runNode, tsxCli } from './testing/project-harness';

let pg: TestPostgres;
let work: string;
const engines: Engine[] = [];

beforeAll(async () => {
  pg = await startTestPostgres();
  await pg.query(`CREATE TABLE landed (id int PRIMARY KEY, note text)`);
  work = mkdtempSync(join(tmpdir(), 'millrace-conn-export-'));
}, 60_000);
afterAll(async () => {
  for (const e of engines) await e.close();
  await pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const engineIn = (name: string) => {
  const e = createEngine({ dataDir: join(work, name), seedDemo: false, env: { MILLRACE_SECRET_EXPORT_PG_URL: pg.connectionString() } });
  engines.push(e);
  return e;
};

const flow = (connection: string): Flow => ({
  schemaVersion: 1,
  id: 'conn-export',
  name: 'Land through a named connection',
  nodes: [
    { id: 'start', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} },
    { id: 'land', type: 'postgres-sink@1', name: 'Land', position: { x: 300, y: 0 }, config: { connection, table: 'public.landed', columns: [{ name: 'id', value: '{{ id }}' }, { name: 'note', value: 'exported {{ id }}' }] } },
  ],
  edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'land', targetPort: 'in' }],
});

describe('export of a flow that picks a named connection', () => {
  it('carries the connection as references, round-trips byte-identically, comes back elsewhere, and runs', { timeout: 180_000 }, async () => {
    const app = engineIn('app');
    const conn = await app.saveConnection({
      name: 'Warehouse',
      settings: { host: 'unused.invalid', port: 5432, database: 'postgres', user: 'postgres', password: '', connectionString: 'secret:EXPORT_PG_URL', tls: 'disable' },
    });
    // The app itself lands a row through it.
    await app.saveFlow({ flow: flow(conn.id) });
    const inApp = await app.waitForRun((await app.startRun({ flowId: 'conn-export', input: { id: 1 } })).runId);
    expect(inApp.run.status).toBe('succeeded');

    const { files } = await app.exportFlowCode({ flowId: 'conn-export', target: 'standalone' });
    const text = files.find((f) => f.name === 'flow.ts')!.text;
    expect(text).toContain(`id: "${conn.id}"`);
    expect(text).toContain('connectionString: "secret:EXPORT_PG_URL"');
    expect(files.find((f) => f.name === 'README.md')!.text).toContain('EXPORT_PG_URL');
    for (const f of files) expect(f.text).not.toContain(pg.connectionString());

    // export → import → export: the same bytes.
    const back = importFlowSource(text);
    if (!back.ok) throw new Error(back.issues.map((i) => `${i.line}: ${i.message}`).join('\n'));
    expect(back.connections).toEqual([expect.objectContaining({ id: conn.id, name: 'Warehouse', connectionString: 'secret:EXPORT_PG_URL' })]);
    expect(generateFlowSource(back.flow, 'standalone', back.connections)).toBe(text);

    // Another data folder without the connection: importing the file brings it back under its id, the flow is valid, and exports the same bytes.
    const other = engineIn('other');
    const imported = await other.importFlowCode({ text });
    expect(imported.ok && imported.saved.problems).toEqual([]);
    expect((await other.listConnections()).map((c) => [c.id, c.name])).toEqual([[conn.id, 'Warehouse']]);
    expect((await other.exportFlowCode({ flowId: 'conn-export', target: 'standalone' })).files[0]!.text).toBe(text);

    // A connection in the file that is not a reference is refused with its line, nothing saved.
    const leaky = text.replace('connectionString: "secret:EXPORT_PG_URL"', `connectionString: "${pg.connectionString()}"`);
    const refused = await engineIn('third').importFlowCode({ text: leaky });
    expect(!refused.ok && refused.issues[0]!.message).toMatch(/connections\[0\.connectionString\]: must be a secret reference/);

    // The exported program runs on its own engine and resolves the secret from its environment.
    const dir = materialize({ files: Object.fromEntries(files.map((f) => [f.name, f.text])) }, mkdtempSync(join(work, 'project-')));
    const r = await runNode(tsxCli, ['flow.ts', '--json', '--ephemeral', '--input', '{"id":41}'], dir, { env: { MILLRACE_SECRET_EXPORT_PG_URL: pg.connectionString() }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect((await pg.query(`SELECT id, note FROM landed ORDER BY id`)).rows).toEqual([
      { id: 1, note: 'exported 1' },
      { id: 41, note: 'exported 41' },
    ]);
    // Without the secret in its environment it fails clearly, naming it.
    const noSecret = await runNode(tsxCli, ['flow.ts', '--json', '--ephemeral', '--input', '{"id":42}'], dir, { env: { MILLRACE_SECRET_EXPORT_PG_URL: undefined }, timeoutMs: 120_000 });
    expect(noSecret.code).not.toBe(0);
    expect(noSecret.stdout + noSecret.stderr).toMatch(/EXPORT_PG_URL/);
  });
});
