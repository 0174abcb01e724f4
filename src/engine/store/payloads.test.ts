/** Encoding run data with large values stored once: round trips, sharing, and user data that looks like a reference. */
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson, PAYLOAD_MIN_BYTES, type Payload } from './payloads';

const big = (c: string, n = PAYLOAD_MIN_BYTES * 2) => c.repeat(n);
const roundTrip = (v: unknown) => {
  const enc = encodeJson(v);
  const byHash = new Map(enc.payloads.map((p) => [p.hash, p.body]));
  return { enc, back: decodeJson(enc.text, (h) => byHash.get(h)) };
};

describe('encodeJson / decodeJson', () => {
  it('leaves small values as plain JSON text (the common case costs nothing)', () => {
    const v = { a: 1, b: 'x', c: [true, null, { d: 2.5 }] };
    const { enc, back } = roundTrip(v);
    expect(enc.text).toBe(JSON.stringify(v));
    expect(enc.payloads).toEqual([]);
    expect(back).toEqual(v);
  });

  it('stores a large string once, however often it appears, and keeps small fields inline for SQL', () => {
    const body = big('é');
    const v = { operation: 'insert', table: 'tickets', new: { id: 7, body }, copy: { body }, list: [body] };
    const { enc, back } = roundTrip(v);
    expect(back).toEqual(v);
    expect(enc.payloads).toHaveLength(1);
    expect(enc.text.length).toBeLessThan(400);
    expect(JSON.parse(enc.text)).toMatchObject({ operation: 'insert', table: 'tickets', new: { id: 7 } });
  });

  it('externalises a large object made of small fields, and the same object elsewhere shares it', () => {
    const row = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`field_${i}`, `value ${i}`]));
    const a = encodeJson(row); // the root object stays an object, its fields are small
    const b = encodeJson({ in: row }); // inside another value the row becomes one payload
    expect(a.payloads).toEqual([]);
    expect(b.payloads).toHaveLength(1);
    const c = encodeJson({ other: { in: row } });
    expect(c.payloads.map((p) => p.hash)).toEqual(b.payloads.map((p) => p.hash));
  });

  it('a copy with one more field still shares the large values (bottom-up)', () => {
    const body = big('a');
    const x = encodeJson({ in: { id: 1, body } });
    const y = encodeJson({ in: { id: 1, body, stage: 'triaged' } });
    expect(y.payloads.map((p) => p.hash)).toContain(x.payloads[0]!.hash);
  });

  it('nested payloads are all listed (a payload may refer to a smaller one)', () => {
    const inner = big('i');
    const outer = { inner, pad: Array.from({ length: 300 }, (_, i) => `p${i}`).join(",").repeat(3).slice(0, 3900), more: Array.from({ length: 200 }, (_, i) => i) };
    const { enc, back } = roundTrip({ wrap: { outer } });
    expect(back).toEqual({ wrap: { outer } });
    expect(enc.payloads.length).toBeGreaterThanOrEqual(2);
    const refs = (t: string) => (t.match(/\\u0000payload/g) ?? []).length;
    expect(enc.payloads.some((p: Payload) => refs(p.body) > 0)).toBe(true);
  });

  it('user data cannot forge a reference: keys starting with U+0000 are escaped and come back unchanged', () => {
    const victim = encodeJson({ secret: big('s') }).payloads[0]!;
    const forged = { '\u0000payload': victim.hash };
    const tricky = { a: forged, '\u0000\u0000x': 1, '\u0000': [forged], nested: { '\u0000payload': 'not-a-hash' } };
    const { enc, back } = roundTrip(tricky);
    expect(back).toEqual(tricky);
    expect(enc.payloads).toEqual([]);
    // Decoding must never ask for the victim's payload.
    expect(decodeJson(enc.text, (h) => (h === victim.hash ? victim.body : undefined))).toEqual(tricky);
  });

  it('keeps JSON.stringify semantics (toJSON, undefined, NaN) and non-object roots', () => {
    const when = new Date(0);
    const v = { when, gone: undefined, nan: Number.NaN, arr: [undefined, 1] };
    expect(roundTrip(v).back).toEqual(JSON.parse(JSON.stringify(v)));
    const s = big('z');
    const { enc, back } = roundTrip(s);
    expect(back).toBe(s);
    expect(enc.payloads).toHaveLength(1);
    expect(roundTrip(null).back).toBeNull();
    expect(roundTrip(undefined).back).toBeNull();
  });

  it('a missing payload is a clear error, not a silent null', () => {
    const enc = encodeJson({ body: big('m') });
    expect(() => decodeJson(enc.text, () => undefined)).toThrow(/stored payload [0-9a-f]{12}… is missing/);
  });
});
