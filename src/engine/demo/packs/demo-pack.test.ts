/**
 * Demo packs end to end on real parts: a session recorded in data folder A (real CDC from a
 * throwaway Postgres, LLM on replay, an urgent ticket approved with an edit, routine tickets, a
 * manual run, an urgent ticket left pending), exported, then played into fresh folders B and C
 * writing to their own databases: same node outputs per run (compareTrace's rules), same sink
 * rows, same file lines, B and C identical. Hostile packs are refused and write nothing; a pack
 * missing an answer fails that run with the replay provider's "no recorded response".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestPostgres, type TestPostgres } from '../../triggers/pg/postgres-for-tests';
import type { Engine } from '../../engine';
import { runIdForEvent } from '../../triggers/run-ids';
import { comparableTrace } from './compare';
import { PACK_FLOW_ID, TICKETS, createDatabase, engineOn, recordSession, sinkRows } from './testing';
import { parsePackText, type DemoPack } from './pack-format';
import { nodeRegistry } from '../../../nodes';
import { MAX_DEMO_PACK_BYTES } from '../../../shared/limits';

let pg: TestPostgres;
let root: string;
let urlA: string;
let exported: { fileName: string; text: string };
const tracesA = new Map<string, unknown>();
let sinkA: unknown[];
let fileA: string;

const dir = (name: string) => join(root, name);
const fileLines = (dataDir: string) => readFileSync(join(dataDir, 'output', 'pack', 'triaged.jsonl'), 'utf8');

/** Per change (by dedupe key, in pack order): the comparable trace of its run. */
async function tracesByChange(engine: Engine, pack: DemoPack, flowId: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const c of pack.changes) out.set(c.dedupeKey, comparableTrace(await engine.getRunTrace({ runId: runIdForEvent(flowId, c.dedupeKey) }), { outputDir: engine.outputDir }));
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'millrace-packs-'));
  pg = await startTestPostgres();
  urlA = await createDatabase(pg, 'src_a', true);
  const a = await recordSession(dir('A'), pg, urlA);
  try {
    exported = await a.exportDemoPack({ flowId: PACK_FLOW_ID });
    const pack = parsePackText(exported.text, nodeRegistry);
    // A's runs by change: trigger runs by their derived id, the manual run by its recorded id.
    for (const c of pack.changes) {
      const runId = c.source === 'manual' ? c.dedupeKey.slice('manual:'.length) : runIdForEvent(PACK_FLOW_ID, c.dedupeKey);
      tracesA.set(c.dedupeKey, comparableTrace(await a.getRunTrace({ runId }), { outputDir: a.outputDir }));
    }
  } finally {
    await a.close();
  }
  sinkA = await sinkRows(urlA);
  fileA = fileLines(dir('A'));
}, 180_000);

