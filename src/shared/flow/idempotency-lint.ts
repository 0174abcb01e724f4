/**
 * Idempotency lint: a warning (never a blocking problem) when an effect its target cannot dedupe
 * sits downstream of an LLM or approval node. A crash or a retry there repeats the effect, and
 * re-running the expensive or human step to recover is not an option. Each node type says for
 * itself why its effect is not dedupable (`effectLint` in the node kit) and how to fix it.
 */
import type { Flow } from './schema';
import type { NodeRegistry } from '../node-kit';

export interface FlowWarning {
  kind: 'idempotency';
  nodeId: string;
  /** The config field to change, when one does it. */
  field?: string;
  message: string;
}

/** LLM calls (category ai) and human approvals are what a repeated effect must not force you to redo. */
function isCostlyStep(type: string, category: string | undefined): boolean {
  return category === 'ai' || /(^|[.-])approval(@|$|[.-])/.test(type);
}

export function idempotencyWarnings(flow: Flow, registry: NodeRegistry): FlowWarning[] {
  const byId = new Map(flow.nodes.map((n) => [n.id, n]));
  const parents = new Map<string, string[]>();
  for (const e of flow.edges) parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
  const costlyUpstream = (id: string): string | null => {
    const seen = new Set<string>();
    const stack = [...(parents.get(id) ?? [])];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      if (seen.has(cur)) continue;
      seen.add(cur);
      const n = byId.get(cur);
      if (n && isCostlyStep(n.type, registry.get(n.type)?.category)) return n.name;
      stack.push(...(parents.get(cur) ?? []));
    }
    return null;
  };
  const warnings: FlowWarning[] = [];
  for (const node of flow.nodes) {
    const def = registry.get(node.type);
    if (!def?.effectLint) continue;
    const cfg = def.config.safeParse(node.config);
    if (!cfg.success) continue;
    const why = def.effectLint(cfg.data);
    if (!why) continue;
    const after = costlyUpstream(node.id);
    if (!after) continue;
    warnings.push({ kind: 'idempotency', nodeId: node.id, message: `"${node.name}" runs after "${after}" and ${why}` });
  }
  return warnings;
}
