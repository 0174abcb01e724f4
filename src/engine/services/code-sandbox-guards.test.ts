/**
 * The sandbox's limits can fail, and these tests would see it: the same hostile code is run with
 * each guard switched off (unsafeDisable, test only) and must then get through — an endless loop
 * hangs until the parent kills its process, an allocation bomb allocates far past the limit.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createCodeService } from './code-sandbox';

const worker = fileURLToPath(new URL('./testing/code-sandbox-worker.ts', import.meta.url));

function runWorker(code: string, mode: 'normal' | 'interrupt-off', waitMs: number): Promise<{ exited: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, code, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let started = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // The clock starts once the sandbox is about to run, not while tsx compiles the worker.
      if (!started && stdout.includes('started\n')) {
        started = true;
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve({ exited: false, stdout });
        }, waitMs);
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ exited: true, stdout });
    });
  });
}

describe('sandbox guards, switched off on purpose', () => {
  it('with the interrupt handler, while(true) ends at the 300 ms limit; without it, the process hangs and must be killed', async () => {
    const guarded = await runWorker('while (true) {}', 'normal', 20_000);
    expect(guarded.exited).toBe(true);
    expect(guarded.stdout).toContain('"kind":"timeout"');

    const unguarded = await runWorker('while (true) {}', 'interrupt-off', 3_000);
    expect(unguarded.exited).toBe(false);
    expect(unguarded.stdout).not.toContain('"kind"');
  }, 60_000);

  it('with the memory limit, a 64 MB allocation fails at 32 MB; without it, the same code succeeds', async () => {
    const code = 'const a = []; for (let i = 0; i < 800; i++) a.push(new Array(10000).fill(i)); return a.length;';
    const req = { code, language: 'javascript' as const, globals: { $json: null, $node: {}, $trigger: null }, timeoutMs: 20_000, memoryBytes: 32 << 20 };
    expect(await createCodeService().run(req)).toMatchObject({ ok: false, kind: 'memory' });
    expect(await createCodeService({ unsafeDisable: { memoryLimit: true } }).run(req)).toMatchObject({ ok: true, value: 800 });
  }, 60_000);
});
