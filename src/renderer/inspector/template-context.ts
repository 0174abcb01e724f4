/**
 * What a template field of one node can refer to, known before running: the direct input, the
 * trigger and every upstream node, each from the last run's data where there is some and from the
 * node's declared output shape otherwise (an LLM node's schema, a Postgres trigger's event).
 * Gives the field its completions (names, not ids), its preview and its unknown-path warnings.
 * Pure: tested without a browser.
 */
import { defaultConfig } from '../../shared/config-fields';
import type { Flow, FlowNode } from '../../shared/flow/schema';
import type { AnyNodeDefinition, DataShape, NodeRegistry, UpstreamNode } from '../../shared/node-kit';
import type { RunTrace } from '../../shared/runs';
import { flowGraph, refsToNames } from '../../shared/flow/references';
import { TemplateError, formatPath, parsedRefs, renderTemplateText, resolveRef, sampleScope, type PathPart, type TemplateMode } from '../../shared/template';
import { fieldPaths, upstreamSample } from '../llm/template-assist';

interface Source {
  id: string;
  name: string;
  /** Outputs by port from the last run, when the node ran in it. */
  sample?: Record<string, unknown>;
  /** Declared shapes by port. */
  shapes: Record<string, DataShape>;
  trigger: boolean;
  ports: string[];
}

export interface TemplateContext {
  /** Completion candidates, as the user writes them (`$node["Classify"].data.category`). */
  paths: string[];
  /** Warnings for references the data or the declared shapes do not have (template in stored form). */
  warnings(template: string): string[];
  /** The template rendered from the last run's data; null when there is none. */
  preview(template: string, mode: TemplateMode): { text: string } | { error: string } | null;
}

function portsOf(def: AnyNodeDefinition, output: unknown): Record<string, unknown> {
  const ports = Object.keys(def.outputs);
  if (ports.length === 1) return { [ports[0]!]: output };
  return output !== null && typeof output === 'object' && !Array.isArray(output) ? { ...(output as Record<string, unknown>) } : {};
}

function declaredShapes(def: AnyNodeDefinition, node: FlowNode): Record<string, DataShape> {
  if (!def.outputShapes) return {};
  const cfg = def.config.safeParse(node.config);
  // A config with a problem elsewhere (an LLM node still without its API key) still declares its
  // output shape: complete against the config as typed, over the type's defaults.
  let shapes: ReturnType<NonNullable<AnyNodeDefinition['outputShapes']>>;
  try {
    shapes = def.outputShapes(cfg.success ? cfg.data : { ...defaultConfig(def.config), ...(node.config as Record<string, unknown>) });
  } catch {
    return {};
  }
  return Object.fromEntries(Object.entries(shapes).filter((e): e is [string, DataShape] => e[1] !== undefined));
}

/** Field paths a shape declares, breadth-first. */
export function shapePaths(shape: DataShape | undefined, maxDepth = 4): string[] {
  const out: string[] = [];
  let level: { path: string; shape: DataShape }[] = shape ? [{ path: '', shape }] : [];
  for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
    const next: { path: string; shape: DataShape }[] = [];
    for (const { path, shape: s } of level) {
      const props = s['properties'];
      if (props && typeof props === 'object') {
        for (const [k, sub] of Object.entries(props as Record<string, unknown>)) {
          if (!/^[A-Za-z_$][\w$]*$/.test(k)) continue;
          next.push({ path: path ? `${path}.${k}` : k, shape: sub && typeof sub === 'object' ? (sub as DataShape) : {} });
        }
      }
      const items = s['items'];
      if (path && items && typeof items === 'object') next.push({ path: `${path}[0]`, shape: items as DataShape });
    }
    out.push(...next.map((n) => n.path));
    level = next;
  }
  return out;
}

/** Where a path leaves a closed shape (one with `additionalProperties: false`), or null when the shape allows it. */
export function shapeMiss(shape: DataShape, path: readonly PathPart[]): { at: number; known: string[] } | null {
  let cur: DataShape = shape;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (typeof part === 'number') {
      const items = cur['items'];
      if (!items || typeof items !== 'object') return null;
      cur = items as DataShape;
      continue;
    }
    const props = cur['properties'];
    if (!props || typeof props !== 'object') return null;
    const sub = (props as Record<string, unknown>)[part];
    if (sub === undefined || !Object.prototype.hasOwnProperty.call(props, part)) {
      return cur['additionalProperties'] === false ? { at: i, known: Object.keys(props) } : null;
    }
    cur = sub && typeof sub === 'object' ? (sub as DataShape) : {};
  }
  return null;
}

