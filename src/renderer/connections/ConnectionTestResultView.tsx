/** What the Test button found: connected or not, server version, whether change triggers can use it, each fix. */
import type { ConnectionTestResult } from '../../shared/connections';

export function ConnectionTestResultView({ result }: { result: ConnectionTestResult }) {
  const triggerReady = result.trigger?.logical && result.trigger.replication;
  return (
    <div className={`conn-test ${result.ok ? 'is-ok' : 'is-error'}`} data-testid="connection-test-result" role="status">
      <div className="conn-test__headline">
        {result.ok ? `Connected · PostgreSQL ${result.serverVersion ?? '?'} · ${result.latencyMs} ms` : 'Cannot use this connection'}
      </div>
      {result.ok ? (
        <div className="conn-test__line">
          Sinks: ready · Change triggers: {triggerReady ? 'ready (wal_level=logical, replication allowed)' : 'not yet (see below)'}
        </div>
      ) : null}
      {result.problems.map((p) => (
        <div key={p.code} className={`conn-test__problem is-${p.level}`} data-testid={`connection-problem-${p.code}`}>
          <div>{p.message}</div>
          {p.fix ? <code className="conn-test__fix">{p.fix}</code> : null}
        </div>
      ))}
    </div>
  );
}
