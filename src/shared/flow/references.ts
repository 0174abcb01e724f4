/**
 * What the graph says about `{{ $node[...] }}` references: which nodes a node may refer to, and the
 * problems of every reference in a flow (missing, itself, downstream, another branch, not upstream
 * on every path). Pure; used by validateFlow, the inspector and completion.
 */
import type { Flow } from './schema';
import type { FlowProblem } from './problems';
import type { NodeRegistry } from '../node-kit';
import { formatPath, parsedRefs, type TemplateRef } from '../template';

/** Every string in a node's config that contains `{{`, with the top-level field it belongs to. */
export function configTemplates(config: Record<string, unknown>): { field: string; path: (string | number)[]; text: string }[] {
  const out: { field: string; path: (string | number)[]; text: string }[] = [];
  const walk = (v: unknown, path: (string | number)[], depth: number) => {
    if (depth > 8) return;
    if (typeof v === 'string') {
      if (v.includes('{{')) out.push({ field: String(path[0]), path, text: v });
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], depth + 1));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k], depth + 1);
  };
  for (const [k, v] of Object.entries(config)) walk(v, [k], 0);
  return out;
}

export interface FlowGraph {
  /** Nodes with a path to this node. */
  ancestors(nodeId: string): ReadonlySet<string>;
  /** Nodes every path from a start node to this node passes through (excluding itself). */
  dominators(nodeId: string): ReadonlySet<string>;
}

/** Ancestors and dominators of every node; assumes no cycle (validateFlow reports cycles first). */
export function flowGraph(flow: Flow): FlowGraph {
  const preds = new Map<string, string[]>(flow.nodes.map((n) => [n.id, []]));
  for (const e of flow.edges) if (preds.has(e.target) && preds.has(e.source)) preds.get(e.target)!.push(e.source);
  const anc = new Map<string, Set<string>>();
  const dom = new Map<string, Set<string>>();
  const visiting = new Set<string>();
  // Memoised, iterative post-order: a 500-node chain must not blow the stack.
  const compute = (start: string) => {
    const stack: string[] = [start];
    while (stack.length > 0) {
      const id = stack[stack.length - 1]!;
      if (anc.has(id)) {
        stack.pop();
        continue;
      }
      const ps = [...new Set(preds.get(id) ?? [])];
      const pending = ps.filter((p) => !anc.has(p) && !visiting.has(p));
      if (pending.length > 0) {
        visiting.add(id);
        stack.push(...pending);
        continue;
      }
      visiting.delete(id);
      stack.pop();
      const a = new Set<string>();
      let d: Set<string> | undefined;
      for (const p of ps) {
        a.add(p);
        for (const x of anc.get(p) ?? []) a.add(x);
        const pd = new Set<string>([...(dom.get(p) ?? []), p]);
        d = d === undefined ? pd : intersect(d, pd);
      }
      a.delete(id);
      anc.set(id, a);
      dom.set(id, d ?? new Set<string>());
    }
  };
  return {
    ancestors: (id) => {
      if (!anc.has(id)) compute(id);
      return anc.get(id) ?? new Set();
    },
    dominators: (id) => {
      if (!dom.has(id)) compute(id);
      return dom.get(id) ?? new Set();
    },
  };
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}

/** Why `from` may not refer to node `target` (by id), or null when it may. */
export function referenceProblem(flow: Flow, graph: FlowGraph, from: string, target: string, ref: TemplateRef): string | null {
  const shown = formatPath(ref.path);
  const node = flow.nodes.find((n) => n.id === target);
  if (!node) {
    const byName = flow.nodes.filter((n) => n.name === target);
    if (byName.length > 1) return `{{ ${shown} }}: ${byName.length} nodes are called "${target}"; rename one so the reference is unambiguous`;
    return `{{ ${shown} }}: there is no node "${target}" in this flow (deleted?)`;
  }
  const name = `"${node.name}"`;
  if (target === from) return `{{ ${shown} }}: a node cannot refer to its own output`;
  if (graph.ancestors(target).has(from)) return `{{ ${shown} }}: ${name} runs after this node (it is downstream), so its output does not exist yet`;
  if (!graph.ancestors(from).has(target)) return `{{ ${shown} }}: ${name} is not upstream of this node (it is on another branch); connect it, or bring its data through a Merge`;
  if (!graph.dominators(from).has(target) && !ref.optional && !ref.fallback) {
    return `{{ ${shown} }}: ${name} is not upstream on every path to this node, so in some runs it has no output; write {{ ${shown}? }} or add a default with ??, or bring its data through a Merge`;
  }
  return null;
}

