/**
 * The Secrets page (top bar, key icon): every stored secret by name and source, where each is
 * used (flow, node, field), add, replace and delete. Values go straight to the engine and are never
 * shown again; environment secrets (MILLRACE_SECRET_*) are listed read-only.
 */
import { useCallback, useEffect, useState } from 'react';
import type { SecretInfo } from '../../shared/api';
import { SECRET_NAME, secretRefName } from '../../shared/llm';
import { engine } from '../engine-client';
import { useSession } from '../stores/session-store';
import { listSecrets, removeSecret, saveSecret } from '../llm/llm-actions';
import { findSecretUses, type SecretUse } from './secret-usage';
import '../llm/llm.css';

async function loadUses(): Promise<Map<string, SecretUse[]>> {
  const flows = useSession.getState().flows;
  const loaded = await Promise.all(flows.map((f) => engine().getFlow({ id: f.id }).then((s) => s.flow).catch(() => null)));
  const uses = findSecretUses(loaded.flatMap((f) => (f ? [f] : [])));
  // Named Postgres connections hold references too: shown as "Connection › <name> › field".
  const connections = await engine().listConnections().catch(() => []);
  for (const c of connections) {
    for (const field of ['password', 'connectionString'] as const) {
      const name = secretRefName(c[field]);
      if (!name) continue;
      uses.set(name, [...(uses.get(name) ?? []), { flowId: '', flowName: 'Connection', nodeId: c.id, nodeName: c.name, field }]);
    }
  }
  return uses;
}

function ValueForm({ name, onSaved, submitLabel }: { name: string | null; onSaved(): void; submitLabel: string }) {
  const [newName, setNewName] = useState('');
  const [value, setValue] = useState('');
  const finalName = name ?? newName.trim();
  return (
    <form
      className="secrets__form"
      onSubmit={(e) => {
        e.preventDefault();
        void saveSecret(finalName, value).then((ok) => {
          if (!ok) return;
          setValue('');
          setNewName('');
          onSaved();
        });
      }}
    >
      {name === null ? (
        <input className="input input--mono" placeholder="NAME, e.g. PG_PASSWORD" aria-label="Secret name" value={newName} onChange={(e) => setNewName(e.target.value)} data-testid="secrets-new-name" />
      ) : null}
      <input
        className="input"
        type="password"
        autoComplete="off"
        aria-label={name ? `New value for ${name}` : 'Secret value'}
        placeholder={name ? 'new value' : 'value (never shown again)'}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        data-testid={name ? `secrets-replace-value-${name}` : 'secrets-new-value'}
      />
      <button type="submit" className="button button--primary button--small" disabled={!SECRET_NAME.test(finalName) || value === ''} data-testid={name ? `secrets-replace-save-${name}` : 'secrets-add'}>
        {submitLabel}
      </button>
    </form>
  );
}

export function SecretsPage() {
  const [secrets, setSecrets] = useState<SecretInfo[] | null>(null);
  const [uses, setUses] = useState<Map<string, SecretUse[]>>(new Map());
  const [replacing, setReplacing] = useState<string | null>(null);
  const refresh = useCallback(() => {
    void listSecrets().then(setSecrets);
    void loadUses().then(setUses);
  }, []);
  useEffect(refresh, [refresh]);
  // Referenced but not stored: runs would fail; show them too, so they can be added here.
  const missing = [...uses.keys()].filter((n) => secrets && !secrets.some((s) => s.name === n)).sort();
  return (
    <div className="secrets" data-testid="secrets-page">
      <p className="dialog__intro">Flows refer to secrets as secret:NAME and never hold their values. Values are stored by the engine (desktop: the OS keychain; web mode: a 0600 file in the data folder).</p>
      <table className="secrets__table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Stored in</th>
            <th>Used by</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {secrets === null ? (
            <tr>
              <td colSpan={4} className="muted">
                Loading…
              </td>
            </tr>
          ) : null}
          {[...(secrets ?? []).map((s) => ({ name: s.name, info: s as SecretInfo | null })), ...missing.map((name) => ({ name, info: null }))].map(({ name, info }) => (
            <tr key={name} data-testid={`secret-row-${name}`}>
              <td className="mono">{name}</td>
              <td>{info ? (info.source === 'env' ? 'environment (read-only)' : info.source) : <span className="llm-warn">not stored — runs will fail</span>}</td>
              <td data-testid={`secret-uses-${name}`}>
                {(uses.get(name) ?? []).map((u) => (
                  <div key={`${u.flowId}/${u.nodeId}/${u.field}`}>
                    {u.flowName} › {u.nodeName} › {u.field}
                  </div>
                ))}
                {(uses.get(name) ?? []).length === 0 ? <span className="muted">not used</span> : null}
              </td>
              <td className="secrets__actions">
                {!info || info.writable ? (
                  <button type="button" className="button button--small" onClick={() => setReplacing(replacing === name ? null : name)} data-testid={`secret-replace-${name}`}>
                    {info ? 'Replace' : 'Add'}
                  </button>
                ) : null}
                {info?.writable ? (
                  <button type="button" className="button button--small button--danger" onClick={() => void removeSecret(name).then(refresh)} data-testid={`secret-delete-${name}`}>
                    Delete
                  </button>
                ) : null}
                {replacing === name ? (
                  <ValueForm
                    name={name}
                    submitLabel="Save"
                    onSaved={() => {
                      setReplacing(null);
                      refresh();
                    }}
                  />
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="section-title">Add a secret</div>
      <ValueForm name={null} submitLabel="Add secret" onSaved={refresh} />
    </div>
  );
}
