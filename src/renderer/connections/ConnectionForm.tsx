/**
 * Add or edit one named connection: name, host, port, database, user, password and connection
 * string (secret references only, through the shared secret picker), TLS; Test tries the settings
 * as typed, before saving.
 */
import { useState } from 'react';
import type { ConnectionTestResult, PgConnectionFields, PgConnectionInfo } from '../../shared/connections';
import { SecretPicker } from '../llm/SecretPicker';
import { saveConnection, testConnection } from './connection-actions';
import { ConnectionTestResultView } from './ConnectionTestResultView';

const DEFAULTS: PgConnectionFields = { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', password: '', connectionString: '', tls: 'disable' };

export function ConnectionForm({ editing, onSaved, onCancel }: { editing: PgConnectionInfo | null; onSaved(saved: PgConnectionInfo): void; onCancel(): void }) {
  const [name, setName] = useState(editing?.name ?? '');
  const [s, setS] = useState<PgConnectionFields>(editing ? { host: editing.host, port: editing.port, database: editing.database, user: editing.user, password: editing.password, connectionString: editing.connectionString, tls: editing.tls } : DEFAULTS);
  const [port, setPort] = useState(String(s.port));
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<ConnectionTestResult | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof PgConnectionFields>(k: K, v: PgConnectionFields[K]) => {
    setS((prev) => ({ ...prev, [k]: v }));
    setTest(null);
  };
  const portNumber = Number(port);
  const settings: PgConnectionFields = { ...s, port: Number.isInteger(portNumber) ? portNumber : 0 };
  const usedBy = editing?.usedBy ?? [];

  const text = (k: 'host' | 'database' | 'user', label: string) => (
    <label className="field">
      <span className="field__label">{label}</span>
      <input className="input" value={s[k]} onChange={(e) => set(k, e.target.value)} data-testid={`connection-${k}`} disabled={s.connectionString !== ''} />
    </label>
  );

  return (
    <form
      className="conn-form"
      data-testid="connection-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        void saveConnection({ ...(editing ? { id: editing.id } : {}), name, settings }).then((r) => {
          setBusy(false);
          if (r.ok) onSaved(r.value);
          else setError(r.error);
        });
      }}
    >
      <div className="section-title">{editing ? `Edit “${editing.name}”` : 'New connection'}</div>
      <label className="field">
        <span className="field__label">Name</span>
        <input className="input" value={name} maxLength={100} placeholder="e.g. Orders database" onChange={(e) => setName(e.target.value)} data-testid="connection-name" autoFocus />
      </label>
      <div className="conn-form__grid">
        {text('host', 'Host')}
        <label className="field">
          <span className="field__label">Port</span>
          <input className="input" inputMode="numeric" value={port} onChange={(e) => { setPort(e.target.value); setTest(null); }} data-testid="connection-port" disabled={s.connectionString !== ''} />
        </label>
        {text('database', 'Database')}
        {text('user', 'User')}
      </div>
      <SecretPicker field="connection-password" label="Password" emptyLabel="None" value={s.password} errors={[]} onChange={(v) => set('password', v)} help="A secret reference; the value stays in the secrets store." />
      <SecretPicker field="connection-url" label="Connection string" emptyLabel="None (use the fields above)" value={s.connectionString} errors={[]} onChange={(v) => set('connectionString', v)} help="Optional: a secret holding a postgres:// URL; replaces the fields above." />
      <label className="field">
        <span className="field__label">TLS</span>
        <select className="input" value={s.tls} onChange={(e) => set('tls', e.target.value as PgConnectionFields['tls'])} data-testid="connection-tls">
          <option value="disable">disable</option>
          <option value="require">require</option>
          <option value="verify-full">verify-full</option>
        </select>
      </label>
      {editing && usedBy.length > 0 ? (
        <div className="field__help" data-testid="connection-edit-note">
          Used by {usedBy.length} node{usedBy.length === 1 ? '' : 's'}. Sinks use a change at their next write; running change triggers reconnect with the new settings when you save.
        </div>
      ) : null}
      {error ? (
        <div className="field__error" data-testid="connection-error">
          {error}
        </div>
      ) : null}
      {test ? <ConnectionTestResultView result={test} /> : null}
      <div className="conn-form__actions">
        <button
          type="button"
          className="button"
          disabled={busy}
          data-testid="connection-test"
          onClick={() => {
            setBusy(true);
            void testConnection({ settings }).then((r) => {
              setBusy(false);
              setTest(r);
            });
          }}
        >
          {busy ? 'Working…' : 'Test'}
        </button>
        <span className="conn-form__spacer" />
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button--primary" disabled={busy || name.trim() === ''} data-testid="connection-save">
          Save connection
        </button>
      </div>
    </form>
  );
}
