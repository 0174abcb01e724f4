/**
 * Generated flows for the export tests: together they cover every registered node type, branches
 * (both sides of If), fan-in, retries, node timeouts, templates (whole-value and interpolated,
 * nested paths, indexes) and failures. `coverage()` says which registered types are missing.
 */
import type { Flow, FlowEdge, FlowNode } from '../../../shared/flow/schema';
import { typeRef } from '../../../shared/node-kit';
import { allNodeDefinitions } from '../../../nodes';

export interface CorpusCase {
  flow: Flow;
  input: unknown;
}

export interface CorpusServers {
  /** Fake LLM (OpenAI wire format), e.g. http://127.0.0.1:PORT/v1 */
  llmBaseUrl: string;
  /** Echo HTTP server origin, e.g. http://127.0.0.1:PORT */
  httpOrigin: string;
}

let pos = 0;
const node = (id: string, type: string, name: string, config: Record<string, unknown>, settings?: FlowNode['settings']): FlowNode => ({
  id,
  type,
  name,
  position: { x: (pos++ % 6) * 240, y: Math.floor(pos / 6) * 160 },
  config,
  ...(settings ? { settings } : {}),
});
const edge = (source: string, sourcePort: string, target: string, targetPort = 'in'): FlowEdge => ({ id: `e-${source}-${sourcePort}-${target}`, source, sourcePort, target, targetPort });
const flow = (id: string, name: string, nodes: FlowNode[], edges: FlowEdge[], extra: Partial<Flow> = {}): Flow => ({ schemaVersion: 1, id, name, nodes, edges, ...extra });

const order = { orderId: 'A-7', customer: { name: 'Ada', tier: 'gold', emails: ['ada@example.com'] }, amount: 1250, items: ['engine', 'cards'], note: 'needs `care` & ${escaping}\n"quoted"' };

