/**
 * Settings of the Postgres and SQLite sinks: the generic form for connection and write mode,
 * plus a table picker (listed from the database) and the columns of the picked table with their
 * types; clicking a column maps it (value `{{ column }}`, editable in the mapping below).
 */
import { useState } from 'react';
import type { AnyNodeDefinition } from '../../shared/node-kit';
import type { FlowNode } from '../../shared/flow/schema';
import type { ColumnInfo } from '../../shared/services';
import { ConfigForm } from '../inspector/ConfigForm';
import { editorStore } from '../stores/editor-store';
import { listSinkColumns, listSinkTables } from './sink-actions';
import './sinks.css';

const CONNECTION = ['connection', 'host', 'port', 'database', 'user', 'password', 'connectionString', 'tls'];

export function TableSinkSettings({ def, node }: { def: AnyNodeDefinition; node: FlowNode }) {
  const isPg = def.type === 'postgres-sink';
  const ref = isPg ? 'postgres-sink@1' : 'sqlite-sink@1';
  const [tables, setTables] = useState<{ schema: string; table: string }[] | null>(null);
  const [columns, setColumns] = useState<ColumnInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: string, value: unknown) => editorStore.getState().setConfigField(node.id, name, value);
  const mapped = Array.isArray(node.config['columns']) ? (node.config['columns'] as { name: string; value: string }[]) : [];
  const table = typeof node.config['table'] === 'string' ? node.config['table'] : '';

  const loadColumns = async (config: Record<string, unknown>) => {
    setBusy(true);
    const r = await listSinkColumns(ref, config);
    setBusy(false);
    if (r.ok) {
      setColumns(r.value);
      setError(r.value.length === 0 ? (isPg ? `no columns: does ${String(config['table'])} exist?` : 'the table does not exist yet; it will be created from the mapping') : null);
    } else setError(r.error);
  };

  return (
    <div className="sink-settings">
      {isPg ? <ConfigForm def={def} node={node} fields={CONNECTION} /> : <ConfigForm def={def} node={node} fields={['file']} />}
      <div className="sink-picker">
        <div className="sink-picker__row">
          {isPg ? (
            <button
              type="button"
              className="button button--small"
              data-testid="sink-list-tables"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                void listSinkTables(node.config).then((r) => {
                  setBusy(false);
                  if (r.ok) {
                    setTables(r.value);
                    setError(r.value.length === 0 ? 'the database has no tables you can write to' : null);
                  } else setError(r.error);
                });
              }}
            >
              List tables
            </button>
          ) : null}
          <button type="button" className="button button--small" data-testid="sink-load-columns" disabled={busy} onClick={() => void loadColumns(node.config)}>
            Columns of {table || 'the table'}
          </button>
        </div>
        {tables && tables.length > 0 ? (
          <label className="field">
            <span className="field__label">Table</span>
            <select
              className="input"
              data-testid="sink-table-select"
              value={table}
              onChange={(e) => {
                set('table', e.target.value);
                void loadColumns({ ...node.config, table: e.target.value });
              }}
            >
              {tables.some((t) => `${t.schema}.${t.table}` === table) ? null : <option value={table}>{table || 'pick a table'}</option>}
              {tables.map((t) => (
                <option key={`${t.schema}.${t.table}`} value={`${t.schema}.${t.table}`}>
                  {t.schema}.{t.table}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {error ? (
          <div className="field__error" data-testid="sink-picker-error">
            {error}
          </div>
        ) : null}
        {columns && columns.length > 0 ? (
          <ul className="sink-columns" data-testid="sink-columns">
            {columns.map((c) => {
              const isMapped = mapped.some((m) => m.name === c.name);
              return (
                <li key={c.name}>
                  <button
                    type="button"
                    className={`sink-column ${isMapped ? 'is-mapped' : ''}`}
                    data-testid={`sink-column-${c.name}`}
                    disabled={isMapped}
                    title={isMapped ? 'mapped' : `map ${c.name}`}
                    onClick={() => set('columns', [...mapped, { name: c.name, value: `{{ ${c.name} }}` }])}
                  >
                    <span className="sink-column__name">{c.name}</span>
                    <span className="sink-column__type">
                      {c.type}
                      {c.nullable ? '' : ' · not null'}
                      {c.hasDefault ? ' · default' : ''}
                    </span>
                    {isMapped ? <span className="sink-column__mapped">✓</span> : <span className="sink-column__add">+</span>}
                  </button>
                </li>
              );
            })}
          </ul>
        ) : null}
      </div>
      <ConfigForm def={def} node={node} fields={['table', 'mode', 'columns', 'keyColumns', 'key']} />
    </div>
  );
}
