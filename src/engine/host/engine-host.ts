/**
 * The engine host: one engine per process, served on every MessagePort the main process hands
 * over (one per renderer page load). Kept free of 'electron' and of process globals so it is
 * tested with fakes; utility-entry.ts wires it to the real utilityProcess.
 */
import type { EngineApi } from '../../shared/api';
import { serveEngineApi } from '../../shared/rpc/server';
import { HostCommandSchema, type HostReport } from './host-protocol';
import { messagePortRpc, type MessagePortLike } from './message-port-rpc';

/** Electron's `process.parentPort` in a utilityProcess, as far as we use it. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: readonly MessagePortLike[] }) => void): unknown;
  postMessage(message: HostReport): void;
}

export interface HostedEngine extends EngineApi {
  close(): void | Promise<void>;
}

export interface EngineHostOptions {
  parentPort: ParentPortLike;
  dataDir: string;
  createEngine: (options: { dataDir: string; log?: (line: string) => void }) => HostedEngine;
  log: (line: string) => void;
  exit: (code: number) => void;
}

/** Gives the report to main a moment to leave before the process ends. */
const REPORT_FLUSH_MS = 200;

export function runEngineHost(options: EngineHostOptions): void {
  const { parentPort, log } = options;
  let engine: HostedEngine;
  try {
    engine = options.createEngine({ dataDir: options.dataDir, log });
  } catch (error) {
    failHost(options, `the engine could not start: ${errorMessage(error)}`, error);
    return;
  }

  const connections = new Set<() => void>();
  let shuttingDown = false;

  parentPort.on('message', (event) => {
    const parsed = HostCommandSchema.safeParse(event.data);
    if (!parsed.success) {
      log('engine host: ignored an unknown message from main');
      return;
    }
    const command = parsed.data;
    switch (command.type) {
      case 'millrace:connect': {
        const [port, ...extra] = event.ports;
        if (!port || extra.length > 0 || shuttingDown) {
          log('engine host: a connect message must carry exactly one port');
          return;
        }
        const rpc = messagePortRpc(port);
        const dispose = serveEngineApi(engine, rpc, {
          onInternalError: (error, method) => log(`engine host: ${method} failed: ${errorStack(error)}`),
        });
        connections.add(dispose);
        rpc.onClose(() => connections.delete(dispose));
        return;
      }
      case 'millrace:shutdown': {
        if (shuttingDown) return;
        shuttingDown = true;
        for (const dispose of connections) dispose();
        connections.clear();
        void Promise.resolve()
          .then(() => engine.close())
          .then(
            () => options.exit(0),
            (error: unknown) => {
              log(`engine host: close failed: ${errorStack(error)}`);
              options.exit(1);
            },
          );
        return;
      }
      default:
        command satisfies never;
    }
  });
  parentPort.postMessage({ type: 'millrace:ready' });
}

/** Tells main why the host is going down (shown to the user if restarts give up), then exits. */
export function failHost(options: Pick<EngineHostOptions, 'parentPort' | 'log' | 'exit'>, message: string, error?: unknown): void {
  options.log(`engine host: ${message}${error === undefined ? '' : `\n${errorStack(error)}`}`);
  try {
    options.parentPort.postMessage({ type: 'millrace:failed', message: message.slice(0, 4000) });
  } finally {
    setTimeout(() => options.exit(1), REPORT_FLUSH_MS);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorStack(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