/** Problems of every `$node[...]` reference in the flow, located on node and field. */
export function referenceProblems(flow: Flow, registry: NodeRegistry): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const graph = flowGraph(flow);
  flow.nodes.forEach((node, i) => {
    const def = registry.get(node.type);
    if (!def) return;
    // Code fields use `$node["id"]` as plain JavaScript, outside any {{ }}: each one is a reference.
    for (const [field, hint] of Object.entries(def.ui)) {
      const code = node.config[field];
      if (hint?.widget !== 'code' || typeof code !== 'string') continue;
      for (const id of codeNodeRefs(code)) {
        const message = referenceProblem(flow, graph, node.id, id, { raw: `$node[${JSON.stringify(id)}]`, path: ['$node', id], optional: false });
        if (message) problems.push({ kind: 'config', path: ['nodes', i, 'config', field], nodeId: node.id, field, message: message.replace(/^\{\{ (.*?) \}\}/, '$1') });
      }
    }
    for (const t of configTemplates(node.config)) {
      for (const { ref } of parsedRefs(t.text)) {
        if (ref.path[0] !== '$node') continue;
        const target = ref.path[1];
        const message =
          target === undefined || typeof target === 'number'
            ? `{{ ${ref.raw} }}: write $node["Node name"] followed by the output, e.g. $node["Classify"].data`
            : referenceProblem(flow, graph, node.id, target, ref);
        if (message) problems.push({ kind: 'config', path: ['nodes', i, 'config', ...t.path], nodeId: node.id, field: t.field, message });
      }
    }
  });
  return problems;
}

/** Problems with inputs that have more than one incoming edge: an input takes one value. */
export function fanInProblems(flow: Flow, registry: NodeRegistry): FlowProblem[] {
  const byPort = new Map<string, string[]>();
  const ids = new Set(flow.nodes.map((n) => n.id));
  for (const e of flow.edges) if (ids.has(e.source)) byPort.set(`${e.target}\u0000${e.targetPort}`, [...(byPort.get(`${e.target}\u0000${e.targetPort}`) ?? []), e.source]);
  const problems: FlowProblem[] = [];
  for (const [key, sources] of byPort) {
    if (sources.length < 2) continue;
    const [target, port] = key.split('\u0000') as [string, string];
    const i = flow.nodes.findIndex((n) => n.id === target);
    const node = flow.nodes[i];
    if (!node || !registry.get(node.type)) continue;
    const names = sources.map((s) => `"${flow.nodes.find((n) => n.id === s)?.name ?? s}"`);
    problems.push({
      kind: 'config',
      path: ['nodes', i],
      nodeId: target,
      message: `input "${port}" has ${sources.length} incoming connections (from ${names.join(', ')}); an input takes one value, so all but one would be ignored: add a Merge node to combine them`,
    });
  }
  return problems;
}

const NODE_REF = /\$node\[\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*\]/g;

/** The node ids (or names) a piece of code refers to with `$node["…"]`. */
export function codeNodeRefs(code: string): string[] {
  const out = new Set<string>();
  mapNodeRefs(code, (key) => {
    out.add(key);
    return null;
  });
  return [...out];
}

function mapNodeRefs(text: string, map: (key: string) => string | null): string {
  return text.replace(NODE_REF, (whole, quoted: string) => {
    let key: unknown;
    try {
      key = JSON.parse(quoted[0] === '"' ? quoted : `"${quoted.slice(1, -1).replace(/"/g, '\\"')}"`);
    } catch {
      return whole;
    }
    if (typeof key !== 'string') return whole;
    const next = map(key);
    return next === null ? whole : `$node[${JSON.stringify(next)}]`;
  });
}

/** For the editor: `$node["n_x1"]` → `$node["Classify"]`. The document stores ids, so a rename never breaks a reference. */
export function refsToNames(text: string, nodes: readonly { id: string; name: string }[]): string {
  if (!text.includes('$node')) return text;
  const byId = new Map(nodes.map((n) => [n.id, n.name]));
  return mapNodeRefs(text, (key) => byId.get(key) ?? null);
}

/**
 * From the editor back to the document: a name that exactly one node has becomes that node's id.
 * Anything else (an id already, an unknown or ambiguous name) is kept, and validation reports it.
 */
export function refsToIds(text: string, nodes: readonly { id: string; name: string }[]): string {
  if (!text.includes('$node')) return text;
  const ids = new Set(nodes.map((n) => n.id));
  const byName = new Map<string, string | null>();
  for (const n of nodes) byName.set(n.name, byName.has(n.name) ? null : n.id);
  return mapNodeRefs(text, (key) => (ids.has(key) && !byName.has(key) ? null : (byName.get(key) ?? null)));
}
