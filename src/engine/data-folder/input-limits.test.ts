import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine';
import { checkJsonLimits } from '../../shared/limits';

const dir = mkdtempSync(join(tmpdir(), 'millrace-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('input limits without the rpc server (in-process callers)', () => {
  it('the depth walk needs no stack: 1,000,000 levels are measured, not overflowed', () => {
    let nested: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) nested = { a: nested };
    expect(checkJsonLimits(nested, { maxDepth: 1000 })).toEqual({ kind: 'depth', limit: 1000 });
    expect(() => JSON.stringify(nested)).toThrow(/call stack/); // what an unchecked value would do
    let ok: unknown = 1;
    for (let i = 0; i < 999; i++) ok = [ok];
    expect(checkJsonLimits(ok, { maxDepth: 1000 })).toBeNull();
  });

  it('startRun refuses a 100,000-deep input and an oversized one by name', async () => {
    const engine = createEngine({ dataDir: join(dir, 'data'), log: () => {} });
    try {
      const flowId = (await engine.listFlows())[0]!.id;
      let nested: unknown = 1;
      for (let i = 0; i < 100_000; i++) nested = [nested];
      await expect(engine.startRun({ flowId, input: nested })).rejects.toMatchObject({
        code: 'invalid_argument',
        message: 'the run input nests deeper than the limit of 1,000 levels',
      });
      await expect(engine.startRun({ flowId, input: 'x'.repeat(9 * 1024 * 1024) })).rejects.toMatchObject({
        message: 'the run input is larger than the limit of 8 MiB (as JSON)',
      });
      await expect(engine.signalRun({ runId: 'run_x', name: 's', payload: nested })).rejects.toMatchObject({ message: /the signal payload nests deeper/ });
    } finally {
      await engine.close();
    }
  });
});
