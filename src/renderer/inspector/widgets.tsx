/** Form widgets of the generic inspector. Each edits one config value and reports it upwards. */
import { useState } from 'react';
import type { FieldSpec } from './schema-fields';
import { Icon } from '../ui/icons';

export interface WidgetProps {
  spec: FieldSpec;
  value: unknown;
  onChange(value: unknown): void;
  invalid: boolean;
  testId: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export function TextWidget({ spec, value, onChange, invalid, testId }: WidgetProps) {
  const rows = spec.hint.rows ?? (spec.widget === 'textarea' ? 4 : 1);
  const className = `input${spec.widget === 'template' ? ' input--mono' : ''}${invalid ? ' is-invalid' : ''}`;
  const common = {
    id: testId,
    className,
    value: text(value),
    placeholder: spec.hint.placeholder,
    'data-testid': testId,
    spellCheck: spec.widget !== 'template',
    'aria-invalid': invalid,
  };
  return rows > 1 ? (
    <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
  ) : (
    <input {...common} type="text" onChange={(e) => onChange(e.target.value)} />
  );
}

/** Keeps what the user typed (even "1e" or "") and stores a number only when it is one. */
export function NumberWidget({ spec, value, onChange, invalid, testId }: WidgetProps) {
  const [draft, setDraft] = useState(text(value));
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    if (Number(draft) !== value || draft.trim() === '') setDraft(text(value));
  }
  const range = spec.kind.kind === 'number' ? spec.kind : null;
  return (
    <input
      id={testId}
      className={`input${invalid ? ' is-invalid' : ''}`}
      type="number"
      inputMode="decimal"
      data-testid={testId}
      value={draft}
      min={range?.min}
      max={range?.max}
      step={range?.integer ? 1 : 'any'}
      placeholder={spec.hint.placeholder}
      aria-invalid={invalid}
      onChange={(e) => {
        setDraft(e.target.value);
        const n = Number(e.target.value);
        // An unparseable entry is stored as text so validation can say what is wrong with it.
        onChange(e.target.value.trim() !== '' && Number.isFinite(n) ? n : e.target.value);
      }}
    />
  );
}

export function SwitchWidget({ value, onChange, testId, spec }: WidgetProps) {
  const on = value === true;
  return (
    <button
      type="button"
      role="switch"
      id={testId}
      aria-checked={on}
      aria-label={spec.label}
      data-testid={testId}
      className={`switch${on ? ' is-on' : ''}`}
      onClick={() => onChange(!on)}
    >
      <span className="switch__knob" />
    </button>
  );
}

