/**
 * The flow document: what is saved, exported and imported. Every field is parsed, never cast.
 * Changing this shape means bumping CURRENT_SCHEMA_VERSION and adding a migration (./migrations.ts)
 * plus a frozen fixture.
 */
import { z } from 'zod';

export const CURRENT_SCHEMA_VERSION = 1;

/** Hard limits that keep a hostile file from exhausting memory or the canvas. */
export const FLOW_LIMITS = {
  maxFileBytes: 5 * 1024 * 1024,
  maxNodes: 500,
  maxEdges: 2000,
  maxIdLength: 64,
  maxNameLength: 200,
} as const;

const id = z
  .string()
  .min(1, 'must not be empty')
  .max(FLOW_LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "_" and "-"');

export const PositionSchema = z.object({ x: z.number().finite(), y: z.number().finite() });

/** Engine settings any node can carry, independent of its type. Optional: absent = defaults. */
export const NodeSettingsSchema = z.object({
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(20),
      initialDelayMs: z.number().int().min(0).max(3_600_000).default(1000),
      maxDelayMs: z.number().int().min(0).max(86_400_000).default(60_000),
    })
    .optional(),
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  /**
   * Disabled (context menu → Disable): the node does not execute; its input passes through unchanged
   * to its first output (as n8n does), so the rest of the flow still runs. Ignored on triggers.
   */
  disabled: z.boolean().optional(),
});

export const FlowSettingsSchema = z.object({
  /** A run still unfinished after this long fails (waiting time included). */
  runTimeoutMs: z.number().int().min(1).max(365 * 86_400_000).optional(),
  /** At most this many runs of this flow execute at once. */
  concurrency: z.number().int().min(1).max(1000).optional(),
  /** LLM calls stop (with a clear error) once this flow has spent this much in a UTC day. */
  llmBudgetUsdPerDay: z.number().min(0).max(1_000_000).optional(),
});

export const FlowNodeSchema = z.object({
  id,
  /** `type@version`, e.g. `http.request@1`. */
  type: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*@[1-9][0-9]*$/, 'must look like "name@1"'),
  name: z.string().min(1).max(FLOW_LIMITS.maxNameLength),
  position: PositionSchema,
  config: z.record(z.string(), z.unknown()),
  settings: NodeSettingsSchema.optional(),
});

export const FlowEdgeSchema = z.object({
  id,
  source: id,
  sourcePort: z.string().min(1).max(64),
  target: id,
  targetPort: z.string().min(1).max(64),
});

export const FlowSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id,
  name: z.string().min(1, 'must not be empty').max(FLOW_LIMITS.maxNameLength),
  description: z.string().max(10_000).optional(),
  settings: FlowSettingsSchema.optional(),
  nodes: z.array(FlowNodeSchema).max(FLOW_LIMITS.maxNodes, `a flow may have at most ${FLOW_LIMITS.maxNodes} nodes`),
  edges: z.array(FlowEdgeSchema).max(FLOW_LIMITS.maxEdges, `a flow may have at most ${FLOW_LIMITS.maxEdges} edges`),
});

export type FlowNode = z.infer<typeof FlowNodeSchema>;
export type FlowEdge = z.infer<typeof FlowEdgeSchema>;
export type Flow = z.infer<typeof FlowSchema>;
export type Position = z.infer<typeof PositionSchema>;
export type NodeSettings = z.infer<typeof NodeSettingsSchema>;
export type FlowSettings = z.infer<typeof FlowSettingsSchema>;
