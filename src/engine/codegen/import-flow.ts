/**
 * `flow.ts` → flow document, read statically with the TypeScript compiler's parser: the file is
 * never executed, imported or type-checked against anything it names. Only the shapes the
 * generator prints are understood (imports from millrace/runtime, `defineFlow({...})`,
 * `flow.node({...})` with literal values and port references, the closing run call); anything
 * else (new control flow, new calls, computed values) is listed with its line and nothing comes back.
 */
import { z } from 'zod';
import { exportedConnectionSchema, type ExportedConnection } from '../../shared/connections';
import ts from 'typescript';
import type { Flow, FlowEdge, FlowNode } from '../../shared/flow/schema';
import { CURRENT_SCHEMA_VERSION } from '../../shared/flow/schema';
import { formatProblem } from '../../shared/flow/problems';
import { parseFlowDocument } from '../../shared/flow/validate';
import type { NodeRegistry } from '../../shared/node-kit';
import { nodeRegistry } from '../../nodes';
import { edgeId } from '../library/flow-builder';
import type { ExportTarget } from './generate';

export interface ImportIssue {
  line: number;
  message: string;
}

/** `connections`: the named connections the file carries in defineFlow (references only). */
export type ImportFlowResult = { ok: true; flow: Flow; target: ExportTarget; connections: ExportedConnection[] } | { ok: false; issues: ImportIssue[] };

export interface ImportOptions {
  fileName?: string;
  registry?: NodeRegistry;
  /** The flow this file was exported from: its edge ids are kept for edges that still exist. */
  existing?: Flow;
}

const RUNTIME_MODULES: Record<string, ExportTarget> = { 'millrace/runtime': 'standalone', 'millrace/runtime/dbos': 'dbos' };
const RUNNERS: Record<string, ExportTarget> = { runFlowCli: 'standalone', runDbosCli: 'dbos' };

class Unmapped extends Error {
  constructor(
    readonly node: ts.Node,
    message: string,
  ) {
    super(message);
  }
}

