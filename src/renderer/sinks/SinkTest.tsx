/**
 * A sink's Test button: sends one sample (the input this node got in the shown run, else `{}`) to
 * the real target, outside any run, marked as a test (its key starts with `millrace-test:`).
 */
import { useState } from 'react';
import type { FlowNode } from '../../shared/flow/schema';
import type { SinkTestResult } from '../../shared/effects';
import { selectedTrace, useRuns } from '../stores/run-store';
import { testSink } from './sink-actions';
import './sinks.css';

export function SinkTest({ node }: { node: FlowNode }) {
  const trace = useRuns(selectedTrace);
  const sample = trace?.nodes[node.id]?.input ?? {};
  const [state, setState] = useState<{ running: boolean; result: SinkTestResult | null }>({ running: false, result: null });
  const r = state.result;
  return (
    <div className="sink-test">
      <button
        type="button"
        className="button button--small"
        data-testid="sink-test"
        disabled={state.running}
        onClick={() => {
          setState({ running: true, result: null });
          void testSink(node.type, node.config, sample).then((result) => setState({ running: false, result }));
        }}
      >
        {state.running ? 'Testing…' : 'Test'}
      </button>
      <span className="field__help">sends one sample to the real target, marked as a test ({trace?.nodes[node.id] ? "this run's input" : 'an empty object'})</span>
      {r ? (
        <pre className={`sink-test__result ${r.ok ? 'is-ok' : 'is-error'}`} data-testid="sink-test-result">
          {r.ok ? JSON.stringify(r.output, null, 2) : r.error}
        </pre>
      ) : null}
    </div>
  );
}
