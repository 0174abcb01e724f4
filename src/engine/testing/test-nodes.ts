/**
 * Node types used only by engine tests and the crash harness: each does one thing the durable
 * engine must handle (effects, sleeps, signals, flaky failures, hangs) and records what happened.
 */
import { z } from 'zod';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { NodeError } from '../../shared/services';
import { allNodeDefinitions } from '../../nodes';

/** What test nodes observed in this process. Reset between tests. */
export const observed = {
  effects: new Map<string, number>(),
  log: [] as string[],
  active: 0,
  peakActive: 0,
  reset() {
    this.effects.clear();
    this.log = [];
    this.active = 0;
    this.peakActive = 0;
  },
};

const any = { in: { type: 'any' as const } };
const out = { out: { type: 'any' as const } };

/** One memoised effect per run: counts how often the effect really ran. */
export const effectNode = defineNode({
  type: 'test.effect', version: 1, title: 'Effect', description: 'counts effects', category: 'action',
  config: z.object({ holdMs: z.number().default(0) }), inputs: any, outputs: out, ui: {},
  async execute(ctx, { in: input }, cfg) {
    const n = await ctx.step.run('effect', () => {
      const key = ctx.step.idempotencyKey('effect');
      const c = (observed.effects.get(key) ?? 0) + 1;
      observed.effects.set(key, c);
      return c;
    });
    if (cfg.holdMs > 0) await new Promise((r) => setTimeout(r, cfg.holdMs));
    return { out: { input, effectCount: n } };
  },
  exportCode: () => '',
});

export const sleepNode = defineNode({
  type: 'test.sleep', version: 1, title: 'Sleep', description: '', category: 'logic',
  config: z.object({ ms: z.number().default(50) }), inputs: any, outputs: out, ui: {},
  async execute(ctx, { in: input }, cfg) {
    await ctx.step.sleep('nap', cfg.ms);
    return { out: input };
  },
  exportCode: () => '',
});

export const waitNode = defineNode({
  type: 'test.wait', version: 1, title: 'Wait for signal', description: '', category: 'logic',
  config: z.object({ signal: z.string().default('go'), timeoutMs: z.number().optional() }), inputs: any, outputs: out, ui: {},
  async execute(ctx, { in: input }, cfg) {
    const r = await ctx.step.waitForSignal(cfg.signal, cfg.timeoutMs === undefined ? {} : { timeoutMs: cfg.timeoutMs });
    observed.log.push(`${ctx.runId}:resumed:${r.kind}`);
    return { out: { input, wait: r } };
  },
  exportCode: () => '',
});

export const flakyNode = defineNode({
  type: 'test.flaky', version: 1, title: 'Flaky', description: '', category: 'action',
  config: z.object({ failTimes: z.number().default(2), permanent: z.boolean().default(false) }), inputs: any, outputs: out, ui: {},
  async execute(ctx, { in: input }, cfg) {
    observed.log.push(`${ctx.runId}:attempt:${ctx.attempt}`);
    if (ctx.attempt <= cfg.failTimes) throw new NodeError(`flaky failure ${ctx.attempt}`, { permanent: cfg.permanent });
    return { out: { input, attempt: ctx.attempt } };
  },
  exportCode: () => '',
});

export const hangNode = defineNode({
  type: 'test.hang', version: 1, title: 'Hang', description: 'never finishes, ignores abort', category: 'action',
  config: z.object({}), inputs: any, outputs: out, ui: {},
  execute: () => new Promise(() => {}),
  exportCode: () => '',
});

/** Records start/end order and concurrency, holding for `ms`. */
export const recordNode = defineNode({
  type: 'test.record', version: 1, title: 'Record', description: '', category: 'action',
  config: z.object({ ms: z.number().default(20), label: z.string().default('{{ label }}') }), inputs: any, outputs: out, ui: {},
  async execute(_ctx, { in: input }, cfg) {
    const label = String((input as Record<string, unknown> | null)?.['label'] ?? cfg.label);
    observed.active++;
    observed.peakActive = Math.max(observed.peakActive, observed.active);
    observed.log.push(`start:${label}`);
    await new Promise((r) => setTimeout(r, cfg.ms));
    observed.log.push(`end:${label}`);
    observed.active--;
    return { out: input };
  },
  exportCode: () => '',
});

export const testRegistry = new NodeRegistry([
  ...allNodeDefinitions,
  effectNode, sleepNode, waitNode, flakyNode, hangNode, recordNode,
] as AnyNodeDefinition[]);
