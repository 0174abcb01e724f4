/**
 * Engine settings in the inspector: a node's retries and timeout (a collapsible section under its
 * config), the flow's time limit and concurrency (when no node is selected). Drafts stay local
 * while they do not parse; a draft that parses goes through the editor store, so undo, redo and
 * autosave see it like any other edit.
 */
import { useState } from 'react';
import type { Flow, FlowNode } from '../../shared/flow/schema';
import { editorStore } from '../stores/editor-store';
import { Icon } from '../ui/icons';
import {
  DURATION_HELP,
  RETRY_DEFAULTS,
  flowSettingsDraft,
  formatDurationText,
  nodeSettingsDraft,
  parseFlowSettingsDraft,
  parseNodeSettingsDraft,
  summariseNodeSettings,
  type FormResult,
} from './settings-form';

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A form draft that follows the document: when the stored value changes from elsewhere (undo,
 * another window's save) the draft is rebuilt; its own commits do not reset what is being typed.
 */
function useSettingsForm<V, D extends { [K in keyof D]: string }, F extends string>(
  stored: V | undefined,
  toDraft: (v: V | undefined) => D,
  parse: (draft: D) => FormResult<V, F>,
  commit: (value: V | undefined) => void,
) {
  const [draft, setDraft] = useState(() => toDraft(stored));
  const [committed, setCommitted] = useState(stored);
  if (!sameJson(stored, committed)) {
    setCommitted(stored);
    setDraft(toDraft(stored));
  }
  const result = parse(draft);
  const errors: Partial<Record<F, string>> = result.ok ? {} : result.errors;
  /** Every keystroke updates the draft; only a draft that parses reaches the document (undo, autosave). */
  const change = (field: keyof D, text: string) => {
    const next = { ...draft, [field]: text };
    setDraft(next);
    const parsed = parse(next);
    if (!parsed.ok) return;
    setCommitted(parsed.value);
    commit(parsed.value);
  };
  return { draft, errors, change };
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  placeholder: string;
  help?: string;
  error: string | undefined;
  numeric?: boolean;
  onChange(text: string): void;
}

function SettingField({ id, label, value, placeholder, help, error, numeric, onChange }: FieldProps) {
  return (
    <div className="field" data-field={id}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className={`input${error ? ' is-invalid' : ''}`}
        value={value}
        placeholder={placeholder}
        inputMode={numeric ? 'numeric' : 'text'}
        spellCheck={false}
        autoComplete="off"
        data-testid={id}
        aria-invalid={error !== undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {help ? <div className="field__help">{help}</div> : null}
      {error ? (
        <div className="field__error" data-testid={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </div>
  );
}

export function NodeSettingsSection({ node }: { node: FlowNode }) {
  const [open, setOpen] = useState(node.settings !== undefined);
  const { draft, errors, change } = useSettingsForm(node.settings, nodeSettingsDraft, parseNodeSettingsDraft, (value) =>
    editorStore.getState().setNodeSettings(node.id, value),
  );
  return (
    <details className="settings-section" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="node-settings">
      <summary className="settings-section__summary" data-testid="node-settings-toggle">
        <Icon name="chevron" size={14} className="settings-section__chevron" />
        <span className="settings-section__title">Retries & timeout</span>
        <span className="settings-section__state">{summariseNodeSettings(node.settings)}</span>
      </summary>
      <div className="settings-section__body">
        <SettingField
          id="settings-max-attempts"
          label="Attempts"
          value={draft.maxAttempts}
          placeholder="1 (no retry)"
          numeric
          help="Tries in total, the first included (at most 20). Errors a node marks as permanent are not retried."
          error={errors.maxAttempts}
          onChange={(t) => change('maxAttempts', t)}
        />
        <div className="settings-section__pair">
          <SettingField
            id="settings-initial-delay"
            label="First delay"
            value={draft.initialDelay}
            placeholder={formatDurationText(RETRY_DEFAULTS.initialDelayMs)}
            error={errors.initialDelay}
            onChange={(t) => change('initialDelay', t)}
          />
          <SettingField
            id="settings-max-delay"
            label="Longest delay"
            value={draft.maxDelay}
            placeholder={formatDurationText(RETRY_DEFAULTS.maxDelayMs)}
            error={errors.maxDelay}
            onChange={(t) => change('maxDelay', t)}
          />
        </div>
        <div className="field__help">The delay doubles after each failure up to the longest, with some randomness; {DURATION_HELP}.</div>
        <SettingField
          id="settings-timeout"
          label="Timeout per attempt"
          value={draft.timeout}
          placeholder="none"
          help="An attempt still running after this long fails (and is retried if attempts are left)."
          error={errors.timeout}
          onChange={(t) => change('timeout', t)}
        />
        {node.settings !== undefined ? (
          <button type="button" className="link settings-section__reset" data-testid="settings-reset" onClick={() => editorStore.getState().setNodeSettings(node.id, undefined)}>
            Reset to defaults (no retry, no timeout)
          </button>
        ) : null}
      </div>
    </details>
  );
}

export function FlowSettingsSection({ flow }: { flow: Flow }) {
  const { draft, errors, change } = useSettingsForm(flow.settings, flowSettingsDraft, parseFlowSettingsDraft, (value) =>
    editorStore.getState().setFlowSettings(value),
  );
  return (
    <section className="flow-settings" data-testid="flow-settings">
      <div className="section-title">Flow settings</div>
      <SettingField
        id="settings-run-timeout"
        label="Run time limit"
        value={draft.runTimeout}
        placeholder="none"
        help={`A run still unfinished after this long fails, waiting time included (${DURATION_HELP}).`}
        error={errors.runTimeout}
        onChange={(t) => change('runTimeout', t)}
      />
      <SettingField
        id="settings-concurrency"
        label="Runs at once"
        value={draft.concurrency}
        placeholder="no limit"
        numeric
        help="More runs of this flow than this wait in the queue, in the order they came."
        error={errors.concurrency}
        onChange={(t) => change('concurrency', t)}
      />
    </section>
  );
}
