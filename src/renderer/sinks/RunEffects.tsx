/**
 * The run's Effects: every external effect the run made (from the effect ledger): node, target,
 * idempotency key, the target's answer, and whether it may have been delivered before.
 */
import { useEffect, useState } from 'react';
import type { EffectRecord } from '../../shared/effects';
import { listRunEffects } from './sink-actions';
import './sinks.css';

export function RunEffectsButton({ runId, status, nodeNames }: { runId: string; status: string; nodeNames: Map<string, string> }) {
  const [open, setOpen] = useState(false);
  const [effects, setEffects] = useState<EffectRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void listRunEffects(runId).then((r) => {
      if (!live) return;
      if (r.ok) {
        setEffects(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [runId, status, open]);
  const doubt = effects?.filter((e) => e.mayHaveRunBefore || e.state === 'started').length ?? 0;
  return (
    <span className="run-effects-anchor">
      <button type="button" className="button button--small button--ghost" data-testid="run-effects-button" onClick={() => setOpen(!open)}>
        Effects {effects ? effects.length : ''}
        {doubt > 0 ? ' ⚠' : ''}
      </button>
      {open ? (
        <div className="run-effects" data-testid="run-effects">
          {error ? <div className="field__error">{error}</div> : null}
          {effects && effects.length === 0 ? <div className="muted">This run made no external effects.</div> : null}
          {effects && effects.length > 0 ? (
            <table>
              <thead>
                <tr>
                  <th>Node</th>
                  <th>Target</th>
                  <th>Idempotency key</th>
                  <th>Answer</th>
                  <th>Delivered before?</th>
                </tr>
              </thead>
              <tbody>
                {effects.map((e) => (
                  <tr key={`${e.nodeId}:${e.step}`} data-testid={`run-effect-${e.nodeId}`} className={e.state === 'started' || e.mayHaveRunBefore ? 'is-doubt' : ''}>
                    <td>{nodeNames.get(e.nodeId) ?? e.nodeId}</td>
                    <td>{e.target ?? '—'}</td>
                    <td>
                      <code>{e.idempotencyKey}</code>
                      {e.sourcePosition ? <div className="muted">source {e.sourcePosition}</div> : null}
                    </td>
                    <td>{e.state === 'started' ? 'no answer recorded (in flight, failed or cut off)' : (e.answer ?? 'done')}</td>
                    <td>{e.mayHaveRunBefore ? 'maybe: sent again with the same key' : e.mayHaveRunBefore === false ? 'no' : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </span>
  );
}