export function corpus(s: CorpusServers): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const [suffix, amount] of [['large', 1250], ['small', 20]] as const) {
    cases.push({
      input: { ...order, amount },
      flow: flow(
        `corpus-branches-${suffix}`,
        `Branches and templates (${suffix})`,
        [
          node('start', 'manual-trigger@1', 'Start', { payload: '{"amount": 1}' }),
          node('shape', 'set-fields@1', 'Shape order', {
            fields: [
              { name: 'id', value: '{{ orderId }}' },
              { name: 'who.name', value: '{{ customer.name }}' },
              { name: 'who.email', value: '{{ customer.emails[0] }}' },
              { name: 'total', value: '{{ amount }}' },
              { name: 'line', value: '{{ customer.name }} ({{ customer.tier }}) bought {{ items[1] }} for ${{ amount }}' },
              { name: 'whole', value: '{{ $json }}' },
              { name: 'missing', value: '{{ nope.nothing? }}' },
            ],
            keepInput: true,
          }),
          node('big', 'if@1', 'Big order?', { left: '{{ total }}', operator: 'greater-or-equal', right: '1000' }),
          node('notify', 'http-request@1', 'Notify warehouse', {
            method: 'POST',
            url: `${s.httpOrigin}/orders/{{ id }}`,
            headers: [{ name: 'content-type', value: 'application/json' }, { name: 'x-tier', value: '{{ customer.tier }}' }],
            body: '{"id": "{{ id }}", "total": {{ total }}}',
          }),
          node('log-big', 'write-file@1', 'Log big', { path: 'corpus/big.jsonl', line: '' }),
          node('log-small', 'write-file@1', 'Log small', { path: 'corpus/small-{{ id }}.jsonl', line: '{{ id }} {{ total }}' }),
          node('check', 'if@1', 'Has email', { left: '{{ who.email }}', operator: 'contains', right: '@' }),
          node('rejoin', 'merge@1', 'Rejoin', { mode: 'first' }),
          node('joined', 'set-fields@1', 'Joined', { fields: [{ name: 'ok', value: '{{ id }}' }], keepInput: false }),
          node('code', 'code@1', 'Score in code', { code: 'console.log("scoring", $json.ok);\nreturn { ok: $json.ok, score: String($json.ok).length * 7, tags: ["a", "b"] };' }),
        ],
        [
          edge('start', 'out', 'shape'),
          edge('shape', 'out', 'big'),
          edge('big', 'true', 'notify'),
          edge('notify', 'out', 'log-big'),
          edge('big', 'false', 'log-small'),
          edge('shape', 'out', 'check'),
          // fan-in: both sides of the If rejoin at a Merge; the branch taken wins
          edge('check', 'true', 'rejoin', 'a'),
          edge('check', 'false', 'rejoin', 'b'),
          edge('rejoin', 'out', 'joined'),
          edge('joined', 'out', 'code'),
        ],
        { description: 'Every If side, nested fields, an HTTP call with templated URL/headers/body, fan-in.', settings: { concurrency: 5 } },
      ),
    });
  }
  cases.push({
    input: { ticket: 'T-1', text: 'The printer is on fire', priority: 3 },
    flow: flow('corpus-llm', 'LLM text and JSON', [
      node('start', 'manual-trigger@1', 'Ticket', { payload: '{}' }),
      node('summ', 'llm-call@1', 'Summarise', {
        provider: 'openai-compatible',
        baseUrl: s.llmBaseUrl,
        model: 'fake-small',
        system: 'You are terse.',
        prompt: 'Ticket {{ ticket }}:\n{{ text }}\n\nWhole: {{ $json }}',
        stream: false,
        temperature: 0,
        maxTokens: 64,
      }),
      node('classify', 'llm-call@1', 'Classify', {
        provider: 'openai-compatible',
        baseUrl: s.llmBaseUrl,
        model: 'fake-small',
        prompt: 'Classify: {{ text }}',
        output: 'json',
        jsonMode: 'json-object',
        schemaFields: [{ name: 'label', type: 'string' }, { name: 'score', type: 'number' }],
        stream: true,
      }),
      node('route', 'if@1', 'High score?', { left: '{{ score }}', operator: 'greater', right: '2' }),
      node('out', 'set-fields@1', 'Result', { fields: [{ name: 'label', value: '{{ label }}' }, { name: 'score', value: '{{ score }}' }] }),
      node('both', 'merge@1', 'Both answers', { mode: 'object' }),
      node('write', 'write-file@1', 'Save', { path: 'corpus/llm.jsonl', line: '' }),
    ], [edge('start', 'out', 'summ'), edge('start', 'out', 'classify'), edge('classify', 'data', 'route'), edge('route', 'true', 'out'), edge('out', 'out', 'both', 'a'), edge('summ', 'text', 'both', 'b'), edge('both', 'out', 'write')]),
  });
  cases.push({
    input: { id: 'R-1' },
    flow: flow('corpus-retry', 'Retries', [
      node('start', 'manual-trigger@1', 'Start', { payload: '{}' }),
      node('flaky', 'http-request@1', 'Flaky call', { method: 'POST', url: `${s.httpOrigin}/flaky`, body: '{{ $json }}' }, { retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }, timeoutMs: 1_500 }),
      node('get', 'http-request@1', 'Get item', { method: 'GET', url: `${s.httpOrigin}/items/{{ body.received.id }}`, headers: [] }),
    ], [edge('start', 'out', 'flaky'), edge('flaky', 'out', 'get')]),
  });
  cases.push({
    input: { id: 'F-1' },
    flow: flow('corpus-failure', 'A failing call', [
      node('start', 'manual-trigger@1', 'Start', { payload: '{}' }),
      node('missing', 'http-request@1', 'Missing page', { method: 'GET', url: `${s.httpOrigin}/status/404`, headers: [] }),
      node('after', 'write-file@1', 'Never written', { path: 'corpus/never.jsonl', line: '' }),
    ], [edge('start', 'out', 'missing'), edge('missing', 'out', 'after')]),
  });
  cases.push({
    input: { source: 'live', schema: 'public', table: 'orders', operation: 'insert', new: { id: 9, total: 70 }, old: null, key: { id: 9 }, columns: [], unchangedToast: [], lsn: '0/16B3748', position: 0, commitTime: null, xid: 750 },
    flow: flow('corpus-pg-change', 'Postgres change', [
      node('change', 'postgres-change@1', 'Order changed', { tables: 'public.orders', filter: '' }),
      node('shape', 'set-fields@1', 'Shape', { fields: [{ name: 'orderId', value: '{{ new.id }}' }, { name: 'op', value: '{{ operation }}' }] }),
    ], [edge('change', 'change', 'shape')]),
  });
  return cases;
}

/**
 * Node types the differential run cannot exercise offline, each with where its behaviour is tested
 * instead. They export through the same generic path as every other node; what is missing is a
 * target in this test (a person, a Postgres server, Slack).
 */
export const NOT_IN_DIFFERENTIAL: Record<string, string> = {
  'approval@1': 'waits for a person; src/engine/approvals tests and e2e/approvals.spec.ts',
  'postgres-sink@1': 'needs a Postgres server; src/engine/services/pg-sink.test.ts, codegen/dbos.test.ts uses an HTTP sink',
  'slack-sink@1': 'needs a Slack incoming webhook (a secret URL); src/nodes sink tests',
  'webhook-sink@1': 'keys and signatures carry the run id, which differs by design; webhook-sink tests',
  'sqlite-sink@1': 'rows carry the run-derived idempotency key; sqlite-sink tests',
  'write-file@2': 'records carry the run-derived key; file-sink tests',
};

/** Registered `type@version`s no corpus flow uses (and that are not listed, with a reason, above). */
export function missingFromCorpus(cases: CorpusCase[]): string[] {
  const used = new Set(cases.flatMap((c) => c.flow.nodes.map((n) => n.type)));
  return allNodeDefinitions.map(typeRef).filter((t) => !used.has(t) && !(t in NOT_IN_DIFFERENTIAL));
}
