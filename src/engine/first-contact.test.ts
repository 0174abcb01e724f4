/** First-contact rough edges at the engine level: an empty flow is refused, not "run" in 0 ms. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from './engine';
import { EngineError } from '../shared/api';
import { NO_TRIGGER } from '../shared/flow/runnable';

let dir: string;
let engine: Engine;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'millrace-first-contact-'));
  engine = createEngine({ dataDir: dir, seedDemo: false, env: {} });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('running a flow without a trigger', () => {
  it('is refused with "add a trigger" and adds nothing to the history', async () => {
    const created = await engine.createFlow({ name: 'Empty', template: 'empty' });
    const empty = await engine.saveFlow({ flow: { ...created.flow, nodes: [], edges: [] } });
    const refused = await engine.startRun({ flowId: empty.flow.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EngineError);
    expect(refused).toMatchObject({ code: 'invalid_flow', problems: [{ message: NO_TRIGGER }] });
    expect((refused as Error).message).toMatch(/add a trigger/);
    // Transforms alone are no better (flow validation says so).
    const flow = { ...empty.flow, nodes: [{ id: 's', type: 'set-fields@1', name: 'Summarise', position: { x: 0, y: 0 }, config: {} }] };
    await engine.saveFlow({ flow });
    await expect(engine.startRun({ flowId: flow.id })).rejects.toMatchObject({ code: 'invalid_flow', problems: expect.arrayContaining([expect.objectContaining({ message: expect.stringMatching(/add a trigger/) })]) });
    expect(await engine.listRuns({ flowId: flow.id })).toEqual([]);
  });
});
