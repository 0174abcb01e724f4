/**
 * The demo pack file: one JSON document holding a flow, the source changes that started its runs
 * (in source order), the LLM answers those runs got (a replay fixture, the format of
 * resources/llm-replay/*.json) and the approval decisions people made. `parsePackText` is the one
 * door in: a pack is outside data (a file from anyone), so it is size-checked before it is parsed,
 * walked without recursion for depth and `__proto__` keys, validated with zod, and its flow
 * validated like an imported one. Every problem is reported, with where; nothing is saved.
 */
import { z } from 'zod';
import { DEMO_PG_SECRET } from '../../../shared/demo';
import type { Flow } from '../../../shared/flow/schema';
import { parseFlowDocument, validateFlow } from '../../../shared/flow/validate';
import { formatProblem } from '../../../shared/flow/problems';
import { MAX_DEMO_PACK_BYTES, checkJsonLimits, describeLimitProblem, formatBytes } from '../../../shared/limits';
import type { NodeRegistry } from '../../../shared/node-kit';
import { replayFixtureSchema } from '../../services/llm/providers/replay';

export const PACK_FORMAT = 'millrace-demo-pack';
export const PACK_VERSION = 1;
/** Changes and decisions a pack may hold (a demo or a CI fixture, not a data migration). */
export const MAX_PACK_CHANGES = 10_000;

const key = z.string().min(1).max(1000);

/** One source change: what started one run. */
export const packChangeSchema = z
  .object({
    /** 'trigger': a source event (CDC change, startRun with a dedupe key), played through the trigger's path. 'manual': startRun without one. */
    source: z.enum(['trigger', 'manual']),
    /** The trigger's dedupe key (for CDC: commit LSN + position); `manual:<run id>` for a manual run. Same key → same run id. */
    dedupeKey: key,
    orderingKey: z.string().max(1000).nullable(),
    /** The run input (the change event for a Postgres change trigger). Absent = the trigger's own sample. */
    input: z.unknown().optional(),
    /** When the run was created in the source data folder (ms since epoch): orders changes against decisions. */
    at: z.number().int().nonnegative(),
  })
  .strict();

/** One approval decision a person made, replayed through the same decide path as the inbox. */
export const packDecisionSchema = z
  .object({
    /** The dedupe key of the change whose run waited (see packChangeSchema). */
    dedupeKey: key,
    nodeId: z.string().min(1).max(200),
    action: z.enum(['approve', 'reject']),
    comment: z.string().max(10_000),
    /** Editable field path → the value the reviewer set (only fields they changed). */
    edits: z.record(z.string().max(200), z.unknown()),
    by: z.string().max(200),
    via: z.enum(['inbox', 'link', 'api']),
    at: z.number().int().nonnegative(),
  })
  .strict();

export const demoPackSchema = z
  .object({
    format: z.literal(PACK_FORMAT),
    version: z.literal(PACK_VERSION),
    createdAt: z.iso.datetime(),
    /** A flow document; validated by parseFlowDocument (its own migrations and problems), not here. */
    flow: z.unknown(),
    changes: z.array(packChangeSchema).max(MAX_PACK_CHANGES),
    llmAnswers: replayFixtureSchema,
    decisions: z.array(packDecisionSchema).max(MAX_PACK_CHANGES),
  })
  .strict();

export type PackChange = z.infer<typeof packChangeSchema>;
export type PackDecision = z.infer<typeof packDecisionSchema>;
export type DemoPack = Omit<z.infer<typeof demoPackSchema>, 'flow'> & { flow: Flow };

export interface PackProblem {
  /** Where in the pack: `changes[3].dedupeKey`, `flow › node "Classify" › model`, or '' for the file. */
  where: string;
  message: string;
}

/** A pack that was refused; `problems` lists everything found (nothing was saved). */
export class PackError extends Error {
  constructor(readonly problems: PackProblem[]) {
    super(`the demo pack was refused:\n${problems.map((p) => `  - ${p.where ? `${p.where}: ` : ''}${p.message}`).join('\n')}`);
    this.name = 'PackError';
  }
}

