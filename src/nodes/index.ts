/**
 * The node registry: every node type Millrace knows. Adding a node type = one `*.node.ts` file
 * plus one line here.
 */
import { NodeRegistry, type AnyNodeDefinition } from '../shared/node-kit';
import { manualTrigger } from './manual-trigger.node';
import { setFields } from './set-fields.node';
import { ifNode } from './if.node';
import { httpRequest } from './http-request.node';
import { writeFile } from './write-file.node';

export const allNodeDefinitions: readonly AnyNodeDefinition[] = [manualTrigger, setFields, ifNode, httpRequest, writeFile] as AnyNodeDefinition[];

export const nodeRegistry = new NodeRegistry(allNodeDefinitions);

export { manualTrigger, setFields, ifNode, httpRequest, writeFile };
