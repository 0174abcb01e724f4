/**
 * Test fixtures for demo packs: a support-triage flow of our own (Postgres change → LLM on replay →
 * If urgent → Approval (edit the reply) → Merge → Postgres sink upsert + file sink), the replay
 * answers its tickets get, and a source data folder with real runs in it (real CDC from a
 * throwaway Postgres, one manual run, one urgent ticket approved with an edit, one left pending).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PG_SECRET } from '../../../shared/demo';
import type { Flow } from '../../../shared/flow/schema';
import { llmCallConfig, outputSchema } from '../../../nodes/llm-call.config.js';
import type { ReplayFixture } from '../../services/llm/providers/replay';
import { createEngine, type Engine } from '../../engine';
import type { TestPostgres } from '../../triggers/pg/postgres-for-tests';
import { waitFor, waitForState } from '../../triggers/pg/testing';

export const PACK_FLOW_ID = 'pack-triage';
export const MODEL = 'pack-test-model';
const SYSTEM = 'You triage support tickets for a pack test. Answer with JSON.';
const secret = `secret:${DEMO_PG_SECRET}`;

const llmConfig = {
  provider: 'replay',
  baseUrl: '',
  model: MODEL,
  system: SYSTEM,
  prompt: 'Subject: {{ $trigger.new.subject }}\n\n{{ $trigger.new.body }}',
  temperature: 0,
  maxTokens: 300,
  output: 'json',
  schemaFields: [
    { name: 'category', type: 'string', required: true },
    { name: 'urgency', type: 'string', required: true },
    { name: 'reply', type: 'string', required: true },
  ],
};

export function packFlow(host: string, port: number): Flow {
  const conn = { host, port, database: 'postgres', user: 'postgres', password: '', connectionString: secret, tls: 'disable' };
  return {
    schemaVersion: 1,
    id: PACK_FLOW_ID,
    name: 'Pack triage',
    nodes: [
      { id: 'ticket', type: 'postgres-change@1', name: 'New ticket', position: { x: 0, y: 0 }, config: { ...conn, tables: 'public.tickets', insert: true, update: false, delete: false, ordering: 'per-row' } },
      { id: 'classify', type: 'llm-call@1', name: 'Classify', position: { x: 200, y: 0 }, config: llmConfig },
      { id: 'urgent', type: 'if@1', name: 'Urgent?', position: { x: 400, y: 0 }, config: { left: '{{ urgency }}', operator: 'equals', right: 'urgent' } },
      {
        id: 'review',
        type: 'approval@1',
        name: 'Review',
        position: { x: 600, y: -100 },
        config: { title: 'Urgent: {{ $trigger.new.subject }}', instructions: 'Check the reply.', editableFields: [{ path: 'reply', type: 'text', required: true }], timeoutMinutes: 0, onTimeout: 'reject' },
      },
      { id: 'rejoin', type: 'merge@1', name: 'Rejoin', position: { x: 800, y: 0 }, config: { mode: 'first', require: 'any' } },
      {
        id: 'store',
        type: 'postgres-sink@1',
        name: 'Save',
        position: { x: 1000, y: -50 },
        config: {
          ...conn,
          table: 'public.triaged',
          mode: 'upsert',
          keyColumns: 'ticket_id',
          key: '',
          columns: [
            { name: 'ticket_id', value: '{{ $trigger.new.id }}' },
            { name: 'category', value: '{{ category }}' },
            { name: 'urgency', value: '{{ urgency }}' },
            { name: 'reply', value: '{{ reply }}' },
          ],
        },
      },
      { id: 'log', type: 'write-file@2', name: 'Log', position: { x: 1000, y: 100 }, config: { path: 'pack/triaged.jsonl', format: 'jsonl', key: '{{ $trigger.new.id }}' } },
    ],
    edges: [
      { id: 'e1', source: 'ticket', sourcePort: 'change', target: 'classify', targetPort: 'in' },
      { id: 'e2', source: 'classify', sourcePort: 'data', target: 'urgent', targetPort: 'in' },
      { id: 'e3', source: 'urgent', sourcePort: 'true', target: 'review', targetPort: 'in' },
      { id: 'e4', source: 'review', sourcePort: 'approved', target: 'rejoin', targetPort: 'a' },
      { id: 'e5', source: 'urgent', sourcePort: 'false', target: 'rejoin', targetPort: 'b' },
      { id: 'e6', source: 'rejoin', sourcePort: 'out', target: 'store', targetPort: 'in' },
      { id: 'e7', source: 'rejoin', sourcePort: 'out', target: 'log', targetPort: 'in' },
    ],
  };
}

export interface Ticket {
  subject: string;
  body: string;
  answer: { category: string; urgency: 'urgent' | 'routine'; reply: string };
}

export const TICKETS: Ticket[] = [
  { subject: 'Charged twice', body: 'My card was charged twice for March.', answer: { category: 'billing', urgency: 'urgent', reply: 'We are refunding the second charge.' } },
  { subject: 'Dark mode?', body: 'Will there be a dark mode?', answer: { category: 'feature-request', urgency: 'routine', reply: 'It is on our list, thanks!' } },
  { subject: 'Export broken', body: 'CSV export shows an error page.', answer: { category: 'bug', urgency: 'routine', reply: 'Thanks, we are looking into it.' } },
  { subject: 'Site down', body: 'Nothing loads since 9:00.', answer: { category: 'bug', urgency: 'urgent', reply: 'We are on it.' } },
];
/** The manual run's ticket (started by hand with a change-shaped input, never inserted). */
export const MANUAL_TICKET: Ticket = { subject: 'Invoice address', body: 'Please change my invoice address.', answer: { category: 'account', urgency: 'routine', reply: 'Done, see your next invoice.' } };

