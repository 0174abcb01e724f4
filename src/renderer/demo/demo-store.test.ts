import { describe, expect, it } from 'vitest';
import { clampRate, describeDatabase, parseRate } from './demo-store';
import { FakeDemoApi, NO_POSTGRES } from './testing/fake-demo-api';

describe('rate field', () => {
  it('accepts 1–50 and says what is wrong otherwise', () => {
    expect(parseRate(' 12 ')).toEqual({ ok: true, rate: 12 });
    expect(parseRate('1')).toEqual({ ok: true, rate: 1 });
    expect(parseRate('50')).toEqual({ ok: true, rate: 50 });
    expect(parseRate('0.5')).toEqual({ ok: false, error: 'At least 1 per second' });
    expect(parseRate('51')).toEqual({ ok: false, error: 'At most 50 per second' });
    expect(parseRate('')).toEqual({ ok: false, error: 'Enter a rate' });
    expect(parseRate('ten')).toEqual({ ok: false, error: 'Not a number' });
  });

  it('the slider stays on whole rates inside the range', () => {
    expect(clampRate(0)).toBe(1);
    expect(clampRate(99)).toBe(50);
    expect(clampRate(7.6)).toBe(8);
    expect(clampRate(Number.NaN)).toBe(5);
  });
});

describe('database line', () => {
  it('running names port, source and version', () => {
    expect(describeDatabase(new FakeDemoApi().status())).toEqual({ tone: 'ok', text: 'Postgres running on port 54873 · system' });
  });

  it('failed carries the problem and its fix', () => {
    expect(describeDatabase(new FakeDemoApi({ state: 'failed' }).status())).toEqual({ tone: 'failed', text: NO_POSTGRES.message, fix: NO_POSTGRES.fix, code: 'no-postgres' });
  });

  it('failed without a problem still tells the user what to do', () => {
    const status = new FakeDemoApi().status();
    const line = describeDatabase({ ...status, database: { state: 'failed' } });
    expect(line).toMatchObject({ tone: 'failed', fix: 'Retry, or restart Millrace.' });
  });

  it('starting and off', () => {
    const status = new FakeDemoApi().status();
    expect(describeDatabase({ ...status, database: { state: 'starting' } }).tone).toBe('busy');
    expect(describeDatabase({ ...status, database: { state: 'off' } }).tone).toBe('off');
  });
});
