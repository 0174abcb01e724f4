/**
 * The command line of a flow exported with `--target dbos`:
 *   npx tsx flow.ts --input '{…}' [--json]     one run as a DBOS workflow, printed like `millrace run --json`
 *   npx tsx flow.ts --worker                   runs queued workflows until stopped (start several)
 *   npx tsx flow.ts --listen                   the flow's Postgres change trigger: every change is
 *                                              enqueued with its dedupe key as the workflow id
 * The DBOS system database comes from DBOS_SYSTEM_DATABASE_URL (or --database-url); several
 * processes sharing it share the work. `--executor-id` names a worker: a worker restarted with the
 * same id recovers the workflows it was running when it died.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Flow } from '../../../shared/flow/schema';
import { formatProblem } from '../../../shared/flow/problems';
import { parseFlowDocument } from '../../../shared/flow/validate';
import { typeRef } from '../../../shared/node-kit';
import { nodeRegistry, postgresChange } from '../../../nodes';
import type { FlowBuilder } from '../flow-builder';
import { isMainModule } from '../run-cli';
import type { RunResultJson } from '../run-result';
import { createHeadlessServices, type HeadlessServices } from './headless-services';
import type { ExportedConnection } from '../../../shared/connections';
import { runFlowInWorkflow } from './dbos-runner';
import { openDatabase } from '../../store/database';
import { TriggerStore } from '../../triggers/trigger-store';
import { TriggerManager } from '../../triggers/trigger-manager';

const USAGE = `Usage: npx tsx flow.ts [--input JSON] [--json] | --worker | --listen
  --database-url URL   DBOS system database (default: $DBOS_SYSTEM_DATABASE_URL)
  --executor-id ID     this process's DBOS executor id (a restarted worker with the same id recovers its workflows)
  --concurrency N      workflows this worker runs at once (default 20)
  --data-dir DIR       local state: LLM cache/spend, trigger position (default: ./.millrace-dbos/<executor id>)
  --output-dir DIR     where Write file nodes write
  --repeat N           enqueue N runs for the workers, wait for all, print the throughput as JSON
Secrets: secret:NAME in the config is read from the environment variable MILLRACE_SECRET_NAME.`;

export interface DbosFlowApp {
  flow: Flow;
  queueName: string;
  /** Registered workflow: run the flow for one input. */
  workflow: (input: unknown) => Promise<RunResultJson>;
  services: HeadlessServices;
}

export function queueNameOf(flow: Flow): string {
  return `millrace-${flow.id}`.slice(0, 60);
}

/** Registers the flow's workflow with DBOS (before launch) and builds this process's services. */
export function registerDbosFlow(doc: Flow, options: { dataDir: string; outputDir?: string; log: (line: string) => void }): DbosFlowApp {
  const parsed = parseFlowDocument(doc, nodeRegistry);
  if (!parsed.ok || parsed.problems.length > 0) {
    const names = new Map(doc.nodes.map((n) => [n.id, n.name]));
    throw new Error(`"${doc.name}" cannot run:\n${parsed.problems.map((p) => `  ✗ ${formatProblem(p, names)}`).join('\n')}`);
  }
  const flow = parsed.flow;
  mkdirSync(options.dataDir, { recursive: true });
  const services = createHeadlessServices({ dataDir: options.dataDir, ...(options.outputDir ? { outputDir: options.outputDir } : {}), log: options.log });
  const log = (line: string) => options.log(services.redact(line));
  const workflow = DBOS.registerWorkflow(async (input: unknown) => runFlowInWorkflow(flow, input, { registry: nodeRegistry, services: services.services, log }), {
    name: `millrace:${flow.id}`,
  });
  return { flow, queueName: queueNameOf(flow), workflow, services };
}

export async function runDbosCli(flow: FlowBuilder, moduleUrl: string, argv: string[] = process.argv.slice(2)): Promise<void> {
  if (!isMainModule(moduleUrl)) return;
  process.exitCode = await dbosCliMain(flow, argv);
}

