/**
 * `millrace` command line: serve (web mode), run (headless), validate.
 * Human-readable output on stdout; problems on stderr; non-zero exit on any failure.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { parseFlowText } from '../shared/flow/validate';
import { formatProblem, type FlowProblem } from '../shared/flow/problems';
import { nodeRegistry } from '../nodes';
import { createEngine } from './engine';
import { startWebServer } from './server/web-server';
import { loadOrCreateToken } from './server/security';
import { summarizeTrace } from './cli-format';
import { runDemoPostgres } from './triggers/pg/demo-postgres';
import { CODEGEN_USAGE } from './codegen/usage';
import { runResultJson } from './library/run-result';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const USAGE = `millrace — draw AI pipelines, run them for real

Usage:
  millrace serve [--port N] [--data-dir DIR] [--keep-days N] [--keep-runs N]
                                                        start web mode on 127.0.0.1 and print its URL;
                                                        finished runs are kept 30 days / 10,000 per flow by default
  millrace run FLOW.json [--input JSON] [--output-dir DIR] [--json]   run a flow headless, print a per-node summary (--json: as JSON)
  millrace validate FLOW.json                            print every problem; exit 1 if there are any
${CODEGEN_USAGE}
  millrace demo-postgres                                 a throwaway Postgres (wal_level=logical, table orders) for the change trigger

Data lives in --data-dir (default: $MILLRACE_DATA_DIR or ~/.millrace).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'run':
      return run(rest);
    case 'validate':
      return validate(rest);
    case 'export':
    case 'import':
      return (await import('./codegen/commands')).codegenCommand(command, rest);
    case 'demo-postgres':
      return runDemoPostgres();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function defaultDataDir(): string {
  return process.env['MILLRACE_DATA_DIR'] ?? join(homedir(), '.millrace');
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean' },
      'keep-days': { type: 'string' },
      'keep-runs': { type: 'string' },
    },
  });
  const retention = parseRetention(values['keep-days'], values['keep-runs']);
  if (typeof retention === 'string') {
    console.error(retention);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a number between 0 and 65535, got "${values.port}"`);
    return 2;
  }
  // MILLRACE_RENDERER_DIR lets tests and packagers point at another build of the UI.
  const rendererDir = process.env['MILLRACE_RENDERER_DIR'] ?? join(repoRoot, 'out', 'renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) {
    console.log('Building the UI once (out/renderer is missing)…');
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    if (r.status !== 0) {
      console.error('Building the UI failed; see the output above.');
      return 1;
    }
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const engine = createEngine({ dataDir, retention, log: (l) => console.error(`[engine] ${l}`) });
  // Handlers first: a signal arriving right after the URL is printed must still stop us cleanly.
  const stopped = new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  const server = await startWebServer({ engine, rendererDir, port, token: loadOrCreateToken(dataDir), log: (l) => console.error(`[server] ${l}`) });
  console.log(`Millrace is running (web mode). Open: ${server.url}`);
  console.log(`Data: ${dataDir}   Output files: ${engine.outputDir}   Stop with Ctrl+C.`);
  await stopped;
  await server.close();
  await engine.close();
  return 0;
}

/** `--keep-days N` / `--keep-runs N` (0 = keep forever); an error message when malformed. */
function parseRetention(days: string | undefined, runs: string | undefined): { maxAgeDays?: number | null; maxRunsPerFlow?: number | null } | string {
  const out: { maxAgeDays?: number | null; maxRunsPerFlow?: number | null } = {};
  for (const [flag, raw, key] of [['--keep-days', days, 'maxAgeDays'], ['--keep-runs', runs, 'maxRunsPerFlow']] as const) {
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) return `${flag} must be a whole number (0 = keep forever), got "${raw}"`;
    out[key] = n === 0 ? null : n;
  }
  return out;
}

function readFlowFile(file: string | undefined): { text: string } | { error: string } {
  if (!file) return { error: 'give the path of a flow file (.json)' };
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    return { error: `cannot read ${file}: ${(e as Error).message}` };
  }
}

function printProblems(problems: FlowProblem[], names: Map<string, string>) {
  for (const p of problems) console.error(`  ✗ ${formatProblem(p, names)}`);
}

async function validate(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  const file = readFlowFile(positionals[0]);
  if ('error' in file) return fail(file.error);
  const parsed = parseFlowText(file.text, nodeRegistry);
  const names = parsed.ok ? new Map(parsed.flow.nodes.map((n) => [n.id, n.name])) : new Map<string, string>();
  if (parsed.problems.length > 0) {
    console.error(`${positionals[0]}: ${parsed.problems.length} problem(s)`);
    printProblems(parsed.problems, names);
    return 1;
  }
  if (!parsed.ok) return 1;
  console.log(`${positionals[0]}: OK — "${parsed.flow.name}", ${parsed.flow.nodes.length} nodes, ${parsed.flow.edges.length} edges`);
  return 0;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { input: { type: 'string' }, 'output-dir': { type: 'string' }, json: { type: 'boolean' } },
  });
  const file = readFlowFile(positionals[0]);
  if ('error' in file) return fail(file.error);
  let input: unknown;
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch (e) {
      return fail(`--input is not valid JSON: ${(e as Error).message}`);
    }
  }
  const parsed = parseFlowText(file.text, nodeRegistry);
  if (!parsed.ok || parsed.problems.length > 0) {
    const names = parsed.ok ? new Map(parsed.flow.nodes.map((n) => [n.id, n.name])) : new Map<string, string>();
    console.error(`${positionals[0]} cannot run:`);
    printProblems(parsed.problems, names);
    return 1;
  }
  // A headless run keeps its journal in a throwaway folder; output files go where the user asked.
  const dataDir = mkdtempSync(join(tmpdir(), 'millrace-run-'));
  const outputDir = resolve(values['output-dir'] ?? 'output');
  const engine = createEngine({ dataDir, outputDir, seedDemo: false, log: (l) => console.error(`[engine] ${l}`) });
  try {
    const imported = await engine.importFlow({ text: file.text });
    if (!imported.ok) return fail('the flow could not be loaded');
    const { runId } = await engine.startRun({ flowId: imported.saved.flow.id, ...(input !== undefined ? { input } : {}) });
    const trace = await engine.waitForRun(runId);
    console.log(values.json ? JSON.stringify(runResultJson(trace, imported.saved.flow)) : summarizeTrace(trace, imported.saved.flow));
    return trace.run.status === 'succeeded' ? 0 : 1;
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function fail(message: string): number {
  console.error(message);
  return 1;
}
