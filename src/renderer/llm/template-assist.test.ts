import { describe, expect, it } from 'vitest';
import { applyCompletion, completionAt, fieldPaths, filterPaths, previewTemplate, upstreamSample } from './template-assist';
import { nodeRegistry } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';
import type { RunTrace, NodeTrace } from '../../shared/runs';

describe('template assist', () => {
  it('lists the paths of a sample, shallow first, skipping keys a path cannot spell', () => {
    expect(fieldPaths({ orderId: 'A-1', customer: { name: 'Ada', 'odd key': 1 }, items: ['x'] })).toEqual(['$json', 'orderId', 'customer', 'items', 'customer.name', 'items[0]']);
    expect(fieldPaths('text')).toEqual(['$json']);
    expect(fieldPaths({ a: { b: { c: { d: { e: 1 } } } } }, 3)).toEqual(['$json', 'a', 'a.b', 'a.b.c']);
  });

  it('finds an open {{ at the caret and completes it', () => {
    const text = 'Hello {{ cust';
    const at = completionAt(text, text.length);
    expect(at).toEqual({ start: 9, query: 'cust' });
    expect(applyCompletion(text, text.length, at!, 'customer.name')).toEqual({ text: 'Hello {{ customer.name }}', caret: 25 });
    expect(completionAt('Hello {{ a }} b', 15)).toBeNull();
    expect(completionAt('{{', 2)).toEqual({ start: 2, query: '' });
    // Completing inside an already closed reference replaces it instead of doubling the braces.
    const inside = 'x {{ cu }} y';
    expect(applyCompletion(inside, 7, completionAt(inside, 7)!, 'customer')).toEqual({ text: 'x {{ customer }} y', caret: 16 });
  });

  it('ranks prefix matches first', () => {
    expect(filterPaths(['$json', 'name', 'customer.name', 'nametag'], 'name')).toEqual(['name', 'nametag', 'customer.name']);
  });

  it('previews a template against sample data and names the references that found nothing', () => {
    expect(previewTemplate('Rate {{ product }} ({{ rating }}/5) {{ nope.x }}', { product: 'cards', rating: 2 })).toEqual({ text: 'Rate cards (2/5) ', missing: ['nope.x'] });
  });

  it("takes the node's own input from the run, else its upstream port's output", () => {
    const flow: Flow = {
      schemaVersion: 1, id: 'f', name: 'F',
      nodes: [
        { id: 'if', type: 'if@1', name: 'If', position: { x: 0, y: 0 }, config: {} },
        { id: 'llm', type: 'llm-call@1', name: 'LLM', position: { x: 0, y: 0 }, config: {} },
      ],
      edges: [{ id: 'e', source: 'if', sourcePort: 'true', target: 'llm', targetPort: 'in' }],
    };
    const node = (id: string, over: Partial<NodeTrace>): NodeTrace => ({ nodeId: id, nodeType: '', status: 'succeeded', startedAt: 0, finishedAt: 0, durationMs: 0, input: null, output: null, error: null, attempt: 1, attempts: [], waiting: null, ...over });
    const trace = (nodes: Record<string, NodeTrace>): RunTrace => ({
      run: { id: 'r', flowId: 'f', flowVersion: 1, flowName: 'F', status: 'succeeded', createdAt: 0, finishedAt: 0, durationMs: 0, error: null, parentRunId: null, wakeAt: null },
      input: null,
      nodes,
    });
    expect(upstreamSample(flow, trace({ if: node('if', { output: { true: { a: 1 } } }) }), 'llm', nodeRegistry)).toEqual({ a: 1 });
    expect(upstreamSample(flow, trace({ llm: node('llm', { input: { own: true } }) }), 'llm', nodeRegistry)).toEqual({ own: true });
    expect(upstreamSample(flow, null, 'llm', nodeRegistry)).toBeUndefined();
  });
});
