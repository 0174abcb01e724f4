import { describe, expect, it } from 'vitest';
import { postgresChangeConfig } from '../../../nodes/postgres-change.node.js';
import { describePgError, envSecretResolver, resolveConnection } from './connection';

describe('trigger connections and secrets', () => {
  it('resolves the password reference and redacts it from any message', async () => {
    const cfg = postgresChangeConfig.parse({ password: 'secret:PG_PW', tls: 'require' });
    const conn = await resolveConnection(cfg, async (ref) => (ref === 'secret:PG_PW' ? 's3cr3t-value' : ''));
    expect(conn.config).toMatchObject({ password: 's3cr3t-value', ssl: { rejectUnauthorized: false }, host: '127.0.0.1' });
    expect(conn.redact('auth failed for s3cr3t-value')).toBe('auth failed for [secret]');
    expect(describePgError(new Error('boom s3cr3t-value'), conn.redact)).toBe('boom [secret]');
  });

  it('redacts a connection string and the password inside it', async () => {
    const cfg = postgresChangeConfig.parse({ connectionString: 'secret:PG_URL', tls: 'verify-full' });
    const url = 'postgres://app:p%40ss@db.internal:5432/shop';
    const conn = await resolveConnection(cfg, async () => url);
    expect(conn.config).toMatchObject({ connectionString: url, ssl: { rejectUnauthorized: true } });
    expect(conn.redact(`cannot reach ${url}; password p@ss`)).toBe('cannot reach [secret]; password [secret]');
  });

  it('reads MILLRACE_SECRET_<NAME> by default and names what is missing', async () => {
    process.env['MILLRACE_SECRET_TEST_ONLY'] = 'from-env';
    await expect(envSecretResolver('secret:TEST_ONLY')).resolves.toBe('from-env');
    delete process.env['MILLRACE_SECRET_TEST_ONLY'];
    await expect(envSecretResolver('secret:TEST_ONLY')).rejects.toThrow(/MILLRACE_SECRET_TEST_ONLY/);
  });

  it('adds a hint for refused connections', () => {
    const e = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describePgError(e, (s) => s)).toMatch(/is Postgres running/);
  });
});
