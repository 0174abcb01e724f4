/**
 * On the canvas, under an LLM node: the text streaming in during a run; after it, tokens, cost
 * and latency of the selected run's call (and "replay" / "cache hit" when they apply).
 */
import { formatCost, parseCallRecord } from '../../shared/llm';
import { useRuns } from '../stores/run-store';
import { formatMs, formatTokens, tail } from './format';
import './llm.css';

export function LlmNodeExtras({ nodeId }: { nodeId: string }) {
  const trace = useRuns((s) => (s.selectedRunId ? s.traces[s.selectedRunId]?.nodes[nodeId] : undefined));
  if (!trace) return null;
  if (trace.status === 'running') {
    if (!trace.progress) return null;
    return (
      <div className="llm-live" data-testid="llm-live" title="Streaming from the model">
        <span className="llm-live__dot" />
        {tail(trace.progress, 160)}
      </div>
    );
  }
  if (trace.status !== 'succeeded') return null;
  const call = parseCallRecord(trace.output);
  if (!call) return null;
  return (
    <div className="llm-footer">
      <div className="llm-reply-box">
        <div className="llm-reply" data-testid="llm-reply" title={call.response.text}>
          {call.response.text}
        </div>
      </div>
      <div className="llm-stats" data-testid="llm-stats">
        {call.label !== 'live' ? <span className={`llm-badge llm-badge--${call.label}`} data-testid="llm-label">{call.label}</span> : null}
        {call.cache.hit ? <span className="llm-badge llm-badge--cache">cache hit</span> : null}
        <span data-testid="llm-tokens" title={`${call.usage.promptTokens ?? '?'} prompt + ${call.usage.completionTokens ?? '?'} completion tokens`}>
          {formatTokens(call.usage.totalTokens)}
        </span>
        <span data-testid="llm-cost" className={call.cost.usd === null ? 'llm-unknown' : ''}>
          {formatCost(call.cost)}
        </span>
        <span data-testid="llm-latency" title={call.ttftMs !== null ? `first token after ${formatMs(call.ttftMs)}` : undefined}>
          {formatMs(call.latencyMs)}
        </span>
      </div>
    </div>
  );
}