export function templateContext(flow: Flow | null, trace: RunTrace | null, nodeId: string, registry: NodeRegistry): TemplateContext {
  if (!flow) return { paths: [], warnings: () => [], preview: () => null };
  const graph = flowGraph(flow);
  const ran = trace && trace.run.flowId === flow.id ? trace : null;
  const sources: Source[] = [];
  for (const id of graph.ancestors(nodeId)) {
    const node = flow.nodes.find((n) => n.id === id);
    const def = node ? registry.get(node.type) : undefined;
    if (!node || !def) continue;
    const t = ran?.nodes[id];
    sources.push({
      id,
      name: node.name,
      ...(t && t.status === 'succeeded' ? { sample: portsOf(def, t.output) } : {}),
      shapes: declaredShapes(def, node),
      trigger: def.trigger === true,
      ports: Object.keys(def.outputs),
    });
  }
  const input = upstreamSample(flow, ran, nodeId, registry);
  const trigger = sources.find((s) => s.trigger);
  const triggerPort = trigger?.ports.length === 1 ? trigger.ports[0]! : null;
  const triggerSample = trigger?.sample && triggerPort ? trigger.sample[triggerPort] : (trigger?.sample ?? (ran ? ran.input : undefined));
  const triggerShape = trigger && triggerPort ? trigger.shapes[triggerPort] : undefined;

  const paths: string[] = [...(input === undefined ? ['$json'] : fieldPaths(input))];
  if (trigger) {
    paths.push('$trigger', ...(triggerSample !== undefined ? fieldPaths(triggerSample).slice(1) : shapePaths(triggerShape)).map((p) => `$trigger.${p}`));
  }
  for (const s of sources) {
    const head = `$node[${JSON.stringify(s.name)}]`;
    for (const port of s.ports) {
      const sub = s.sample && port in s.sample ? fieldPaths(s.sample[port]).slice(1) : shapePaths(s.shapes[port]);
      paths.push(`${head}.${port}`, ...sub.map((p) => `${head}.${port}${p.startsWith('[') ? '' : '.'}${p}`));
    }
  }

  const nodes: Record<string, UpstreamNode> = {};
  for (const s of sources) if (s.sample) nodes[s.id] = { name: s.name, status: 'done', outputs: s.sample };
  const scope = sampleScope(input, nodes, triggerSample);

  const warnings = (template: string): string[] => {
    const out: string[] = [];
    for (const { ref } of parsedRefs(template)) {
      if (ref.optional || ref.fallback) continue;
      const [head, second] = ref.path;
      const shown = refsToNames(`$node[${JSON.stringify(String(second))}]`, flow.nodes);
      let message: string | null = null;
      if (head === '$node') {
        const s = sources.find((x) => x.id === second);
        if (!s) continue; // not upstream: a validation problem, reported there
        if (s.sample) message = strictMiss(scope, ref);
        else {
          const port = ref.path[2];
          const shape = typeof port === 'string' ? s.shapes[port] : undefined;
          const miss = shape ? shapeMiss(shape, ref.path.slice(3)) : null;
          if (typeof port === 'string' && !s.ports.includes(port)) message = `${shown} has no output "${port}" (it has: ${s.ports.join(', ')})`;
          else if (miss) message = `not in "${s.name}"'s declared output: ${formatPath(['$', ...ref.path.slice(2, 3 + miss.at)]).slice(2)} has ${miss.known.join(', ') || 'no fields'}`;
        }
      } else if (head === '$trigger') {
        if (trigger?.sample || (ran && !trigger)) message = strictMiss(scope, ref);
        else if (triggerShape) {
          const miss = shapeMiss(triggerShape, ref.path.slice(1));
          if (miss) message = `not in the trigger's declared output (it has: ${miss.known.join(', ')})`;
        }
      } else if (input !== undefined) message = strictMiss(scope, ref);
      if (message) out.push(`{{ ${refsToNames(ref.raw, flow.nodes)} }}: ${message.replace(/^\{\{ .*? \}\}: /, '')}`);
    }
    return [...new Set(out)];
  };

  const preview = (template: string, mode: TemplateMode) => {
    if (!ran) return null;
    try {
      return { text: renderTemplateText(template, scope, mode) };
    } catch (e) {
      return { error: e instanceof TemplateError ? e.message : String(e) };
    }
  };

  return { paths: [...new Set(paths)], warnings, preview };
}

function strictMiss(scope: unknown, ref: Parameters<typeof resolveRef>[1]): string | null {
  try {
    resolveRef(scope, ref);
    return null;
  } catch (e) {
    return e instanceof TemplateError ? `${e.message} in the last run` : null;
  }
}