export async function dbosCliMain(builder: FlowBuilder, argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        input: { type: 'string' },
        json: { type: 'boolean' },
        worker: { type: 'boolean' },
        listen: { type: 'boolean' },
        repeat: { type: 'string' },
        'database-url': { type: 'string' },
        'executor-id': { type: 'string' },
        concurrency: { type: 'string' },
        'data-dir': { type: 'string' },
        'output-dir': { type: 'string' },
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
  const url = values['database-url'] ?? process.env['DBOS_SYSTEM_DATABASE_URL'];
  if (!url) {
    console.error(`set DBOS_SYSTEM_DATABASE_URL (or --database-url) to the Postgres database DBOS keeps its workflows in\n\n${USAGE}`);
    return 2;
  }
  const concurrency = Number(values.concurrency ?? 20);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    console.error(`--concurrency must be a positive whole number, got "${values.concurrency}"`);
    return 2;
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
  const executorId = values['executor-id'] ?? process.env['DBOS__VMID'] ?? `run-${process.pid}`;
  const dataDir = resolve(values['data-dir'] ?? join('.millrace-dbos', executorId.replace(/[^A-Za-z0-9_-]/g, '_')));
  const log = (l: string) => console.error(`[millrace] ${l}`);
  let app: DbosFlowApp;
  try {
    app = registerDbosFlow(builder.toDocument(), { dataDir, ...(values['output-dir'] ? { outputDir: resolve(values['output-dir']) } : {}), log });
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
  const serving = values.worker === true;
  DBOS.setConfig({
    name: 'millrace',
    systemDatabaseUrl: url,
    executorID: executorId,
    logLevel: process.env['DBOS_LOG_LEVEL'] ?? 'warn',
    // Only workers take queued runs; a one-off run or the listener leaves them to the workers.
    ...(serving ? {} : { listenQueues: ['millrace-no-queue'] }),
  });
  try {
    await DBOS.launch();
    await DBOS.registerQueue(app.queueName, { workerConcurrency: concurrency });
    if (serving || values.listen) {
      const stop = await (values.listen ? listen(app, dataDir, log, builder.meta.connections ?? []) : Promise.resolve(async () => {}));
      console.error(`[millrace] ${serving ? 'worker' : 'listener'} ${executorId} ready (queue ${app.queueName})`);
      await new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      await stop();
      return 0;
    }
    if (values.repeat !== undefined) {
      const count = Number(values.repeat);
      if (!Number.isInteger(count) || count < 1) throw new Error('--repeat takes a positive whole number');
      const started = performance.now();
      const handles = await Promise.all(Array.from({ length: count }, () => DBOS.startWorkflow(app.workflow, { queueName: app.queueName })(input)));
      const results = await Promise.all(handles.map((h) => h.getResult()));
      const seconds = (performance.now() - started) / 1000;
      const succeeded = results.filter((r) => r.status === 'succeeded').length;
      console.log(JSON.stringify({ runs: count, succeeded, seconds, runsPerSec: count / seconds }));
      return succeeded === count ? 0 : 1;
    }
    const handle = await DBOS.startWorkflow(app.workflow)(input);
    const result = await handle.getResult();
    console.log(values.json ? JSON.stringify(result) : `Run ${result.runId} of "${app.flow.name}": ${result.status}`);
    return result.status === 'succeeded' ? 0 : 1;
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    return 1;
  } finally {
    await DBOS.shutdown();
    await app.services.close();
  }
}

/** Streams the flow's Postgres change trigger; each change becomes one queued workflow whose id is its dedupe key. */
async function listen(app: DbosFlowApp, dataDir: string, log: (line: string) => void, connections: readonly ExportedConnection[]): Promise<() => Promise<void>> {
  if (!app.flow.nodes.some((n) => n.type === typeRef(postgresChange))) throw new Error(`"${app.flow.name}" has no Postgres change trigger to listen to`);
  const db = openDatabase(join(dataDir, 'triggers.db'));
  const store = new TriggerStore(db, Date.now);
  const manager = new TriggerManager({
    store,
    getFlow: async () => app.flow,
    async enqueue(flowId, runs, alsoWrite) {
      for (const run of runs) {
        // Same id, same workflow: a change delivered again (after a restart) is not run twice.
        await DBOS.startWorkflow(app.workflow, { workflowID: `${flowId}:${run.dedupeKey}`, queueName: app.queueName })(run.input);
      }
      db.transaction(alsoWrite)();
      return { created: runs.length };
    },
    // Named connections come from the file (defineFlow's connections): references only, resolved like any secret.
    namedConnections: (id) => {
      const c = connections.find((x) => x.id === id);
      return c && { name: c.name, settings: { host: c.host, port: c.port, database: c.database, user: c.user, password: c.password, connectionString: c.connectionString, tls: c.tls } };
    },
    resolveSecret: async (ref) => {
      const name = ref.replace(/^secret:/, '');
      const value = process.env[`MILLRACE_SECRET_${name}`];
      if (value === undefined) throw new Error(`secret ${name} is not set: export MILLRACE_SECRET_${name}`);
      return value;
    },
    onStatus: (s) => {
      if (s.state !== 'streaming') log(`trigger ${s.nodeId}: ${s.state}${s.message ? ` — ${s.message}` : ''}`);
    },
    log,
  });
  await manager.activate(app.flow.id);
  return async () => {
    await manager.close();
    db.close();
  };
}
