import { z } from 'zod';
import { defineNode } from '../shared/node-kit';

const PORTS = ['a', 'b', 'c'] as const;

/**
 * Rejoins branches. The runner starts a node only once every upstream node has settled, so a Merge
 * waits for all its inputs; a branch that was skipped (the If side not taken) simply brings no value.
 */
export const merge = defineNode({
  type: 'merge',
  version: 1,
  title: 'Merge',
  description: 'Wait for every connected input and combine them: an object keyed by input (a, b, c), a list, or the first input that has data (to rejoin If branches).',
  category: 'logic',
  config: z.object({
    mode: z.enum(['object', 'list', 'first']).default('object'),
    /** `all`: pass nothing on (the branch after the Merge is skipped) unless every connected input brought data. */
    require: z.enum(['any', 'all']).default('any'),
  }),
  inputs: { a: { type: 'any', label: 'a' }, b: { type: 'any', label: 'b' }, c: { type: 'any', label: 'c' } },
  outputs: { out: { type: 'any', label: 'merged' } },
  ui: {
    mode: {
      widget: 'select',
      label: 'Combine as',
      help: 'object: { a, b, c } with the inputs that brought data; list: their values in order a, b, c; first: the first value that arrived on a, b or c (rejoining If branches).',
    },
    require: { widget: 'select', label: 'Continue when', help: 'any: at least one input brought data; all: every connected input did (otherwise what follows is skipped).' },
  },
  summary: (cfg) => `${cfg.mode}${cfg.require === 'all' ? ' · needs all' : ''}`,
  async execute(ctx, inputs, cfg) {
    const connected = PORTS.filter((p) => (ctx.connectedInputs ? ctx.connectedInputs.includes(p) : inputs[p] !== undefined));
    const present = connected.filter((p) => inputs[p] !== undefined);
    if (cfg.require === 'all' && present.length < connected.length) {
      const missing = connected.filter((p) => inputs[p] === undefined);
      ctx.log(`input ${missing.join(', ')} brought no data (its branch was skipped): passing nothing on`);
      return {};
    }
    if (cfg.mode === 'list') return { out: present.map((p) => inputs[p]) };
    if (cfg.mode === 'first') return { out: inputs[present[0]!] };
    return { out: Object.fromEntries(present.map((p) => [p, inputs[p]])) };
  },
  exportCode: (cfg, { varName, inputs }) => {
    const present = PORTS.filter((p) => inputs[p] !== undefined).map((p) => `[${JSON.stringify(p)}, ${inputs[p]}]`);
    // An input whose branch was skipped holds no value: leave it out, as the engine does.
    const pairs = `([${present.join(', ')}] as [string, unknown][]).filter((pair) => pair[1] !== void 0)`;
    if (cfg.mode === 'list') return `const ${varName} = ${pairs}.map(([, v]) => v);`;
    if (cfg.mode === 'first') return `const ${varName} = ${pairs}[0]?.[1];`;
    return `const ${varName} = Object.fromEntries(${pairs});`;
  },
});
