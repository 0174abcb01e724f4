/**
 * Run on a flow started by a Postgres change (issue 13, item 13): instead of running the built-in
 * sample as if it were live, ask for the input — a recent real row of the trigger's table, shaped
 * as the change it would deliver, or an edited sample — and start it as a test run (labelled
 * "test"; sinks set to skip on test runs write nothing).
 */
import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent } from '../../nodes/postgres-change.node';
import { sampleEvent } from '../../nodes/postgres-change.node';
import type { Dialog } from '../stores/session-store';
import { useSession } from '../stores/session-store';
import { describeError, runFlow, sampleRecentChanges } from '../actions';
import { Icon } from '../ui/icons';
import { checkSample, describeChange } from './test-run-input';

type Source = 'recent' | 'sample';
type Recent = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; changes: ChangeEvent[]; rowsRead: number };

export function TestRunDialog({ dialog }: { dialog: Extract<Dialog, { kind: 'test-run' }> }) {
  const close = useSession((s) => s.closeDialog);
  const [source, setSource] = useState<Source>('recent');
  const [recent, setRecent] = useState<Recent>({ state: 'loading' });
  const [picked, setPicked] = useState(0);
  const [draft, setDraft] = useState(() => JSON.stringify(sampleEvent, null, 2));
  const [busy, setBusy] = useState(false);
  const primary = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    sampleRecentChanges(dialog.flowId, dialog.nodeId).then(
      (r) => {
        if (!live) return;
        setRecent({ state: 'ready', changes: r.changes, rowsRead: r.rowsRead });
        // Nothing to pick from: the sample is the only way to run.
        if (r.changes.length === 0) setSource('sample');
        // The sample starts from a real row when there is one: the right table and columns.
        else setDraft(JSON.stringify(r.changes[0], null, 2));
      },
      (e: unknown) => {
        if (!live) return;
        setRecent({ state: 'error', message: describeError(e) });
        setSource('sample');
      },
    );
    return () => {
      live = false;
    };
  }, [dialog.flowId, dialog.nodeId]);
  useEffect(() => primary.current?.focus(), []);

  const checked = source === 'sample' ? checkSample(draft) : null;
  const chosen = source === 'recent' && recent.state === 'ready' ? recent.changes[picked] : undefined;
  const input = source === 'recent' ? chosen : checked?.ok ? checked.change : undefined;
  const start = () => {
    if (input === undefined || busy) return;
    setBusy(true);
    close();
    void runFlow({ input }).finally(() => setBusy(false));
  };

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="dialog dialog--wide" role="dialog" aria-modal="true" aria-label="Test run" data-testid="dialog-test-run">
        <div className="dialog__header">
          <h2>Test run</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={close}>
            <Icon name="close" />
          </button>
        </div>
        <div className="dialog__body test-run">
          <p className="dialog__intro">
            “{dialog.nodeName}” starts this flow on database changes. Pick the change to run with. The run is labelled <span className="run-label">test</span>; sinks
            set to <em>skip on test runs</em> (the default) show what they would write and write nothing. LLM and HTTP nodes do run.
          </p>
          <div className="segmented" role="radiogroup" aria-label="Input">
            <button type="button" role="radio" aria-checked={source === 'recent'} data-testid="test-run-source-recent" className={source === 'recent' ? 'is-active' : ''} onClick={() => setSource('recent')}>
              A recent real change
            </button>
            <button type="button" role="radio" aria-checked={source === 'sample'} data-testid="test-run-source-sample" className={source === 'sample' ? 'is-active' : ''} onClick={() => setSource('sample')}>
              Edit a sample
            </button>
          </div>
          {source === 'recent' ? <RecentList recent={recent} picked={picked} onPick={setPicked} /> : null}
          {source === 'sample' ? (
            <>
              <textarea
                className={`input input--mono${checked && !checked.ok ? ' is-invalid' : ''}`}
                rows={14}
                spellCheck={false}
                aria-label="Sample change (JSON)"
                data-testid="test-run-sample"
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
              />
              {checked && !checked.ok ? (
                <div className="field__error" data-testid="test-run-sample-error">
                  {checked.error}
                </div>
              ) : (
                <div className="field__help">Runs with source “sample”, never as a live change.</div>
              )}
            </>
          ) : null}
        </div>
        <div className="dialog__footer">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button ref={primary} type="button" className="button button--primary" data-testid="test-run-start" disabled={input === undefined || busy} onClick={start}>
            <Icon name="play" size={13} /> Run test
          </button>
        </div>
      </div>
    </div>
  );
}

function RecentList({ recent, picked, onPick }: { recent: Recent; picked: number; onPick: (i: number) => void }) {
  if (recent.state === 'loading') return <p className="muted" data-testid="test-run-recent-loading">Reading the newest rows…</p>;
  if (recent.state === 'error') {
    return (
      <p className="field__error" data-testid="test-run-recent-error">
        Could not read recent rows: {recent.message}. Edit a sample instead.
      </p>
    );
  }
  if (recent.changes.length === 0) {
    return (
      <p className="muted" data-testid="test-run-recent-empty">
        {recent.rowsRead > 0 ? `None of the ${recent.rowsRead} newest rows passes the trigger's row filter.` : 'The table has no rows yet.'} Edit a sample instead.
      </p>
    );
  }
  return (
    <ul className="test-run__changes" data-testid="test-run-recent" aria-label="Recent changes">
      {recent.changes.map((c, i) => (
        <li key={i}>
          <label className={`test-run__change${i === picked ? ' is-picked' : ''}`} data-testid="test-run-change">
            <input type="radio" name="test-run-change" checked={i === picked} onChange={() => onPick(i)} />
            <span>{describeChange(c)}</span>
          </label>
        </li>
      ))}
    </ul>
  );
}
