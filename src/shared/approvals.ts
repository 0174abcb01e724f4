/**
 * Human approval: the contract shared by the approval node, the engine's approvals store, the API,
 * the decision-link pages and the inbox. Pure (zod only): edit validation and the field diff live
 * here so the inbox form, the link page and the engine refuse exactly the same edits.
 */
import { z } from 'zod';
import { getPath, parsePath } from './template';

/** One field the reviewer may edit: a path into the data under review, its type and constraints. */
export const editFieldSchema = z
  .object({
    path: z.string().min(1).max(200),
    label: z.string().max(200).optional(),
    type: z.enum(['string', 'text', 'number', 'integer', 'boolean', 'enum']).default('string'),
    required: z.boolean().default(false),
    /** Allowed values of an `enum` field. */
    options: z.array(z.string().max(500)).max(200).optional(),
    maxLength: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    try {
      parsePath(f.path);
    } catch {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `"${f.path}" is not a field path (use a.b or items[0].name)` });
    }
    if (f.type === 'enum' && (f.options?.length ?? 0) === 0) ctx.addIssue({ code: 'custom', path: ['options'], message: 'an enum field needs options' });
  });
export type EditField = z.infer<typeof editFieldSchema>;

export const TIMEOUT_OUTCOMES = ['reject', 'approve', 'timed-out'] as const;
export type TimeoutOutcome = (typeof TIMEOUT_OUTCOMES)[number];

export type ApprovalAction = 'approved' | 'rejected' | 'timed-out';
export type ApprovalStatus = 'pending' | 'decided' | 'timed-out' | 'replaced' | 'void';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** Who decided what, when, how: shown on the canvas, in run data, the inbox history and exports. */
export interface DecisionRecord {
  requestId: string;
  action: ApprovalAction;
  /** The local user's name, the link's label, or "timeout". */
  by: string;
  via: 'inbox' | 'link' | 'timeout' | 'api';
  at: number;
  comment: string;
  changes: FieldChange[];
}

/** What the approval node asks the engine to open (one request per run and node). */
export interface ApprovalOpen {
  title: string;
  instructions: string;
  assignee: string;
  /** The data under review (the upstream output). */
  data: unknown;
  /** Further referenced fields shown beside it (e.g. the source row). */
  context: Record<string, unknown>;
  fields: EditField[];
  timeoutMs: number | null;
  onTimeout: TimeoutOutcome;
}

export type ApprovalOutcome =
  | { status: 'decided'; decision: DecisionRecord; output: unknown }
  | { status: 'replaced'; replacedBy: string | null };

/** The engine side of the approval node (ctx.services.approvals). Both calls are idempotent per (run, node). */
export interface ApprovalService {
  open(runId: string, nodeId: string, nodeName: string, request: ApprovalOpen): Promise<{ requestId: string; signal: string; expiresAt: number | null }>;
  /** The request's final outcome; at the deadline, a still-pending request times out here, exactly once. */
  settle(requestId: string, timedOut: boolean): Promise<ApprovalOutcome>;
}

/** An approval as the inbox, the link page and exports see it. */
export interface ApprovalItem {
  requestId: string;
  runId: string;
  flowId: string;
  flowName: string;
  nodeId: string;
  nodeName: string;
  title: string;
  instructions: string;
  assignee: string;
  data: unknown;
  context: Record<string, unknown>;
  /** The run's input (a trigger's source row, a manual payload), shown beside the data. */
  runInput: unknown;
  fields: EditField[];
  payloadHash: string;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number | null;
  onTimeout: TimeoutOutcome;
  decision: DecisionRecord | null;
  /** `/approve/<token>` while pending (path only: the host depends on who serves it). */
  linkPath: string | null;
}

export type DecideResult =
  | { accepted: true; decision: DecisionRecord }
  | { accepted: false; reason: 'already-decided' | 'replaced' | 'stale' | 'run-finished'; message: string; decision: DecisionRecord | null };

export interface ApprovalNodeStats {
  flowId: string;
  nodeId: string;
  nodeName: string;
  pending: number;
  decided: number;
  approved: number;
  rejected: number;
  timedOut: number;
  /** Wait from request to decision (decided and timed-out requests), milliseconds. */
  p50WaitMs: number | null;
  p95WaitMs: number | null;
}

/** Live inbox updates (badge, notifications): a request opened or left pending. */
export type ApprovalEvent =
  | { type: 'approval.opened'; item: ApprovalItem }
  | { type: 'approval.closed'; requestId: string; flowId: string; runId: string; decision: DecisionRecord | null };

/** The approvals part of EngineApi (src/shared/api.ts extends it). */
export interface ApprovalsApi {
  /** Pending requests (oldest first), or decided ones ("history", newest first). */
  listApprovals(arg: ListApprovalsArgs): Promise<ApprovalItem[]>;
  /** Decides from the inbox; the first accepted decision wins, later ones are told who decided. */
  decideApproval(arg: DecideApprovalArgs): Promise<DecideResult>;
  /** Every decision of a flow as JSONL (run input, model output, reviewer's output, action). */
  exportApprovals(arg: { flowId: string }): Promise<{ jsonl: string; count: number }>;
  /** Wait time per approval node (p50/p95), pending now, timed out. */
  approvalStats(arg: { flowId?: string }): Promise<ApprovalNodeStats[]>;
  onApprovalEvent: (listener: (event: ApprovalEvent) => void) => () => void;
}

