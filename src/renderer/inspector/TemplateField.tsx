/**
 * A template field of any node, wired to the flow: shows `$node["Name"]` while the document keeps
 * `$node["id"]` (a rename never breaks a reference), completes upstream nodes and fields, previews
 * the value from the last run of this flow, warns about unknown paths before running.
 */
import { useMemo } from 'react';
import { nodeRegistry } from '../../nodes';
import type { FlowNode } from '../../shared/flow/schema';
import { refsToIds, refsToNames } from '../../shared/flow/references';
import { useEditor } from '../stores/editor-store';
import { useRuns } from '../stores/run-store';
import type { RunTrace } from '../../shared/runs';
import { TemplateEditor } from '../llm/TemplateEditor';
import { templateContext, type TemplateContext } from './template-context';
import { CodeEditor } from './CodeEditor';

/** The selected run, else the newest traced run of this flow: "the last run's data". */
function useLastTrace(flowId: string | undefined): RunTrace | null {
  return useRuns((s) => {
    const selected = s.selectedRunId ? s.traces[s.selectedRunId] : undefined;
    if (selected && selected.run.flowId === flowId) return selected;
    for (let i = s.traceOrder.length - 1; i >= 0; i--) {
      const t = s.traces[s.traceOrder[i]!];
      if (t && t.run.flowId === flowId) return t;
    }
    return null;
  });
}

export function useTemplateContext(nodeId: string): TemplateContext {
  const flow = useEditor((s) => s.flow);
  const trace = useLastTrace(flow?.id);
  return useMemo(() => templateContext(flow, trace, nodeId, nodeRegistry), [flow, trace, nodeId]);
}

interface Props {
  node: FlowNode;
  label: string;
  /** Stored form (ids). */
  value: string;
  onChange(stored: string): void;
  rows: number;
  testId: string;
  errors: string[];
  mode: 'text' | 'json' | 'code';
  bare?: boolean;
}

export function TemplateField({ node, label, value, onChange, rows, testId, errors, mode, bare = false }: Props) {
  const nodes = useEditor((s) => s.flow?.nodes ?? []);
  const ctx = useTemplateContext(node.id);
  const shown = useMemo(() => refsToNames(value, nodes), [value, nodes]);
  const warnings = useMemo(() => (mode === 'code' ? [] : ctx.warnings(value)), [ctx, value, mode]);
  const preview = useMemo(() => (mode === 'code' || !value.includes('{{') ? null : ctx.preview(value, mode)), [ctx, value, mode]);
  if (mode === 'code') {
    return (
      <CodeEditor
        value={shown}
        onChange={(text) => onChange(refsToIds(text, nodes))}
        paths={ctx.paths}
        typescript={node.config['language'] === 'typescript'}
        testId={testId}
        invalid={errors.length > 0}
      />
    );
  }
  return (
    <TemplateEditor
      label={label}
      value={shown}
      onChange={(text) => onChange(refsToIds(text, nodes))}
      paths={ctx.paths}
      rows={rows}
      testId={testId}
      errors={errors}
      warnings={warnings}
      preview={preview}
      mode={mode}
      bare={bare}
    />
  );
}
