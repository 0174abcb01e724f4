/**
 * `millrace` command line. Every command is one entry in `commands` (usage, help, options, run);
 * `cli-kit.ts` does the parsing, `--help` and one-line errors for all of them.
 * Human-readable output on stdout; problems on stderr; non-zero exit on any failure; a stack
 * trace only with --verbose.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseFlowText } from '../shared/flow/validate';
import { formatProblem, type FlowProblem } from '../shared/flow/problems';
import { nodeRegistry } from '../nodes';
import { createEngine } from './engine';
import { startWebServer } from './server/web-server';
import { loadOrCreateToken } from './server/security';
import { summarizeTrace } from './cli-format';
import { createTerminalLog } from './cli-log';
import { commandHelp, overview, parseInvocation, UsageError, type CliCommand, type CliInvocation } from './cli-kit';
import { runDemoPostgres } from './triggers/pg/demo-postgres';
import { demoWiring } from './demo/demo-wiring';
import { DemoPostgres, stopOnExit } from './demo/demo-postgres';
import { CODEGEN_USAGE } from './codegen/usage';
import { runResultJson } from './library/run-result';
import { expectedRefusal, maintenance } from './cli-maintenance';
import { approvalsCommand, APPROVALS_USAGE } from './cli-approvals';
import { PACK_DETAILS } from './demo/packs/cli-usage';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function version(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // fall through: a packaged build without package.json beside it
  }
  return 'unknown';
}

function defaultDataDir(): string {
  return process.env['MILLRACE_DATA_DIR'] ?? join(homedir(), '.millrace');
}

const DATA_DIR_HELP = '  --data-dir DIR     data folder (default: $MILLRACE_DATA_DIR or ~/.millrace)';

/** The command table. To add a command, append one entry (its module exports a `CliCommand`). */
export const commands: CliCommand[] = [
  {
    name: 'serve',
    summary: 'start web mode on 127.0.0.1 and print its URL',
    usage: 'millrace serve [--port N] [--data-dir DIR] [--demo] [--keep-days N] [--keep-runs N]',
    details: [
      'Options:',
      '  --port N           port on 127.0.0.1 (default: a free one)',
      DATA_DIR_HELP,
      '  --demo             start the live demo: its own Postgres under <data dir>/demo-postgres and the',
      '                     "Support ticket triage" flow (what `npm start` runs)',
      '  --keep-days N      prune finished runs older than N days (default 30; 0 = keep forever)',
      '  --keep-runs N      keep at most N finished runs per flow (default 10,000; 0 = keep forever)',
      '',
      'Output files of Write-file nodes go to <data dir>/output. Stop with Ctrl+C.',
    ].join('\n'),
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      demo: { type: 'boolean' },
      'keep-days': { type: 'string' },
      'keep-runs': { type: 'string' },
    },
    run: serve,
  },
  {
    name: 'run',
    summary: 'run a flow headless and print a per-node summary',
    usage: 'millrace run FLOW.json [--input JSON] [--output-dir DIR] [--data-dir DIR] [--json]',
    details: [
      'Options:',
      '  --input JSON       the trigger input (default: the trigger\'s sample)',
      '  --output-dir DIR   where Write-file nodes write (default: <data dir>/output)',
      '  --json             print {"status", "nodes": {id: {status, output}}} (the shape an exported flow.ts prints)',
      DATA_DIR_HELP,
      '',
      'The run\'s journal is kept in a temporary folder and removed afterwards. Exit 1 if the run failed.',
    ].join('\n'),
    options: { input: { type: 'string' }, 'output-dir': { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } },
    positionals: true,
    run,
  },
  {
    name: 'validate',
    summary: 'print every problem of a flow file; exit 1 if there are any',
    usage: 'millrace validate FLOW.json',
    positionals: true,
    run: validate,
  },
  {
    name: 'demo-postgres',
    summary: 'a throwaway Postgres (wal_level=logical, table orders) for the change trigger',
    usage: 'millrace demo-postgres',
    details: 'Prints the settings for a Postgres change node. Ctrl+C stops it and removes its files.',
    run: () => runDemoPostgres(),
  },
  {
    name: 'export',
    summary: 'export a flow as a TypeScript project (standalone, or a DBOS workflow)',
    usage: 'millrace export FLOW.json --out DIR [--target standalone|dbos] [--runtime NPM-SPEC]',
    details: CODEGEN_USAGE,
    options: { out: { type: 'string' }, target: { type: 'string' }, runtime: { type: 'string' } },
    positionals: true,
    run: async (inv) => (await import('./codegen/commands')).codegenCommand('export', toArgs(inv)),
  },
  {
    name: 'import',
    summary: 'read an exported flow.ts back into a flow (never executes it)',
    usage: 'millrace import FILE.ts [--out FLOW.json]',
    details: CODEGEN_USAGE,
    options: { out: { type: 'string' } },
    positionals: true,
    run: async (inv) => (await import('./codegen/commands')).codegenCommand('import', toArgs(inv)),
  },
  {
    name: 'maintenance',
    summary: 'give space freed by retention back to the disk (engine stopped)',
    usage: 'millrace maintenance --compact [--data-dir DIR]',
    details: ['Options:', '  --compact          VACUUM the database and switch it to incremental auto-vacuum', DATA_DIR_HELP].join('\n'),
    options: { compact: { type: 'boolean' }, 'data-dir': { type: 'string' } },
    run: (inv) => maintenance(toArgs(inv)),
  },
  {
    name: 'approvals',
    summary: 'export approval decisions as JSONL, or wait-time stats per approval node',
    usage: 'millrace approvals export FLOW_ID [--data-dir DIR] [--out FILE] | millrace approvals stats [FLOW_ID] [--data-dir DIR]',
    details: ['Commands:', APPROVALS_USAGE, '', 'Options:', DATA_DIR_HELP, '  --out FILE         write the JSONL there instead of stdout'].join('\n'),
    options: { 'data-dir': { type: 'string' }, out: { type: 'string' } },
    positionals: true,
    run: (inv) => approvalsCommand(toArgs(inv)),
  },
  {
    name: 'pack',
    summary: 'export a flow\'s session as a demo pack, or replay a pack offline into a fresh data folder',
    usage: 'millrace pack export FLOW_ID --out FILE [--data-dir DIR] | millrace pack play FILE [--data-dir DIR] [--pg-url URL] [--force] [--json]',
    details: PACK_DETAILS,
    options: { 'data-dir': { type: 'string' }, out: { type: 'string' }, 'pg-url': { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: true,
    run: async (inv) => (await import('./demo/packs/cli-pack')).packCommand(toArgs(inv)),
  },
];

/** Back to argv form, for commands that parse their own arguments. */
function toArgs(inv: CliInvocation): string[] {
  const args = [...inv.positionals];
  for (const [k, v] of Object.entries(inv.values)) {
    if (k === 'help' || k === 'verbose' || v === undefined || v === false) continue;
    args.push(`--${k}`);
    if (typeof v === 'string') args.push(v);
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(version());
    return 0;
  }
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    console.log(topic ? commandHelp(topic) : overview(commands, version()));
    return name === undefined ? 1 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    const hint = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
    console.error(`millrace: ${hint}\nCommands: ${commands.map((c) => c.name).join(', ')}. Run \`millrace --help\` for details.`);
    return 2;
  }
  let invocation: ReturnType<typeof parseInvocation>;
  try {
    invocation = parseInvocation(command, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`millrace ${command.name}: ${e.message}\nUsage: ${command.usage}\nRun \`millrace ${command.name} --help\` for details.`);
    return 2;
  }
  if (invocation.help) {
    console.log(commandHelp(command));
    return 0;
  }
  try {
    return await command.run(invocation);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`millrace ${command.name}: ${e.message}\nUsage: ${command.usage}`);
      return 2;
    }
    const message = e instanceof Error ? e.message : String(e);
    console.error(`millrace ${command.name}: ${message}`);
    if (invocation.verbose && e instanceof Error && e.stack) console.error(e.stack);
    else console.error('(run again with --verbose for the details)');
    return 1;
  }
}

