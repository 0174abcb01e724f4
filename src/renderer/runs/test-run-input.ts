/**
 * The Run dialog of a flow started by a Postgres change (issue 13, item 13): which node is that
 * trigger, and whether an edited sample is a change the trigger could deliver. Pure, tested.
 */
import { z } from 'zod';
import type { Flow } from '../../shared/flow/schema';
import type { ChangeEvent } from '../../nodes/postgres-change.node';
import { parseJsonDraft } from './json-draft';

/** The flow's Postgres change trigger, when it has one: Run then asks for a test input. */
export function changeTriggerOf(flow: Pick<Flow, 'nodes'> | null | undefined): { id: string; name: string } | null {
  const node = flow?.nodes.find((n) => n.type.startsWith('postgres-change@'));
  return node ? { id: node.id, name: node.name } : null;
}

const row = z.record(z.string(), z.unknown()).nullable();

/** What an edited sample must look like: the fields templates read (`new`, `old`, `key`…) with their types. */
const changeSchema = z
  .object({
    source: z.string().optional(),
    schema: z.string().min(1, 'name the schema, e.g. "public"'),
    table: z.string().min(1, 'name the table'),
    operation: z.enum(['insert', 'update', 'delete', 'read'], { message: 'operation must be insert, update, delete or read' }),
    new: row,
    old: row.optional(),
    key: row.optional(),
    columns: z.array(z.object({ name: z.string(), type: z.string(), key: z.boolean() })).optional(),
    unchangedToast: z.array(z.string()).optional(),
    lsn: z.string().nullable().optional(),
    position: z.number().optional(),
    commitTime: z.string().nullable().optional(),
    xid: z.number().nullable().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.operation !== 'delete' && c.new === null) ctx.addIssue({ code: 'custom', path: ['new'], message: `an ${c.operation} has the row in "new"` });
  });

export type SampleCheck = { ok: true; change: ChangeEvent } | { ok: false; error: string };

/**
 * Parses an edited sample. Missing bookkeeping fields get their sample values, and `source` is
 * always "sample": a test run's input never claims to be a live change.
 */
export function checkSample(text: string): SampleCheck {
  const json = parseJsonDraft(text, { optional: false });
  if (!json.ok) return json;
  const parsed = changeSchema.safeParse(json.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `"${issue.path.join('.')}": ` : '';
    return { ok: false, error: `${where}${issue.message}` };
  }
  const c = parsed.data;
  return {
    ok: true,
    change: {
      source: 'sample',
      schema: c.schema,
      table: c.table,
      operation: c.operation,
      new: c.new,
      old: c.old ?? null,
      key: c.key ?? null,
      columns: c.columns ?? [],
      unchangedToast: c.unchangedToast ?? [],
      lsn: c.lsn ?? null,
      position: c.position ?? 0,
      commitTime: c.commitTime ?? null,
      xid: c.xid ?? null,
    },
  };
}

/** One line per sampled change in the picker: "insert public.orders id=3 · customer: Ada, amount: 42". */
export function describeChange(c: ChangeEvent, maxLength = 90): string {
  const key = c.key ? Object.entries(c.key).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') : '';
  const keyNames = new Set(Object.keys(c.key ?? {}));
  const rest = Object.entries(c.new ?? c.old ?? {})
    .filter(([k]) => !keyNames.has(k))
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
  const text = `${c.operation} ${c.schema}.${c.table}${key ? ` ${key}` : ''}${rest ? ` · ${rest}` : ''}`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