export function importFlowSource(text: string, options: ImportOptions = {}): ImportFlowResult {
  const fileName = options.fileName ?? 'flow.ts';
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
  const issues: ImportIssue[] = [];
  // Syntax errors only: transpiling one file checks nothing outside it and runs nothing.
  const syntax = ts.transpileModule(text, { fileName, reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  for (const d of syntax.diagnostics ?? []) {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 1;
    issues.push({ line, message: `syntax: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}` });
  }
  if (issues.length > 0) return { ok: false, issues };

  const imported = new Set<string>();
  let target: ExportTarget | null = null;
  let flowVar: string | null = null;
  let meta: Record<string, unknown> | null = null;
  let metaLine = 1;
  let sawRun = false;
  const nodes: { node: FlowNode; line: number; inputs: { port: string; from: { node: string; port: string } }[] }[] = [];
  const nodeVars = new Map<string, string>();

  const unmapped = (n: ts.Node, message: string) => issues.push({ line: lineOf(n), message });

  for (const st of sf.statements) {
    try {
      if (ts.isImportDeclaration(st)) {
        const mod = ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '';
        const bindings = st.importClause?.namedBindings;
        if (!(mod in RUNTIME_MODULES) || st.importClause?.name || !bindings || !ts.isNamedImports(bindings)) {
          throw new Unmapped(st, `import of "${mod}" is new code; only { defineFlow, runFlowCli } from millrace/runtime can come back`);
        }
        target = RUNTIME_MODULES[mod]!;
        for (const el of bindings.elements) {
          if (el.propertyName) throw new Unmapped(el, 'renamed imports cannot come back');
          imported.add(el.name.text);
        }
        continue;
      }
      if (ts.isVariableStatement(st)) {
        const list = st.declarationList;
        if (!(list.flags & ts.NodeFlags.Const) || list.declarations.length !== 1) throw new Unmapped(st, 'only one `const` per statement can come back');
        const decl = list.declarations[0]!;
        if (!ts.isIdentifier(decl.name) || !decl.initializer || decl.type) throw new Unmapped(st, 'a declaration the generator does not write');
        const name = decl.name.text;
        const init = decl.initializer;
        if (!ts.isCallExpression(init) || init.arguments.length !== 1 || init.typeArguments) throw new Unmapped(init, `"${name}": only defineFlow({...}) and flow.node({...}) can come back`);
        const arg = init.arguments[0]!;
        if (ts.isIdentifier(init.expression) && init.expression.text === 'defineFlow' && imported.has('defineFlow')) {
          if (flowVar !== null) throw new Unmapped(st, 'a second defineFlow(...)');
          meta = objectOf(arg, 'defineFlow');
          metaLine = lineOf(arg);
          flowVar = name;
          continue;
        }
        if (
          ts.isPropertyAccessExpression(init.expression) &&
          ts.isIdentifier(init.expression.expression) &&
          init.expression.expression.text === flowVar &&
          init.expression.name.text === 'node'
        ) {
          if (nodeVars.has(name) || name === flowVar) throw new Unmapped(decl.name, `"${name}" is declared twice`);
          // Known even if its spec is refused below, so nodes reading it do not report it again.
          nodeVars.set(name, '');
          const spec = readNodeSpec(arg);
          nodeVars.set(name, spec.node.id);
          nodes.push({ ...spec, line: lineOf(st) });
          continue;
        }
        throw new Unmapped(init, `"${name}": a call the generator does not write; only flow.node({...}) steps can come back`);
      }
      if (ts.isExpressionStatement(st)) {
        let e = st.expression;
        if (ts.isAwaitExpression(e)) e = e.expression;
        if (
          ts.isCallExpression(e) &&
          ts.isIdentifier(e.expression) &&
          e.expression.text in RUNNERS &&
          imported.has(e.expression.text) &&
          e.arguments.length === 2 &&
          ts.isIdentifier(e.arguments[0]!) &&
          e.arguments[0].text === flowVar &&
          isImportMetaUrl(e.arguments[1]!)
        ) {
          if (sawRun) throw new Unmapped(st, 'a second run call');
          sawRun = true;
          continue;
        }
        throw new Unmapped(st, 'a statement the generator does not write (new calls or control flow cannot come back)');
      }
      throw new Unmapped(st, `${ts.SyntaxKind[st.kind]} is new code; only config values in flow.node({...}) can come back`);
    } catch (e) {
      if (!(e instanceof Unmapped)) throw e;
      unmapped(e.node, e.message);
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  if (meta === null || target === null) return { ok: false, issues: [{ line: 1, message: 'no defineFlow({...}) imported from millrace/runtime: this is not an exported Millrace flow' }] };
  if (!sawRun) return { ok: false, issues: [{ line: sf.getLineAndCharacterOfPosition(sf.end).line + 1, message: `the closing ${target === 'dbos' ? 'runDbosCli' : 'runFlowCli'}(flow, import.meta.url) is missing` }] };

  const keep = new Map((options.existing?.edges ?? []).map((e) => [`${e.source}\0${e.sourcePort}\0${e.target}\0${e.targetPort}`, e.id]));
  const edges: FlowEdge[] = [];
  for (const n of nodes) {
    for (const { port, from } of n.inputs) {
      const id = keep.get(`${from.node}\0${from.port}\0${n.node.id}\0${port}`) ?? edgeId(from, n.node.id, port);
      edges.push({ id, source: from.node, sourcePort: from.port, target: n.node.id, targetPort: port });
    }
  }
  // defineFlow's `connections` are not part of the flow document: checked here (references only, never a value).
  const { connections: rawConnections, ...flowMeta } = meta;
  const connections = z.array(exportedConnectionSchema).max(100).optional().safeParse(rawConnections);
  if (!connections.success) {
    return { ok: false, issues: connections.error.issues.map((i) => ({ line: metaLine, message: `defineFlow connections${i.path.length ? `[${i.path.join('.')}]` : ''}: ${i.message}` })) };
  }
  const doc = { schemaVersion: CURRENT_SCHEMA_VERSION, ...flowMeta, nodes: nodes.map((n) => n.node), edges };
  const parsed = parseFlowDocument(doc, options.registry ?? nodeRegistry);
  if (!parsed.ok || parsed.problems.length > 0) {
    const names = new Map(nodes.map((n) => [n.node.id, n.node.name]));
    const lines = new Map(nodes.map((n) => [n.node.id, n.line]));
    return {
      ok: false,
      issues: parsed.problems.map((p) => ({ line: ('nodeId' in p && typeof p.nodeId === 'string' ? lines.get(p.nodeId) : undefined) ?? 1, message: formatProblem(p, names) })),
    };
  }
  return { ok: true, flow: parsed.flow, target, connections: connections.data ?? [] };

  function readNodeSpec(arg: ts.Expression) {
    if (!ts.isObjectLiteralExpression(arg)) throw new Unmapped(arg, 'flow.node(...) takes an object literal');
    const node: Record<string, unknown> = {};
    const inputs: { port: string; from: { node: string; port: string } }[] = [];
    for (const p of arg.properties) {
      const key = propName(p);
      if (!ts.isPropertyAssignment(p)) throw new Unmapped(p, 'only `key: value` properties can come back');
      if (key === 'inputs') {
        if (!ts.isObjectLiteralExpression(p.initializer)) throw new Unmapped(p.initializer, 'inputs: an object of port references, like { in: summarise.out }');
        for (const ip of p.initializer.properties) {
          const port = propName(ip);
          if (!ts.isPropertyAssignment(ip)) throw new Unmapped(ip, 'only `port: upstream.port` can come back');
          const refs = ts.isArrayLiteralExpression(ip.initializer) ? [...ip.initializer.elements] : [ip.initializer];
          for (const r of refs) inputs.push({ port, from: portRef(r) });
        }
      } else if (['id', 'type', 'name', 'position', 'config', 'settings'].includes(key)) {
        node[key] = literal(p.initializer);
      } else throw new Unmapped(p, `"${key}" is not part of a node (id, type, name, position, config, settings, inputs)`);
    }
    for (const k of ['id', 'type', 'name', 'position', 'config']) if (!(k in node)) throw new Unmapped(arg, `flow.node(...) needs "${k}"`);
    return { node: node as unknown as FlowNode, inputs }; // shape checked by parseFlowDocument below
  }

  function portRef(e: ts.Expression): { node: string; port: string } {
    let variable: ts.Expression | undefined;
    let port: string | undefined;
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
      variable = e.expression;
      port = e.name.text;
    } else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
      variable = e.expression;
      port = e.argumentExpression.text;
    }
    if (!variable || port === undefined || !ts.isIdentifier(variable)) throw new Unmapped(e, 'an input must be an upstream port, like summarise.out');
    const id = nodeVars.get(variable.text);
    if (id === '') return { node: '', port }; // that node was refused already; its line is listed
    if (id === undefined) throw new Unmapped(e, `"${variable.text}" is not a node declared above`);
    return { node: id, port };
  }
}

function isImportMetaUrl(e: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(e) && ts.isMetaProperty(e.expression) && e.expression.keywordToken === ts.SyntaxKind.ImportKeyword && e.name.text === 'url';
}

function propName(p: ts.ObjectLiteralElementLike): string {
  const n = p.name;
  if (n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n))) return n.text;
  throw new Unmapped(p, 'computed or spread properties cannot come back');
}

