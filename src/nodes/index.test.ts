import { describe, expect, it } from 'vitest';
import { allNodeDefinitions, nodeRegistry } from './index';
import { typeRef } from '../shared/node-kit';
import { defaultConfig } from '../shared/config-fields';

describe('node registry', () => {
  it('holds every definition under its type@version', () => {
    expect(nodeRegistry.all()).toHaveLength(allNodeDefinitions.length);
    for (const def of allNodeDefinitions) expect(nodeRegistry.get(typeRef(def))).toBe(def);
  });

  it('has the manual and the Postgres change triggers', () => {
    expect(allNodeDefinitions.filter((d) => d.trigger).map(typeRef)).toEqual(['manual-trigger@1', 'postgres-change@1']);
  });

  describe.each(allNodeDefinitions.map((d) => [typeRef(d), d] as const))('%s', (_ref, def) => {
    it('has valid defaults: the schema parses {} and accepts its own output', () => {
      const parsed = def.config.safeParse({});
      expect(parsed.success).toBe(true);
      expect(def.config.parse(parsed.data)).toEqual(parsed.data);
      expect(defaultConfig(def.config)).toEqual(parsed.data);
    });

    it('has UI hints only for config fields that exist', () => {
      const fields = Object.keys(def.config.parse({}) as object);
      for (const key of Object.keys(def.ui)) expect(fields).toContain(key);
    });

    it('summarises its default config in one line', () => {
      const summary = def.summary?.(def.config.parse({}));
      if (summary !== undefined) {
        expect(summary.length).toBeGreaterThan(0);
        expect(summary).not.toContain('\n');
      }
    });
  });
});
