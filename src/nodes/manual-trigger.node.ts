import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { jsonText } from '../shared/config-fields';

/** Starts a run by hand (Run button, CLI `--input`), with a JSON payload as the run's input. */
export const manualTrigger = defineNode({
  type: 'manual-trigger',
  version: 1,
  title: 'Manual trigger',
  description: 'Start the flow by hand with a JSON payload.',
  category: 'trigger',
  trigger: true,
  config: z.object({
    payload: jsonText().default('{\n  "customer": "Ada",\n  "amount": 42\n}'),
  }),
  inputs: {},
  outputs: { out: { type: 'any', label: 'payload' } },
  ui: { payload: { widget: 'json', label: 'Test payload', rows: 8, help: 'Used when the run is started without an input.' } },
  summary: () => 'Run by hand',
  // A run started with an input uses it; without one, the configured test payload is used.
  async execute(ctx, _inputs, cfg) {
    if (ctx.runInput !== undefined) return { out: ctx.runInput };
    return { out: cfg.payload.trim() === '' ? {} : (JSON.parse(cfg.payload) as unknown) };
  },
});