function objectOf(e: ts.Expression, what: string): Record<string, unknown> {
  const v = literal(e);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Unmapped(e, `${what}(...) takes an object literal`);
  return v as Record<string, unknown>;
}

/** A JSON value written as a TypeScript literal; anything computed is refused. */
export function literal(e: ts.Expression): unknown {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return -Number(e.operand.text);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (e.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.map((x) => {
      if (ts.isSpreadElement(x) || ts.isOmittedExpression(x)) throw new Unmapped(x, 'spreads and holes in arrays cannot come back');
      return literal(x);
    });
  }
  if (ts.isObjectLiteralExpression(e)) {
    const out: Record<string, unknown> = {};
    for (const p of e.properties) {
      const key = propName(p);
      if (!ts.isPropertyAssignment(p)) throw new Unmapped(p, 'only `key: value` properties can come back');
      if (key === '__proto__') throw new Unmapped(p, '"__proto__" cannot be a config key');
      Object.defineProperty(out, key, { value: literal(p.initializer), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  throw new Unmapped(e, `${describe(e)} is computed; only literal values (text, numbers, true/false, null, arrays, objects) can come back`);
}

function describe(e: ts.Expression): string {
  if (ts.isCallExpression(e)) return 'a call';
  if (ts.isTemplateExpression(e)) return 'a template with ${…}';
  if (ts.isIdentifier(e)) return `the variable "${e.text}"`;
  if (ts.isBinaryExpression(e)) return 'an expression';
  return `a ${ts.SyntaxKind[e.kind]}`;
}
