/**
 * The engine settings forms (a node's retries and timeout, a flow's time limit and concurrency):
 * text drafts in, a document value or per-field errors out. The shared zod schemas decide what
 * is valid; this module only turns typed text into candidates and errors into words.
 */
import type { z } from 'zod';
import { FlowSettingsSchema, NodeSettingsSchema, type FlowSettings, type NodeSettings } from '../../shared/flow/schema';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_ALIASES: Record<string, keyof typeof UNIT_MS> = { ms: 'ms', s: 's', sec: 's', m: 'm', min: 'm', h: 'h', d: 'd' };
const DURATION_PART = /(\d+(?:\.\d+)?)\s*(ms|sec|min|s|m|h|d)\s*/gy;

export const DURATION_HELP = 'e.g. 30s, 5m, 1h30m, 500ms; a bare number is seconds';

export type DurationResult = { ok: true; ms: number | undefined } | { ok: false; error: string };

/** "90" (seconds), "1.5s", "500ms", "1h 30m", "2d"; "" means not set. */
export function parseDuration(text: string): DurationResult {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === '') return { ok: true, ms: undefined };
  if (/^\d+(\.\d+)?$/.test(trimmed)) return { ok: true, ms: Math.round(Number(trimmed) * 1000) };
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let consumed = 0;
  for (let m = DURATION_PART.exec(trimmed); m; m = DURATION_PART.exec(trimmed)) {
    const unit = UNIT_ALIASES[m[2] ?? ''];
    if (!unit) break;
    total += Number(m[1]) * UNIT_MS[unit];
    consumed = DURATION_PART.lastIndex;
  }
  if (consumed !== trimmed.length) return { ok: false, error: `not a duration (${DURATION_HELP})` };
  return { ok: true, ms: Math.round(total) };
}

/** The shortest text parseDuration reads back as the same value: 5000 → "5s", 5_400_000 → "1h30m". */
export function formatDurationText(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * UNIT_MS[unit];
  }
  if (rest > 0) out += `${Number((rest / 1000).toFixed(3))}s`;
  return out;
}

type Errors<F extends string> = Partial<Record<F, string>>;
export type FormResult<T, F extends string> = { ok: true; value: T | undefined } | { ok: false; errors: Errors<F> };

function wholeNumber(text: string): { ok: true; n: number | undefined } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, n: undefined };
  return /^\d+$/.test(trimmed) ? { ok: true, n: Number(trimmed) } : { ok: false };
}

/** Turns a schema issue into words, with limits of duration fields written as durations. */
function issueText(issue: z.core.$ZodIssue, isDuration: boolean): string {
  const show = (n: number | bigint) => (isDuration ? formatDurationText(Number(n)) : String(n));
  if (issue.code === 'too_big') return `must be at most ${show(issue.maximum)}`;
  if (issue.code === 'too_small') return `must be at least ${show(issue.minimum)}`;
  return issue.message;
}

function schemaErrors<F extends string>(
  issues: readonly z.core.$ZodIssue[],
  fieldOf: (path: string) => F | undefined,
  durations: ReadonlySet<F>,
): Errors<F> {
  const errors: Errors<F> = {};
  for (const issue of issues) {
    const field = fieldOf(issue.path.map(String).join('.'));
    if (field && errors[field] === undefined) errors[field] = issueText(issue, durations.has(field));
  }
  return errors;
}

// ---- a node's retries and timeout ----

export interface NodeSettingsDraft {
  maxAttempts: string;
  initialDelay: string;
  maxDelay: string;
  timeout: string;
}
export type NodeSettingsField = keyof NodeSettingsDraft;

/** What an empty field means, read from the schema's own defaults so the two cannot drift. */
export const RETRY_DEFAULTS = NodeSettingsSchema.parse({ retry: { maxAttempts: 1 } }).retry ?? { maxAttempts: 1, initialDelayMs: 1000, maxDelayMs: 60_000 };

export function nodeSettingsDraft(settings: NodeSettings | undefined): NodeSettingsDraft {
  return {
    maxAttempts: settings?.retry ? String(settings.retry.maxAttempts) : '',
    initialDelay: formatDurationText(settings?.retry?.initialDelayMs),
    maxDelay: formatDurationText(settings?.retry?.maxDelayMs),
    timeout: formatDurationText(settings?.timeoutMs),
  };
}

const NODE_PATHS: Record<string, NodeSettingsField> = {
  'retry.maxAttempts': 'maxAttempts',
  'retry.initialDelayMs': 'initialDelay',
  'retry.maxDelayMs': 'maxDelay',
  timeoutMs: 'timeout',
};
const NODE_DURATIONS = new Set<NodeSettingsField>(['initialDelay', 'maxDelay', 'timeout']);

