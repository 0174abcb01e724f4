/** Dialogs, toasts and the connection banner: everything that floats above the editor. */
import { useEffect, useRef } from 'react';
import { formatProblem } from '../../shared/flow/problems';
import { useSession, type Dialog } from '../stores/session-store';
import { editorStore } from '../stores/editor-store';
import { deactivateTriggers, deleteFlow, focusNode } from '../actions';
import { GESTURES, SHORTCUTS } from '../canvas/shortcuts';
import { Icon } from './icons';
import { SecretsPage } from '../secrets/SecretsPage';
import { ConnectionsPage } from '../connections/ConnectionsPage';
import { TestRunDialog } from '../runs/TestRunDialog';

function Keys({ keys }: { keys: string[] }) {
  return (
    <span className="keys">
      {keys.map((k) => (
        <kbd key={k}>{k}</kbd>
      ))}
    </span>
  );
}

function ProblemsDialog({ dialog }: { dialog: Extract<Dialog, { kind: 'problems' }> }) {
  const names = new Map(Object.entries(dialog.nodeNames));
  const exists = (id: string) => editorStore.getState().flow?.nodes.some((n) => n.id === id) ?? false;
  return (
    <>
      <p className="dialog__intro">{dialog.intro}</p>
      <ul className="problem-list" data-testid="problem-list">
        {dialog.problems.map((p, i) => (
          <li key={i} data-node-id={p.nodeId} className={`problem problem--${p.kind}`}>
            <Icon name="alert" size={14} />
            {p.nodeId && exists(p.nodeId) ? (
              <button
                type="button"
                className="link"
                onClick={() => {
                  if (!p.nodeId) return;
                  editorStore.getState().setSelection({ nodes: [p.nodeId], edges: [] });
                  focusNode(p.nodeId);
                  useSession.getState().setNodeTab('config');
                  useSession.getState().closeDialog();
                }}
              >
                {formatProblem(p, names)}
              </button>
            ) : (
              <span>{formatProblem(p, names)}</span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function ShortcutsDialog() {
  return (
    <div className="shortcuts">
      {[...SHORTCUTS, ...GESTURES].map((s) => (
        <div className="shortcuts__row" key={s.label}>
          <span>{s.label}</span>
          <Keys keys={s.keys} />
        </div>
      ))}
    </div>
  );
}

function DialogHost() {
  const dialog = useSession((s) => s.dialog);
  const close = useSession((s) => s.closeDialog);
  const primary = useRef<HTMLButtonElement>(null);
  useEffect(() => primary.current?.focus(), [dialog]);
  if (!dialog) return null;
  if (dialog.kind === 'test-run') return <TestRunDialog dialog={dialog} />;
  const title = dialog.kind === 'problems' ? dialog.title : dialog.kind === 'shortcuts' ? 'Keyboard shortcuts' : dialog.kind === 'secrets' ? 'Secrets' : dialog.kind === 'connections' ? 'Connections' : dialog.kind === 'confirm-drop-slot' ? 'Stop and drop the slot?' : 'Delete flow?';
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} data-testid={`dialog-${dialog.kind}`}>
        <div className="dialog__header">
          <h2>{title}</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={close}>
            <Icon name="close" />
          </button>
        </div>
        <div className="dialog__body">
          {dialog.kind === 'problems' ? <ProblemsDialog dialog={dialog} /> : null}
          {dialog.kind === 'shortcuts' ? <ShortcutsDialog /> : null}
          {dialog.kind === 'secrets' ? <SecretsPage /> : null}
          {dialog.kind === 'connections' ? <ConnectionsPage {...(dialog.edit ? { edit: dialog.edit } : {})} {...(dialog.assignTo ? { assignTo: dialog.assignTo } : {})} /> : null}
          {dialog.kind === 'confirm-drop-slot' ? (
            <p>
              The trigger stops and its replication slot <code>{dialog.slot}</code> is dropped: changes made in the database until you activate it again are not
              processed, and activating starts from that moment. Use Pause to keep them instead.
            </p>
          ) : null}
          {dialog.kind === 'confirm-delete' ? (
            <p>
              “{dialog.flowName}” and its saved versions will be deleted. Its past runs stay in the run history. This cannot be undone.
            </p>
          ) : null}
        </div>
        <div className="dialog__footer">
          {dialog.kind === 'confirm-drop-slot' ? (
            <>
              <button type="button" className="button" onClick={close}>
                Cancel
              </button>
              <button
                ref={primary}
                type="button"
                className="button button--danger"
                data-testid="confirm-drop-slot"
                onClick={() => {
                  close();
                  void deactivateTriggers(dialog.nodeId, true);
                }}
              >
                Stop and drop slot
              </button>
            </>
          ) : dialog.kind === 'confirm-delete' ? (
            <>
              <button type="button" className="button" onClick={close}>
                Cancel
              </button>
              <button ref={primary} type="button" className="button button--danger" data-testid="confirm-delete" onClick={() => void deleteFlow(dialog.flowId)}>
                Delete flow
              </button>
            </>
          ) : (
            <button ref={primary} type="button" className="button button--primary" onClick={close} data-testid="dialog-close">
              {dialog.kind === 'problems' ? 'OK' : 'Close'}
            </button>
          )}
        </div>
      </div>
    </div>
  );
}

function Toasts() {
  const toasts = useSession((s) => s.toasts);
  const dismiss = useSession((s) => s.dismissToast);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast--${t.kind}`} data-testid="toast" data-kind={t.kind} role={t.kind === 'error' ? 'alert' : 'status'}>
          <Icon name={t.kind === 'error' ? 'alert' : t.kind === 'success' ? 'check' : 'flow'} size={15} />
          <span>{t.text}</span>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <Icon name="close" size={13} />
          </button>
        </div>
      ))}
    </div>
  );
}

function ConnectionBanner() {
  const connection = useSession((s) => s.connection);
  const detail = useSession((s) => s.connectionDetail);
  const loaded = useSession((s) => s.loaded);
  if (connection === 'bad-token') {
    return (
      <div className="conn-banner conn-banner--error" data-testid="connection-banner" role="alert">
        <Icon name="alert" size={15} /> {detail}
      </div>
    );
  }
  if (connection === 'no-engine') {
    return (
      <div className="conn-banner conn-banner--error" data-testid="connection-banner" role="alert">
        <Icon name="alert" size={15} /> Cannot reach the engine. {detail}
      </div>
    );
  }
  if (connection === 'disconnected' && loaded) {
    return (
      <div className="conn-banner" data-testid="connection-banner" role="alert">
        <span className="mr-spinner mr-spinner--small" /> Lost connection to the engine — reconnecting… {detail ?? 'Your edits are kept and will be saved once it is back.'}
      </div>
    );
  }
  return null;
}

export function Overlays() {
  return (
    <>
      <ConnectionBanner />
      <DialogHost />
      <Toasts />
    </>
  );
}
