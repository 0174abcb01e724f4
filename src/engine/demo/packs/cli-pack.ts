/**
 * `millrace pack export FLOW_ID --out FILE [--data-dir DIR]`: a flow's session as one demo pack.
 * `millrace pack play FILE [--data-dir DIR] [--pg-url URL] [--force] [--json]`: replays it offline
 * into a fresh data folder and prints one line per run (and a one-line JSON summary with --json).
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_PG_SECRET } from '../../../shared/demo';
import { MAX_DEMO_PACK_BYTES, formatBytes } from '../../../shared/limits';
import { nodeRegistry } from '../../../nodes';
import { createEngine } from '../../engine';
import { PRIVATE_FILE_MODE } from '../../data-folder/file-modes';
import { PackError, parsePackText } from './pack-format';
import { exportDemoPack, packSummary } from './engine-methods';
import { folderExportHost } from './export-pack';
import { playDemoPack } from './play-pack';
import { PACK_USAGE } from './cli-usage';

const defaultDataDir = () => process.env['MILLRACE_DATA_DIR'] ?? join(homedir(), '.millrace');

export async function packCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'pg-url': { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const [sub, target] = positionals;
  if (sub === 'export') {
    if (!target) return usage('millrace pack export: which flow? Give its id (see the flow list or the flow file\'s "id").');
    if (!values.out) return usage('millrace pack export: where to? Give --out FILE (e.g. --out demo.millrace).');
    return exportPack(target, resolve(values['data-dir'] ?? defaultDataDir()), values.out);
  }
  if (sub === 'play') {
    if (!target) return usage('millrace pack play: which pack? Give the file (e.g. demo.millrace).');
    return playPack(target, { dataDir: resolve(values['data-dir'] ?? defaultDataDir()), pgUrl: values['pg-url'], force: values.force === true, json: values.json === true });
  }
  return usage(`usage:\n${PACK_USAGE}`);
}

function usage(message: string): number {
  console.error(message);
  return 2;
}

async function exportPack(flowId: string, dataDir: string, out: string): Promise<number> {
  if (!existsSync(join(dataDir, 'millrace.db'))) {
    console.error(`millrace pack export: ${dataDir} holds no Millrace data (no millrace.db); give --data-dir`);
    return 1;
  }
  // Only the database: exporting must not resume the folder's triggers or queued runs.
  const host = folderExportHost(dataDir, nodeRegistry);
  try {
    const { text, summary } = await exportDemoPack(host, { flowId });
    // Run inputs and LLM answers are run data: the pack is private like the database.
    writeFileSync(out, text, { mode: PRIVATE_FILE_MODE });
    console.error(`"${summary.flowName}": ${summary.changes} change(s), ${summary.llmAnswers} LLM answer(s), ${summary.decisions} decision(s) written to ${out}`);
    return 0;
  } finally {
    host.close();
  }
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

async function playPack(file: string, o: { dataDir: string; pgUrl: string | undefined; force: boolean; json: boolean }): Promise<number> {
  if (!existsSync(file)) return usage(`millrace pack play: no file ${file}`);
  const size = statSync(file).size;
  if (size > MAX_DEMO_PACK_BYTES) {
    console.error(`millrace pack play: ${file} is ${formatBytes(size)}, larger than the limit of ${formatBytes(MAX_DEMO_PACK_BYTES)} for a demo pack`);
    return 1;
  }
  if (!o.force && !isEmptyDir(o.dataDir)) {
    console.error(`millrace pack play: ${o.dataDir} is not empty; play into a new folder (--data-dir DIR) or add --force to play into this one`);
    return 2;
  }
  const text = readFileSync(file, 'utf8');
  let pack;
  try {
    // Checked before the engine opens the folder: a refused pack leaves nothing behind.
    pack = parsePackText(text, nodeRegistry);
  } catch (e) {
    if (e instanceof PackError) {
      console.error(`millrace pack play: ${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const env = o.pgUrl !== undefined ? { ...process.env, [`MILLRACE_SECRET_${DEMO_PG_SECRET}`]: o.pgUrl } : process.env;
  const engine = createEngine({ dataDir: o.dataDir, seedDemo: false, env, log: (l) => console.error(`[engine] ${l}`) });
  try {
    const result = await playDemoPack(engine.packHost(), pack);
    const summary = packSummary(pack);
    console.log(`Played "${summary.flowName}" into ${o.dataDir} as flow ${result.flowId} (${summary.changes} change(s), ${summary.decisions} recorded decision(s), offline)`);
    for (const r of result.runs) {
      const note = r.status === 'waiting' ? 'waiting for a decision (none recorded)' : r.error ? r.error : '';
      console.log(`  ${r.runId}  ${r.status.padEnd(9)}  ${r.created ? '' : '(already here) '}${r.decisions > 0 ? `${r.decisions} decision(s) replayed  ` : ''}${note}`.trimEnd());
    }
    for (const u of result.unmatchedDecisions) console.log(`  decision for ${u.dedupeKey} / ${u.nodeId} not replayed: ${u.reason}`);
    const count = (s: string) => result.runs.filter((r) => r.status === s).length;
    if (o.json) {
      console.log(
        JSON.stringify({
          flowId: result.flowId,
          flowName: result.flowName,
          dataDir: o.dataDir,
          runs: result.runs.length,
          succeeded: count('succeeded'),
          failed: count('failed'),
          waiting: count('waiting'),
          decisionsReplayed: result.runs.reduce((n, r) => n + r.decisions, 0),
          unmatchedDecisions: result.unmatchedDecisions.length,
        }),
      );
    }
    return 0;
  } finally {
    await engine.close();
  }
}
