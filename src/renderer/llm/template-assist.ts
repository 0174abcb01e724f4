/**
 * Help for writing `{{ path }}` prompt templates: the fields available in upstream data (for
 * completion), where the caret is inside an open `{{`, and a preview rendered from a sample with
 * the references that found nothing. Pure: tested without a browser.
 */
import type { Flow } from '../../shared/flow/schema';
import type { NodeRegistry } from '../../shared/node-kit';
import type { RunTrace } from '../../shared/runs';
import { getPath, renderTemplateText, templateRefs, withJson } from '../../shared/template';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Paths into `sample` a template can use, breadth-first (shallow fields first), `$json` first. */
export function fieldPaths(sample: unknown, maxDepth = 4, max = 200): string[] {
  const out = ['$json'];
  let level: { path: string; value: unknown }[] = [{ path: '', value: sample }];
  for (let depth = 0; depth < maxDepth && level.length > 0 && out.length < max; depth++) {
    const next: { path: string; value: unknown }[] = [];
    for (const { path, value } of level) {
      if (Array.isArray(value)) {
        if (value.length > 0 && path) next.push({ path: `${path}[0]`, value: value[0] });
      } else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (!IDENT.test(key)) continue; // a path cannot spell it
          const p = path ? `${path}.${key}` : key;
          next.push({ path: p, value: child });
        }
      }
    }
    for (const n of next) if (out.length < max) out.push(n.path);
    level = next;
  }
  return out;
}

/** When the caret is right after an unclosed `{{ partial`, where the partial starts and what it is. */
export function completionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  // Anything but braces and newlines: `$node["Classify"].da` has quotes, brackets and spaces.
  const m = /\{\{\s*([^{}\n]*)$/.exec(before);
  if (!m) return null;
  return { start: caret - m[1]!.length, query: m[1]! };
}

/** Puts `path` in place of the partial and closes the reference (unless it is already closed). */
export function applyCompletion(text: string, caret: number, at: { start: number }, path: string): { text: string; caret: number } {
  const openStart = text.lastIndexOf('{{', at.start);
  const head = text.slice(0, openStart);
  const rest = text.slice(caret);
  const closed = /^[^{}\n]*\}\}/.exec(rest);
  const tail = closed ? rest.slice(closed[0].length) : rest;
  const inserted = `{{ ${path} }}`;
  return { text: head + inserted + tail, caret: head.length + inserted.length };
}

export function filterPaths(paths: string[], query: string, max = 8): string[] {
  const q = query.toLowerCase();
  const starts = paths.filter((p) => p.toLowerCase().startsWith(q));
  const contains = paths.filter((p) => !p.toLowerCase().startsWith(q) && p.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, max);
}

/** The template rendered against the sample, plus the references that resolved to nothing. */
export function previewTemplate(template: string, sample: unknown): { text: string; missing: string[] } {
  const scope = withJson(sample);
  const missing: string[] = [];
  for (const ref of templateRefs(template)) {
    try {
      if (getPath(scope, ref) === undefined && !missing.includes(ref)) missing.push(ref);
    } catch {
      if (!missing.includes(ref)) missing.push(ref);
    }
  }
  // Strict rendering would stop at the first miss: leave the missing references out of the preview.
  const known = template.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (whole, ref: string) => (missing.includes(ref) ? '' : whole));
  return { text: renderTemplateText(known, scope), missing };
}

/**
 * What this node received in the selected run, or (if it did not run) what its upstream node put
 * on the connected port. `undefined` when the run has nothing for it.
 */
export function upstreamSample(flow: Flow | null, trace: RunTrace | null, nodeId: string, registry: NodeRegistry): unknown {
  if (!flow || !trace) return undefined;
  const own = trace.nodes[nodeId];
  if (own && own.status !== 'pending' && own.input !== null && own.input !== undefined) return own.input;
  const edge = flow.edges.find((e) => e.target === nodeId);
  if (!edge) return undefined;
  const source = trace.nodes[edge.source];
  if (!source || source.status !== 'succeeded') return undefined;
  const sourceNode = flow.nodes.find((n) => n.id === edge.source);
  const def = sourceNode ? registry.get(sourceNode.type) : undefined;
  // The trace shows a single-port node's value directly, a multi-port node's as { port: value }.
  if (def && Object.keys(def.outputs).length > 1 && source.output !== null && typeof source.output === 'object') {
    return Reflect.get(source.output, edge.sourcePort);
  }
  return source.output;
}

/** In code (no braces): the `$json…`, `$trigger…` or `$node[…]…` expression right before the caret. */
export function codeCompletionAt(text: string, caret: number): { start: number; query: string } | null {
  const m = /\$[A-Za-z0-9_$.[\]"' -]*$/.exec(text.slice(0, caret));
  if (!m) return null;
  return { start: caret - m[0].length, query: m[0] };
}

/** Puts `path` in place of the partial expression in code. */
export function applyCodeCompletion(text: string, caret: number, at: { start: number }, path: string): { text: string; caret: number } {
  const head = text.slice(0, at.start);
  return { text: head + path + text.slice(caret), caret: head.length + path.length };
}
