/**
 * A prompt template field: typing `{{` offers the fields of the upstream data (from the selected
 * run), and a live preview shows the prompt rendered from that data, naming references that find
 * nothing.
 */
import { useMemo, useRef, useState } from 'react';
import { applyCompletion, completionAt, filterPaths, previewTemplate } from './template-assist';

interface Props {
  label: string;
  value: string;
  onChange(value: string): void;
  /** Completion candidates; empty when no run data is available. */
  paths: string[];
  /** Upstream data for the preview; undefined = no preview. */
  sample: unknown;
  rows: number;
  testId: string;
  errors: string[];
}

export function TemplateEditor({ label, value, onChange, paths, sample, rows, testId, errors }: Props) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [at, setAt] = useState<{ start: number; query: string; caret: number } | null>(null);
  const [active, setActive] = useState(0);
  const options = useMemo(() => (at && paths.length > 0 ? filterPaths(paths, at.query) : []), [at, paths]);
  const preview = useMemo(() => (sample === undefined ? null : previewTemplate(value, sample)), [value, sample]);

  const track = (el: HTMLTextAreaElement) => {
    const caret = el.selectionStart;
    const found = completionAt(el.value, caret);
    setAt(found ? { ...found, caret } : null);
    setActive(0);
  };

  const choose = (path: string) => {
    if (!at) return;
    const next = applyCompletion(value, at.caret, at, path);
    onChange(next.text);
    setAt(null);
    requestAnimationFrame(() => {
      area.current?.focus();
      area.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  return (
    <div className="field llm-template" data-field={testId}>
      <label className="field__label" htmlFor={testId}>
        {label}
        <span className="field__badge">{'{{ }}'}</span>
      </label>
      <div className="llm-template__box">
        <textarea
          ref={area}
          id={testId}
          data-testid={testId}
          className={`input input--mono${errors.length ? ' is-invalid' : ''}`}
          rows={rows}
          spellCheck={false}
          value={value}
          onChange={(e) => {
            onChange(e.target.value);
            track(e.target);
          }}
          onClick={(e) => track(e.currentTarget)}
          onBlur={() => setTimeout(() => setAt(null), 150)}
          onKeyDown={(e) => {
            if (options.length === 0) return;
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
      {preview ? (
        <div className="llm-preview" data-testid={`${testId}-preview`}>
          <div className="llm-preview__label">Preview with the selected run's data</div>
          <pre>{preview.text || <span className="muted">(empty)</span>}</pre>
          {preview.missing.length > 0 ? (
            <div className="field__help llm-warn">
              Not in the data: {preview.missing.map((m) => `{{ ${m} }}`).join(', ')} — renders as empty text.
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
