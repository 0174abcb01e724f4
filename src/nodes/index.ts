/**
 * The node registry: every node type Millrace knows. Adding a node type = one `*.node.ts` file
 * plus one line here.
 */
import { NodeRegistry, type AnyNodeDefinition } from '../shared/node-kit';
// The `.js` suffix is required: tsx's ESM resolver reads a bare `./x.node` as a native addon.
import { manualTrigger } from './manual-trigger.node.js';
import { setFields } from './set-fields.node.js';
import { ifNode } from './if.node.js';
import { httpRequest } from './http-request.node.js';
import { writeFile } from './write-file.node.js';
import { writeFileV2 } from './file-sink.node.js';
import { postgresSink } from './postgres-sink.node.js';
import { webhookSink } from './webhook-sink.node.js';
import { slackSink } from './slack-sink.node.js';
import { sqliteSink } from './sqlite-sink.node.js';
import { llmCall } from './llm-call.node.js';
import { postgresChange } from './postgres-change.node.js';
import { approval } from './approval.node.js';
import { merge } from './merge.node.js';
import { codeNode } from './code.node.js';

export const allNodeDefinitions: readonly AnyNodeDefinition[] = [
  manualTrigger,
  postgresChange,
  setFields,
  ifNode,
  httpRequest,
  llmCall,
  writeFile,
  writeFileV2,
  postgresSink,
  webhookSink,
  slackSink,
  sqliteSink,
  approval,
  merge,
  codeNode,
] as AnyNodeDefinition[];

export const nodeRegistry = new NodeRegistry(allNodeDefinitions);

export { manualTrigger, postgresChange, setFields, ifNode, httpRequest, llmCall, writeFile, writeFileV2, postgresSink, webhookSink, slackSink, sqliteSink };
export { approval, merge, codeNode };
