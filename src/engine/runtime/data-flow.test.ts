/**
 * Data between nodes through the real runner: `$node[...]` / `$trigger` references, strict
 * templates failing the node, and Merge rejoining branches (a skipped branch included).
 */
import { describe, expect, it } from 'vitest';
import { executeRun } from './runner';
import { MemoryJournal } from './memory-journal';
import { nodeRegistry as registry } from '../../nodes';
import type { Flow } from '../../shared/flow/schema';
import type { NodeServices } from '../../shared/services';
import type { RunEvent } from '../../shared/runs';
import { validateFlow } from '../../shared/flow/validate';
import { createCodeService } from '../services/code-sandbox';

const services: NodeServices = {
  http: { request: async () => ({ status: 200, headers: {}, body: { ok: true } }) },
  files: { appendLines: async (p) => `/out/${p}`, appendKeyed: async (p) => ({ path: `/out/${p}`, appended: true, bytes: 0 }) },
  clock: { now: () => 0 },
  code: createCodeService(),
};

type N = [id: string, type: string, config: Record<string, unknown>, name?: string];
function flow(nodes: N[], edges: [string, string, string, string][]): Flow {
  return {
    schemaVersion: 1, id: 'f1', name: 'Data flow',
    nodes: nodes.map(([id, type, config, name]) => ({ id, type, name: name ?? id, position: { x: 0, y: 0 }, config })),
    edges: edges.map(([source, sourcePort, target, targetPort], i) => ({ id: `e${i}`, source, sourcePort, target, targetPort })),
  };
}

async function run(f: Flow, input: unknown) {
  const events: RunEvent[] = [];
  const { status } = await executeRun({ runId: 'r1', flow: f, flowVersion: 1, input, registry, journal: new MemoryJournal(), services, emit: (e) => events.push(e) });
  const output = (id: string) => {
    const e = events.find((x) => x.type === 'node.succeeded' && x.nodeId === id);
    return e && e.type === 'node.succeeded' ? e.output : undefined;
  };
  const failed = events.find((e) => e.type === 'node.failed');
  const skipped = events.filter((e) => e.type === 'node.skipped').map((e) => e.nodeId);
  return { status, output, failed: failed?.type === 'node.failed' ? failed : undefined, skipped };
}

const set = (fields: Record<string, string>) => ({ fields: Object.entries(fields).map(([name, value]) => ({ name, value })), keepInput: false });

describe('references between nodes', () => {
  it('reaches any upstream node and the trigger, even after a node that dropped its input', async () => {
    const f = flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['classify', 'set-fields@1', set({ category: '{{ kind }}' }), 'Classify'],
        ['verdict', 'set-fields@1', set({ verdict: 'looks {{ category }}' })],
        ['sink', 'set-fields@1', set({ id: '{{ $trigger.order.id }}', category: '{{ $node["classify"].out.category }}', verdict: '{{ verdict }}' })],
      ],
      [['t', 'out', 'classify', 'in'], ['classify', 'out', 'verdict', 'in'], ['verdict', 'out', 'sink', 'in']],
    );
    expect(validateFlow(f, registry)).toEqual([]);
    const r = await run(f, { kind: 'fraud', order: { id: 42 } });
    expect(r.status).toBe('succeeded');
    expect(r.output('sink')).toEqual({ id: 42, category: 'fraud', verdict: 'looks fraud' });
  });

  it('fails the node at a missing path with the field, the path and the keys that were there', async () => {
    const f = flow([['t', 'manual-trigger@1', {}], ['s', 'set-fields@1', set({ id: '{{ $trigger.order.idd }}' })]], [['t', 'out', 's', 'in']]);
    const r = await run(f, { order: { id: 1, total: 2 } });
    expect(r.status).toBe('failed');
    expect(r.failed?.error).toEqual({ field: 'fields', message: 'fields: {{ $trigger.order.idd }}: $trigger.order has no "idd" (it has: id, total)' });
  });

  it('fails on a reference to a node that was skipped, naming it; the optional form yields null', async () => {
    const f = flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['if', 'if@1', { left: '{{ n }}', operator: 'greater', right: '10' }],
        ['big', 'set-fields@1', set({ tag: 'big' }), 'Big order'],
        ['m', 'merge@1', { mode: 'first' }],
        ['after', 'set-fields@1', set({ tag: '{{ $node["big"].out.tag? }}', n: '{{ $trigger.n }}' })],
        ['strict', 'set-fields@1', set({ tag: '{{ $node["big"].out.tag }}' })],
      ],
      [['t', 'out', 'if', 'in'], ['if', 'true', 'big', 'in'], ['big', 'out', 'm', 'a'], ['if', 'false', 'm', 'b'], ['m', 'out', 'after', 'in'], ['after', 'out', 'strict', 'in']],
    );
    // Design time says so first: "big" is not upstream on every path to "strict".
    expect(validateFlow(f, registry).map((p) => [p.nodeId, p.field, p.message])).toEqual([
      ['strict', 'fields', expect.stringContaining('"Big order" is not upstream on every path to this node') as unknown],
    ]);
    const r = await run(f, { n: 3 });
    expect(r.output('after')).toEqual({ tag: null, n: 3 });
    expect(r.failed?.nodeId).toBe('strict');
    expect(r.failed?.error.message).toMatch(/"Big order" was skipped in this run \(its branch was not taken\)/);
  });
});

