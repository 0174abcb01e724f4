import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { templateString } from '../shared/config-fields';
import { nodeScope, renderTemplate, renderTemplateText } from '../shared/template';
import { NodeError } from '../shared/services';
import { editFieldSchema, TIMEOUT_OUTCOMES, type ApprovalOutcome } from '../shared/approvals';

/**
 * Parks the run until a person approves or rejects the data (from the inbox or a decision link).
 * The request is opened once per (run, node) and journaled; the decision is applied exactly once by
 * the engine's approvals store, which is also the single judge of "decided or timed out".
 */
export const approval = defineNode({
  type: 'approval',
  version: 1,
  title: 'Approval',
  description: 'Wait for a person to approve, edit or reject the data (inbox or decision link); optional timeout.',
  category: 'logic',
  config: z.object({
    title: templateString({ required: true, max: 500 }).default('Review the result'),
    instructions: templateString({ max: 10_000 }).default(''),
    show: z.array(z.object({ label: z.string().min(1).max(100), value: templateString({ max: 2_000 }) })).max(50).default([]),
    editableFields: z.array(editFieldSchema).max(100).default([]),
    assignee: z.string().max(200).default(''),
    timeoutMinutes: z.number().min(0).max(525_600).default(0),
    onTimeout: z.enum(TIMEOUT_OUTCOMES).default('reject'),
  }),
  inputs: { in: { type: 'any' } },
  outputs: {
    approved: { type: 'any', label: 'approved' },
    rejected: { type: 'object', label: 'rejected' },
    timedOut: { type: 'object', label: 'timed out' },
    decision: { type: 'object', label: 'decision record' },
  },
  ui: {
    title: { widget: 'template', label: 'Title' },
    instructions: { widget: 'template', label: 'Instructions', rows: 3 },
    show: { widget: 'key-value', label: 'Also show', help: 'Referenced fields shown beside the data, e.g. source row → {{ $json }}.' },
    editableFields: {
      widget: 'json',
      label: 'Editable fields',
      rows: 5,
      help: '[{ "path": "category", "type": "enum", "options": ["bug","billing"], "required": true }] — types: string, text, number, integer, boolean, enum.',
    },
    assignee: { label: 'Assignee', placeholder: 'e.g. support-leads' },
    timeoutMinutes: { label: 'Timeout (minutes)', help: '0 = wait forever. Fractions allowed.' },
    onTimeout: { widget: 'select', label: 'On timeout', help: '"timed-out" sends the data to the timed out port (escalation).' },
  },
  summary: (cfg) => (cfg.assignee ? `for ${cfg.assignee}` : 'human review') + (cfg.timeoutMinutes > 0 ? ` · ${cfg.timeoutMinutes} min → ${cfg.onTimeout}` : ''),
  async execute(ctx, { in: input }, cfg) {
    const approvals = ctx.services.approvals;
    if (!approvals) throw new NodeError('this host has no approvals inbox', { permanent: true });
    const scope = nodeScope(ctx, input);
    const timeoutMs = cfg.timeoutMinutes > 0 ? Math.round(cfg.timeoutMinutes * 60_000) : null;
    const request = await ctx.step.run('approval:request', () =>
      approvals.open(ctx.runId, ctx.nodeId, ctx.nodeName, {
        title: renderTemplateText(cfg.title, scope),
        instructions: renderTemplateText(cfg.instructions, scope),
        assignee: cfg.assignee,
        data: input ?? null,
        context: Object.fromEntries(cfg.show.map((s) => [s.label, renderTemplate(s.value, scope) ?? null])),
        fields: cfg.editableFields,
        timeoutMs,
        onTimeout: cfg.onTimeout,
      }),
    );
    // The deadline is the request's (fixed when it opened), not "timeout from whenever the wait registers":
    // a restart between opening and waiting must not move it.
    const remaining = request.expiresAt === null ? null : Math.max(0, request.expiresAt - ctx.services.clock.now());
    const waited = await ctx.step.waitForSignal('approval', { signal: request.signal, ...(remaining === null ? {} : { timeoutMs: remaining }) });
    // The store decides what happened: a decision accepted a moment before the deadline wins over it.
    const outcome: ApprovalOutcome = await ctx.step.run('approval:outcome', () => approvals.settle(request.requestId, waited.kind === 'timeout'));
    if (outcome.status === 'replaced') {
      throw new NodeError(`this approval request was replaced${outcome.replacedBy ? ` by run ${outcome.replacedBy}` : ''}; decide the new one`, { permanent: true });
    }
    const { decision, output } = outcome;
    if (decision.action === 'approved') return { approved: output, decision };
    if (decision.action === 'rejected') return { rejected: { reason: decision.comment, data: input ?? null, decision }, decision };
    return { timedOut: { data: input ?? null, decision }, decision };
  },
  exportCode: (cfg, { varName, inputs }) =>
    `const ${varName} = await waitForApproval(${JSON.stringify({ title: cfg.title, assignee: cfg.assignee, timeoutMinutes: cfg.timeoutMinutes, onTimeout: cfg.onTimeout })}, ${inputs['in']});`,
});
