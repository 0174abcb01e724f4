import { describe, expect, it } from 'vitest';
import { binaryLabel, COLLAPSED_CHARS, fullJson, jsonDisplay } from './json-display';

describe('json display', () => {
  it('shows base64 blobs, data: URLs and serialised Buffers as their size', () => {
    const blob = Buffer.alloc(3000, 7).toString('base64');
    expect(binaryLabel(blob)).toBe('[binary, 2.9 kB]');
    expect(binaryLabel(`data:image/png;base64,${blob}`)).toBe('[binary image/png, 2.9 kB]');
    expect(binaryLabel({ type: 'Buffer', data: Array.from({ length: 2048 }, () => 1) })).toBe('[binary, 2.0 kB]');
    const shown = jsonDisplay({ file: blob, name: 'x.png' }, COLLAPSED_CHARS);
    expect(shown.text).toContain('"file": "[binary, 2.9 kB]"');
    expect(shown.binaries).toBe(1);
  });

  it('never takes prose or short strings for binary', () => {
    expect(binaryLabel('hello world '.repeat(100))).toBeNull();
    expect(binaryLabel('QUJD')).toBeNull();
    expect(binaryLabel('a'.repeat(600) + ' b')).toBeNull();
  });

  it('cuts a large value and says how much is hidden; copy and download take it whole', () => {
    const big = { rows: Array.from({ length: 20_000 }, (_, i) => ({ i, text: `row ${i}` })) };
    const shown = jsonDisplay(big, COLLAPSED_CHARS);
    expect(shown.text.length).toBe(COLLAPSED_CHARS);
    expect(shown.hiddenChars).toBe(fullJson(big).length - COLLAPSED_CHARS);
    expect(JSON.parse(fullJson(big))).toEqual(big);
  });

  it('survives values JSON cannot print', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(jsonDisplay(cyclic, 100).text).toBe('[object Object]');
    expect(jsonDisplay(10n, 100).text).toBe('10');
  });
});
