/**
 * The inspector field of both Postgres nodes: "Connection: [named connections | Custom (fields
 * below)]" with New connection… / Edit shortcuts. A named one supplies every setting; the inline
 * fields are then hidden (ConfigForm) and summarised here.
 */
import { useEffect } from 'react';
import type { FlowNode } from '../../shared/flow/schema';
import { editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { describeTarget, refreshConnections, useConnections } from './connection-actions';
import './connections.css';

export function ConnectionPicker({ node, label, help, errors }: { node: FlowNode; label: string; help?: string; errors: string[] }) {
  const list = useConnections((s) => s.list);
  useEffect(() => void refreshConnections(), []);
  const value = typeof node.config['connection'] === 'string' ? node.config['connection'] : '';
  const picked = list?.find((c) => c.id === value);
  const missing = value !== '' && list !== null && !picked;
  const open = (edit: string) => useSession.getState().openDialog({ kind: 'connections', edit, ...(edit === 'new' ? { assignTo: node.id } : {}) });
  return (
    <div className="field" data-field="connection">
      <label className="field__label" htmlFor="field-connection">
        {label}
      </label>
      <div className="conn-picker">
        <select
          id="field-connection"
          className={`input${missing || errors.length > 0 ? ' is-invalid' : ''}`}
          value={value}
          data-testid="field-connection"
          onChange={(e) => editorStore.getState().setConfigField(node.id, 'connection', e.target.value)}
        >
          <option value="">Custom (fields below)</option>
          {list?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          {missing ? <option value={value}>missing connection ({value})</option> : null}
        </select>
        {picked ? (
          <button type="button" className="button button--small" onClick={() => open(picked.id)} data-testid="connection-picker-edit">
            Edit
          </button>
        ) : null}
        <button type="button" className="button button--small" onClick={() => open('new')} data-testid="connection-picker-new">
          New connection…
        </button>
      </div>
      {picked ? (
        <div className="field__help conn-picker__summary" data-testid="connection-picker-summary">
          {describeTarget(picked)} — edit it on the Connections page; change triggers using it reconnect when it is saved.
        </div>
      ) : help ? (
        <div className="field__help">{help}</div>
      ) : null}
      {errors.map((m) => (
        <div className="field__error" data-testid="field-error-connection" key={m}>
          {m}
        </div>
      ))}
    </div>
  );
}
