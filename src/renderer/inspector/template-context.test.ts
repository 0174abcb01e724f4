import { describe, expect, it } from 'vitest';
import { templateContext, shapeMiss } from './template-context';
import { nodeRegistry } from '../../nodes';
import { flowEdge, flowNode, flowOf } from '../../shared/flow/testing';
import type { RunTrace, NodeTrace } from '../../shared/runs';

const llmConfig = {
  output: 'json',
  schemaFields: [
    { name: 'verdict', type: 'string', description: '', required: true },
    { name: 'risk', type: 'number', description: '', required: true },
  ],
};
const flow = flowOf(
  [
    flowNode('t', 'postgres-change@1', {}, 'Orders'),
    flowNode('llm', 'llm-call@1', llmConfig, 'Classify'),
    flowNode('hook', 'http-request@1', {}, 'Webhook'),
  ],
  [flowEdge('t', 'llm', { sourcePort: 'change' }), flowEdge('llm', 'hook', { sourcePort: 'data' })],
);

const nodeTrace = (nodeId: string, nodeType: string, output: unknown, input: unknown = null): NodeTrace => ({
  nodeId, nodeType, status: 'succeeded', startedAt: 0, finishedAt: 1, durationMs: 1, input, output, error: null, attempt: 1, attempts: [], waiting: null,
});
const change = { operation: 'insert', table: 'orders', new: { id: 7, note: 'ok' } };
const trace: RunTrace = {
  run: { id: 'r', flowId: flow.id, flowVersion: 1, flowName: 'x', status: 'succeeded', createdAt: 0, finishedAt: 1, durationMs: 1, error: null, parentRunId: null, wakeAt: null },
  input: change,
  nodes: {
    t: nodeTrace('t', 'postgres-change@1', change),
    llm: nodeTrace('llm', 'llm-call@1', { text: '{}', data: { verdict: 'fine', risk: 0.1 }, call: {} }, change),
  },
};

describe('templateContext before any run (declared shapes)', () => {
  const ctx = templateContext(flow, null, 'hook', nodeRegistry);

  it('completes the trigger fields and the LLM schema fields by node name', () => {
    expect(ctx.paths).toEqual(expect.arrayContaining(['$json', '$trigger', '$trigger.new', '$trigger.operation', '$node["Classify"].data', '$node["Classify"].data.verdict', '$node["Classify"].data.risk', '$node["Orders"].change.table']));
  });

  it('warns about a misspelt field of the declared schema, not about a known one', () => {
    expect(ctx.warnings('{{ $node["llm"].data.verdict }}')).toEqual([]);
    expect(ctx.warnings('{{ $node["llm"].data.verdcit }}')).toEqual(['{{ $node["Classify"].data.verdcit }}: not in "Classify"\'s declared output: data has verdict, risk']);
    expect(ctx.warnings('{{ $node["llm"].dta }}')).toEqual(['{{ $node["Classify"].dta }}: $node["Classify"] has no output "dta" (it has: text, data, call)']);
    expect(ctx.warnings('{{ $node["llm"].data.verdcit? }}')).toEqual([]);
  });

  it('has no preview without run data', () => {
    expect(ctx.preview('{{ $trigger.new.id }}', 'text')).toBeNull();
  });
});

describe('templateContext with the last run', () => {
  const ctx = templateContext(flow, trace, 'hook', nodeRegistry);

  it('completes from the data', () => {
    expect(ctx.paths).toEqual(expect.arrayContaining(['verdict', '$trigger.new.id', '$node["Classify"].data.risk']));
  });

  it('previews in JSON mode and warns about paths the data does not have', () => {
    expect(ctx.preview('{"id": {{ $trigger.new.id }}, "v": {{ $node["llm"].data.verdict }}}', 'json')).toEqual({ text: '{"id": 7, "v": "fine"}' });
    expect(ctx.warnings('{{ $trigger.new.idd }}')).toEqual(['{{ $trigger.new.idd }}: $trigger.new has no "idd" (it has: id, note) in the last run']);
    expect(ctx.preview('{{ nope }}', 'text')).toEqual({ error: expect.stringMatching(/the input has no "nope"/) as unknown });
  });
});

describe('shapeMiss', () => {
  it('flags only closed shapes', () => {
    expect(shapeMiss({ type: 'object', properties: { a: {} }, additionalProperties: false }, ['b'])).toEqual({ at: 0, known: ['a'] });
    expect(shapeMiss({ type: 'object', properties: { a: {} } }, ['b'])).toBeNull();
    expect(shapeMiss({ type: 'object' }, ['b'])).toBeNull();
  });
});
