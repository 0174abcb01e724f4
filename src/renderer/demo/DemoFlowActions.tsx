/**
 * The demo's actions under the flow list: Open demo pack… (a .millrace/.json file replayed
 * offline into a new flow) and Reset demo (with a confirmation that says what it does).
 */
import { useEffect, useRef } from 'react';
import { Icon } from '../ui/icons';
import { demo } from './demo-actions';
import { useDemo } from './demo-store';
import './demo.css';

function ResetDemoDialog() {
  const open = useDemo((s) => s.resetDialog);
  const busy = useDemo((s) => s.busy === 'reset');
  const error = useDemo((s) => s.resetError);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) confirm.current?.focus();
  }, [open]);
  if (!open) return null;
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && demo.cancelReset()}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-label="Reset the demo?"
        data-testid="dialog-demo-reset"
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') demo.cancelReset();
        }}
      >
        <div className="dialog__header">
          <h2>Reset the demo?</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={() => demo.cancelReset()}>
            <Icon name="close" />
          </button>
        </div>
        <div className="dialog__body">
          <p>This puts the live demo back to how it was on the first start:</p>
          <ul className="demo-reset__list">
            <li>stops Simulate traffic;</li>
            <li>drops the demo flow&apos;s replication slot;</li>
            <li>re-seeds the demo database (support_tickets back to the bundled tickets, triaged_tickets emptied);</li>
            <li>restores the bundled “Support ticket triage” flow, undoing your edits to it.</li>
          </ul>
          <p className="muted">Runs stay in the history. Other flows are not touched.</p>
          {error ? (
            <p className="demo-reset__error" data-testid="demo-reset-error" role="alert">
              <Icon name="alert" size={14} /> {error}
            </p>
          ) : null}
        </div>
        <div className="dialog__footer">
          <button type="button" className="button" onClick={() => demo.cancelReset()} disabled={busy}>
            Cancel
          </button>
          <button ref={confirm} type="button" className="button button--danger" data-testid="confirm-demo-reset" disabled={busy} onClick={() => void demo.confirmReset()}>
            {busy ? <span className="mr-spinner mr-spinner--small mr-spinner--light" /> : null}
            Reset demo
          </button>
        </div>
      </div>
    </div>
  );
}

export function DemoFlowActions() {
  const enabled = useDemo((s) => s.status?.enabled === true);
  const loaded = useDemo((s) => s.status !== null);
  const opening = useDemo((s) => s.busy === 'pack');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Whether the engine runs the demo (for Reset demo), once; the demo bar keeps it fresh.
    if (!loaded) void demo.refreshStatus();
  }, [loaded]);
  return (
    <div className="demo-flow-actions">
      <button type="button" className="button button--small button--ghost" data-testid="open-demo-pack" disabled={opening} title="Open a demo pack (.millrace): replays its recorded session offline into a new flow" onClick={() => input.current?.click()}>
        {opening ? <span className="mr-spinner mr-spinner--small" /> : <Icon name="upload" size={13} />} Open demo pack…
      </button>
      {enabled ? (
        <button type="button" className="button button--small button--ghost" data-testid="demo-reset" title="Reset the live demo: re-seed its database and restore its flow" onClick={() => demo.askReset()}>
          <Icon name="rerun" size={13} /> Reset demo
        </button>
      ) : null}
      <input
        ref={input}
        type="file"
        accept=".millrace,.json,application/json"
        hidden
        data-testid="open-demo-pack-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void demo.openPack(file);
        }}
      />
      <ResetDemoDialog />
    </div>
  );
}
