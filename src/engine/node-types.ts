/** Serialisable descriptions of node types for clients that do not share our zod definitions. */
import { z } from 'zod';
import type { NodeTypeInfo } from '../shared/api';
import { typeRef, type AnyNodeDefinition } from '../shared/node-kit';

export function nodeTypeInfo(d: AnyNodeDefinition): NodeTypeInfo {
  return {
    ref: typeRef(d),
    type: d.type,
    version: d.version,
    title: d.title,
    description: d.description,
    category: d.category,
    trigger: d.trigger === true,
    inputs: d.inputs,
    outputs: d.outputs,
    ui: d.ui as NodeTypeInfo['ui'],
    configSchema: jsonSchemaOf(d.config),
  };
}

function jsonSchemaOf(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  } catch {
    return null;
  }
}
