/**
 * The command line of an exported program: `npx tsx flow.ts --input '{…}' [--json]
 * [--data-dir DIR | --ephemeral] [--output-dir DIR]`. Runs only when the file is the program
 * itself, so a flow module can also be imported (tests, other code) without starting a run.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FlowBuilder } from './flow-builder';
import { runFlow, runFlowRepeated } from './run-flow';
import { runResultJson } from './run-result';
import { summarizeTrace } from '../cli-format';

const USAGE = `Usage: npx tsx flow.ts [--input JSON] [--json] [--data-dir DIR | --ephemeral] [--output-dir DIR]
  --input JSON     the run's input (what the trigger receives)
  --json           print {"status":…,"nodes":{"<nodeId>":{"status":…,"output":…}}}
  --data-dir DIR   the durable journal (default: ./.millrace)
  --ephemeral      journal in a throwaway folder, removed after the run
  --output-dir DIR where Write file nodes write (default: <data dir>/output)
  --repeat N       run N times on one engine (--concurrency at once, default 20) and print the throughput as JSON
Secrets: secret:NAME in the config is read from the environment variable MILLRACE_SECRET_NAME.`;

/** True when `moduleUrl` is the file node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(entry);
  } catch {
    return false;
  }
}

export async function runFlowCli(flow: FlowBuilder, moduleUrl: string, argv: string[] = process.argv.slice(2)): Promise<void> {
  if (!isMainModule(moduleUrl)) return;
  process.exitCode = await flowCliMain(flow, argv);
}

export async function flowCliMain(flow: FlowBuilder, argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
        ephemeral: { type: 'boolean' },
        'output-dir': { type: 'string' },
        repeat: { type: 'string' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let input: unknown;
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input);
    } catch (e) {
      console.error(`--input is not valid JSON: ${(e as Error).message}`);
      return 2;
    }
  }
  if (values.repeat !== undefined) {
    const count = Number(values.repeat);
    const concurrency = Number(values.concurrency ?? 20);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
      console.error('--repeat and --concurrency take positive whole numbers');
      return 2;
    }
    const r = await runFlowRepeated(flow.toDocument(), count, { ...(input !== undefined ? { input } : {}), ...(flow.meta.connections ? { connections: flow.meta.connections } : {}), ephemeral: true, concurrency, ...(values['output-dir'] ? { outputDir: values['output-dir'] } : {}) });
    console.log(JSON.stringify(r));
    return r.succeeded === r.runs ? 0 : 1;
  }
  try {
    const { flow: saved, trace } = await runFlow(flow.toDocument(), {
      ...(input !== undefined ? { input } : {}),
      ...(flow.meta.connections ? { connections: flow.meta.connections } : {}),
      ...(values.ephemeral ? { ephemeral: true } : { dataDir: values['data-dir'] ?? '.millrace' }),
      ...(values['output-dir'] ? { outputDir: values['output-dir'] } : {}),
      log: (l) => console.error(`[engine] ${l}`),
    });
    console.log(values.json ? JSON.stringify(runResultJson(trace, saved)) : summarizeTrace(trace, saved));
    return trace.run.status === 'succeeded' ? 0 : 1;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}
