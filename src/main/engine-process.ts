/**
 * Runs the engine host in an Electron utilityProcess and hands out MessagePorts to it. If the host
 * dies unexpectedly it is restarted with backoff; after too many quick failures we give up and say
 * why, instead of looping forever.
 */
import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess } from 'electron';
import { DATA_DIR_FLAG, HostReportSchema, type HostCommand } from '../engine/host/host-protocol';

export interface EngineProcessOptions {
  /** The bundled host entry: out/engine-host/index.cjs. */
  entry: string;
  dataDir: string;
  /** Extra environment for the host (e.g. which better-sqlite3 build to load). */
  env?: Record<string, string>;
  /** Restarts allowed in a row before giving up. A host that stayed up `stableAfterMs` resets the count. */
  maxRestarts?: number;
  stableAfterMs?: number;
  restartDelayMs?: (attempt: number) => number;
  /** How long `stop()` waits for a clean shutdown before killing the host. */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
  /** A new host is running after a crash: every window needs a fresh port (the old ones are dead). */
  onRestart?: () => void;
  /** Restarts were exhausted. `reason` is the host's last report, readable by a user. */
  onGiveUp?: (reason: string) => void;
}

export const defaultRestartDelayMs = (attempt: number): number => Math.min(500 * 2 ** (attempt - 1), 10_000);

export class EngineProcess {
  private child: UtilityProcess | undefined;
  private startedAt = 0;
  private attempts = 0;
  private lastFailure: string | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: EngineProcessOptions) {}

  start(): void {
    if (this.child || this.stopping || this.restartTimer) return;
    this.attempts = 0;
    this.spawn();
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Opens a new channel to the host and returns the renderer's end, or undefined while the host is
   * down (it will call `onRestart` when it is back).
   */
  connect(): MessagePortMain | undefined {
    const child = this.child;
    if (!child || this.stopping) return undefined;
    const { port1, port2 } = new MessageChannelMain();
    const command: HostCommand = { type: 'millrace:connect' };
    child.postMessage(command, [port1]);
    return port2;
  }

  /** Asks the host to close the engine (flushes SQLite), kills it if it does not exit in time. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) return (this.stopping = Promise.resolve());
    this.stopping = new Promise<void>((resolve) => {
      const timeout = setTimeout(() => {
        this.log('engine host did not stop in time; killing it');
        child.kill();
        resolve();
      }, this.options.stopTimeoutMs ?? 3000);
      child.once('exit', () => {
        clearTimeout(timeout);
        resolve();
      });
      const command: HostCommand = { type: 'millrace:shutdown' };
      child.postMessage(command);
    });
    return this.stopping;
  }

  private spawn(): void {
    const { entry, dataDir, env } = this.options;
    const child = utilityProcess.fork(entry, [`${DATA_DIR_FLAG}${dataDir}`], {
      serviceName: 'millrace-engine',
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    this.child = child;
    this.startedAt = Date.now();
    this.lastFailure = undefined;
    child.on('message', (message: unknown) => {
      const report = HostReportSchema.safeParse(message);
      if (!report.success) return;
      if (report.data.type === 'millrace:failed') this.lastFailure = report.data.message;
    });
    child.on('error', (type, location) => this.log(`engine host error: ${type} at ${location}`));
    child.once('exit', (code) => this.onExit(child, code));
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping) return;
    const reason = this.lastFailure ?? `the engine process exited unexpectedly (code ${code})`;
    this.log(`engine host exited with code ${code}: ${reason}`);
    if (Date.now() - this.startedAt >= (this.options.stableAfterMs ?? 60_000)) this.attempts = 0;
    this.attempts += 1;
    const maxRestarts = this.options.maxRestarts ?? 5;
    if (this.attempts > maxRestarts) {
      this.log(`engine host failed ${maxRestarts + 1} times in a row; not restarting`);
      this.options.onGiveUp?.(reason);
      return;
    }
    const delay = (this.options.restartDelayMs ?? defaultRestartDelayMs)(this.attempts);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn();
      this.options.onRestart?.();
    }, delay);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
