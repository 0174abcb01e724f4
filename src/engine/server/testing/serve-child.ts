/** Starts ./serve-worker.ts as a child process and reads what tests need from outside: liveness, RSS, stderr. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const worker = join(dirname(fileURLToPath(import.meta.url)), 'serve-worker.ts');

export interface ServeChild {
  port: number;
  token: string;
  wsUrl: string;
  child: ChildProcess;
  /** Everything the child wrote on stderr so far. */
  stderr(): string;
  /** Resolves with the exit code (or signal name) once the child has exited. */
  exited: Promise<number | string>;
  alive(): boolean;
  /** Resident set size of the child, in bytes (Linux /proc). */
  rssBytes(): number;
  stop(): Promise<void>;
}

export async function startServeChild(dataDir: string, env: Record<string, string> = {}): Promise<ServeChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, ...env, SERVE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let exitedWith: number | string | null = null;
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = code ?? signal ?? -1;
      resolve(exitedWith);
    }),
  );
  const ready = await new Promise<{ port: number; token: string }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { port: number; token: string });
    });
    void exited.then((code) => reject(new Error(`serve worker exited (${code}) before listening:\n${err}`)));
  });
  return {
    ...ready,
    wsUrl: `ws://127.0.0.1:${ready.port}/api/ws?token=${encodeURIComponent(ready.token)}`,
    child,
    stderr: () => err,
    exited,
    alive: () => exitedWith === null,
    rssBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status);
      return kb ? Number(kb[1]) * 1024 : 0;
    },
    async stop() {
      if (exitedWith !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
