/** The top bar: flow name and save state, editing tools, import/export, theme, help and Run. */
import { useRef } from 'react';
import { useEditor, editorStore } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { useRuns } from '../stores/run-store';
import { exportFlow, importFlowFile, runFlow, saveNow } from '../actions';
import { MOD } from '../canvas/shortcuts';
import { Icon, type IconName } from './icons';
import { ApprovalsButton } from '../approvals/ApprovalsButton';
import { CodeButtons } from '../codegen/CodeDialogs';
import { DemoPackButton } from '../demo/DemoPackButton';

function SaveState() {
  const save = useSession((s) => s.save);
  const label = { saved: 'Saved', dirty: 'Saving…', saving: 'Saving…', error: 'Not saved' }[save.status];
  return (
    <button
      type="button"
      className={`save-state save-state--${save.status}`}
      data-testid="save-state"
      data-state={save.status}
      title={save.status === 'error' ? `${save.message}\nClick to retry.` : `Changes are saved automatically (${MOD}+S saves now).`}
      onClick={() => void saveNow()}
    >
      {save.status === 'saved' ? <Icon name="check" size={13} /> : null}
      {save.status === 'error' ? <Icon name="alert" size={13} /> : null}
      {save.status === 'saving' || save.status === 'dirty' ? <span className="mr-spinner mr-spinner--small" /> : null}
      <span>{label}</span>
      {save.status === 'error' ? <span className="save-state__message">{save.message}</span> : null}
    </button>
  );
}

function ToolButton({ icon, label, onClick, disabled, testId }: { icon: IconName; label: string; onClick(): void; disabled?: boolean; testId?: string }) {
  return (
    <button type="button" className="icon-button icon-button--bar" title={label} aria-label={label} onClick={onClick} disabled={disabled} data-testid={testId}>
      <Icon name={icon} size={17} />
    </button>
  );
}

export function TopBar() {
  const flowName = useEditor((s) => s.flow?.name ?? '');
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const problemCount = useEditor((s) => s.problems.length);
  const theme = useSession((s) => s.theme);
  const starting = useRuns((s) => s.starting);
  const running = useRuns((s) => (s.selectedRunId ? s.traces[s.selectedRunId]?.run.status === 'running' : false));
  const fileInput = useRef<HTMLInputElement>(null);
  const session = useSession.getState;
  const editor = editorStore.getState;

  return (
    <header className="topbar">
      <div className="topbar__brand">
        <span className="logo" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <span className="topbar__product">Millrace</span>
        <span className="topbar__sep">/</span>
        <span className="topbar__flow" title={flowName} data-testid="flow-title">
          {flowName}
        </span>
        <SaveState />
      </div>
      <div className="topbar__tools">
        <ToolButton icon="undo" label={`Undo (${MOD}+Z)`} onClick={() => editor().undo()} disabled={!canUndo} testId="undo" />
        <ToolButton icon="redo" label={`Redo (${MOD}+Shift+Z)`} onClick={() => editor().redo()} disabled={!canRedo} testId="redo" />
        <span className="topbar__divider" />
        <ToolButton
          icon="layout"
          label="Auto-layout (L)"
          testId="auto-layout"
          onClick={() => {
            editor().autoLayout();
            session().requestFit();
          }}
        />
        <ToolButton icon="fit" label="Fit view (F)" onClick={() => session().requestFit()} testId="fit-view" />
        <span className="topbar__divider" />
        <ToolButton icon="panel-left" label="Show or hide the flows and nodes panel" onClick={() => session().togglePanel('left')} testId="toggle-left-panel" />
        <ToolButton icon="panel-right" label="Show or hide the inspector" onClick={() => session().togglePanel('right')} testId="toggle-right-panel" />
        <span className="topbar__divider" />
        <ToolButton icon="upload" label="Import a flow file" onClick={() => fileInput.current?.click()} testId="import-button" />
        <ToolButton icon="download" label="Export this flow as JSON" onClick={exportFlow} testId="export-button" />
        <CodeButtons />
        <DemoPackButton />
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="import-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFlowFile(file);
          }}
        />
      </div>
      <div className="topbar__right">
        {problemCount > 0 ? (
          <button
            type="button"
            className="chip chip--warning"
            data-testid="problem-count"
            title="Problems that block running this flow"
            onClick={() => {
              editor().setSelection({ nodes: [], edges: [] });
              session().setSideTab('node');
            }}
          >
            <Icon name="alert" size={13} /> {problemCount}
          </button>
        ) : null}
        <ToolButton
          icon={theme === 'dark' ? 'sun' : 'moon'}
          label={theme === 'dark' ? 'Light theme' : 'Dark theme'}
          onClick={() => session().toggleTheme()}
          testId="theme-toggle"
        />
        <ToolButton icon="key" label="Secrets" onClick={() => session().openDialog({ kind: 'secrets' })} testId="secrets-button" />
        <ToolButton icon="database" label="Connections" onClick={() => session().openDialog({ kind: 'connections' })} testId="connections-button" />
        <ToolButton icon="keyboard" label="Keyboard shortcuts (?)" onClick={() => session().openDialog({ kind: 'shortcuts' })} testId="shortcuts-button" />
        <ApprovalsButton />
        <button
          type="button"
          className="button button--primary button--run"
          data-testid="run-button"
          onClick={() => void runFlow()}
          disabled={starting}
          title={`Run the saved flow (${MOD}+Enter)`}
        >
          {starting || running ? <span className="mr-spinner mr-spinner--light" /> : <Icon name="play" size={14} />}
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
    </header>
  );
}
