import { describe, expect, it } from 'vitest';
import { formatProblem } from './problems';

describe('formatProblem', () => {
  it('names the node (by its canvas name when known) and the field', () => {
    const p = { kind: 'config' as const, path: ['nodes', 1, 'config', 'url'], nodeId: 'n2', field: 'url', message: 'required' };
    expect(formatProblem(p)).toBe('node "n2", field "url": required');
    expect(formatProblem(p, new Map([['n2', 'Notify']]))).toBe('node "Notify", field "url": required');
  });

  it('names the edge', () => {
    expect(formatProblem({ kind: 'structure', path: ['edges', 0, 'source'], edgeId: 'e1', message: 'missing node' })).toBe('edge e1: missing node');
  });

  it('falls back to the path, then to the bare message', () => {
    expect(formatProblem({ kind: 'structure', path: ['schemaVersion'], message: 'too new' })).toBe('schemaVersion: too new');
    expect(formatProblem({ kind: 'structure', path: [], message: 'not JSON' })).toBe('not JSON');
  });
});
