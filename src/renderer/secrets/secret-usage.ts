/** Where each `secret:NAME` is used: every string in every node's config, walked deeply. */
import type { Flow } from '../../shared/flow/schema';
import { secretRefName } from '../../shared/llm';

export interface SecretUse {
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeName: string;
  /** Config path, e.g. "apiKey" or "fallbacks.0.apiKey". */
  field: string;
}

function walk(value: unknown, path: string[], found: (name: string, field: string) => void): void {
  if (typeof value === 'string') {
    const name = secretRefName(value);
    if (name) found(name, path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, [...path, String(i)], found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], found);
  }
}

export function findSecretUses(flows: readonly Flow[]): Map<string, SecretUse[]> {
  const uses = new Map<string, SecretUse[]>();
  for (const flow of flows) {
    for (const node of flow.nodes) {
      walk(node.config, [], (name, field) => {
        const list = uses.get(name) ?? [];
        list.push({ flowId: flow.id, flowName: flow.name, nodeId: node.id, nodeName: node.name, field });
        uses.set(name, list);
      });
    }
  }
  return uses;
}
