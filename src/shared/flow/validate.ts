/**
 * Flow validation: reports every problem at once, each with a path, so the canvas can mark the
 * node/field and the CLI can print a complete list. Never throws on bad input.
 */
import type { z } from 'zod';
import { FLOW_LIMITS, FlowSchema, type Flow } from './schema';
import { migrateFlow } from './migrations';
import type { FlowProblem } from './problems';
import { portIncompatibility, type NodeRegistry } from '../node-kit';
import { fanInProblems, referenceProblems } from './references';

/** Keys that could reach Object.prototype if a document were ever merged into an object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParseFlowResult =
  | { ok: true; flow: Flow; problems: FlowProblem[] }
  | { ok: false; problems: FlowProblem[] };

/**
 * Parse a flow file's text: size limit, JSON, hostile keys, migrations, schema, structure.
 * `ok: true` may still carry config problems (shown in the inspector, block Run only).
 */
export function parseFlowText(text: string, registry: NodeRegistry): ParseFlowResult {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > FLOW_LIMITS.maxFileBytes) {
    return {
      ok: false,
      problems: [
        {
          kind: 'structure',
          path: [],
          message: `the file is ${(bytes / 1024 / 1024).toFixed(1)} MB; flow files are limited to ${FLOW_LIMITS.maxFileBytes / 1024 / 1024} MB`,
        },
      ],
    };
  }
  let raw: unknown;
  const forbidden: string[] = [];
  try {
    raw = JSON.parse(text, function (key, value: unknown) {
      if (FORBIDDEN_KEYS.has(key)) {
        forbidden.push(key);
        return undefined;
      }
      return value;
    });
  } catch (e) {
    // The reviver recurses: valid but absurdly nested JSON overflows the stack, which is not a syntax error.
    const message = e instanceof RangeError ? 'the file is nested too deeply to be a flow' : `not valid JSON: ${(e as Error).message}`;
    return { ok: false, problems: [{ kind: 'structure', path: [], message }] };
  }
  if (forbidden.length > 0) {
    return {
      ok: false,
      problems: [
        { kind: 'structure', path: [], message: `the file contains forbidden keys (${[...new Set(forbidden)].join(', ')})` },
      ],
    };
  }
  return parseFlowDocument(raw, registry);
}

/** Parse an already-decoded document (from an API call or the database). */
export function parseFlowDocument(raw: unknown, registry: NodeRegistry): ParseFlowResult {
  const migrated = migrateFlow(raw);
  if (!migrated.ok) return migrated;
  const parsed = FlowSchema.safeParse(migrated.doc);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error, migrated.doc) };
  const problems = validateFlow(parsed.data, registry);
  if (problems.some((p) => p.kind === 'structure')) return { ok: false, problems };
  return { ok: true, flow: parsed.data, problems };
}