export function replayFixture(tickets: Ticket[]): ReplayFixture {
  const schema = outputSchema(llmCallConfig.parse(llmConfig));
  return {
    version: 1,
    entries: tickets.map((t) => ({
      request: { model: MODEL, system: SYSTEM, prompt: `Subject: ${t.subject}\n\n${t.body}`, params: { maxTokens: 300, temperature: 0 }, schema },
      response: { text: JSON.stringify(t.answer), finishReason: 'stop', usage: { promptTokens: 20, completionTokens: 10 } },
    })),
  };
}

export const SINK_TABLE = `CREATE TABLE triaged (ticket_id bigint PRIMARY KEY, category text NOT NULL, urgency text NOT NULL, reply text NOT NULL)`;

/** A database of the throwaway cluster with the sink table (and, for the source, the tickets table). */
export async function createDatabase(pg: TestPostgres, name: string, source = false): Promise<string> {
  await pg.query(`CREATE DATABASE ${name}`);
  const pgMod = await import('pg');
  const client = new pgMod.default.Client({ connectionString: pg.connectionString(undefined, name) });
  await client.connect();
  try {
    await client.query(SINK_TABLE);
    if (source) await client.query(`CREATE TABLE tickets (id bigserial PRIMARY KEY, subject text NOT NULL, body text NOT NULL)`);
  } finally {
    await client.end();
  }
  return pg.connectionString(undefined, name);
}

export async function sinkRows(url: string): Promise<unknown[]> {
  const pgMod = await import('pg');
  const client = new pgMod.default.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(`SELECT ticket_id::text AS ticket_id, category, urgency, reply FROM triaged ORDER BY ticket_id`)).rows;
  } finally {
    await client.end();
  }
}

export function engineOn(dataDir: string, pgUrl: string): Engine {
  return createEngine({ dataDir, seedDemo: false, env: { [`MILLRACE_SECRET_${DEMO_PG_SECRET}`]: pgUrl }, approvals: { userName: 'ada' } });
}

/** Waits until the flow's runs are all finished or waiting on an approval. */
export async function runsSettled(engine: Engine, flowId: string, count: number): Promise<void> {
  await waitFor(`${count} settled runs`, async () => {
    const runs = await engine.listRuns({ flowId, limit: 100 });
    if (runs.length < count) return undefined;
    const pending = new Set((await engine.listApprovals({ status: 'pending', flowId })).map((a) => a.runId));
    return runs.every((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status) || (r.status === 'waiting' && pending.has(r.id))) ? true : undefined;
  }, 60_000);
}

/**
 * Source folder A with a real session: CDC from `sourceUrl` (tickets inserted one at a time), the
 * first ticket urgent and approved with an edited reply, one manual run, the last ticket urgent and
 * left pending. Returns the engine (open) so the caller can export.
 */
export async function recordSession(dataDir: string, pg: TestPostgres, sourceUrl: string): Promise<Engine> {
  mkdirSync(join(dataDir, 'llm-replay'), { recursive: true });
  writeFileSync(join(dataDir, 'llm-replay', 'pack-test.json'), JSON.stringify(replayFixture([...TICKETS, MANUAL_TICKET])));
  const engine = engineOn(dataDir, sourceUrl);
  await engine.saveFlow({ flow: packFlow(pg.host, pg.port) });
  await engine.activateFlow({ id: PACK_FLOW_ID });
  await waitForState(engine, PACK_FLOW_ID, 'streaming', 30_000);
  const pgMod = await import('pg');
  const client = new pgMod.default.Client({ connectionString: sourceUrl });
  await client.connect();
  try {
    const insert = (t: Ticket) => client.query(`INSERT INTO tickets (subject, body) VALUES ($1, $2)`, [t.subject, t.body]);
    await insert(TICKETS[0]!);
    await runsSettled(engine, PACK_FLOW_ID, 1);
    // The reviewer decides after the next ticket went through: the file sink has ticket 2 before ticket 1.
    await insert(TICKETS[1]!);
    await runsSettled(engine, PACK_FLOW_ID, 2);
    const [request] = await engine.listApprovals({ status: 'pending', flowId: PACK_FLOW_ID });
    const decided = await engine.decideApproval({ requestId: request!.requestId, action: 'approve', edits: { reply: 'Sorry! We refunded the second charge today.' }, comment: 'warmer, and say when' });
    if (!decided.accepted) throw new Error(`the decision was refused: ${decided.message}`);
    await runsSettled(engine, PACK_FLOW_ID, 2);
    await engine.startRun({
      flowId: PACK_FLOW_ID,
      input: { source: 'manual', schema: 'public', table: 'tickets', operation: 'insert', new: { id: 900, subject: MANUAL_TICKET.subject, body: MANUAL_TICKET.body }, old: null, key: { id: 900 } },
    });
    await runsSettled(engine, PACK_FLOW_ID, 3);
    await insert(TICKETS[2]!);
    await runsSettled(engine, PACK_FLOW_ID, 4);
    await insert(TICKETS[3]!);
    await runsSettled(engine, PACK_FLOW_ID, 5);
  } finally {
    await client.end();
  }
  await engine.deactivateFlow({ id: PACK_FLOW_ID, dropSlot: true });
  return engine;
}