function stringOption(inv: CliInvocation, key: string): string | undefined {
  const v = inv.values[key];
  return typeof v === 'string' ? v : undefined;
}

async function serve(inv: CliInvocation): Promise<number> {
  const retention = parseRetention(stringOption(inv, 'keep-days'), stringOption(inv, 'keep-runs'));
  const rawPort = stringOption(inv, 'port');
  const port = rawPort === undefined ? 0 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number between 0 and 65535, got "${rawPort}"`);
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
  const dataDir = resolve(stringOption(inv, 'data-dir') ?? defaultDataDir());
  const log = createTerminalLog((l) => console.error(l), { verbose: inv.verbose });
  let engine: ReturnType<typeof createEngine>;
  try {
    // --demo (what `npm start` passes): the live demo's own Postgres starts in the background.
    const demo = inv.values['demo'] === true ? demoWiring(dataDir, (l) => log(`[demo] ${l}`)) : undefined;
    if (demo?.database instanceof DemoPostgres) stopOnExit(demo.database);
    engine = createEngine({ dataDir, retention, log: (l) => log(`[engine] ${l}`), ...(demo ? { demo } : {}) });
  } catch (e) {
    // A second `serve` on the same folder (or a foreign file there): one line that says what to do.
    const line = expectedRefusal(e);
    if (!line) throw e;
    console.error(line);
    return 1;
  }
  // Handlers first: a signal arriving right after the URL is printed must still stop us cleanly.
  const stopped = new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  const server = await startWebServer({ engine, approvals: engine.approvals, rendererDir, port, token: loadOrCreateToken(dataDir), log: (l) => log(`[server] ${l}`) });
  console.log(`Millrace is running (web mode). Open: ${server.url}`);
  console.log(`Data: ${dataDir}   Output files: ${engine.outputDir}   Stop with Ctrl+C.`);
  await stopped;
  console.log('Stopping…');
  await server.close();
  await engine.close();
  log.flush();
  console.log('Millrace stopped.');
  return 0;
}

/** `--keep-days N` / `--keep-runs N` (0 = keep forever). */
function parseRetention(days: string | undefined, runs: string | undefined): { maxAgeDays?: number | null; maxRunsPerFlow?: number | null } {
  const out: { maxAgeDays?: number | null; maxRunsPerFlow?: number | null } = {};
  for (const [flag, raw, key] of [['--keep-days', days, 'maxAgeDays'], ['--keep-runs', runs, 'maxRunsPerFlow']] as const) {
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a whole number (0 = keep forever), got "${raw}"`);
    out[key] = n === 0 ? null : n;
  }
  return out;
}

