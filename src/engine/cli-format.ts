/** Plain-text rendering of a run for the terminal. */
import type { Flow } from '../shared/flow/schema';
import type { RunTrace } from '../shared/runs';

const MARK = { succeeded: '✓', failed: '✗', skipped: '–', running: '…', waiting: '⏸', pending: ' ' } as const;

export function summarizeTrace(trace: RunTrace, flow: Flow, previewChars = 120): string {
  const lines = [`Run ${trace.run.id} of "${flow.name}": ${trace.run.status} in ${trace.run.durationMs ?? '?'} ms`];
  for (const node of flow.nodes) {
    const t = trace.nodes[node.id];
    const status = t?.status ?? 'pending';
    const time = t?.durationMs !== null && t?.durationMs !== undefined ? `${t.durationMs} ms` : '';
    let detail = '';
    if (status === 'succeeded') detail = preview(t?.output, previewChars);
    else if (status === 'failed') detail = t?.error?.message ?? '';
    else if (status === 'skipped') detail = 'skipped (branch not taken)';
    else if (status === 'pending') detail = 'did not run';
    else if (status === 'waiting') detail = `waiting (${t?.waiting?.kind ?? 'wait'})`;
    lines.push(`  ${MARK[status]} ${node.name} [${node.type}] ${time}`.trimEnd() + (detail ? `\n      ${detail}` : ''));
  }
  return lines.join('\n');
}

function preview(value: unknown, max: number): string {
  const s = JSON.stringify(value) ?? 'null';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
