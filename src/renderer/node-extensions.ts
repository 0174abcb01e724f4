/**
 * Node types whose inspector, canvas node or run data need more than the generic views: one
 * entry per type. The generic form and views stay the default for everything else.
 */
import type { ComponentType } from 'react';
import type { FlowNode } from '../shared/flow/schema';
import type { AnyNodeDefinition } from '../shared/node-kit';
import { parseTypeRef } from '../shared/node-kit';
import type { NodeTrace } from '../shared/runs';
import { LlmInspector } from './llm/LlmInspector';
import { LlmNodeExtras } from './llm/LlmNodeExtras';
import { LlmCallView } from './llm/LlmCallView';
import { TableSinkSettings } from './sinks/TableSinkSettings';
import { ApprovalNodeExtras, ApprovalRunData } from './approvals/ApprovalNodeExtras';

export interface NodeExtension {
  /** Replaces the generic settings form. */
  settings?: ComponentType<{ def: AnyNodeDefinition; node: FlowNode }>;
  /** Extra lines on the canvas node (live progress, run figures). */
  canvas?: ComponentType<{ nodeId: string }>;
  /** Shown above the generic output in the Run data tab. */
  runData?: ComponentType<{ trace: NodeTrace }>;
}

const extensions: Record<string, NodeExtension> = {
  'llm-call': { settings: LlmInspector, canvas: LlmNodeExtras, runData: LlmCallView },
  'postgres-sink': { settings: TableSinkSettings },
  'sqlite-sink': { settings: TableSinkSettings },
  approval: { canvas: ApprovalNodeExtras, runData: ApprovalRunData },
};

export function nodeExtension(typeRef: string): NodeExtension | undefined {
  const parsed = parseTypeRef(typeRef);
  return parsed ? extensions[parsed.type] : undefined;
}