const idArg = z.string().min(1).max(64);
const editsArg = z.record(z.string().max(200), z.unknown());

/** Argument parsers of the approval methods of EngineApi. */
export const approvalApiArgs = {
  listApprovals: z
    .object({
      status: z.enum(['pending', 'history']).default('pending'),
      flowId: idArg.optional(),
      assignee: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
    })
    .strict(),
  decideApproval: z
    .object({
      requestId: idArg,
      action: z.enum(['approve', 'reject']),
      edits: editsArg.optional(),
      comment: z.string().max(10_000).optional(),
      /** The payload the reviewer saw: a decision about other data is refused as stale. */
      payloadHash: z.string().max(128).optional(),
    })
    .strict(),
  exportApprovals: z.object({ flowId: idArg }).strict(),
  approvalStats: z.object({ flowId: idArg.optional() }).strict(),
};

export type ListApprovalsArgs = z.input<typeof approvalApiArgs.listApprovals>;
export type DecideApprovalArgs = z.infer<typeof approvalApiArgs.decideApproval>;

/** One JSONL line of the decisions export: an evaluation set for prompt changes. */
export interface ApprovalExportLine {
  requestId: string;
  runId: string;
  flowId: string;
  nodeId: string;
  /** The run's input (e.g. the source row). */
  input: unknown;
  /** What the model produced (the data shown to the reviewer). */
  output: unknown;
  /** What the reviewer let through (output with edits), null when rejected. */
  edited: unknown;
  action: ApprovalAction;
  comment: string;
  by: string;
  at: number;
  changes: FieldChange[];
}

export interface EditProblem {
  field: string;
  message: string;
}

/** Checks edits against the node's edit schema and returns the coerced values, or field errors. */
export function validateEdits(fields: readonly EditField[], edits: Record<string, unknown>): { ok: true; values: Record<string, unknown> } | { ok: false; problems: EditProblem[] } {
  const problems: EditProblem[] = [];
  const values: Record<string, unknown> = {};
  const byPath = new Map(fields.map((f) => [f.path, f]));
  for (const key of Object.keys(edits)) {
    if (!byPath.has(key)) problems.push({ field: key, message: 'this field is not editable' });
  }
  for (const f of fields) {
    if (!(f.path in edits)) continue;
    const raw = edits[f.path];
    const checked = checkValue(f, raw);
    if (typeof checked === 'string') problems.push({ field: f.path, message: checked });
    else values[f.path] = checked.value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function checkValue(f: EditField, raw: unknown): { value: unknown } | string {
  const empty = raw === undefined || raw === null || raw === '';
  if (empty) return f.required ? 'required' : { value: null };
  switch (f.type) {
    case 'string':
    case 'text': {
      if (typeof raw !== 'string') return 'must be text';
      if (f.maxLength !== undefined && raw.length > f.maxLength) return `at most ${f.maxLength} characters`;
      return { value: raw };
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return 'must be a number';
      if (f.type === 'integer' && !Number.isInteger(n)) return 'must be a whole number';
      return { value: n };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      if (raw === 'true' || raw === 'on') return { value: true };
      if (raw === 'false' || raw === 'off') return { value: false };
      return 'must be true or false';
    }
    case 'enum': {
      if (typeof raw !== 'string' || !(f.options ?? []).includes(raw)) return `must be one of: ${(f.options ?? []).join(', ')}`;
      return { value: raw };
    }
  }
}

/** The data with edits applied (a copy) and the field-by-field changes; unchanged edits are no change. */
export function applyEdits(data: unknown, values: Record<string, unknown>): { output: unknown; changes: FieldChange[] } {
  let output: unknown = structuredCloneJson(data);
  const changes: FieldChange[] = [];
  for (const [path, after] of Object.entries(values)) {
    const before = getPath(data, path);
    if (JSON.stringify(before ?? null) === JSON.stringify(after ?? null)) continue;
    output = setPath(output, parsePath(path), after);
    changes.push({ path, before: before ?? null, after });
  }
  return { output, changes };
}

function structuredCloneJson(v: unknown): unknown {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as unknown);
}

function setPath(target: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const arr = Array.isArray(target) ? [...(target as unknown[])] : [];
    arr[head] = setPath(arr[head], rest, value);
    return arr;
  }
  const obj = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  obj[head!] = setPath(obj[head!], rest, value);
  return obj;
}

/** A human line for a decision ("approved by ada at …"), used by the link page and the losers of a race. */
export function describeDecision(d: DecisionRecord): string {
  const verb = d.action === 'timed-out' ? 'timed out' : d.action;
  return `${verb} by ${d.by} at ${new Date(d.at).toISOString()}`;
}
