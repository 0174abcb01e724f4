/**
 * The Connections page (top bar, database icon): every named Postgres connection with where it
 * points and which flow › node picks it; add, edit, Test, delete (refused while in use, with the
 * engine's message naming the nodes). Opened from the inspector's picker too ("New connection…",
 * "Edit"), then the saved connection is picked in that node.
 */
import { useEffect, useState } from 'react';
import type { ConnectionTestResult, PgConnectionInfo } from '../../shared/connections';
import { editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { deleteConnection, describeTarget, refreshConnections, testConnection, useConnections } from './connection-actions';
import { ConnectionForm } from './ConnectionForm';
import { ConnectionTestResultView } from './ConnectionTestResultView';
import './connections.css';

export function ConnectionsPage({ edit, assignTo }: { edit?: string; assignTo?: string }) {
  const list = useConnections((s) => s.list);
  const loadError = useConnections((s) => s.error);
  const [editing, setEditing] = useState<string | null>(edit ?? null);
  const [tests, setTests] = useState<Record<string, ConnectionTestResult | 'busy'>>({});
  const [error, setError] = useState<string | null>(null);
  useEffect(() => void refreshConnections(), []);
  const current = editing && editing !== 'new' ? (list?.find((c) => c.id === editing) ?? null) : null;
  const closeForm = () => (edit ? useSession.getState().closeDialog() : setEditing(null));

  const onSaved = (saved: PgConnectionInfo) => {
    if (assignTo) {
      editorStore.getState().setConfigField(assignTo, 'connection', saved.id);
      useSession.getState().closeDialog();
      useSession.getState().toast('success', `“${saved.name}” saved and picked`);
      return;
    }
    setEditing(null);
    if (edit) useSession.getState().closeDialog();
  };

  return (
    <div className="connections" data-testid="connections-page">
      {editing === null ? (
        <>
          <p className="dialog__intro">
            A connection is defined once and picked by Postgres change triggers and Postgres sinks. It holds secret references (secret:NAME), never a password.
          </p>
          {loadError ? <div className="field__error">{loadError}</div> : null}
          <table className="secrets__table connections__table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Points at</th>
                <th>Used by</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {list === null ? (
                <tr>
                  <td colSpan={4} className="muted">
                    Loading…
                  </td>
                </tr>
              ) : null}
              {list?.length === 0 ? (
                <tr>
                  <td colSpan={4} className="muted">
                    No connections yet.
                  </td>
                </tr>
              ) : null}
              {list?.map((c) => {
                const t = tests[c.id];
                return [
                  <tr key={c.id} data-testid={`connection-row-${c.name}`}>
                    <td>{c.name}</td>
                    <td className="mono connections__target">{describeTarget(c)}</td>
                    <td>
                      {c.usedBy.map((u) => (
                        <div key={`${u.flowId}/${u.nodeId}`}>
                          {u.flowName} › {u.nodeName}
                        </div>
                      ))}
                      {c.usedBy.length === 0 ? <span className="muted">not used</span> : null}
                    </td>
                    <td className="secrets__actions">
                      <button
                        type="button"
                        className="button button--small"
                        disabled={t === 'busy'}
                        data-testid={`connection-test-${c.name}`}
                        onClick={() => {
                          setTests((x) => ({ ...x, [c.id]: 'busy' }));
                          void testConnection({ id: c.id }).then((r) => setTests((x) => ({ ...x, [c.id]: r })));
                        }}
                      >
                        {t === 'busy' ? 'Testing…' : 'Test'}
                      </button>
                      <button type="button" className="button button--small" onClick={() => setEditing(c.id)} data-testid={`connection-edit-${c.name}`}>
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button button--small button--danger"
                        data-testid={`connection-delete-${c.name}`}
                        onClick={() =>
                          void deleteConnection(c.id).then((r) => {
                            setError(r.ok ? null : r.error);
                          })
                        }
                      >
                        Delete
                      </button>
                    </td>
                  </tr>,
                  t && t !== 'busy' ? (
                    <tr key={`${c.id}-test`} className="connections__test-row" data-testid={`connection-test-row-${c.name}`}>
                      <td colSpan={4}>
                        <ConnectionTestResultView result={t} />
                      </td>
                    </tr>
                  ) : null,
                ];
              })}
            </tbody>
          </table>
          {error ? (
            <div className="field__error" data-testid="connections-error">
              {error}
            </div>
          ) : null}
          <button type="button" className="button button--primary" onClick={() => setEditing('new')} data-testid="connection-add">
            Add a connection
          </button>
        </>
      ) : editing !== 'new' && current === null ? (
        <div className="muted">{list === null ? 'Loading…' : 'This connection no longer exists.'}</div>
      ) : (
        <ConnectionForm key={editing} editing={current} onSaved={onSaved} onCancel={closeForm} />
      )}
    </div>
  );
}
