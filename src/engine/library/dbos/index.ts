/**
 * `millrace/runtime/dbos`: a flow as a DBOS workflow (Postgres-backed, several worker processes).
 * What a `flow.ts` exported with `--target dbos` imports.
 */
export { defineFlow, FlowBuilder, type FlowMeta, type NodeSpec, type NodePorts, type PortRef } from '../flow-builder';
export { runDbosCli, dbosCliMain, registerDbosFlow, queueNameOf, type DbosFlowApp } from './dbos-cli';
export { runFlowInWorkflow } from './dbos-runner';