/**
 * Empty everywhere = no settings (no retry, no timeout). Delays without a number of attempts are
 * refused rather than dropped. Every field is checked even when another one is malformed, so all
 * problems show at once.
 */
export function parseNodeSettingsDraft(draft: NodeSettingsDraft): FormResult<NodeSettings, NodeSettingsField> {
  const attempts = wholeNumber(draft.maxAttempts);
  const initial = parseDuration(draft.initialDelay);
  const max = parseDuration(draft.maxDelay);
  const timeout = parseDuration(draft.timeout);
  const typed: Errors<NodeSettingsField> = {};
  if (!attempts.ok) typed.maxAttempts = 'must be a whole number of attempts';
  if (!initial.ok) typed.initialDelay = initial.error;
  if (!max.ok) typed.maxDelay = max.error;
  if (!timeout.ok) typed.timeout = timeout.error;

  const maxAttempts = attempts.ok ? attempts.n : undefined;
  const initialDelayMs = initial.ok ? initial.ms : undefined;
  const maxDelayMs = max.ok ? max.ms : undefined;
  const hasDelays = initialDelayMs !== undefined || maxDelayMs !== undefined;
  if (attempts.ok && maxAttempts === undefined && hasDelays) typed.maxAttempts = 'set the number of attempts to turn retries on';
  const candidate = {
    ...(maxAttempts !== undefined || hasDelays
      ? {
          retry: {
            // Without a usable count, the delays are still checked against a stand-in.
            maxAttempts: maxAttempts ?? RETRY_DEFAULTS.maxAttempts,
            ...(initialDelayMs !== undefined ? { initialDelayMs } : {}),
            ...(maxDelayMs !== undefined ? { maxDelayMs } : {}),
          },
        }
      : {}),
    ...(timeout.ok && timeout.ms !== undefined ? { timeoutMs: timeout.ms } : {}),
  };
  const parsed = NodeSettingsSchema.safeParse(candidate);
  const errors = { ...(parsed.success ? {} : schemaErrors(parsed.error.issues, (p) => NODE_PATHS[p], NODE_DURATIONS)), ...typed };
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: Object.keys(parsed.data).length > 0 ? parsed.data : undefined };
}

/** The collapsed section's one-line summary: "3 attempts · timeout 30s", or "defaults". */
export function summariseNodeSettings(settings: NodeSettings | undefined): string {
  const parts: string[] = [];
  if (settings?.retry && settings.retry.maxAttempts > 1) parts.push(`${settings.retry.maxAttempts} attempts`);
  if (settings?.timeoutMs !== undefined) parts.push(`timeout ${formatDurationText(settings.timeoutMs)}`);
  return parts.length > 0 ? parts.join(' · ') : 'no retry, no timeout';
}

// ---- a flow's time limit and concurrency ----

export interface FlowSettingsDraft {
  runTimeout: string;
  concurrency: string;
}
export type FlowSettingsField = keyof FlowSettingsDraft;

export function flowSettingsDraft(settings: FlowSettings | undefined): FlowSettingsDraft {
  return { runTimeout: formatDurationText(settings?.runTimeoutMs), concurrency: settings?.concurrency !== undefined ? String(settings.concurrency) : '' };
}

const FLOW_PATHS: Record<string, FlowSettingsField> = { runTimeoutMs: 'runTimeout', concurrency: 'concurrency' };
const FLOW_DURATIONS = new Set<FlowSettingsField>(['runTimeout']);

export function parseFlowSettingsDraft(draft: FlowSettingsDraft): FormResult<FlowSettings, FlowSettingsField> {
  const timeout = parseDuration(draft.runTimeout);
  const concurrency = wholeNumber(draft.concurrency);
  const typed: Errors<FlowSettingsField> = {};
  if (!timeout.ok) typed.runTimeout = timeout.error;
  if (!concurrency.ok) typed.concurrency = 'must be a whole number of runs';
  const candidate = {
    ...(timeout.ok && timeout.ms !== undefined ? { runTimeoutMs: timeout.ms } : {}),
    ...(concurrency.ok && concurrency.n !== undefined ? { concurrency: concurrency.n } : {}),
  };
  const parsed = FlowSettingsSchema.safeParse(candidate);
  const errors = { ...(parsed.success ? {} : schemaErrors(parsed.error.issues, (p) => FLOW_PATHS[p], FLOW_DURATIONS)), ...typed };
  if (!parsed.success || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: Object.keys(parsed.data).length > 0 ? parsed.data : undefined };
}
