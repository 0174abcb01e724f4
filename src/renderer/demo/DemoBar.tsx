/**
 * The demo bar, floating at the bottom of the canvas while the demo flow is open: the demo
 * database's state (with the problem and its fix when it failed, and Retry), ticket counts, and
 * Simulate traffic (rate 1–50 tickets/s, Start/Stop, tickets inserted so far).
 */
import { useEffect } from 'react';
import { TRAFFIC_MAX_RATE, TRAFFIC_MIN_RATE, type DemoStatus } from '../../shared/demo';
import { Icon } from '../ui/icons';
import { demo, useDemoPolling } from './demo-actions';
import { clampRate, describeDatabase, formatCount, parseRate, useDemo } from './demo-store';
import { tour } from './tour-state';
import './demo.css';

const RATE_SETTLE_MS = 400;

function DatabaseState({ status }: { status: DemoStatus }) {
  const busy = useDemo((s) => s.busy);
  const line = describeDatabase(status);
  if (line.tone === 'failed') {
    return (
      <div className="demo-bar__failed" data-testid="demo-db-state" data-state={status.database.state} data-problem={line.code} role="alert">
        <Icon name="alert" size={16} className="demo-bar__failed-icon" />
        <div className="demo-bar__failed-text">
          <div className="demo-bar__failed-message" data-testid="demo-db-problem">
            {line.text}
          </div>
          <div className="demo-bar__failed-fix" data-testid="demo-db-fix">
            <strong>Fix:</strong> {line.fix}
          </div>
          <div className="demo-bar__failed-note">The rest of Millrace works as usual.</div>
        </div>
        <button type="button" className="button button--small" data-testid="demo-retry" disabled={busy === 'start-db'} onClick={() => void demo.startDatabase()}>
          {busy === 'start-db' ? <span className="mr-spinner mr-spinner--small" /> : <Icon name="rerun" size={13} />} Retry
        </button>
      </div>
    );
  }
  return (
    <div className={`demo-bar__db demo-bar__db--${line.tone}`} data-testid="demo-db-state" data-state={status.database.state} title={[line.text, status.database.version ? `Version: ${status.database.version}` : '', status.database.dataDir ? `Data: ${status.database.dataDir}` : ''].filter(Boolean).join('\n')}>
      {line.tone === 'busy' ? <span className="mr-spinner mr-spinner--small" /> : <span className={`demo-dot demo-dot--${line.tone}`} />}
      <span>{line.text}</span>
      {status.database.url ? (
        <button
          type="button"
          className="icon-button demo-bar__psql"
          data-testid="demo-db-copy-url"
          aria-label="Copy a psql command for the demo database"
          title={`Copy a psql command for the demo database:\n${status.database.psql ?? `psql "${status.database.url}"`}`}
          onClick={() => void demo.copyPsql(status.database.url ?? '', status.database.psql)}
        >
          <Icon name="copy" size={14} />
        </button>
      ) : null}
      {line.tone === 'off' ? (
        <button type="button" className="button button--small" data-testid="demo-retry" disabled={busy === 'start-db'} onClick={() => void demo.startDatabase()}>
          Start
        </button>
      ) : null}
    </div>
  );
}

