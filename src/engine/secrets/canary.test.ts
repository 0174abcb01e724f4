/**
 * Canary secret scan: plant two canary keys (one stored through the API, one in the environment),
 * run flows that use them — including failures where the server echoes the key back — then look
 * for the canaries everywhere Millrace writes: the SQLite files, logs, traces, run events,
 * exported flows and exported code. Only the secrets file itself may hold a value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createEngine } from '../engine';
import type { Flow } from '../../shared/flow/schema';
import type { RunEvent } from '../../shared/runs';
import { buildProject } from '../codegen/project';
import { startFakeLlmProvider, type FakeLlmProvider } from '../services/llm/testing/fake-llm-provider';

const FILE_CANARY = `sk-canary-${randomBytes(12).toString('hex')}`;
const ENV_CANARY = `sk-envcanary-${randomBytes(12).toString('hex')}`;

let fake: FakeLlmProvider;
let dir: string;
beforeAll(async () => {
  fake = await startFakeLlmProvider();
  dir = mkdtempSync(join(tmpdir(), 'millrace-canary-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

function flow(id: string, llm: Record<string, unknown>): Flow {
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 't', type: 'manual-trigger@1', name: 'Start', position: { x: 0, y: 0 }, config: { payload: '{"q": "hi"}' } },
      {
        id: 'llm',
        type: 'llm-call@1',
        name: 'Ask',
        position: { x: 200, y: 0 },
        config: {
          baseUrl: fake.baseUrl,
          apiKey: 'secret:FILE_CANARY',
          headers: [{ name: 'x-extra-key', value: 'secret:ENV_CANARY' }],
          prompt: '{{ q }}',
          maxAttempts: 2,
          initialBackoffMs: 5,
          maxBackoffMs: 10,
          ...llm,
        },
      },
      { id: 'w', type: 'write-file@1', name: 'Save', position: { x: 400, y: 0 }, config: { path: `${id}.jsonl`, line: '' } },
    ],
    edges: [
      { id: 'e1', source: 't', sourcePort: 'out', target: 'llm', targetPort: 'in' },
      { id: 'e2', source: 'llm', sourcePort: 'call', target: 'w', targetPort: 'in' },
    ],
  };
}

function filesUnder(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('canary secret scan', () => {
  it('finds no secret value in the database, logs, traces, events or exports', async () => {
    const logs: string[] = [];
    const events: RunEvent[] = [];
    const engine = createEngine({ dataDir: dir, seedDemo: false, env: { MILLRACE_SECRET_ENV_CANARY: ENV_CANARY }, log: (l) => logs.push(l) });
    engine.onRunEvent((e) => events.push(e));
    await engine.setSecret({ name: 'FILE_CANARY', value: FILE_CANARY });

    const flows = [
      { flow: flow('ok', { stream: true }), script: [] },
      { flow: flow('echo-401', {}), script: [{ kind: 'echo-auth' as const }] },
      { flow: flow('echo-500', {}), script: [{ kind: 'echo-auth' as const, status: 500 }, { kind: 'echo-auth' as const, status: 500 }] },
      { flow: flow('invalid-json', { output: 'json' }), script: [{ kind: 'reply' as const, text: 'no json' }, { kind: 'reply' as const, text: 'still none' }] },
      { flow: flow('cached', { cache: true }), script: [] },
      // Streamed slowly, so live progress events carry partial text that ends in part of the key.
      { flow: flow('echo-in-reply', { stream: true }), script: [{ kind: 'reply' as const, text: `your key is ${FILE_CANARY}, keep it safe`, chunks: 9, chunkDelayMs: 120 }] },
    ];
    const traces: unknown[] = [];
    for (const { flow: f, script } of flows) {
      fake.enqueue(...script);
      await engine.saveFlow({ flow: f });
      const { runId } = await engine.startRun({ flowId: f.id });
      traces.push(await engine.waitForRun(runId));
    }
    fake.enqueue({ kind: 'echo-auth' });
    const test = await engine.testLlm({ config: flow('t', {}).nodes[1]!.config });
    expect(test.ok).toBe(false);

    // The canaries really went out (otherwise this test could not fail) and were echoed back.
    expect(fake.requests.some((r) => r.headers['authorization'] === `Bearer ${FILE_CANARY}` && r.headers['x-extra-key'] === ENV_CANARY)).toBe(true);
    expect(traces.map((t) => (t as { run: { status: string } }).run.status)).toEqual(['succeeded', 'failed', 'failed', 'failed', 'succeeded', 'succeeded']);

    const exported: string[] = [];
    for (const summary of await engine.listFlows()) {
      const saved = await engine.getFlow({ id: summary.id });
      exported.push(JSON.stringify(saved.flow));
      exported.push(...Object.values(buildProject(saved.flow).files));
    }
    const surfaces: Record<string, string> = {
      logs: logs.join('\n'),
      traces: JSON.stringify(traces),
      events: JSON.stringify(events),
      exports: exported.join('\n'),
      'secret list': JSON.stringify(await engine.listSecrets()),
      'test result': JSON.stringify(test),
    };
    expect(surfaces['traces']).toContain('[secret:FILE_CANARY]'); // the echoed key was redacted, not dropped
    await engine.close();

    const files = filesUnder(dir);
    expect(files.some((f) => f.endsWith('millrace.db'))).toBe(true);
    for (const file of files) {
      const bytes = readFileSync(file).toString('latin1');
      if (file.endsWith('secrets.json')) {
        expect(bytes).toContain(FILE_CANARY); // the one place a value lives (and proof the scan reads files)
        continue;
      }
      surfaces[file] = bytes;
    }
    expect(events.filter((e) => e.type === 'node.progress').length).toBeGreaterThan(2);
    for (const [where, text] of Object.entries(surfaces)) {
      expect(text.includes(FILE_CANARY), `file canary found in ${where}`).toBe(false);
      expect(text.includes(ENV_CANARY), `env canary found in ${where}`).toBe(false);
      // Not even the start of a key (a streamed chunk may end halfway through one).
      expect(text.includes(FILE_CANARY.slice(0, 14)), `start of the file canary found in ${where}`).toBe(false);
    }
  });
});