export function SelectWidget({ spec, value, onChange, invalid, testId }: WidgetProps) {
  const options = spec.kind.kind === 'enum' ? spec.kind.options : [];
  const current = text(value);
  return (
    <select
      id={testId}
      className={`input select${invalid ? ' is-invalid' : ''}`}
      data-testid={testId}
      value={current}
      onChange={(e) => onChange(e.target.value)}
    >
      {options.includes(current) ? null : <option value={current}>{current || '—'}</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

/** Raw JSON. String-typed fields keep the text; other fields store the parsed value once it parses. */
export function JsonWidget({ spec, value, onChange, invalid, testId }: WidgetProps) {
  const storesText = spec.kind.kind === 'string';
  const show = (v: unknown) => (storesText ? text(v) : v === undefined ? '' : JSON.stringify(v, null, 2));
  const [draft, setDraft] = useState(show(value));
  const [seen, setSeen] = useState(value);
  const [parseError, setParseError] = useState<string | null>(null);
  if (value !== seen) {
    setSeen(value);
    if (storesText || parseError === null) setDraft(show(value));
  }
  const change = (next: string) => {
    setDraft(next);
    if (storesText) return onChange(next);
    try {
      onChange(next.trim() === '' ? undefined : JSON.parse(next));
      setParseError(null);
    } catch (e) {
      setParseError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <textarea
        id={testId}
        className={`input input--mono${invalid || parseError ? ' is-invalid' : ''}`}
        rows={spec.hint.rows ?? 6}
        data-testid={testId}
        value={draft}
        spellCheck={false}
        placeholder={spec.hint.placeholder}
        onChange={(e) => change(e.target.value)}
      />
      {parseError ? <div className="field__error">not valid JSON: {parseError}</div> : null}
    </>
  );
}

export interface PairRow {
  key: string;
  value: string;
}

/** Rows of two strings (headers, field mappings). Errors are shown under the row they concern. */
export function PairsWidget({
  spec,
  value,
  onChange,
  testId,
  errors,
  renderValue,
}: WidgetProps & {
  errors: Readonly<Record<string, string[]>>;
  /** A richer editor for the value cell (template fields with completion); plain input otherwise. */
  renderValue?: (value: string, set: (next: string) => void, testId: string) => React.ReactNode;
}) {
  if (spec.kind.kind !== 'pairs') return null;
  const { keyField, valueField } = spec.kind;
  const rows = Array.isArray(value) ? value : [];
  const cell = (row: unknown, field: string) => (typeof row === 'object' && row !== null && field in row ? text(Reflect.get(row, field)) : '');
  const isFieldMap = spec.widget === 'field-map';
  const keyLabel = isFieldMap ? 'Field' : 'Name';
  const update = (index: number, field: string, next: string) =>
    onChange(rows.map((r, i) => (i === index ? { [keyField]: cell(r, keyField), [valueField]: cell(r, valueField), [field]: next } : r)));
  return (
    <div className="pairs" data-testid={testId}>
      {rows.length > 0 ? (
        <div className="pairs__head">
          <span>{keyLabel}</span>
          <span>Value</span>
        </div>
      ) : null}
      {rows.map((row, index) => {
        const rowErrors = [...(errors[`${spec.name}.${index}.${keyField}`] ?? []), ...(errors[`${spec.name}.${index}.${valueField}`] ?? [])];
        return (
          <div className="pairs__row" key={index}>
            <div className="pairs__cells">
              <input
                className={`input${errors[`${spec.name}.${index}.${keyField}`] ? ' is-invalid' : ''}`}
                value={cell(row, keyField)}
                placeholder={keyLabel.toLowerCase()}
                data-testid={`${testId}-${index}-${keyField}`}
                aria-label={`${spec.label} ${index + 1} ${keyField}`}
                onChange={(e) => update(index, keyField, e.target.value)}
              />
              {renderValue ? (
                <div className="pairs__value">{renderValue(cell(row, valueField), (next) => update(index, valueField, next), `${testId}-${index}-${valueField}`)}</div>
              ) : (
                <input
                  className={`input input--mono${errors[`${spec.name}.${index}.${valueField}`] ? ' is-invalid' : ''}`}
                  value={cell(row, valueField)}
                  placeholder={isFieldMap ? '{{ path }}' : 'value'}
                  data-testid={`${testId}-${index}-${valueField}`}
                  aria-label={`${spec.label} ${index + 1} ${valueField}`}
                  onChange={(e) => update(index, valueField, e.target.value)}
                />
              )}
              <button
                type="button"
                className="icon-button"
                title="Remove this row"
                aria-label="Remove row"
                onClick={() => onChange(rows.filter((_, i) => i !== index))}
              >
                <Icon name="close" size={14} />
              </button>
            </div>
            {rowErrors.map((message) => (
              <div className="field__error" key={message}>
                {message}
              </div>
            ))}
          </div>
        );
      })}
      <button
        type="button"
        className="button button--ghost button--small"
        data-testid={`${testId}-add`}
        onClick={() => onChange([...rows, { [keyField]: '', [valueField]: '' }])}
      >
        <Icon name="plus" size={14} /> Add {isFieldMap ? 'field' : 'row'}
      </button>
    </div>
  );
}