function Traffic({ status }: { status: DemoStatus }) {
  const rateText = useDemo((s) => s.rateText);
  const busy = useDemo((s) => s.busy);
  const error = useDemo((s) => s.trafficError);
  const running = status.traffic.running;
  const dbReady = status.database.state === 'running';
  const parsed = parseRate(rateText);
  const sliderValue = parsed.ok ? clampRate(parsed.rate) : clampRate(Number(rateText));
  const engineError = status.traffic.error;
  useEffect(() => {
    // While traffic runs, a changed rate is sent once the slider or the field rests for a moment.
    if (!running) return;
    const timer = setTimeout(() => void demo.commitRate(), RATE_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [rateText, running]);
  return (
    <div className="demo-traffic" data-testid="demo-traffic" data-running={running}>
      <span className="demo-traffic__label" id="demo-traffic-label">
        Simulate traffic
      </span>
      <input
        type="range"
        className="demo-traffic__slider"
        min={TRAFFIC_MIN_RATE}
        max={TRAFFIC_MAX_RATE}
        step={1}
        value={sliderValue}
        aria-labelledby="demo-traffic-label"
        aria-valuetext={`${sliderValue} tickets per second`}
        data-testid="demo-traffic-slider"
        onChange={(e) => demo.setRateText(e.target.value)}
      />
      <label className="demo-traffic__rate">
        <input
          type="number"
          className={`input input--compact demo-traffic__number${parsed.ok ? '' : ' is-invalid'}`}
          min={TRAFFIC_MIN_RATE}
          max={TRAFFIC_MAX_RATE}
          step={1}
          value={rateText}
          aria-label="Tickets per second"
          aria-invalid={!parsed.ok}
          title={parsed.ok ? `${TRAFFIC_MIN_RATE}–${TRAFFIC_MAX_RATE} tickets per second` : parsed.error}
          data-testid="demo-traffic-rate"
          onChange={(e) => demo.setRateText(e.target.value)}
          onKeyDown={(e) => {
            e.stopPropagation();
            if (e.key === 'Enter') void (running ? demo.commitRate() : demo.startTraffic());
          }}
        />
        <span className="muted">/s</span>
      </label>
      <button
        type="button"
        className={`button button--small ${running ? 'button--danger' : 'button--primary'}`}
        data-testid="demo-traffic-toggle"
        data-running={running}
        disabled={busy === 'traffic' || (!running && (!dbReady || !parsed.ok))}
        title={!dbReady && !running ? 'The demo database is not running' : undefined}
        onClick={() => void (running ? demo.stopTraffic() : demo.startTraffic())}
      >
        {busy === 'traffic' ? <span className="mr-spinner mr-spinner--small" /> : <Icon name={running ? 'stop' : 'play'} size={12} />}
        {running ? 'Stop' : 'Start'}
      </button>
      <span className="demo-traffic__inserted" data-testid="demo-traffic-inserted" data-count={status.traffic.inserted} title="Tickets inserted by Simulate traffic">
        {running ? <span className="demo-dot demo-dot--live" /> : null}
        {formatCount(status.traffic.inserted)} inserted
      </span>
      {!parsed.ok ? (
        <span className="demo-traffic__error" data-testid="demo-traffic-rate-error">
          {parsed.error}
        </span>
      ) : null}
      {error || engineError ? (
        <span className="demo-traffic__error" data-testid="demo-traffic-error" role="alert">
          <Icon name="alert" size={13} /> {error ?? `Traffic stopped: ${engineError}`}
        </span>
      ) : null}
    </div>
  );
}

/** Polls while mounted: the canvas mounts it only while the demo flow is open (DemoCanvasLayer). */
export function DemoBar() {
  const status = useDemo((s) => s.status);
  const pollError = useDemo((s) => s.pollError);
  useDemoPolling(true);
  if (status === null) {
    return (
      <div className="demo-bar" data-testid="demo-bar" data-state="loading">
        {pollError ? <span className="demo-bar__error">{pollError}</span> : <span className="mr-spinner mr-spinner--small" />}
      </div>
    );
  }
  if (!status.enabled) {
    return (
      <div className="demo-bar demo-bar--disabled" data-testid="demo-bar" data-state="disabled">
        <div className="demo-bar__db demo-bar__db--off" data-testid="demo-db-state" data-state="disabled">
          <span className="demo-dot demo-dot--off" />
          <span>This engine runs without the demo workspace, so the demo database and Simulate traffic are off.</span>
        </div>
      </div>
    );
  }
  const failed = status.database.state === 'failed';
  return (
    <div className={`demo-bar${failed ? ' demo-bar--failed' : ''}`} data-testid="demo-bar" data-state={status.database.state} role="region" aria-label="Live demo">
      <div className="demo-bar__row">
        <span className="demo-bar__badge">Live demo</span>
        {failed ? <span className="demo-bar__failed-short">The demo database did not start</span> : <DatabaseState status={status} />}
        <button type="button" className="button button--small button--ghost demo-bar__tour" data-testid="tour-restart" title="Restart the tour of this demo" aria-label="Restart tour" onClick={() => tour.restart()}>
          <Icon name="sparkles" size={13} /> Tour
        </button>
      </div>
      {failed ? <DatabaseState status={status} /> : null}
      {pollError ? (
        <div className="demo-bar__error" data-testid="demo-poll-error" role="status">
          <Icon name="alert" size={13} /> {pollError}
        </div>
      ) : null}
      {failed ? null : <Traffic status={status} />}
      {failed ? null : (
        <div className="demo-bar__tickets" data-testid="demo-tickets" data-total={status.tickets.total} data-triaged={status.tickets.triaged}>
          <span>
            <code>support_tickets</code> <strong>{formatCount(status.tickets.total)}</strong> tickets
          </span>
          <span aria-hidden="true">→</span>
          <span>
            <code>triaged_tickets</code> <strong>{formatCount(status.tickets.triaged)}</strong> triaged
          </span>
        </div>
      )}
    </div>
  );
}