/** Keys that would reach an object's prototype when a parsed value is copied into a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__']);

/** Iterative walk: the first `__proto__` key and where it is (JSON.parse makes it an own property; copies would not). */
function findForbiddenKey(value: unknown): string | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: '' }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, path: `${path}[${i}]` }));
      continue;
    }
    for (const k of Object.keys(v)) {
      const at = path ? `${path}.${k}` : k;
      if (FORBIDDEN_KEYS.has(k)) return at;
      stack.push({ v: (v as Record<string, unknown>)[k], path: at });
    }
  }
  return null;
}

/** Parses and checks a pack's text. Throws PackError with every problem found. */
export function parsePackText(text: string, registry: NodeRegistry): DemoPack {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DEMO_PACK_BYTES) {
    throw new PackError([{ where: '', message: `the file is ${formatBytes(bytes)}, larger than the limit of ${formatBytes(MAX_DEMO_PACK_BYTES)} for a demo pack` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text) as unknown;
  } catch (e) {
    throw new PackError([{ where: '', message: `not a JSON file (${e instanceof Error ? e.message : String(e)})` }]);
  }
  const limit = checkJsonLimits(raw, {});
  if (limit) throw new PackError([{ where: '', message: describeLimitProblem('the demo pack', limit) }]);
  const forbidden = findForbiddenKey(raw);
  if (forbidden !== null) throw new PackError([{ where: forbidden, message: 'a "__proto__" key is not allowed in a demo pack' }]);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PackError([{ where: '', message: 'a demo pack is a JSON object' }]);
  // Say "wrong kind of file" / "newer version" before listing field problems that follow from it.
  const head = raw as Record<string, unknown>;
  if (head['format'] !== PACK_FORMAT) {
    throw new PackError([{ where: 'format', message: `expected "${PACK_FORMAT}" (this is not a Millrace demo pack)` }]);
  }
  if (head['version'] !== PACK_VERSION) {
    throw new PackError([{ where: 'version', message: `version ${JSON.stringify(head['version'])} is not supported (this Millrace reads version ${PACK_VERSION}; a newer pack needs a newer Millrace)` }]);
  }
  const parsed = demoPackSchema.safeParse(raw);
  const problems: PackProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push({ where: issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, ''), message: issue.message });
  }
  const parsedFlow = parseFlowDocument(head['flow'], registry);
  // Problems are judged on the flow as it will play: with its LLM nodes on replay (a live node's
  // missing key is no problem offline).
  const flow = parsedFlow.ok ? { ok: true as const, flow: forceReplay(parsedFlow.flow) } : parsedFlow;
  const flowProblems = flow.ok ? validateFlow(flow.flow, registry) : flow.problems;
  if (flowProblems.length > 0) {
    const names = new Map(flow.ok ? flow.flow.nodes.map((n) => [n.id, n.name]) : []);
    for (const p of flowProblems) problems.push({ where: 'flow', message: formatProblem(p, names) });
  }
  if (flow.ok) problems.push(...offlineProblems(flow.flow));
  if (problems.length > 0 || !parsed.success || !flow.ok) throw new PackError(problems);
  const seen = new Set<string>();
  parsed.data.changes.forEach((c, i) => {
    if (seen.has(c.dedupeKey)) problems.push({ where: `changes[${i}].dedupeKey`, message: `"${c.dedupeKey}" appears twice (one change, one run)` });
    seen.add(c.dedupeKey);
  });
  const nodeIds = new Set(flow.flow.nodes.map((n) => n.id));
  parsed.data.decisions.forEach((d, i) => {
    if (!seen.has(d.dedupeKey)) problems.push({ where: `decisions[${i}].dedupeKey`, message: `no change with dedupe key "${d.dedupeKey}"` });
    if (!nodeIds.has(d.nodeId)) problems.push({ where: `decisions[${i}].nodeId`, message: `the flow has no node "${d.nodeId}"` });
  });
  if (problems.length > 0) throw new PackError(problems);
  return { ...parsed.data, flow: flow.flow };
}

