/**
 * Node code export: every node's exportCode must be valid TypeScript for its default config and
 * for the configs that change its shape, and must behave like the node's executor where we can run it.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { allNodeDefinitions } from '../src/nodes/index';
import { setFields, setPath } from '../src/nodes/set-fields.node';
import { typeRef } from '../src/shared/node-kit';
import { renderTemplate, withJson } from '../src/shared/template';

const variants: Record<string, Record<string, unknown>[]> = {
  'set-fields@1': [{ keepInput: true, fields: [{ name: 'a.b', value: '{{ x }}' }] }, { fields: [] }],
  'http-request@1': [{ method: 'GET' }, { headers: [] }],
  'write-file@1': [{ line: 'order {{ id }}' }],
  'if@1': [{ operator: 'is-empty', right: '' }],
  'llm-call@1': [
    { output: 'json', schemaFields: [{ name: 'a' }], apiKey: 'secret:KEY', headers: [{ name: 'x-h', value: 'secret:H' }], fallbacks: [{ model: 'm', baseUrl: 'http://h', apiKey: 'secret:KEY' }], cache: true },
    { provider: 'replay', topP: 0.5, seed: 1, stop: ['x'] },
  ],
};

/** What a user must supply on top of the defaults (a hosted LLM API needs a key). */
const required: Record<string, Record<string, unknown>> = { 'llm-call@1': { apiKey: 'secret:OPENAI_API_KEY' } };

/** Transpiles statements as the body of an async function; returns JS and the syntax errors. */
function transpile(statements: string) {
  const out = ts.transpileModule(`export async function flow(upstream: unknown) {\n${statements}\n}`, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  return { js: out.outputText, errors };
}

describe('exportCode', () => {
  for (const def of allNodeDefinitions) {
    const ref = typeRef(def);
    const configs = [{}, ...(variants[ref] ?? [])];
    it.each(configs)(`${ref} with %j is valid TypeScript`, (over) => {
      const inputs = Object.fromEntries(Object.keys(def.inputs).map((p) => [p, 'upstream']));
      const code = def.exportCode(def.config.parse({ ...required[ref], ...over }), { varName: 'node_1', inputs, nodeName: 'Node 1' });
      expect(transpile(code).errors).toEqual([]);
    });
  }

  it('set-fields with keepInput leaves the upstream value untouched, like the executor', async () => {
    const cfg = setFields.config.parse({ keepInput: true, fields: [{ name: 'nested.added', value: '{{ id ?? null }}' }] });
    const code = setFields.exportCode(cfg, { varName: 'node_1', inputs: { in: 'upstream' }, nodeName: 'Shape' });
    const body = transpile(`${code}\nreturn node_1;`).js.replace(/^export /m, '');
    const run = new Function('setPath', 'renderTemplate', 'withJson', `${body}\nreturn flow;`)(setPath, renderTemplate, withJson) as (u: unknown) => Promise<unknown>;

    const upstream = { id: 7, nested: { kept: true } };
    const exported = await run(upstream);
    const executed = (await setFields.execute({} as never, { in: { id: 7, nested: { kept: true } } }, cfg)).out;
    expect(exported).toEqual(executed);
    expect(exported).toEqual({ id: 7, nested: { kept: true, added: 7 } });
    expect(upstream).toEqual({ id: 7, nested: { kept: true } });

    for (const notAnObject of [[1, 2], 'text', null]) {
      expect(await run(notAnObject)).toEqual((await setFields.execute({} as never, { in: notAnObject }, cfg)).out);
    }
  });
});
