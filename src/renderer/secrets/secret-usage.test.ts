import { describe, expect, it } from 'vitest';
import type { Flow } from '../../shared/flow/schema';
import { findSecretUses } from './secret-usage';

describe('findSecretUses', () => {
  it('finds every secret:NAME in node configs, nested ones included, and nothing else', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'f1',
      name: 'Orders',
      nodes: [
        { id: 'pg', type: 'postgres-change@1', name: 'New order', position: { x: 0, y: 0 }, config: { password: 'secret:PG_PASSWORD', host: 'db' } },
        {
          id: 'llm',
          type: 'llm-call@1',
          name: 'Classify',
          position: { x: 0, y: 0 },
          config: { apiKey: 'secret:OPENAI_API_KEY', prompt: 'mention secret:NOT_A_REF inside text', fallbacks: [{ apiKey: 'secret:OPENAI_API_KEY' }] },
        },
      ],
      edges: [],
    };
    const uses = findSecretUses([flow]);
    expect([...uses.keys()].sort()).toEqual(['OPENAI_API_KEY', 'PG_PASSWORD']);
    expect(uses.get('OPENAI_API_KEY')!.map((u) => `${u.nodeName}.${u.field}`)).toEqual(['Classify.apiKey', 'Classify.fallbacks.0.apiKey']);
    expect(uses.get('PG_PASSWORD')).toEqual([{ flowId: 'f1', flowName: 'Orders', nodeId: 'pg', nodeName: 'New order', field: 'password' }]);
  });
});
