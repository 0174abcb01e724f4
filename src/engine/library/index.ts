/**
 * `millrace/runtime`: Millrace as a library, without the UI. What an exported `flow.ts` imports:
 * the flow builder, the same node registry and engine (durable runner on SQLite, services), and
 * the program's command line. Behaviour cannot drift from the app because it is the app's code.
 */
export { defineFlow, FlowBuilder, type FlowMeta, type NodeSpec, type NodePorts, type PortRef } from './flow-builder';
export { runFlow, runFlowRepeated, type RunFlowOptions, type FlowRun } from './run-flow';
export { runFlowCli, flowCliMain, isMainModule } from './run-cli';
export { runResultJson, type RunResultJson } from './run-result';
export { nodeRegistry, allNodeDefinitions } from '../../nodes';
export { createEngine, type Engine } from '../engine';
export type { Flow } from '../../shared/flow/schema';
