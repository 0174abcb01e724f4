/**
 * A template (or code) field: typing `{{` (in code: `$`) offers upstream nodes, the trigger and
 * their fields; a live preview shows the value rendered from the last run's data, and warnings
 * name references that the data or the declared shapes do not have. Used by every template field
 * (inspector/TemplateField.tsx) and by the LLM prompts.
 */
import { useMemo, useRef, useState } from 'react';
import { applyCodeCompletion, applyCompletion, codeCompletionAt, completionAt, filterPaths } from './template-assist';

interface Props {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Completion candidates; empty when nothing is known upstream. */
  paths: string[];
  rows: number;
  testId: string;
  errors: string[];
  /** Rendered from the last run's data; null = no preview. */
  preview?: { text: string } | { error: string } | null;
  warnings?: string[];
  /** `json`: the field's content is JSON and `{{ }}` inserts JSON values. */
  mode?: 'text' | 'json' | 'code';
  /** Hide the label row (the generic form prints its own). */
  bare?: boolean;
}

export function TemplateEditor({ label, value, onChange, paths, rows, testId, errors, preview = null, warnings = [], mode = 'text', bare = false }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [at, setAt] = useState<{ start: number; query: string; caret: number } | null>(null);
  const [active, setActive] = useState(0);
  const options = useMemo(() => (at && paths.length > 0 ? filterPaths(paths, at.query, 10) : []), [at, paths]);
  const code = mode === 'code';

  const track = (el: HTMLTextAreaElement) => {
    const caret = el.selectionStart;
    const found = code ? codeCompletionAt(el.value, caret) : completionAt(el.value, caret);
    setAt(found ? { ...found, caret } : null);
    setActive(0);
  };

  const choose = (path: string) => {
    if (!at) return;
    const next = code ? applyCodeCompletion(value, at.caret, at, path) : applyCompletion(value, at.caret, at, path);
    onChange(next.text);
    setAt(null);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <div className={`${bare ? '' : 'field '}llm-template`} data-field={testId}>
      {bare ? null : (
        <label className="field__label" htmlFor={testId}>
          {label}
          <span className="field__badge">{code ? 'JS' : '{{ }}'}</span>
          {mode === 'json' ? <span className="field__badge field__badge--json" title="{{ x }} inserts a JSON value: strings quoted, objects serialised">JSON</span> : null}
        </label>
      )}
      <div className="llm-template__box">
        <textarea
          ref={area}
          id={testId}
          data-testid={testId}
          data-mode={mode}
          className={`input input--mono${errors.length ? ' is-invalid' : ''}${warnings.length ? ' has-warning' : ''}`}
          rows={Math.max(rows, code ? 10 : 1)}
          spellCheck={false}
          value={value}
          onChange={(e) => {
            onChange(e.target.value);
            track(e.target);
          }}
          onClick={(e) => track(e.currentTarget)}
          onBlur={() => setTimeout(() => setAt(null), 150)}
          onKeyDown={(e) => {
            if (options.length === 0) {
              if (code && e.key === 'Tab') {
                // Tab indents in code instead of leaving the editor.
                e.preventDefault();
                const el = e.currentTarget;
                const s = el.selectionStart;
                onChange(`${value.slice(0, s)}  ${value.slice(el.selectionEnd)}`);
                requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
              }
              return;
            }
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
            } else if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              choose(options[active] ?? options[0]!);
            } else if (e.key === 'Escape') {
              setAt(null);
            }
          }}
        />
        {options.length > 0 ? (
          <ul className="llm-complete" role="listbox" data-testid={`${testId}-completions`}>
            {options.map((p, i) => (
              <li key={p} role="option" aria-selected={i === active} className={i === active ? 'is-active' : ''} onMouseDown={(e) => (e.preventDefault(), choose(p))}>
                {p}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      {errors.map((m) => (
        <div className="field__error" key={m}>
          {m}
        </div>
      ))}
      {warnings.map((m) => (
        <div className="field__warning" data-testid={`${testId}-warning`} key={m}>
          ⚠ {m}
        </div>
      ))}
      {preview ? (
        <div className="llm-preview" data-testid={`${testId}-preview`}>
          <div className="llm-preview__label">Preview with the last run's data{mode === 'json' ? ' (JSON)' : ''}</div>
          {'text' in preview ? <pre>{preview.text || <span className="muted">(empty)</span>}</pre> : <div className="field__warning">would fail: {preview.error}</div>}
        </div>
      ) : null}
    </div>
  );
}
