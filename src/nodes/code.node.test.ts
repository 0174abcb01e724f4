import { describe, expect, it } from 'vitest';
import { codeNode } from './code.node';
import { fakeContext } from './testing';
import type { CodeRunRequest, CodeRunResult, CodeService } from '../shared/services';

function recordingSandbox(result: CodeRunResult): CodeService & { seen: CodeRunRequest[] } {
  const seen: CodeRunRequest[] = [];
  return { seen, run: async (req) => (seen.push(req), result) };
}

const cfg = (over: Record<string, unknown> = {}) => codeNode.config.parse({ code: 'return $json', ...over });

describe('code@1', () => {
  it('hands the sandbox the input, upstream outputs by id, the trigger and its limits; returns the value and console lines', async () => {
    const sandbox = recordingSandbox({ ok: true, value: { ok: 1 }, logs: ['hello'], durationMs: 1 });
    const base = fakeContext();
    const ctx = {
      ...base,
      services: { ...base.services, code: sandbox },
      upstream: { nodes: { n_a: { name: 'A', status: 'done' as const, outputs: { out: { x: 1 } } }, n_s: { name: 'S', status: 'skipped' as const, outputs: {} } }, trigger: { id: 9 } },
    };
    const out = await codeNode.execute(ctx, { in: { n: 1 } }, cfg({ timeoutMs: 250, memoryMb: 64 }));
    expect(out).toEqual({ out: { ok: 1 }, logs: ['hello'] });
    expect(sandbox.seen[0]).toMatchObject({ code: 'return $json', language: 'javascript', globals: { $json: { n: 1 }, $node: { n_a: { out: { x: 1 } } }, $trigger: { id: 9 } }, timeoutMs: 250, memoryBytes: 64 << 20 });
    expect(base.logs).toEqual(['console: hello']);
  });

  it.each<[Extract<CodeRunResult, { ok: false }>['kind'], string]>([
    ['timeout', 'timeoutMs'],
    ['memory', 'memoryMb'],
    ['error', 'code'],
    ['output', 'code'],
  ])('turns a %s failure into a permanent error on the %s field, with the last console lines', async (kind, field) => {
    const sandbox = recordingSandbox({ ok: false, kind, message: `it went wrong (${kind})`, logs: ['step 1', 'step 2'], durationMs: 1 });
    const base = fakeContext();
    await expect(codeNode.execute({ ...base, services: { ...base.services, code: sandbox } }, { in: {} }, cfg())).rejects.toMatchObject({
      message: `it went wrong (${kind})\nlast console lines:\nstep 1\nstep 2`,
      details: { field, permanent: true },
    });
  });

  it('says so when the host has no sandbox', async () => {
    await expect(codeNode.execute(fakeContext(), { in: {} }, cfg())).rejects.toThrow('this Millrace host has no code sandbox');
  });

  it('refuses limits out of range', () => {
    expect(codeNode.config.safeParse({ memoryMb: 8 }).success).toBe(false);
    expect(codeNode.config.safeParse({ timeoutMs: 0 }).success).toBe(false);
    expect(codeNode.config.safeParse({ code: '' }).success).toBe(false);
  });
});
