import { describe, expect, it } from 'vitest';
import { migrateFlow } from './migrations';
import { CURRENT_SCHEMA_VERSION } from './schema';
import { chainFlow } from './testing';

describe('migrateFlow', () => {
  it('passes a current document through unchanged', () => {
    const doc = chainFlow(2);
    const result = migrateFlow(doc);
    expect(result).toEqual({ ok: true, doc });
  });

  it.each([null, [], 'flow', 1, undefined])('refuses %j: not an object', (raw) => {
    expect(migrateFlow(raw)).toEqual({ ok: false, problems: [{ kind: 'structure', path: [], message: 'a flow file must contain a JSON object' }] });
  });

  it.each([undefined, null, '1', 0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses schemaVersion %s', (schemaVersion) => {
    const result = migrateFlow({ ...chainFlow(1), schemaVersion });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { kind: 'structure', path: ['schemaVersion'], message: 'missing or invalid schemaVersion (expected a positive integer)' },
    ]);
  });

  it('refuses a document without schemaVersion', () => {
    const { schemaVersion: _drop, ...rest } = chainFlow(1);
    expect(migrateFlow(rest).ok).toBe(false);
  });

  it('refuses a future version with a message that says to update', () => {
    const result = migrateFlow({ ...chainFlow(1), schemaVersion: CURRENT_SCHEMA_VERSION + 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]!.path).toEqual(['schemaVersion']);
    expect(result.problems[0]!.message).toBe(
      `this flow was saved by a newer Millrace (schema ${CURRENT_SCHEMA_VERSION + 1}; this version reads up to ${CURRENT_SCHEMA_VERSION}). Update Millrace to open it.`,
    );
  });
});