describe('merge', () => {
  const branches = (mode: string, require = 'any') =>
    flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['if', 'if@1', { left: '{{ n }}', operator: 'greater', right: '10' }],
        ['big', 'set-fields@1', set({ size: 'big', n: '{{ n }}' })],
        ['small', 'set-fields@1', set({ size: 'small', n: '{{ n }}' })],
        ['side', 'set-fields@1', set({ seen: 'yes' })],
        ['m', 'merge@1', { mode, require }],
        ['end', 'set-fields@1', set({ got: '{{ $json }}' })],
      ],
      [
        ['t', 'out', 'if', 'in'], ['if', 'true', 'big', 'in'], ['if', 'false', 'small', 'in'], ['t', 'out', 'side', 'in'],
        ['big', 'out', 'm', 'a'], ['small', 'out', 'm', 'b'], ['side', 'out', 'm', 'c'], ['m', 'out', 'end', 'in'],
      ],
    );

  it('rejoins If branches: the skipped branch brings nothing, the merge still runs', async () => {
    expect(validateFlow(branches('object'), registry)).toEqual([]);
    const small = await run(branches('object'), { n: 3 });
    expect(small.skipped).toEqual(['big']);
    expect(small.output('m')).toEqual({ b: { size: 'small', n: 3 }, c: { seen: 'yes' } });
    const big = await run(branches('object'), { n: 30 });
    expect(big.output('m')).toEqual({ a: { size: 'big', n: 30 }, c: { seen: 'yes' } });
  });

  it('combines as a list in input order, or takes the first that has data', async () => {
    expect((await run(branches('list'), { n: 3 })).output('m')).toEqual([{ size: 'small', n: 3 }, { seen: 'yes' }]);
    expect((await run(branches('first'), { n: 30 })).output('m')).toEqual({ size: 'big', n: 30 });
  });

  it('with "all", passes nothing on when a branch was skipped, so what follows is skipped', async () => {
    const r = await run(branches('object', 'all'), { n: 3 });
    expect(r.status).toBe('succeeded');
    expect(r.output('m')).toBeNull();
    expect(r.skipped).toEqual(['big', 'end']);
  });

  it('waits for a slow branch before it runs', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const slowServices: NodeServices = { ...services, http: { request: async () => { await slow; return { status: 200, headers: {}, body: { late: true } }; } } };
    const f = flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['call', 'http-request@1', { method: 'POST', url: 'http://127.0.0.1:9/x', body: '{}' }],
        ['fast', 'set-fields@1', set({ fast: 'yes' })],
        ['m', 'merge@1', { mode: 'object' }],
      ],
      [['t', 'out', 'call', 'in'], ['t', 'out', 'fast', 'in'], ['call', 'out', 'm', 'a'], ['fast', 'out', 'm', 'b']],
    );
    const events: RunEvent[] = [];
    const done = executeRun({ runId: 'r1', flow: f, flowVersion: 1, input: {}, registry, journal: new MemoryJournal(), services: slowServices, emit: (e) => events.push(e) });
    await new Promise((r) => setTimeout(r, 20));
    expect(events.some((e) => e.type === 'node.started' && e.nodeId === 'm')).toBe(false);
    release();
    await done;
    const m = events.find((e) => e.type === 'node.succeeded' && e.nodeId === 'm');
    expect(m?.type === 'node.succeeded' ? m.output : undefined).toEqual({ a: { status: 200, headers: {}, body: { late: true } }, b: { fast: 'yes' } });
  });
});

describe('code node in a run', () => {
  const codeFlow = (code: string, extra: Record<string, unknown> = {}) =>
    flow(
      [
        ['t', 'manual-trigger@1', {}],
        ['classify', 'set-fields@1', set({ category: '{{ kind }}' }), 'Classify'],
        ['code', 'code@1', { code, timeoutMs: 300, ...extra }],
      ],
      [['t', 'out', 'classify', 'in'], ['classify', 'out', 'code', 'in']],
    );

  it('sees its input, upstream outputs and the trigger; its return value is the output and console lines are in the trace', async () => {
    const r = await run(codeFlow('console.log("got", $json.category); return { id: $trigger.id, category: $node["classify"].out.category, upper: $json.category.toUpperCase() };'), { id: 5, kind: 'fraud' });
    expect(r.status).toBe('succeeded');
    expect(r.output('code')).toEqual({ out: { id: 5, category: 'fraud', upper: 'FRAUD' }, logs: ['got fraud'] });
  });

  it('a hostile run fails with a clear error while another run beside it finishes normally', async () => {
    const [bad, good] = await Promise.all([run(codeFlow('while (true) {}'), { kind: 'x' }), run(codeFlow('return { fine: true }'), { kind: 'y' })]);
    expect(bad.status).toBe('failed');
    expect(bad.failed?.error).toEqual({ field: 'timeoutMs', message: 'the code ran longer than 300 ms and was stopped' });
    expect(good.status).toBe('succeeded');
    expect(good.output('code')).toEqual({ out: { fine: true }, logs: [] });
  });
});
