import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../engine';

let engine: Engine | undefined;
let dir: string | undefined;
afterEach(async () => {
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('engine: exportFlowCode / importFlowCode', () => {
  it('exports the project, and an edited prompt comes back as a new version of the same flow; a new call is refused and nothing is saved', async () => {
    dir = mkdtempSync(join(tmpdir(), 'millrace-codegen-engine-'));
    engine = createEngine({ dataDir: dir });
    const { files } = await engine.exportFlowCode({ flowId: 'demo-review-triage', target: 'standalone' });
    expect(files.map((f) => f.name)).toEqual(['flow.ts', 'README.md', 'package.json', 'tsconfig.json', 'eslint.config.mjs']);
    const src = files[0]!.text;
    expect(src).toContain('You triage customer reviews');
    const before = await engine.getFlow({ id: 'demo-review-triage' });

    const edited = src.replace('You triage customer reviews for a small hardware shop.', 'You triage reviews for a bakery.');
    const r = await engine.importFlowCode({ text: edited });
    expect(r.ok && r.updated).toBe(true);
    const after = await engine.getFlow({ id: 'demo-review-triage' });
    expect(after.version).toBe(before.version + 1);
    expect(after.flow.nodes.find((n) => n.id === 'classify')!.config['system']).toBe('You triage reviews for a bakery.');
    expect(after.flow.edges.map((e) => e.id).sort()).toEqual(before.flow.edges.map((e) => e.id).sort());

    const refused = await engine.importFlowCode({ text: edited.replace('await runFlowCli(flow, import.meta.url);', 'fetch("http://x");\nawait runFlowCli(flow, import.meta.url);') });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.issues[0]!.message).toMatch(/new calls or control flow/);
    expect((await engine.getFlow({ id: 'demo-review-triage' })).version).toBe(after.version);
  });
});