/** Node types that reach a network endpoint of the flow's choosing. */
const NETWORK_NODES = ['http-request@', 'webhook-sink@', 'slack-sink@'];
/** Node types with a Postgres connection: in a pack it must be the player's database. */
const POSTGRES_NODES = ['postgres-change@', 'postgres-sink@'];
const DEMO_REF = `secret:${DEMO_PG_SECRET}`;

/**
 * A pack starts runs as soon as it is opened, with no one reviewing its flow first, so it may reach
 * nothing but what the player provides: no HTTP, webhook or Slack nodes, Postgres nodes only through
 * `secret:MILLRACE_DEMO_PG_URL` (the database the player chose: the demo database in the app,
 * `--pg-url` on the command line), and no other secret reference anywhere (a node could otherwise
 * carry the player's keys somewhere). Importing the flow (File › Import) is the way to run anything
 * else, after looking at it.
 */
export function offlineProblems(flow: Flow): PackProblem[] {
  const problems: PackProblem[] = [];
  for (const n of flow.nodes) {
    const where = `flow › node "${n.name}"`;
    if (NETWORK_NODES.some((t) => n.type.startsWith(t))) {
      problems.push({ where, message: `a ${n.type} node reaches the network; a demo pack plays offline (import the flow instead to review and run it)` });
    }
    if (POSTGRES_NODES.some((t) => n.type.startsWith(t)) && n.config['connectionString'] !== DEMO_REF) {
      problems.push({ where: `${where} › connectionString`, message: `in a demo pack a Postgres node connects through ${DEMO_REF} (the database the player provides)` });
    }
    // A named connection would replace every inline setting, DEMO_REF included: it would reach a database of the player's, not the one offered.
    if (POSTGRES_NODES.some((t) => n.type.startsWith(t)) && typeof n.config['connection'] === 'string' && n.config['connection'] !== '') {
      problems.push({ where: `${where} › connection`, message: `in a demo pack a Postgres node may not pick a named connection; it connects through ${DEMO_REF}` });
    }
    const stack: unknown[] = [n.config];
    while (stack.length > 0) {
      const v = stack.pop();
      if (typeof v === 'string') {
        for (const m of v.matchAll(/secret:([A-Za-z][A-Za-z0-9_]*)/g)) {
          if (m[1] !== DEMO_PG_SECRET) problems.push({ where, message: `refers to secret:${m[1]}; a demo pack may use only ${DEMO_REF}` });
        }
      } else if (Array.isArray(v)) stack.push(...v);
      else if (typeof v === 'object' && v !== null) stack.push(...Object.values(v));
    }
  }
  return problems;
}

/**
 * A pack plays offline, always: every LLM node (primary and fallbacks) answers from recordings.
 * Model, prompts and parameters stay as they were, so the replay keys match the recorded answers.
 */
export function forceReplay(flow: Flow): Flow {
  return {
    ...flow,
    nodes: flow.nodes.map((n) => {
      if (!n.type.startsWith('llm-call@')) return n;
      // Keys and headers only matter to a live endpoint (the replay key is model + prompts +
      // parameters + schema): dropped, so a played flow holds no reference to the player's secrets.
      const config: Record<string, unknown> = { ...n.config, provider: 'replay', apiKey: '', headers: [] };
      const fallbacks = n.config['fallbacks'];
      if (Array.isArray(fallbacks)) config['fallbacks'] = fallbacks.map((f: unknown) => (typeof f === 'object' && f !== null ? { ...f, provider: 'replay', apiKey: '' } : f));
      return { ...n, config };
    }),
  };
}

/** The pack as a file: stable key order, two-space indent, newline at the end. */
export function packText(pack: DemoPack): string {
  return `${JSON.stringify(pack, null, 1)}\n`;
}
