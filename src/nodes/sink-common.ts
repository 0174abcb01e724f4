/**
 * What every sink node shares: the idempotency key (run + node by default, or a key the user maps
 * from the data, e.g. `{{ $trigger.new.id }}`) and the record of what was sent and what came back.
 * Pure: no Node imports.
 */
import type { EffectInfo, NodeContext } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';

/** Config field: the user's key template ('' = one effect per run and node). */
export const keyField = () => templateString({ max: 2000 }).default('');

export const keyHint = {
  widget: 'template' as const,
  label: 'Idempotency key',
  placeholder: 'empty = run + node (one effect per run)',
  help: 'Two runs with the same key land one effect, e.g. {{ $trigger.new.id }} for one row per source row.',
};

/**
 * The key the target dedupes on. A mapped key is scoped to the flow and node (two sinks mapping
 * the same id stay apart); the default is the engine's stable run + node + step key.
 */
export function sinkKey(ctx: NodeContext, input: unknown, template: string, info: EffectInfo): string {
  if (template.trim() === '') return info.idempotencyKey;
  const rendered = renderTemplateText(template, nodeScope(ctx, input)).trim();
  if (rendered === '') throw new NodeError('the idempotency key rendered empty; map it to a field every record has', { field: 'key', permanent: true });
  if (rendered.length > 1000) throw new NodeError('the idempotency key is longer than 1,000 characters', { field: 'key', permanent: true });
  return `${ctx.flowId}:${ctx.nodeId}:${rendered}`;
}

/** Checks a mapped key template renders before the effect starts (a bad key fails before anything is sent). */
export function precheckKey(ctx: NodeContext, input: unknown, template: string): void {
  sinkKey(ctx, input, template, { idempotencyKey: 'x', mayHaveRunBefore: false });
}

/** The ledger fields every sink puts into its effect result (read back by the effect ledger). */
export interface SinkRecord {
  idempotencyKey: string;
  target: string;
  /** What the target answered, short. */
  answer: string;
  /** False when the target already had this key (nothing new was written). */
  applied: boolean;
  mayHaveRunBefore: boolean;
}