/** Semantic checks on a schema-valid flow: ids, types, ports, cycles, triggers, node config. */
export function validateFlow(flow: Flow, registry: NodeRegistry): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const nodeIndex = new Map<string, number>();

  flow.nodes.forEach((node, i) => {
    if (nodeIndex.has(node.id)) {
      problems.push({ kind: 'structure', path: ['nodes', i, 'id'], nodeId: node.id, message: `duplicate node id "${node.id}"` });
    } else nodeIndex.set(node.id, i);
    const def = registry.get(node.type);
    if (!def) {
      problems.push({
        kind: 'structure',
        path: ['nodes', i, 'type'],
        nodeId: node.id,
        message: `unknown node type "${node.type}"`,
      });
      return;
    }
    const cfg = def.config.safeParse(node.config);
    if (!cfg.success) {
      for (const issue of cfg.error.issues) {
        const field = issue.path.length > 0 ? String(issue.path[0]) : undefined;
        problems.push({
          kind: 'config',
          path: ['nodes', i, 'config', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))],
          nodeId: node.id,
          ...(field !== undefined ? { field } : {}),
          message: issue.message,
        });
      }
    }
  });

  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  const incoming = new Map<string, number>();
  const outgoing = new Map<string, string[]>();
  flow.edges.forEach((edge, i) => {
    const at = (field: string, message: string) =>
      problems.push({ kind: 'structure', path: ['edges', i, field], edgeId: edge.id, message });
    if (edgeIds.has(edge.id)) at('id', `duplicate edge id "${edge.id}"`);
    edgeIds.add(edge.id);
    const key = `${edge.source}:${edge.sourcePort}->${edge.target}:${edge.targetPort}`;
    if (edgeKeys.has(key)) at('id', 'the same two ports are connected twice');
    edgeKeys.add(key);
    const si = nodeIndex.get(edge.source);
    const ti = nodeIndex.get(edge.target);
    if (si === undefined) return at('source', `edge starts at missing node "${edge.source}"`);
    if (ti === undefined) return at('target', `edge ends at missing node "${edge.target}"`);
    const sourceDef = registry.get(flow.nodes[si]!.type);
    const targetDef = registry.get(flow.nodes[ti]!.type);
    if (!sourceDef || !targetDef) return; // already reported as unknown type
    const out = sourceDef.outputs[edge.sourcePort];
    const inp = targetDef.inputs[edge.targetPort];
    if (!out) return at('sourcePort', `"${flow.nodes[si]!.name}" has no output "${edge.sourcePort}"`);
    if (!inp) return at('targetPort', `"${flow.nodes[ti]!.name}" has no input "${edge.targetPort}"`);
    const why = portIncompatibility(out, inp);
    if (why) at('targetPort', `cannot connect "${flow.nodes[si]!.name}" to "${flow.nodes[ti]!.name}": ${why}`);
    incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge.target]);
  });

  const cycle = findCycle([...nodeIndex.keys()], outgoing);
  if (cycle) {
    const names = cycle.map((id) => flow.nodes[nodeIndex.get(id)!]!.name);
    problems.push({
      kind: 'structure',
      path: ['edges'],
      nodeId: cycle[0],
      message: `the flow has a cycle (${names.join(' → ')} → ${names[0]}); flows must not loop back`,
    });
  } else {
    // Reference checks need a DAG (upstream/downstream mean nothing in a cycle).
    problems.push(...fanInProblems(flow, registry), ...referenceProblems(flow, registry));
  }

  const triggers = flow.nodes.filter((n) => registry.get(n.type)?.trigger);
  if (flow.nodes.length > 0 && triggers.length === 0) {
    problems.push({ kind: 'config', path: ['nodes'], message: 'the flow has no trigger: add a trigger node to start it' });
  }
  for (const extra of triggers.slice(1)) {
    problems.push({
      kind: 'config',
      path: ['nodes', nodeIndex.get(extra.id)!],
      nodeId: extra.id,
      message: 'a flow can have only one trigger; delete this one or move it to its own flow',
    });
  }
  for (const node of flow.nodes) {
    const def = registry.get(node.type);
    if (!def || def.trigger || Object.keys(def.inputs).length === 0) continue;
    if (!incoming.has(node.id)) {
      problems.push({
        kind: 'config',
        path: ['nodes', nodeIndex.get(node.id)!],
        nodeId: node.id,
        message: 'not connected: connect its input or delete it',
      });
    }
  }
  return problems;
}

/** Returns the nodes of one cycle in order, or null. Iterative DFS: 10,000-node files must not blow the stack. */
export function findCycle(nodes: string[], outgoing: ReadonlyMap<string, string[]>): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  for (const start of nodes) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const succ = outgoing.get(top.id) ?? [];
      if (top.next < succ.length) {
        const n = succ[top.next++]!;
        const s = state.get(n);
        if (s === 1) return path.slice(path.indexOf(n));
        if (s === undefined) {
          state.set(n, 1);
          path.push(n);
          stack.push({ id: n, next: 0 });
        }
      } else {
        state.set(top.id, 2);
        path.pop();
        stack.pop();
      }
    }
  }
  return null;
}

function zodProblems(error: z.ZodError, doc: unknown): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const issue of error.issues.slice(0, 200)) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const problem: FlowProblem = { kind: 'structure', path, message: issue.message };
    if (path[0] === 'nodes' && typeof path[1] === 'number') {
      const nodeId = idAt(doc, 'nodes', path[1]);
      if (nodeId) problem.nodeId = nodeId;
      if (path[2] !== undefined) problem.field = String(path[2]);
    }
    if (path[0] === 'edges' && typeof path[1] === 'number') {
      const edgeId = idAt(doc, 'edges', path[1]);
      if (edgeId) problem.edgeId = edgeId;
    }
    out.push(problem);
  }
  if (error.issues.length > 200) {
    out.push({ kind: 'structure', path: [], message: `…and ${error.issues.length - 200} more problems` });
  }
  return out;
}

function idAt(doc: unknown, list: 'nodes' | 'edges', index: number): string | undefined {
  const arr = (doc as Record<string, unknown> | null)?.[list];
  const item = Array.isArray(arr) ? (arr[index] as Record<string, unknown> | undefined) : undefined;
  return typeof item?.['id'] === 'string' ? item['id'] : undefined;
}
