/**
 * The migration chain, exercised ahead of the first real migration: pretend the current schema is
 * 3 and register scaffold steps 1→2 and 2→3, so the loop is proven before anyone depends on it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { migrateFlow, migrations } from './migrations';

vi.mock('./schema', async (importOriginal) => ({ ...(await importOriginal<typeof import('./schema')>()), CURRENT_SCHEMA_VERSION: 3 }));

afterEach(() => {
  delete migrations[1];
  delete migrations[2];
});

const scaffold = () => {
  const seen: number[] = [];
  migrations[1] = (doc) => {
    seen.push(Number(doc['schemaVersion']));
    const { title, ...rest } = doc;
    return { ...rest, name: title };
  };
  migrations[2] = (doc) => {
    seen.push(Number(doc['schemaVersion']));
    return { ...doc, tags: [] };
  };
  return seen;
};

describe('migration chain (scaffold, current schema = 3)', () => {
  it('runs every step in order from an old version to the current one', () => {
    const seen = scaffold();
    const result = migrateFlow({ schemaVersion: 1, id: 'f', title: 'Old title' });
    expect(result).toEqual({ ok: true, doc: { schemaVersion: 3, id: 'f', name: 'Old title', tags: [] } });
    expect(seen).toEqual([1, 2]);
  });

  it('starts from the document version', () => {
    const seen = scaffold();
    expect(migrateFlow({ schemaVersion: 2, id: 'f', name: 'x' })).toEqual({ ok: true, doc: { schemaVersion: 3, id: 'f', name: 'x', tags: [] } });
    expect(seen).toEqual([2]);
  });

  it('sets schemaVersion after each step even if the step forgets it', () => {
    migrations[1] = ({ schemaVersion: _drop, ...doc }) => doc;
    migrations[2] = (doc) => ({ ...doc, sawVersion: doc['schemaVersion'] });
    expect(migrateFlow({ schemaVersion: 1 })).toEqual({ ok: true, doc: { schemaVersion: 3, sawVersion: 2 } });
  });

  it('refuses when a step is missing, naming the gap', () => {
    migrations[1] = (doc) => doc;
    expect(migrateFlow({ schemaVersion: 1 })).toEqual({
      ok: false,
      problems: [{ kind: 'structure', path: ['schemaVersion'], message: 'no migration from schema 2 to 3' }],
    });
  });

  it('still refuses versions above the current one', () => {
    scaffold();
    expect(migrateFlow({ schemaVersion: 4 }).ok).toBe(false);
  });
});
