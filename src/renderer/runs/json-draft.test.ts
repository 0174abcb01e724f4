import { describe, expect, it } from 'vitest';
import { jsonDraftOf, parseJsonDraft } from './json-draft';

describe('JSON drafts', () => {
  it('parses any JSON value, null included', () => {
    expect(parseJsonDraft('{ "amount": 500 }', { optional: false })).toEqual({ ok: true, value: { amount: 500 } });
    expect(parseJsonDraft('null', { optional: false })).toEqual({ ok: true, value: null });
    expect(parseJsonDraft(' 42 ', { optional: true })).toEqual({ ok: true, value: 42 });
  });

  it('treats empty text as absent only where that is allowed', () => {
    expect(parseJsonDraft('  ', { optional: true })).toEqual({ ok: true, value: undefined });
    expect(parseJsonDraft('', { optional: false })).toEqual({ ok: false, error: 'write a JSON value (null for none)' });
  });

  it('says why text is not JSON', () => {
    const result = parseJsonDraft('{ amount: 500 }', { optional: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^not valid JSON: /);
  });

  it('prefills editors with indented JSON', () => {
    expect(jsonDraftOf({ a: [1] })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(jsonDraftOf(undefined)).toBe('');
    expect(jsonDraftOf(null)).toBe('null');
  });
});
