import { z } from 'zod';

/** A problem with a flow, located precisely enough for the UI to point at it. */
export interface FlowProblem {
  /** `structure` problems make a document unusable (import refuses it); `config` problems block Run only. */
  kind: 'structure' | 'config';
  /** Path into the document, e.g. ["nodes", 2, "config", "url"]. */
  path: (string | number)[];
  nodeId?: string;
  edgeId?: string;
  /** The config field, when the problem is in a node's config. */
  field?: string;
  message: string;
}

/** Parser for problems that crossed a transport: the client never trusts their shape. */
export const FlowProblemSchema = z.object({
  kind: z.enum(['structure', 'config']),
  path: z.array(z.union([z.string(), z.number()])),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  field: z.string().optional(),
  message: z.string(),
}) satisfies z.ZodType<FlowProblem>;

/** One line per problem, naming the node and field: for CLIs, logs and error dialogs. */
export function formatProblem(p: FlowProblem, nodeNames: ReadonlyMap<string, string> = new Map()): string {
  const where: string[] = [];
  if (p.nodeId) where.push(`node "${nodeNames.get(p.nodeId) ?? p.nodeId}"`);
  if (p.edgeId) where.push(`edge ${p.edgeId}`);
  if (p.field) where.push(`field "${p.field}"`);
  if (where.length === 0 && p.path.length > 0) where.push(p.path.join('.'));
  return where.length ? `${where.join(', ')}: ${p.message}` : p.message;
}
