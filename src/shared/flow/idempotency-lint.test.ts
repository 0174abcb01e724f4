import { describe, expect, it } from 'vitest';
import { idempotencyWarnings } from './idempotency-lint';
import { nodeRegistry } from '../../nodes';
import type { Flow } from './schema';

const flow = (nodes: [string, string, Record<string, unknown>][]): Flow => ({
  schemaVersion: 1,
  id: 'f',
  name: 'f',
  nodes: nodes.map(([id, type, config], i) => ({ id, type, name: id, position: { x: i * 200, y: 0 }, config })),
  edges: nodes.slice(1).map(([id], i) => ({ id: `e${i}`, source: nodes[i]![0], sourcePort: 'out', target: id, targetPort: 'in' })),
});
const llm = ['llm', 'llm-call@1', {}] as [string, string, Record<string, unknown>];
const start = ['t', 'manual-trigger@1', {}] as [string, string, Record<string, unknown>];

describe('idempotency lint', () => {
  it('warns for a Slack message after an LLM call, saying how to fix it', () => {
    const w = idempotencyWarnings(flow([start, llm, ['slack', 'slack-sink@1', {}]]), nodeRegistry);
    expect(w).toEqual([{ kind: 'idempotency', nodeId: 'slack', message: expect.stringMatching(/"slack" runs after "llm".*cannot dedupe.*Webhook sink/) }]);
  });

  it('warns for an HTTP POST whose Idempotency-Key header was blanked, and for unkeyed Write file v1, after an LLM', () => {
    const w = idempotencyWarnings(
      flow([start, llm, ['post', 'http-request@1', { method: 'POST', headers: [{ name: 'Idempotency-Key', value: '' }] }], ['file', 'write-file@1', {}]]),
      nodeRegistry,
    );
    expect(w.map((x) => x.nodeId)).toEqual(['post', 'file']);
    expect(w[0]!.message).toMatch(/Remove that header/);
  });

  it('stays quiet for dedupable sinks after an LLM, and for any sink with no LLM or approval upstream', () => {
    expect(idempotencyWarnings(flow([start, llm, ['pg', 'postgres-sink@1', {}], ['hook', 'webhook-sink@1', {}], ['f2', 'write-file@2', {}], ['sq', 'sqlite-sink@1', {}]]), nodeRegistry)).toEqual([]);
    expect(idempotencyWarnings(flow([start, ['slack', 'slack-sink@1', {}]]), nodeRegistry)).toEqual([]);
    expect(idempotencyWarnings(flow([start, llm, ['get', 'http-request@1', { method: 'GET', headers: [{ name: 'Idempotency-Key', value: '' }] }]]), nodeRegistry)).toEqual([]);
  });
});
