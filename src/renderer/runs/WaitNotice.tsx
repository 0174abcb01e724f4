/** What a waiting node waits for, counting down; for a signal wait, a form to send that signal. */
import { useState } from 'react';
import type { NodeTrace, WaitInfo } from '../../shared/runs';
import { sendSignal } from '../actions';
import { Icon } from '../ui/icons';
import { describeWait } from './wait-text';
import { parseJsonDraft } from './json-draft';

function SignalForm({ runId, name }: { runId: string; name: string }) {
  const [draft, setDraft] = useState('');
  const [busy, setBusy] = useState(false);
  const parsed = parseJsonDraft(draft, { optional: true });
  return (
    <div className="signal-form" data-testid="signal-form">
      <label className="field__label" htmlFor="signal-payload">
        Payload <span className="muted">(JSON, optional)</span>
      </label>
      <textarea
        id="signal-payload"
        className={`input input--mono${parsed.ok ? '' : ' is-invalid'}`}
        rows={3}
        spellCheck={false}
        placeholder={'{ "approved": true }'}
        data-testid="signal-payload"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      {parsed.ok ? null : <div className="field__error">{parsed.error}</div>}
      <button
        type="button"
        className="button button--primary button--small"
        data-testid="signal-send"
        disabled={busy || !parsed.ok}
        onClick={() => {
          if (!parsed.ok) return;
          setBusy(true);
          void sendSignal(runId, name, parsed.value).finally(() => setBusy(false));
        }}
      >
        <Icon name="send" size={13} /> Send “{name}”
      </button>
    </div>
  );
}

export function WaitNotice({ runId, node, waiting, maxAttempts, now }: { runId: string; node: NodeTrace; waiting: WaitInfo; maxAttempts: number | undefined; now: number }) {
  const text = describeWait(waiting, node, maxAttempts, now);
  return (
    <div className="wait-box" data-testid="node-waiting" data-wait={waiting.kind}>
      <div className="wait-box__title">
        <Icon name={waiting.kind === 'signal' ? 'send' : 'clock'} size={14} /> {text.badge.charAt(0).toUpperCase() + text.badge.slice(1)}
        {text.left ? <span className="wait-box__detail">{text.left}</span> : null}
      </div>
      <div className="wait-box__sentence">{text.sentence}</div>
      {waiting.kind === 'signal' && waiting.signal ? <SignalForm key={`${runId}:${waiting.signal}`} runId={runId} name={waiting.signal} /> : null}
    </div>
  );
}
