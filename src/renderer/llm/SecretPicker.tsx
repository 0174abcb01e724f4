/**
 * The API key field: pick a stored secret by name, or store a new one. The flow keeps only
 * `secret:NAME`; the value goes straight to the engine's secrets store and is never shown again.
 */
import { useEffect, useState } from 'react';
import type { SecretInfo } from '../../shared/api';
import { secretRefName } from '../../shared/llm';
import { listSecrets, removeSecret, saveSecret } from './llm-actions';

export interface SecretPickerProps {
  value: string;
  onChange(value: string): void;
  errors: string[];
  /** The config field (test ids, label target); the LLM node's API key by default. */
  field?: string;
  label?: string;
  /** What an empty value means for this field. */
  emptyLabel?: string;
  help?: string;
}

/** The one secret field of the app: every `secret:NAME` setting (API keys, the Postgres password) uses it. */
export function SecretPicker({ value, onChange, errors, field = 'apiKey', label = 'API key', emptyLabel = 'No key (local server)', help }: SecretPickerProps) {
  const [secrets, setSecrets] = useState<SecretInfo[] | null>(null);
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState('');
  const refresh = () => void listSecrets().then(setSecrets);
  useEffect(refresh, []);

  const current = secretRefName(value);
  const known = secrets?.find((s) => s.name === current);
  return (
    <div className="field" data-field={field}>
      <label className="field__label" htmlFor={`field-${field}`}>
        {label}
      </label>
      <div className="llm-secret">
        <select
          id={`field-${field}`}
          data-testid={`field-${field}`}
          className={`input select${errors.length ? ' is-invalid' : ''}`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{emptyLabel}</option>
          {current && !known ? <option value={value}>{current} — not stored yet</option> : null}
          {value && !current ? <option value={value}>{value.slice(0, 4)}… (not a reference)</option> : null}
          {(secrets ?? []).map((s) => (
            <option key={s.name} value={`secret:${s.name}`}>
              {s.name} ({s.source})
            </option>
          ))}
        </select>
        <button type="button" className="button button--small" data-testid="secret-new" onClick={() => setAdding((a) => !a)}>
          New secret…
        </button>
      </div>
      {errors.map((m) => (
        <div className="field__error" key={m}>
          {m}
        </div>
      ))}
      {current && secrets && !known ? <div className="field__help llm-warn">No secret named {current} is stored: runs will fail until you add it.</div> : null}
      {known?.writable ? (
        <button type="button" className="link llm-secret__remove" onClick={() => void removeSecret(known.name).then(refresh)}>
          Delete secret {known.name}
        </button>
      ) : null}
      {adding ? (
        <form
          className="llm-secret__form"
          onSubmit={(e) => {
            e.preventDefault();
            void saveSecret(name.trim(), secret).then((ok) => {
              if (!ok) return;
              onChange(`secret:${name.trim()}`);
              setSecret('');
              setName('');
              setAdding(false);
              refresh();
            });
          }}
        >
          <input className="input input--mono" placeholder="NAME, e.g. OPENAI_API_KEY" value={name} onChange={(e) => setName(e.target.value)} data-testid="secret-name" />
          <input
            className="input"
            type="password"
            autoComplete="off"
            placeholder="value (stored by the engine, never shown again)"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            data-testid="secret-value"
          />
          <button type="submit" className="button button--primary button--small" disabled={!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name.trim()) || secret === ''}>
            Save secret
          </button>
        </form>
      ) : null}
      <div className="field__help">{help ?? 'Flows store only secret:NAME. Headless: MILLRACE_SECRET_NAME also works.'} Manage all secrets on the Secrets page (key icon).</div>
    </div>
  );
}
