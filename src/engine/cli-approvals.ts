/**
 * `millrace approvals export FLOW_ID --data-dir DIR [--out FILE]`: every decision of a flow as JSONL
 * (run input, model output, the reviewer's output, action, comment, who, when, changes) — an
 * evaluation set for prompt changes. `millrace approvals stats [FLOW_ID]`: wait time per approval node.
 */
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createEngine } from './engine';

export const APPROVALS_USAGE = `  millrace approvals export FLOW_ID [--data-dir DIR] [--out FILE]   every decision of a flow as JSONL (input, model output, edited output, action)
  millrace approvals stats [FLOW_ID] [--data-dir DIR]                 wait time per approval node (p50/p95), pending, timed out`;

export async function approvalsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'data-dir': { type: 'string' }, out: { type: 'string' } } });
  const [sub, flowId] = positionals;
  if (sub !== 'export' && sub !== 'stats') {
    console.error(`usage:\n${APPROVALS_USAGE}`);
    return 2;
  }
  if (sub === 'export' && !flowId) {
    console.error('millrace approvals export: which flow? Give its id (see the flow list or the flow file\'s "id").');
    return 2;
  }
  const dataDir = resolve(values['data-dir'] ?? process.env['MILLRACE_DATA_DIR'] ?? join(homedir(), '.millrace'));
  const engine = createEngine({ dataDir, seedDemo: false, log: (l) => console.error(`[engine] ${l}`) });
  try {
    if (sub === 'stats') {
      console.log(JSON.stringify(await engine.approvalStats(flowId ? { flowId } : {}), null, 2));
      return 0;
    }
    const { jsonl, count } = await engine.exportApprovals({ flowId: flowId! });
    if (values.out) {
      writeFileSync(values.out, jsonl);
      console.error(`${count} decision(s) written to ${values.out}`);
    } else {
      process.stdout.write(jsonl);
      console.error(`${count} decision(s)`);
    }
    return 0;
  } finally {
    await engine.close();
  }
}
