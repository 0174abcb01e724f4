/**
 * Entry of the engine host inside Electron's utilityProcess (bundled to out/engine-host/index.cjs).
 * Its only channel is `process.parentPort`: main sends it one MessagePort per renderer connection
 * and a shutdown command. It never imports 'electron'.
 */
import { createEngine } from '../engine';
import { demoWiring } from '../demo/demo-wiring';
import { dataDirFromArgv } from './host-protocol';
import { failHost, runEngineHost, type ParentPortLike } from './engine-host';

const DATA_DIR_ENV = 'MILLRACE_DATA_DIR';

function isParentPort(value: unknown): value is ParentPortLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof Reflect.get(value, 'on') === 'function' &&
    typeof Reflect.get(value, 'postMessage') === 'function'
  );
}

function main(): void {
  const parentPort: unknown = Reflect.get(process, 'parentPort');
  if (!isParentPort(parentPort)) {
    process.stderr.write('millrace engine host: no parentPort; this file runs only inside an Electron utilityProcess\n');
    process.exit(2);
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const exit = (code: number) => process.exit(code);
  const hostOptions = { parentPort, log, exit };
  process.on('uncaughtException', (error) => failHost(hostOptions, `the engine crashed: ${error.message}`, error));
  process.on('unhandledRejection', (reason) =>
    failHost(hostOptions, `the engine crashed: ${reason instanceof Error ? reason.message : String(reason)}`, reason),
  );

  const dataDir = dataDirFromArgv(process.argv) ?? process.env[DATA_DIR_ENV];
  if (!dataDir) {
    failHost(hostOptions, `no data folder given (--data-dir=… or ${DATA_DIR_ENV})`);
    return;
  }
  // The desktop app runs the live demo (its own Postgres) like `npm start` does in web mode.
  runEngineHost({ ...hostOptions, dataDir, createEngine: (options) => createEngine({ ...options, demo: demoWiring(options.dataDir) }) });
}

main();
