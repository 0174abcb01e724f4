/**
 * Generated data for bench:ui, written with bulk SQL into a fresh data folder (no engine runs): a
 * 500-node flow with one finished run, a 5-node flow with 100,000 finished runs (500,000 node
 * rows, fact columns filled as the engine fills them), and a 5-node flow as the small baseline.
 */
import { openDatabase } from '../src/engine/store/database';
import type { Flow } from '../src/shared/flow/schema';

export const BIG_FLOW = 'bench-500';
export const HISTORY_FLOW = 'bench-history';
export const SMALL_FLOW = 'bench-small';

function chainFlow(id: string, name: string, n: number, perRow: number): Flow {
  const nodes: Flow['nodes'] = [{ id: 'n0', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: {} }];
  for (let i = 1; i < n; i++) {
    nodes.push({ id: `n${i}`, type: 'set-fields@1', name: `Step ${i}`, position: { x: (i % perRow) * 300, y: Math.floor(i / perRow) * 200 }, config: { fields: [{ name: 'i', value: String(i) }] } });
  }
  const edges: Flow['edges'] = [];
  for (let i = 1; i < n; i++) edges.push({ id: `e${i}`, source: `n${i - 1}`, sourcePort: 'out', target: `n${i}`, targetPort: 'in' });
  return { schemaVersion: 1, id, name, nodes, edges };
}

export function generateUiData(dataDir: string, runs: number): { runs: number; nodeRows: number; ms: number } {
  const t0 = performance.now();
  const db = openDatabase(`${dataDir}/millrace.db`);
  const now = Date.now();
  const insertFlow = db.prepare(`INSERT INTO flows (id, name, version, doc, created_at, updated_at) VALUES (?, ?, 1, ?, ?, ?)`);
  const insertVersion = db.prepare(`INSERT INTO flow_versions (flow_id, version, doc, created_at) VALUES (?, 1, ?, ?)`);
  const insertRun = db.prepare(
    `INSERT INTO runs (id, flow_id, flow_version, flow_name, status, input, error, created_at, started_at, finished_at, cost_usd) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertNode = db.prepare(
    `INSERT INTO node_runs (run_id, node_id, node_type, status, attempt, input, outputs, output, error, started_at, finished_at, flow_id, duration_ms, cost_usd, tokens, cache_hit)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  let nodeRows = 0;
  db.transaction(() => {
    for (const flow of [chainFlow(BIG_FLOW, 'Bench: 500 nodes', 500, 25), chainFlow(HISTORY_FLOW, 'Bench: 100k runs', 5, 5), chainFlow(SMALL_FLOW, 'Bench: 5 nodes', 5, 5)]) {
      const doc = JSON.stringify(flow);
      insertFlow.run(flow.id, flow.name, doc, now, now);
      insertVersion.run(flow.id, doc, now);
    }
    // One finished run of the 500-node flow.
    const big = 'run_bench_big';
    insertRun.run(big, BIG_FLOW, 'Bench: 500 nodes', 'succeeded', '{}', null, now - 10_000, now - 10_000, now - 9_000, null);
    for (let i = 0; i < 500; i++) {
      const out = JSON.stringify({ i, text: `value ${i}` });
      insertNode.run(big, `n${i}`, i === 0 ? 'manual-trigger@1' : 'set-fields@1', 'succeeded', 1, JSON.stringify({ out: JSON.parse(out) as unknown }), out, null, now - 10_000 + i, now - 10_000 + i + 1, BIG_FLOW, 1, null, null, null);
      nodeRows++;
    }
    // 100,000 runs over the last 6 days, one every ~5 s; 2 % fail at node n3; n2 stands in for an LLM call.
    const span = 6 * 86_400_000;
    for (let r = 0; r < runs; r++) {
      const id = `run_h${String(r).padStart(7, '0')}`;
      const start = now - span + Math.floor((r / runs) * span);
      const fails = r % 50 === 7;
      const input = r % 3 === 0 ? JSON.stringify({ source: 'live', schema: 'public', table: 'orders', operation: 'update', key: { id: r }, new: { id: r } }) : '{"manual":true}';
      let t = start;
      for (let i = 0; i < 5; i++) {
        const dur = i === 2 ? 200 + (r % 400) : 1 + (r % 7);
        const failed = fails && i === 3;
        const cost = i === 2 ? 0.0004 : null;
        insertNode.run(id, `n${i}`, i === 2 ? 'llm-call@1' : 'set-fields@1', failed ? 'failed' : 'succeeded', failed ? 3 : 1, failed ? null : '{"out":{"ok":true}}', failed ? null : '{"ok":true}',
          failed ? JSON.stringify({ message: r % 100 === 7 ? 'HTTP 503 from upstream' : 'timeout after 30 s' }) : null, t, t + dur, HISTORY_FLOW, dur, cost, i === 2 ? 350 : null, i === 2 ? (r % 4 === 0 ? 1 : 0) : null);
        nodeRows++;
        t += dur;
        if (failed) break;
      }
      insertRun.run(id, HISTORY_FLOW, 'Bench: 100k runs', fails ? 'failed' : 'succeeded', input, fails ? JSON.stringify({ message: 'failed', nodeId: 'n3' }) : null, start, start, t, 0.0004);
    }
  })();
  db.close();
  return { runs, nodeRows, ms: performance.now() - t0 };
}
