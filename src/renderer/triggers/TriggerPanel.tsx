/**
 * The Postgres change trigger's panel in the inspector: setup check with the exact fixes,
 * activation, live state, slot health (lag, retained WAL, warnings), backfill progress, and the
 * re-sync prompt when the slot is lost.
 */
import { useEffect } from 'react';
import type { FlowNode } from '../../shared/flow/schema';
import type { SetupReport, TriggerStatus } from '../../shared/triggers';
import { activateTriggers, checkTriggerSetup, deactivateTriggers, refreshTriggers } from '../actions';
import { useEditor } from '../stores/editor-store';
import { useSession } from '../stores/session-store';
import { triggerKey, useTriggers } from './trigger-store';
import { backfillPercent, formatBytes, triggerChip } from './trigger-text';

function SetupResult({ report }: { report: SetupReport }) {
  if (report.ok && report.problems.length === 0) {
    return (
      <div className="trigger-setup trigger-setup--ok" data-testid="trigger-setup">
        ✓ Connected{report.serverVersion ? ` to Postgres ${report.serverVersion}` : ''}: ready to activate.
      </div>
    );
  }
  return (
    <ul className="trigger-setup" data-testid="trigger-setup">
      {report.problems.map((p, i) => (
        <li key={i} className={`trigger-setup__item trigger-setup__item--${p.level}`} data-code={p.code}>
          <span className="trigger-setup__level">{p.level === 'error' ? '✗' : '!'}</span>
          <div>
            <div>{p.message}</div>
            {p.fix ? <code className="trigger-setup__fix">{p.fix}</code> : null}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Health({ status }: { status: TriggerStatus }) {
  const h = status.health;
  return (
    <dl className="trigger-health" data-testid="trigger-health">
      <dt>Runs created</dt>
      <dd>{status.changes.toLocaleString()}</dd>
      <dt>Lag (backlog)</dt>
      <dd>{formatBytes(h?.lagBytes)}</dd>
      <dt>WAL kept by slot</dt>
      <dd>{formatBytes(h?.retainedBytes)}</dd>
      <dt>Slot</dt>
      <dd>
        {status.slot} {h?.walStatus ? <span className="muted">({h.walStatus})</span> : null}
      </dd>
      <dt>Confirmed</dt>
      <dd>{status.confirmedLsn ?? '—'}</dd>
    </dl>
  );
}

/** While paused: what the slot holds for the resume, read from Postgres when the status is fetched. */
function Backlog({ status }: { status: TriggerStatus }) {
  const h = status.health;
  return (
    <dl className="trigger-health" data-testid="trigger-backlog">
      <dt>Backlog (since pause)</dt>
      <dd data-testid="trigger-backlog-bytes">{h ? formatBytes(h.lagBytes) : 'unknown'}</dd>
      <dt>WAL kept by slot</dt>
      <dd>{formatBytes(h?.retainedBytes)}</dd>
      <dt>Slot</dt>
      <dd>
        {status.slot} {h?.walStatus ? <span className="muted">({h.walStatus})</span> : null}
      </dd>
      {h ? (
        <>
          <dt>Checked</dt>
          <dd>{new Date(h.checkedAt).toLocaleTimeString()}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** How often an open panel re-reads a paused slot's backlog (one short query on pg_replication_slots). */
const BACKLOG_REFRESH_MS = 15_000;

function Backfill({ status }: { status: TriggerStatus }) {
  const b = status.backfill;
  if (!b) return null;
  const pct = backfillPercent(status);
  return (
    <div className="trigger-backfill" data-testid="trigger-backfill">
      <div className="trigger-backfill__label">
        Backfill {b.state === 'done' ? 'done' : `of ${b.table ?? ''}`}: {b.rowsDone.toLocaleString()} / ~{b.rowsTotal.toLocaleString()} rows
      </div>
      <div className="trigger-backfill__bar" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <div style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

export function TriggerPanel({ node }: { node: FlowNode }) {
  const flowId = useEditor((s) => s.flow?.id ?? '');
  const k = triggerKey(flowId, node.id);
  const status = useTriggers((s) => s.statuses[k]);
  const setup = useTriggers((s) => s.setups[k]);
  const busy = useTriggers((s) => s.busy[k]);
  const chip = triggerChip(status);
  const active = status !== undefined && status.state !== 'inactive';
  const paused = status?.state === 'inactive' && status.paused === true;
  useEffect(() => {
    if (!paused) return;
    const timer = setInterval(() => void refreshTriggers(), BACKLOG_REFRESH_MS);
    return () => clearInterval(timer);
  }, [paused]);
  return (
    <section className="trigger-panel" data-testid="trigger-panel">
      <div className="trigger-panel__head">
        <span className={`trigger-chip trigger-chip--${chip.tone}`} data-testid="trigger-state" data-state={status?.state ?? 'inactive'}>
          {chip.text}
        </span>
        {busy ? <span className="muted">{busy}…</span> : null}
      </div>
      {status?.message ? <div className={`trigger-panel__message trigger-panel__message--${chip.tone}`}>{status.message}</div> : null}
      {status?.health?.warning ? <div className="trigger-panel__message trigger-panel__message--warning">{status.health.warning}</div> : null}
      <div className="trigger-panel__buttons">
        <button type="button" className="button button--small" disabled={!!busy} onClick={() => void checkTriggerSetup(node.id)} data-testid="trigger-check">
          Check setup
        </button>
        {status?.state === 'slot_lost' ? (
          <button type="button" className="button button--small button--primary" disabled={!!busy} onClick={() => void activateTriggers(node.id, true)} data-testid="trigger-resync">
            Re-sync (new slot + backfill)
          </button>
        ) : !active ? (
          <button type="button" className="button button--small button--primary" disabled={!!busy} onClick={() => void activateTriggers(node.id)} data-testid="trigger-activate">
            {paused ? 'Resume' : 'Activate'}
          </button>
        ) : null}
        {active ? (
          <>
            <button type="button" className="button button--small" disabled={!!busy} onClick={() => void deactivateTriggers(node.id, false)} title="Stop; the slot keeps changes for a later resume" data-testid="trigger-pause">
              Pause
            </button>
            <button type="button" className="button button--small button--danger" disabled={!!busy} onClick={() => useSession.getState().openDialog({ kind: 'confirm-drop-slot', nodeId: node.id, slot: status.slot })}
              title="Stop and drop the replication slot"
              data-testid="trigger-drop"
            >
              Stop &amp; drop slot
            </button>
          </>
        ) : null}
      </div>
      {setup ? <SetupResult report={setup} /> : null}
      {active ? <Health status={status} /> : null}
      {paused ? <Backlog status={status} /> : null}
      {status ? <Backfill status={status} /> : null}
    </section>
  );
}
