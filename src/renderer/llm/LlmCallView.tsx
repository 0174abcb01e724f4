/** Run data of an LLM node: the call record laid out — prompt, reply, parsed output, tokens, cost, timings, every attempt. */
import { formatCost, parseCallRecord, type AttemptRecord, type LlmCallRecord } from '../../shared/llm';
import type { NodeTrace } from '../../shared/runs';
import { JsonView } from '../runs/JsonView';
import { useRuns } from '../stores/run-store';
import { recordLlmReplay } from './llm-actions';
import { formatMs } from './format';
import './llm.css';

function Attempts({ attempts, call }: { attempts: AttemptRecord[]; call: LlmCallRecord }) {
  if (attempts.length === 0) return <div className="muted">{call.cache.hit ? 'Answered from the cache: no request was sent.' : 'No attempts recorded.'}</div>;
  return (
    <table className="llm-attempts" data-testid="llm-attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>model</th>
          <th>result</th>
          <th>took</th>
          <th>then waited</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((a, i) => (
          <tr key={i} className={`is-${a.outcome}`}>
            <td>
              {i + 1}
              {a.exchange === 'repair' ? <span className="llm-badge">repair</span> : null}
            </td>
            <td>
              {a.model}
              {a.target > 0 ? <span className="muted"> (fallback {a.target})</span> : null}
            </td>
            <td title={a.error?.message}>{a.outcome === 'ok' ? 'ok' : `${a.error?.status ?? ''} ${a.error?.kind ?? a.outcome}`.trim()}</td>
            <td>{formatMs(a.durationMs)}</td>
            <td>{a.waitMs !== undefined ? `${formatMs(a.waitMs)}${a.retryAfterMs !== undefined ? ' (Retry-After)' : ''}` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function LlmCallView({ trace }: { trace: NodeTrace }) {
  const runId = useRuns((s) => s.selectedRunId);
  const call = trace.status === 'succeeded' ? parseCallRecord(trace.output) : null;
  if (!call) return null;
  const params = Object.entries(call.request.params).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(' · ');
  return (
    <div className="llm-call" data-testid="llm-call-view">
      <div className="llm-call__head">
        {call.label === 'replay' ? <span className="llm-badge llm-badge--replay">replay — recorded answer, no model was called</span> : null}
        {call.label === 'synthetic' ? <span className="llm-badge llm-badge--synthetic">synthetic — made-up answer from the output schema, no model was called</span> : null}
        {call.cache.hit ? <span className="llm-badge llm-badge--cache">cache hit</span> : null}
        <span className="llm-call__model">{call.model}</span>
        <span className="muted">{call.endpoint}</span>
        {call.targetIndex > 0 ? <span className="llm-badge">fallback {call.targetIndex}</span> : null}
      </div>
      <div className="llm-metrics">
        <div>
          <span>Tokens</span>
          <b data-testid="llm-run-tokens">{call.usage.totalTokens ?? '?'}</b>
          <small>
            {call.usage.promptTokens ?? '?'} in · {call.usage.completionTokens ?? '?'} out
          </small>
        </div>
        <div>
          <span>Cost</span>
          <b data-testid="llm-run-cost">{formatCost(call.cost)}</b>
          <small>{call.cost.basis === 'unknown' ? 'no price for this model' : call.cost.basis.replace('-', ' ')}</small>
        </div>
        <div>
          <span>Latency</span>
          <b>{formatMs(call.latencyMs)}</b>
          <small>first token {formatMs(call.ttftMs)}</small>
        </div>
      </div>
      <div className="run-data__section">
        <div className="section-title">Prompt</div>
        {call.request.system ? <pre className="llm-text llm-text--system">{call.request.system}</pre> : null}
        <pre className="llm-text" data-testid="llm-prompt">
          {call.request.prompt}
        </pre>
        {call.request.instruction ? <pre className="llm-text llm-text--system" title="added by the gateway">{call.request.instruction}</pre> : null}
        <div className="muted llm-params">{params}</div>
      </div>
      <div className="run-data__section">
        <div className="section-title">Reply{call.response.truncated ? ' (cut off at max tokens)' : ''}</div>
        <pre className="llm-text" data-testid="llm-reply-full">
          {call.response.text}
        </pre>
      </div>
      {call.request.schema ? (
        <div className="run-data__section">
          <div className="section-title">Parsed output (valid against the schema)</div>
          <JsonView value={call.output ?? undefined} />
        </div>
      ) : null}
      {call.repair.attempted ? (
        <div className="run-data__section">
          <div className="section-title">Repaired once</div>
          <div className="muted">{call.repair.reason}</div>
          <pre className="llm-text">{call.repair.firstReply}</pre>
        </div>
      ) : null}
      <div className="run-data__section">
        <div className="section-title">Attempts</div>
        <Attempts attempts={call.attempts} call={call} />
      </div>
      {call.label === 'live' && runId ? (
        <button type="button" className="button button--small" data-testid="llm-record" onClick={() => void recordLlmReplay(runId)} title="Replay nodes with the same request will answer with these replies, offline">
          Save this run's answers for replay
        </button>
      ) : null}
    </div>
  );
}
