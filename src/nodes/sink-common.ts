/**
 * What every sink node shares: the idempotency key (run + node by default, or a key the user maps
 * from the data, e.g. `{{ $trigger.new.id }}`) and the record of what was sent and what came back.
 * Pure: no Node imports.
 */
import { z } from 'zod';
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

/**
 * "On test runs": what a sink does in a test run (the Run dialog of a change-trigger flow, with a
 * sample or a recent row). Default `skip`: a test run's input is a sample or an old row, so writing
 * it lands test data in a real table, channel or endpoint. n8n runs every node on a manual
 * execution (the surprise issue 13 reports); Inngest keeps test events apart from production by
 * environment. Millrace has one environment, so the sink itself holds back unless told to write.
 */
export const onTestRunField = () => z.enum(['skip', 'write']).default('skip');

export const onTestRunHint = {
  widget: 'select' as const,
  label: 'On test runs',
  help: 'skip: a test run (Run with a sample or a recent row) shows what would be written and writes nothing. write: test runs write too.',
};

/** What a skipped sink outputs: what it would have written, marked, so the trace shows it. */
export interface SkippedWrite {
  skipped: 'test run';
  target: string;
  wouldWrite: unknown;
}

/** True when this run is a test run and the sink is set to skip: the caller returns `skippedWrite(...)` instead of its effect. */
export function skipsTestRun(ctx: NodeContext, cfg: { onTestRun: 'skip' | 'write' }): boolean {
  return ctx.isTestRun === true && cfg.onTestRun === 'skip';
}

export function skippedWrite(ctx: NodeContext, target: string, wouldWrite: unknown): { out: SkippedWrite } {
  ctx.log(`test run: nothing written to ${target} (On test runs: skip)`);
  return { out: { skipped: 'test run', target, wouldWrite } };
}
