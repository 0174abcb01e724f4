/**
 * What the bundled demo flow's LLM node ("classify" in resources/demo/support-triage.flow.json)
 * asks for one new support ticket, computed with the node's own code: its config parsed by the
 * node's schema, its templates rendered by the node's scope (`$trigger` = the insert's change
 * event), its schema built from `schemaFields`. The replay fixture generator and its tests both
 * use this, so the shipped answers cannot drift from the flow without a test going red.
 */
import { z } from 'zod';
import bundledFlow from '../../../resources/demo/support-triage.flow.json';
import type { LlmRequest } from '../../shared/llm';
import { nodeScope } from '../../shared/template';
import { buildLlmRequest, llmCallConfig, type LlmCallConfig } from '../../nodes/llm-call.config.js';
import type { ChangeEvent } from '../../nodes/postgres-change.node.js';
import type { ReplayEntry } from '../services/llm/providers/replay';

export const CLASSIFY_NODE_ID = 'classify';
export const TICKET_TRIGGER_NODE_ID = 'ticket';

/** The columns of a support_tickets row as the change event carries them. */
export interface TicketRow {
  id: string | number;
  customer: string;
  email: string;
  language: string;
  channel: string;
  subject: string;
  body: string;
  created_at: string;
}

const flowShape = z.object({
  nodes: z.array(z.object({ id: z.string(), type: z.string(), name: z.string().default(''), config: z.unknown() })),
});

/** The classify node's configuration, parsed by the llm-call node's own schema (defaults filled in). */
export function classifyConfig(flow: unknown = bundledFlow): LlmCallConfig {
  const node = flowShape.parse(flow).nodes.find((n) => n.id === CLASSIFY_NODE_ID);
  if (!node) throw new Error(`the demo flow has no node "${CLASSIFY_NODE_ID}"`);
  if (!node.type.startsWith('llm-call@')) throw new Error(`the demo flow's "${CLASSIFY_NODE_ID}" node is ${node.type}, not an LLM call`);
  return llmCallConfig.parse(node.config);
}

/** The change event the Postgres change trigger emits for the row's INSERT (its `new` is what the templates see). */
export function ticketInsertEvent(row: TicketRow): ChangeEvent {
  return {
    source: 'live',
    schema: 'public',
    table: 'support_tickets',
    operation: 'insert',
    new: { ...row },
    old: null,
    key: { id: row.id },
    columns: [
      { name: 'id', type: 'int8', key: true },
      ...['customer', 'email', 'language', 'channel', 'subject', 'body'].map((name) => ({ name, type: 'text', key: false })),
      { name: 'created_at', type: 'timestamptz', key: false },
    ],
    unchangedToast: [],
    lsn: '0/16B3748',
    position: 0,
    commitTime: row.created_at,
    xid: 1,
  };
}

/** The scope the classify node renders its templates in, built the way the runner builds it. */
export function classifyScope(event: ChangeEvent): Record<string, unknown> {
  const upstream = { nodes: { [TICKET_TRIGGER_NODE_ID]: { name: 'New ticket', status: 'done' as const, outputs: { change: event } } }, trigger: event };
  return nodeScope({ runInput: event, upstream }, event);
}

/** The gateway request the classify node sends for this row. */
export function classifyRequest(row: TicketRow, flow: unknown = bundledFlow): LlmRequest {
  return buildLlmRequest(classifyConfig(flow), classifyScope(ticketInsertEvent(row)));
}

/** The request part of a replay fixture entry for this row (the replay book's key: model, system, prompt, params, schema). */
export function classifyReplayRequest(row: TicketRow, flow: unknown = bundledFlow): ReplayEntry['request'] {
  const request = classifyRequest(row, flow);
  const primary = request.targets[0];
  if (!primary) throw new Error('the classify node has no model target');
  return {
    model: primary.model,
    system: request.system,
    prompt: request.prompt,
    params: request.params,
    schema: request.output.kind === 'json' ? request.output.schema : null,
  };
}
