import { describe, expect, it } from 'vitest';
import { NodeSettingsSchema } from '../../shared/flow/schema';
import {
  flowSettingsDraft,
  formatDurationText,
  nodeSettingsDraft,
  parseDuration,
  parseFlowSettingsDraft,
  parseNodeSettingsDraft,
  RETRY_DEFAULTS,
  summariseNodeSettings,
  type NodeSettingsDraft,
} from './settings-form';

const draft = (over: Partial<NodeSettingsDraft> = {}): NodeSettingsDraft => ({ maxAttempts: '', initialDelay: '', maxDelay: '', timeout: '', ...over });

describe('durations', () => {
  it('reads units, combinations and bare seconds', () => {
    expect(parseDuration('')).toEqual({ ok: true, ms: undefined });
    expect(parseDuration('  ')).toEqual({ ok: true, ms: undefined });
    expect(parseDuration('90')).toEqual({ ok: true, ms: 90_000 });
    expect(parseDuration('1.5s')).toEqual({ ok: true, ms: 1500 });
    expect(parseDuration('500ms')).toEqual({ ok: true, ms: 500 });
    expect(parseDuration('1h 30m')).toEqual({ ok: true, ms: 5_400_000 });
    expect(parseDuration('2 min')).toEqual({ ok: true, ms: 120_000 });
    expect(parseDuration('1D')).toEqual({ ok: true, ms: 86_400_000 });
  });

  it('refuses text that is not a duration, saying what is', () => {
    for (const bad of ['abc', '5 parsecs', '1h30', '-5s', '5s!']) {
      const result = parseDuration(bad);
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/e\.g\. 30s, 5m/);
    }
  });

  it('writes durations back in the shortest form that reads the same', () => {
    for (const ms of [0, 250, 1000, 1500, 5000, 60_000, 90_000, 5_400_000, 86_400_000, 90_061_500]) {
      const text = formatDurationText(ms);
      expect(parseDuration(text), text).toEqual({ ok: true, ms });
    }
    expect(formatDurationText(5_400_000)).toBe('1h30m');
    expect(formatDurationText(250)).toBe('250ms');
    expect(formatDurationText(undefined)).toBe('');
  });
});

describe('node settings form', () => {
  it('empty fields mean no settings at all', () => {
    expect(parseNodeSettingsDraft(draft())).toEqual({ ok: true, value: undefined });
  });

  it('builds a retry policy, filling the delays the user left empty with the schema defaults', () => {
    const result = parseNodeSettingsDraft(draft({ maxAttempts: '3', initialDelay: '5s' }));
    expect(result).toEqual({ ok: true, value: { retry: { maxAttempts: 3, initialDelayMs: 5000, maxDelayMs: RETRY_DEFAULTS.maxDelayMs } } });
    if (result.ok) expect(NodeSettingsSchema.safeParse(result.value).success).toBe(true);
    expect(parseNodeSettingsDraft(draft({ timeout: '30s' }))).toEqual({ ok: true, value: { timeoutMs: 30_000 } });
  });

  it('puts schema limits beside the field, in the units the user typed', () => {
    expect(parseNodeSettingsDraft(draft({ maxAttempts: '25' }))).toEqual({ ok: false, errors: { maxAttempts: 'must be at most 20' } });
    expect(parseNodeSettingsDraft(draft({ maxAttempts: '0' }))).toEqual({ ok: false, errors: { maxAttempts: 'must be at least 1' } });
    expect(parseNodeSettingsDraft(draft({ maxAttempts: '3', initialDelay: '2h' }))).toEqual({ ok: false, errors: { initialDelay: 'must be at most 1h' } });
    expect(parseNodeSettingsDraft(draft({ timeout: '0s' }))).toEqual({ ok: false, errors: { timeout: 'must be at least 1ms' } });
    expect(parseNodeSettingsDraft(draft({ maxAttempts: '2.5', timeout: 'soon' }))).toEqual({
      ok: false,
      errors: { maxAttempts: 'must be a whole number of attempts', timeout: expect.stringMatching(/^not a duration/) },
    });
  });

  it('checks every field even when another one is malformed', () => {
    expect(parseNodeSettingsDraft(draft({ maxAttempts: '50', initialDelay: '3h', timeout: 'soon' }))).toEqual({
      ok: false,
      errors: { maxAttempts: 'must be at most 20', initialDelay: 'must be at most 1h', timeout: expect.stringMatching(/^not a duration/) },
    });
    expect(parseNodeSettingsDraft(draft({ maxAttempts: 'x', maxDelay: '2d' }))).toEqual({
      ok: false,
      errors: { maxAttempts: 'must be a whole number of attempts', maxDelay: 'must be at most 1d' },
    });
  });

  it('refuses delays without a number of attempts instead of silently dropping them', () => {
    expect(parseNodeSettingsDraft(draft({ initialDelay: '5s' }))).toEqual({ ok: false, errors: { maxAttempts: 'set the number of attempts to turn retries on' } });
  });

  it('round-trips stored settings through the draft', () => {
    const settings = { retry: { maxAttempts: 4, initialDelayMs: 1500, maxDelayMs: 120_000 }, timeoutMs: 45_000 };
    expect(nodeSettingsDraft(settings)).toEqual({ maxAttempts: '4', initialDelay: '1.5s', maxDelay: '2m', timeout: '45s' });
    expect(parseNodeSettingsDraft(nodeSettingsDraft(settings))).toEqual({ ok: true, value: settings });
    expect(nodeSettingsDraft(undefined)).toEqual(draft());
  });

  it('summarises what is set', () => {
    expect(summariseNodeSettings(undefined)).toBe('no retry, no timeout');
    expect(summariseNodeSettings({ retry: { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 60_000 }, timeoutMs: 30_000 })).toBe('3 attempts · timeout 30s');
  });
});

describe('flow settings form', () => {
  it('parses a time limit and a concurrency, or nothing', () => {
    expect(parseFlowSettingsDraft({ runTimeout: '', concurrency: '' })).toEqual({ ok: true, value: undefined });
    expect(parseFlowSettingsDraft({ runTimeout: '2h', concurrency: '4' })).toEqual({ ok: true, value: { runTimeoutMs: 7_200_000, concurrency: 4 } });
    expect(flowSettingsDraft({ runTimeoutMs: 7_200_000, concurrency: 4 })).toEqual({ runTimeout: '2h', concurrency: '4' });
  });

  it('explains what is wrong per field', () => {
    expect(parseFlowSettingsDraft({ runTimeout: '400d', concurrency: '0' })).toEqual({
      ok: false,
      errors: { runTimeout: 'must be at most 365d', concurrency: 'must be at least 1' },
    });
    expect(parseFlowSettingsDraft({ runTimeout: 'x', concurrency: 'many' })).toEqual({
      ok: false,
      errors: { runTimeout: expect.stringMatching(/^not a duration/), concurrency: 'must be a whole number of runs' },
    });
  });
});