afterAll(async () => {
  await pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('demo packs', () => {
  it('export holds the flow, every change in source order, the answers and the person\'s decision', () => {
    const pack = parsePackText(exported.text, nodeRegistry);
    expect(exported.fileName).toBe('pack-triage.millrace');
    expect(pack.flow.id).toBe(PACK_FLOW_ID);
    expect(pack.changes.map((c) => c.source)).toEqual(['trigger', 'trigger', 'manual', 'trigger', 'trigger']);
    expect(pack.changes.map((c) => (c.input as { new: { subject: string } }).new.subject)).toEqual([TICKETS[0]!.subject, TICKETS[1]!.subject, 'Invoice address', TICKETS[2]!.subject, TICKETS[3]!.subject]);
    expect(pack.llmAnswers.entries).toHaveLength(5);
    expect(pack.decisions).toEqual([
      expect.objectContaining({ dedupeKey: pack.changes[0]!.dedupeKey, nodeId: 'review', action: 'approve', comment: 'warmer, and say when', edits: { reply: 'Sorry! We refunded the second charge today.' }, by: 'ada', via: 'inbox' }),
    ]);
    // A's sink: the urgent ticket with the edited reply, the pending one not yet written.
    expect(sinkA).toEqual([
      { ticket_id: '1', category: 'billing', urgency: 'urgent', reply: 'Sorry! We refunded the second charge today.' },
      { ticket_id: '2', category: 'feature-request', urgency: 'routine', reply: 'It is on our list, thanks!' },
      { ticket_id: '3', category: 'bug', urgency: 'routine', reply: 'Thanks, we are looking into it.' },
      { ticket_id: '900', category: 'account', urgency: 'routine', reply: 'Done, see your next invoice.' },
    ]);
  });

  it('plays into fresh folders B and C: the same node outputs per run, sink rows and file lines; B and C identical', async () => {
    const pack = parsePackText(exported.text, nodeRegistry);
    const results: { traces: Map<string, unknown>; sink: unknown[]; file: string }[] = [];
    for (const name of ['B', 'C']) {
      const url = await createDatabase(pg, `dst_${name.toLowerCase()}`);
      const engine = engineOn(dir(name), url);
      try {
        const opened = await engine.openDemoPack({ text: exported.text });
        expect(opened).toEqual({ flowId: PACK_FLOW_ID, runs: 5, summary: expect.objectContaining({ flowName: 'Pack triage', changes: 5, llmAnswers: 5, decisions: 1 }) });
        // The played flow is offline and not activated; the unanswered urgent ticket waits in the inbox.
        expect(await engine.getTriggerStatus({ flowId: PACK_FLOW_ID })).toEqual([]);
        const pending = await engine.listApprovals({ status: 'pending', flowId: PACK_FLOW_ID });
        expect(pending.map((p) => p.runId)).toEqual([runIdForEvent(PACK_FLOW_ID, pack.changes[4]!.dedupeKey)]);
        results.push({ traces: await tracesByChange(engine, pack, PACK_FLOW_ID), sink: await sinkRows(url), file: fileLines(dir(name)) });
      } finally {
        await engine.close();
      }
    }
    const [b, c] = results;
    for (const [key, traceA] of tracesA) expect(b!.traces.get(key), `run of change ${key}`).toEqual(traceA);
    expect(b!.sink).toEqual(sinkA);
    expect(b!.file).toBe(fileA);
    // The decision came after ticket 2 in A, and the play keeps that order.
    expect(fileA.trim().split('\n').map((l) => (JSON.parse(l) as { _key: string })._key)).toEqual(['pack-triage:log:2', 'pack-triage:log:1', 'pack-triage:log:900', 'pack-triage:log:3']);
    expect(c!.traces).toEqual(b!.traces);
    expect(c!.sink).toEqual(b!.sink);
    expect(c!.file).toBe(b!.file);
  }, 180_000);

  it('opened where the flow exists (the app\'s "Open demo pack"): a copy with a new id, its runs in history, recorded decisions made, the rest pending', async () => {
    const engine = engineOn(dir('A'), urlA);
    try {
      const opened = await engine.openDemoPack({ text: exported.text });
      expect(opened.flowId).not.toBe(PACK_FLOW_ID);
      expect((await engine.getFlow({ id: opened.flowId })).flow.name).toBe('Pack triage (pack)');
      expect((await engine.getFlow({ id: PACK_FLOW_ID })).version).toBe(1); // the original is untouched
      const runs = await engine.listRuns({ flowId: opened.flowId });
      expect(runs.map((r) => r.status).sort()).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'waiting']);
      const decided = await engine.listApprovals({ status: 'history', flowId: opened.flowId });
      expect(decided).toEqual([expect.objectContaining({ decision: expect.objectContaining({ action: 'approved', by: 'ada', comment: 'warmer, and say when' }) })]);
      expect(await engine.listApprovals({ status: 'pending', flowId: opened.flowId })).toHaveLength(1);
      // The copy's LLM nodes play offline.
      const classify = (await engine.getFlow({ id: opened.flowId })).flow.nodes.find((n) => n.id === 'classify');
      expect(classify?.config['provider']).toBe('replay');
      // Its sink upserted the same values into A's database.
      expect(await sinkRows(urlA)).toEqual(sinkA);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('the comparison is not blind: a pack with one tampered answer plays to a different trace and sink row', async () => {
    const pack = JSON.parse(exported.text) as DemoPack;
    const entry = pack.llmAnswers.entries.find((e) => (e.request.prompt ?? '').includes(TICKETS[1]!.subject))!;
    entry.response.text = JSON.stringify({ ...TICKETS[1]!.answer, reply: 'Tampered.' });
    const url = await createDatabase(pg, 'dst_tampered');
    const engine = engineOn(dir('tampered'), url);
    try {
      await engine.openDemoPack({ text: JSON.stringify(pack) });
      const traces = await tracesByChange(engine, pack, PACK_FLOW_ID);
      const key = pack.changes[1]!.dedupeKey;
      expect(traces.get(key)).not.toEqual(tracesA.get(key));
      for (const other of pack.changes.filter((c) => c.dedupeKey !== key)) expect(traces.get(other.dedupeKey)).toEqual(tracesA.get(other.dedupeKey));
      expect(await sinkRows(url)).not.toEqual(sinkA);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a pack without one answer fails that run with the replay error, never a made-up answer', async () => {
    const pack = JSON.parse(exported.text) as DemoPack;
    const missing = TICKETS[1]!;
    pack.llmAnswers.entries = pack.llmAnswers.entries.filter((e) => !(e.request.prompt ?? '').includes(missing.subject));
    const url = await createDatabase(pg, 'dst_missing');
    const engine = engineOn(dir('missing'), url);
    try {
      await engine.openDemoPack({ text: JSON.stringify(pack) });
      const trace = await engine.getRunTrace({ runId: runIdForEvent(PACK_FLOW_ID, pack.changes[1]!.dedupeKey) });
      expect(trace.run.status).toBe('failed');
      expect(trace.nodes['classify']?.error?.message).toMatch(/replay: no recorded response for this request \(model "pack-test-model", prompt "Subject: Dark mode\?/);
      expect(trace.nodes['store']).toBeUndefined();
      // The other runs played as recorded.
      const rows = (await sinkRows(url)) as { ticket_id: string }[];
      expect(rows.map((r) => r.ticket_id)).toEqual(['1', '3', '900']);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('refuses broken and hostile packs with a clear error and writes nothing', async () => {
    const good = JSON.parse(exported.text) as Record<string, unknown>;
    const withFlow = (flow: unknown) => JSON.stringify({ ...good, flow });
    const flow = good['flow'] as { nodes: { id: string; config: Record<string, unknown> }[]; edges: unknown[] };
    const cases: [string, string, RegExp][] = [
      ['bad JSON', '{"format": "millrace-demo-pack", ', /not a JSON file/],
      ['not a pack', JSON.stringify({ format: 'n8n-workflow' }), /format: expected "millrace-demo-pack"/],
      ['a newer version', JSON.stringify({ ...good, version: 2 }), /version 2 is not supported/],
      ['13 MB', JSON.stringify({ ...good, padding: 'x'.repeat(13 * 1024 * 1024) }), new RegExp(`larger than the limit of ${MAX_DEMO_PACK_BYTES / 1024 / 1024} MiB`)],
      ['100,000 levels deep', `{"format": "millrace-demo-pack", "version": 1, "flow": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, /nests deeper than the limit of 1,000 levels/],
      ['__proto__ in an input', exported.text.replace('"input": {', '"input": {"__proto__": {"polluted": true}, '), /changes\[0\]\.input\.__proto__: a "__proto__" key is not allowed/],
      ['__proto__ in the edits', exported.text.replace('"edits": {', '"edits": {"__proto__": {"x": 1}, '), /__proto__/],
      ['an unknown field', JSON.stringify({ ...good, extra: 1 }), /Unrecognized key/],
      ['a change without dedupe key', JSON.stringify({ ...good, changes: [{ source: 'trigger', orderingKey: null, at: 1 }] }), /changes\[0\]\.dedupeKey/],
      ['a flow with a broken edge', withFlow({ ...flow, edges: [...flow.edges, { id: 'bad', source: 'nowhere', sourcePort: 'out', target: 'store', targetPort: 'in' }] }), /flow: .*nowhere/],
      ['a node of an unknown type', withFlow({ ...flow, nodes: [...flow.nodes, { id: 'x', type: 'rm-rf@1', name: 'X', position: { x: 0, y: 0 }, config: {} }] }), /flow: .*rm-rf/],
      ['an HTTP node', withFlow({ ...flow, nodes: [...flow.nodes, { id: 'h', type: 'http-request@1', name: 'Exfil', position: { x: 0, y: 0 }, config: { url: 'http://127.0.0.1:9/x' } }] }), /node "Exfil": a http-request@1 node reaches the network/],
      ['a sink to a database of its own', withFlow({ ...flow, nodes: flow.nodes.map((n) => (n.id === 'store' ? { ...n, config: { ...n.config, connectionString: '' } } : n)) }), /node "Save" › connectionString: in a demo pack a Postgres node connects through secret:MILLRACE_DEMO_PG_URL/],
      ['a sink through a named connection of the player', withFlow({ ...flow, nodes: flow.nodes.map((n) => (n.id === 'store' ? { ...n, config: { ...n.config, connection: 'conn_players_db' } } : n)) }), /node "Save" › connection: in a demo pack a Postgres node may not pick a named connection/],
      ['another secret', withFlow({ ...flow, nodes: flow.nodes.map((n) => (n.id === 'store' ? { ...n, config: { ...n.config, password: 'secret:OPENAI_API_KEY' } } : n)) }), /refers to secret:OPENAI_API_KEY; a demo pack may use only/],
      ['a decision for no change', JSON.stringify({ ...good, decisions: [{ dedupeKey: 'nope', nodeId: 'review', action: 'approve', comment: '', edits: {}, by: 'x', via: 'inbox', at: 1 }] }), /decisions\[0\]\.dedupeKey: no change with dedupe key "nope"/],
    ];
    const folder = dir('hostile');
    const engine = engineOn(folder, 'postgres://unused');
    try {
      for (const [what, text, message] of cases) {
        const error = await engine.openDemoPack({ text }).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error, what).toMatchObject({ name: 'EngineError', code: 'invalid_argument' });
        expect((error as Error).message, what).toMatch(/^the demo pack was refused:/);
        expect((error as Error).message, what).toMatch(message);
      }
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(await engine.listFlows()).toEqual([]);
      expect(await engine.listRuns({})).toEqual([]);
      expect(existsSync(join(folder, 'llm-replay')) ? readdirSync(join(folder, 'llm-replay')) : []).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 60_000);
});
