import { describe, expect, it } from 'vitest';
import { allNodeDefinitions, nodeRegistry } from './index';
import { typeRef } from '../shared/node-kit';
import { defaultConfig } from '../shared/config-fields';

/**
 * What a user must supply before a node of this type can run (its defaults are deliberately not
 * enough): an LLM node pointed at a hosted API needs a key. Everything else has working defaults.
 */
const USER_MUST_SUPPLY: Record<string, Record<string, unknown>> = { 'llm-call@1': { apiKey: 'secret:OPENAI_API_KEY' } };
const completed = (ref: string, def: (typeof allNodeDefinitions)[number]) => def.config.parse({ ...defaultConfig(def.config), ...USER_MUST_SUPPLY[ref] });

describe('node registry', () => {
  it('holds every definition under its type@version', () => {
    expect(nodeRegistry.all()).toHaveLength(allNodeDefinitions.length);
    for (const def of allNodeDefinitions) expect(nodeRegistry.get(typeRef(def))).toBe(def);
  });

  it('has the manual and the Postgres change triggers', () => {
    expect(allNodeDefinitions.filter((d) => d.trigger).map(typeRef)).toEqual(['manual-trigger@1', 'postgres-change@1']);
  });

  describe.each(allNodeDefinitions.map((d) => [typeRef(d), d] as const))('%s', (ref, def) => {
    it('has valid defaults: the schema parses {} (bar what the user must supply) and accepts its own output', () => {
      const parsed = def.config.safeParse({});
      const must = USER_MUST_SUPPLY[ref];
      if (must) {
        expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(Object.keys(must).sort());
      } else {
        expect(parsed.success).toBe(true);
        expect(defaultConfig(def.config)).toEqual(parsed.data);
      }
      const full = completed(ref, def);
      expect(def.config.parse(full)).toEqual(full);
    });

    it('has UI hints only for config fields that exist', () => {
      const fields = Object.keys(completed(ref, def) as object);
      for (const key of Object.keys(def.ui)) expect(fields).toContain(key);
    });

    it('summarises its default config in one line', () => {
      const summary = def.summary?.(completed(ref, def));
      if (summary !== undefined) {
        expect(summary.length).toBeGreaterThan(0);
        expect(summary).not.toContain('\n');
      }
    });
  });
});
