/**
 * Resume after a real crash: the engine runs in a child process that is SIGKILLed while the
 * LLM node waits for its second (repair) exchange. The first exchange's answer was journaled
 * before the kill, so the restarted process must ask only for the repair — never the first again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeLlmProvider, type FakeLlmProvider } from './testing/fake-llm-provider';

const worker = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'llm-crash-worker.ts');

let fake: FakeLlmProvider;
let dir: string;
beforeAll(async () => {
  fake = await startFakeLlmProvider();
  dir = mkdtempSync(join(tmpdir(), 'millrace-llm-crash-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function startWorker() {
  const child = spawn(process.execPath, ['--import', 'tsx', worker], {
    env: { ...process.env, CRASH_DATA_DIR: dir, LLM_BASE_URL: fake.baseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited, out: () => out, err: () => err };
}

const kinds = () => fake.requests.map((r) => ((r.body['messages'] as unknown[]).length === 2 ? 'initial' : 'repair'));

describe('LLM call across a SIGKILL', () => {
  it('does not repeat a journaled exchange after the process is killed mid-call', async () => {
    fake.enqueue({ kind: 'reply', text: '{"sentiment": ' }, { kind: 'hang' }, { kind: 'reply', text: '{"sentiment": "positive"}' });
    const first = startWorker();
    await expect.poll(() => fake.count(), { timeout: 30_000, interval: 20 }).toBe(2);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(first.out()).not.toContain('"status"');

    const second = startWorker();
    const exit = await second.exited;
    expect(exit.code, second.err()).toBe(0);
    expect(second.out()).toContain('"status":"succeeded"');
    expect(kinds()).toEqual(['initial', 'repair', 'repair']);
  }, 60_000);
});
