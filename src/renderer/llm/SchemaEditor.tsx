/** The JSON output's shape: a list of fields (name, type, description, required) or a raw JSON Schema. */
import { useState } from 'react';
import { SCHEMA_FIELD_TYPES, type SchemaField } from '../../nodes/llm-call.config';
import { Icon } from '../ui/icons';

interface Props {
  fields: SchemaField[];
  raw: string;
  onFields(fields: SchemaField[]): void;
  onRaw(raw: string): void;
  errors: Record<string, string[]>;
}

export function SchemaEditor({ fields, raw, onFields, onRaw, errors }: Props) {
  const [mode, setMode] = useState<'fields' | 'raw'>(raw.trim() ? 'raw' : 'fields');
  const update = (i: number, patch: Partial<SchemaField>) => onFields(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  return (
    <div className="field llm-schema" data-testid="llm-schema">
      <div className="llm-schema__head">
        <span className="field__label">Output fields</span>
        <div className="llm-seg" role="tablist">
          <button type="button" className={mode === 'fields' ? 'is-active' : ''} onClick={() => setMode('fields')}>
            Field list
          </button>
          <button type="button" className={mode === 'raw' ? 'is-active' : ''} onClick={() => setMode('raw')} data-testid="llm-schema-raw-tab">
            Raw JSON Schema
          </button>
        </div>
      </div>
      {mode === 'fields' ? (
        <>
          {raw.trim() ? <div className="field__help llm-warn">A raw schema is set and wins over this list; clear it under “Raw JSON Schema” to use the list.</div> : null}
          {fields.map((f, i) => (
            <div className="llm-schema__row" key={i}>
              <input
                className={`input input--mono${errors[`schemaFields.${i}.name`] ? ' is-invalid' : ''}`}
                value={f.name}
                placeholder="name"
                aria-label={`field ${i + 1} name`}
                data-testid={`llm-schema-${i}-name`}
                onChange={(e) => update(i, { name: e.target.value })}
              />
              <select className="input select" value={f.type} aria-label={`field ${i + 1} type`} onChange={(e) => update(i, { type: SCHEMA_FIELD_TYPES.find((t) => t === e.target.value) ?? 'string' })}>
                {SCHEMA_FIELD_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
              <label className="llm-schema__req" title="The model must always return this field">
                <input type="checkbox" checked={f.required} onChange={(e) => update(i, { required: e.target.checked })} /> req.
              </label>
              <button type="button" className="icon-button" aria-label="Remove field" onClick={() => onFields(fields.filter((_, j) => j !== i))}>
                <Icon name="close" size={14} />
              </button>
              <input
                className="input llm-schema__desc"
                value={f.description}
                placeholder="description: tells the model what to put here"
                aria-label={`field ${i + 1} description`}
                onChange={(e) => update(i, { description: e.target.value })}
              />
              {[...(errors[`schemaFields.${i}.name`] ?? [])].map((m) => (
                <div className="field__error" key={m}>
                  {m}
                </div>
              ))}
            </div>
          ))}
          <button
            type="button"
            className="button button--ghost button--small"
            data-testid="llm-schema-add"
            onClick={() => onFields([...fields, { name: '', type: 'string', description: '', required: true }])}
          >
            <Icon name="plus" size={14} /> Add field
          </button>
          {fields.length === 0 ? <div className="field__help">No fields: any JSON object is accepted.</div> : null}
        </>
      ) : (
        <>
          <textarea
            className={`input input--mono${errors['schemaJson'] ? ' is-invalid' : ''}`}
            rows={8}
            spellCheck={false}
            value={raw}
            data-testid="llm-schema-raw"
            placeholder={'{ "type": "object", "properties": { … }, "required": [ … ] }'}
            onChange={(e) => onRaw(e.target.value)}
          />
          {(errors['schemaJson'] ?? []).map((m) => (
            <div className="field__error" key={m}>
              {m}
            </div>
          ))}
          <div className="field__help">When set, used instead of the field list. Checked with ajv on every reply.</div>
        </>
      )}
    </div>
  );
}
