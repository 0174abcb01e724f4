/**
 * Flow document → `flow.ts`. Generic over the node registry: every node type exports the same way,
 * as one `flow.node({...})` step with its config as a literal object, so a node type added by
 * anyone exports (and runs, through millrace/runtime) with no code of its own here.
 *
 * The output is deterministic: the importer (./import-flow.ts) reads these exact forms back, and
 * export → import → export gives the same bytes.
 */
import type { Flow, FlowEdge, FlowNode } from '../../shared/flow/schema';
import { formatProblem } from '../../shared/flow/problems';
import { parseFlowDocument } from '../../shared/flow/validate';
import type { NodeRegistry } from '../../shared/node-kit';
import { nodeRegistry } from '../../nodes';
import { printLiteral, propertyKey, stringLiteral } from './ts-literal';
import type { ExportedConnection } from '../../shared/connections';

export type ExportTarget = 'standalone' | 'dbos';

/** Names the generated code uses itself; node variables never take them. */
const TAKEN = new Set(['flow', 'defineFlow', 'runFlowCli', 'runDbosCli', 'input', 'process', 'console', 'undefined', 'globalThis', 'import', 'await']);
const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if implements ' +
    'in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield async of type')
    .split(' '),
);

export class ExportError extends Error {}

/** Parses and validates `raw`, then prints it; an invalid flow is refused with every problem listed. */
export function exportFlowSource(raw: unknown, options: { target?: ExportTarget; registry?: NodeRegistry; connections?: readonly ExportedConnection[] } = {}): string {
  const registry = options.registry ?? nodeRegistry;
  const parsed = parseFlowDocument(raw, registry);
  if (!parsed.ok || parsed.problems.length > 0) {
    const names = parsed.ok ? new Map(parsed.flow.nodes.map((n) => [n.id, n.name])) : new Map<string, string>();
    throw new ExportError(`the flow cannot be exported until it is valid:\n${parsed.problems.map((p) => `  ✗ ${formatProblem(p, names)}`).join('\n')}`);
  }
  return generateFlowSource(parsed.flow, options.target ?? 'standalone', options.connections ?? []);
}

/** camelCase variable names from node names, unique and never a keyword. */
export function variableNames(nodes: readonly FlowNode[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of nodes) {
    const words = n.name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ').filter(Boolean);
    let base = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
    base = base.replace(/^[0-9]+/, '');
    if (base === '' || RESERVED.has(base) || TAKEN.has(base)) base = `${base || 'node'}Node`;
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    out.set(n.id, name);
  }
  return out;
}

/** Nodes in an order where every node comes after the nodes feeding it; otherwise as drawn. */
function topoOrder(flow: Flow): FlowNode[] {
  const placed = new Set<string>();
  const out: FlowNode[] = [];
  const feeders = new Map(flow.nodes.map((n) => [n.id, flow.edges.filter((e) => e.target === n.id).map((e) => e.source)]));
  while (out.length < flow.nodes.length) {
    const next = flow.nodes.find((n) => !placed.has(n.id) && feeders.get(n.id)!.every((s) => placed.has(s)));
    if (!next) throw new ExportError('the flow has a cycle');
    placed.add(next.id);
    out.push(next);
  }
  return out;
}

const comment = (s: string) => s.replace(/\*\//g, '*\\/').replace(/\r?\n|\r/g, ' ');

function portAccess(variable: string, port: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(port) ? `${variable}.${port}` : `${variable}[${JSON.stringify(port)}]`;
}

function inputsLiteral(edges: FlowEdge[], vars: Map<string, string>): string | null {
  if (edges.length === 0) return null;
  const byPort = new Map<string, string[]>();
  for (const e of edges) {
    const list = byPort.get(e.targetPort) ?? [];
    list.push(portAccess(vars.get(e.source)!, e.sourcePort));
    byPort.set(e.targetPort, list);
  }
  const parts = [...byPort].map(([port, refs]) => `${propertyKey(port)}: ${refs.length === 1 ? refs[0] : `[${refs.join(', ')}]`}`);
  return `{ ${parts.join(', ')} }`;
}

/** `connections`: the named connections the flow's nodes pick (references only), printed into defineFlow. */
export function generateFlowSource(flow: Flow, target: ExportTarget = 'standalone', connections: readonly ExportedConnection[] = []): string {
  const order = topoOrder(flow);
  const vars = variableNames(order);
  const out: string[] = [];
  const runner = target === 'dbos' ? 'runDbosCli' : 'runFlowCli';
  const from = target === 'dbos' ? 'millrace/runtime/dbos' : 'millrace/runtime';
  out.push('/**');
  out.push(` * ${comment(flow.name)}`);
  if (flow.description) out.push(` * ${comment(flow.description)}`);
  out.push(' *');
  out.push(' * Exported from Millrace. Each `flow.node({...})` below is one step, run by the same node');
  out.push(' * implementations, durable runner and services as the app (the `millrace/runtime` package).');
  out.push(' * Edit config values here and `millrace import flow.ts` brings them back to the canvas.');
  out.push(' *');
  if (target === 'dbos') {
    out.push(" * Run:  DBOS_SYSTEM_DATABASE_URL=postgres://… npx tsx flow.ts --input '{…}' --json");
    out.push(' *       npx tsx flow.ts --worker   (one per process; workers share runs through Postgres)');
  } else {
    out.push(" * Run:  npx tsx flow.ts --input '{…}' --json   [--data-dir DIR | --ephemeral]");
  }
  out.push(' */');
  out.push(`import { defineFlow, ${runner} } from ${stringLiteral(from)};`);
  out.push('');
  const meta: Record<string, unknown> = { id: flow.id, name: flow.name };
  if (flow.description !== undefined) meta['description'] = flow.description;
  if (flow.settings !== undefined) meta['settings'] = flow.settings;
  if (connections.length > 0) meta['connections'] = [...connections].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  out.push(`export const flow = defineFlow(${printLiteral(meta)});`);
  for (const node of order) {
    const v = vars.get(node.id)!;
    out.push('');
    out.push(`// ${comment(node.name)} (${node.type})`);
    out.push(`export const ${v} = flow.node({`);
    out.push(`  id: ${stringLiteral(node.id)},`);
    out.push(`  type: ${stringLiteral(node.type)},`);
    out.push(`  name: ${stringLiteral(node.name)},`);
    out.push(`  position: ${printLiteral(node.position, '  ')},`);
    out.push(`  config: ${printLiteral(node.config, '  ')},`);
    if (node.settings !== undefined) out.push(`  settings: ${printLiteral(node.settings, '  ')},`);
    const inputs = inputsLiteral(
      flow.edges.filter((e) => e.target === node.id),
      vars,
    );
    if (inputs !== null) out.push(`  inputs: ${inputs},`);
    out.push('});');
  }
  out.push('');
  out.push(`await ${runner}(flow, import.meta.url);`);
  out.push('');
  return out.join('\n');
}