function readFlowFile(file: string | undefined): { text: string } | { error: string } {
  if (!file) throw new UsageError('give the path of a flow file (.json)');
  try {
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    return { error: code === 'ENOENT' ? `cannot read ${file}: no such file` : `cannot read ${file}: ${(e as Error).message}` };
  }
}

function printProblems(problems: FlowProblem[], names: Map<string, string>) {
  for (const p of problems) console.error(`  ✗ ${formatProblem(p, names)}`);
}

async function validate(inv: CliInvocation): Promise<number> {
  const { positionals } = inv;
  if (positionals.length > 1) throw new UsageError(`one flow file at a time, got ${positionals.length}`);
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

async function run(inv: CliInvocation): Promise<number> {
  const { positionals } = inv;
  if (positionals.length > 1) throw new UsageError(`one flow file at a time, got ${positionals.length}`);
  const file = readFlowFile(positionals[0]);
  if ('error' in file) return fail(file.error);
  let input: unknown;
  const rawInput = stringOption(inv, 'input');
  if (rawInput !== undefined) {
    try {
      input = JSON.parse(rawInput);
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
  // A headless run keeps its journal in a throwaway folder; output files go to the data folder's
  // output/ (as in the app) or where the user asked, never into the current folder by surprise.
  const journalDir = mkdtempSync(join(tmpdir(), 'millrace-run-'));
  const outputDir = resolve(stringOption(inv, 'output-dir') ?? join(resolve(stringOption(inv, 'data-dir') ?? defaultDataDir()), 'output'));
  const log = createTerminalLog((l) => console.error(l), { verbose: inv.verbose });
  const engine = createEngine({ dataDir: journalDir, outputDir, seedDemo: false, log: (l) => log(`[engine] ${l}`) });
  try {
    const imported = await engine.importFlow({ text: file.text });
    if (!imported.ok) return fail('the flow could not be loaded');
    const { runId } = await engine.startRun({ flowId: imported.saved.flow.id, ...(input !== undefined ? { input } : {}) });
    const trace = await engine.waitForRun(runId);
    if (inv.values['json'] === true) console.log(JSON.stringify(runResultJson(trace, imported.saved.flow)));
    else {
      console.log(summarizeTrace(trace, imported.saved.flow));
      console.log(`Output files: ${outputDir}`);
    }
    return trace.run.status === 'succeeded' ? 0 : 1;
  } finally {
    await engine.close();
    log.flush();
    rmSync(journalDir, { recursive: true, force: true });
  }
}

function fail(message: string): number {
  console.error(message);
  return 1;
}
