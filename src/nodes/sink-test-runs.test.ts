/**
 * "On test runs" on every sink (issue 13, item 13): on a test run a sink set to skip (the default)
 * runs no effect and outputs what it would have written; set to write, or on an ordinary run, it
 * writes. The Postgres sink is covered against a real Postgres in
 * src/engine/triggers/pg/test-runs.test.ts; here the same rule for the others, with fakes.
 */
import { describe, expect, it } from 'vitest';
import type { AnyNodeDefinition } from '../shared/node-kit';
import type { TableWrite } from '../shared/services';
import { fakeContext, fakeHttp } from './testing';
import { webhookSink } from './webhook-sink.node';
import { slackSink } from './slack-sink.node';
import { writeFileV2 } from './file-sink.node';
import { sqliteSink } from './sqlite-sink.node';
import { postgresSink } from './postgres-sink.node';
import { nodeRegistry } from './index';

const writes: TableWrite[] = [];
const services = {
  secrets: { resolveSecretRef: async () => 'https://hooks.slack.test/T/B/x' },
  sqlite: { listColumns: async () => [], write: async (_f: string, w: TableWrite) => (writes.push(w), { applied: true, rowCount: 1, sql: 'INSERT' }) },
};

const cases: { def: AnyNodeDefinition; config: Record<string, unknown>; effect: string; target: RegExp }[] = [
  { def: webhookSink, config: { url: 'http://127.0.0.1:9/hook' }, effect: 'deliver', target: /^webhook:POST http:\/\/127.0.0.1:9\/hook$/ },
  { def: slackSink, config: {}, effect: 'post', target: /^slack:secret:SLACK_WEBHOOK_URL$/ },
  { def: writeFileV2, config: { path: 'out.jsonl' }, effect: 'append', target: /^file:out.jsonl$/ },
  { def: sqliteSink, config: { columns: [{ name: 'id', value: '{{ id }}' }] }, effect: 'write', target: /^sqlite:results.db\/results$/ },
];

describe('sinks on test runs', () => {
  it('every sink in the registry has the "On test runs" setting, defaulting to skip', () => {
    const sinks = nodeRegistry.all().filter((d) => d.category === 'sink' && !(d.type === 'write-file' && d.version === 1));
    expect(sinks.map((d) => `${d.type}@${d.version}`).sort()).toEqual(['postgres-sink@1', 'slack-sink@1', 'sqlite-sink@1', 'webhook-sink@1', 'write-file@2']);
    for (const d of [...sinks, postgresSink]) expect((d.config.parse({}) as { onTestRun: string }).onTestRun).toBe('skip');
  });

  for (const c of cases) {
    it(`${c.def.type}: skips a test run and shows what it would have written; writes when set to write or when the run is real`, async () => {
      const skipped = fakeContext({ isTestRun: true, http: fakeHttp(), services });
      const out = await c.def.execute(skipped, { in: { id: 7, text: 'hello' } }, c.def.config.parse(c.config));
      expect(skipped.effects.size).toBe(0);
      expect(skipped.http.requests).toHaveLength(0);
      expect(skipped.files.appendCalls).toBe(0);
      expect(out['out']).toMatchObject({ skipped: 'test run', target: expect.stringMatching(c.target) });
      expect((out['out'] as { wouldWrite: unknown }).wouldWrite).toBeTruthy();
      expect(skipped.logs.join('\n')).toContain('test run: nothing written');

      for (const [isTestRun, onTestRun] of [[true, 'write'], [false, 'skip']] as const) {
        const ctx = fakeContext({ isTestRun, http: fakeHttp(), services });
        const written = await c.def.execute(ctx, { in: { id: 7, text: 'hello' } }, c.def.config.parse({ ...c.config, onTestRun }));
        expect(ctx.effects.get(c.effect)).toBe(1);
        expect(written['out']).not.toHaveProperty('skipped');
      }
    });
  }
});
