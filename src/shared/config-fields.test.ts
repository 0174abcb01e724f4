import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultConfig, jsonText, templateString } from './config-fields';

describe('templateString', () => {
  it('accepts text with valid references', () => {
    expect(templateString().parse('Hi {{ name }}')).toBe('Hi {{ name }}');
    expect(templateString().parse('')).toBe('');
  });

  it('reports a template syntax error inline', () => {
    const r = templateString().safeParse('Hi {{ name');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/unclosed/);
  });

  it('requires text when asked', () => {
    expect(templateString({ required: true }).safeParse('').error?.issues[0]?.message).toBe('required');
  });

  it('caps the length', () => {
    expect(templateString({ max: 5 }).safeParse('123456').success).toBe(false);
    expect(templateString({ max: 5 }).safeParse('12345').success).toBe(true);
  });
});

describe('jsonText', () => {
  it('accepts JSON and blank text', () => {
    for (const ok of ['{"a":1}', '[1]', '42', '"x"', '', '   ']) expect(jsonText().safeParse(ok).success).toBe(true);
  });

  it('refuses text that is not JSON, saying so', () => {
    const r = jsonText().safeParse('{a:1}');
    expect(r.error?.issues[0]?.message).toMatch(/^not valid JSON: /);
  });
});

describe('defaultConfig', () => {
  it('is the schema parsed from {}', () => {
    expect(defaultConfig(z.object({ a: z.number().default(3), b: z.string().optional() }))).toEqual({ a: 3 });
  });

  it('is {} when the schema has required fields without defaults', () => {
    expect(defaultConfig(z.object({ a: z.number() }))).toEqual({});
  });
});
