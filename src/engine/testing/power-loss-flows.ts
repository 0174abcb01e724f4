/** The flows the power-loss worker runs: parallel effects, a chain (re-run from its second node), trigger runs, a signal wait. */
import { appendFileSync, fsyncSync, openSync } from 'node:fs';
import { z } from 'zod';
import type { Flow, FlowNode } from '../../shared/flow/schema';
import { defineNode, NodeRegistry, type AnyNodeDefinition } from '../../shared/node-kit';
import { allNodeDefinitions } from '../../nodes';
import { waitNode } from './test-nodes';

const node = (id: string, type: string, x: number, config: Record<string, unknown> = {}): FlowNode => ({ id, type, name: id, position: { x, y: 0 }, config });
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, sourcePort: 'out', target, targetPort: 'in' });

const flow = (id: string, nodes: FlowNode[], edges: ReturnType<typeof edge>[]): Flow => ({ schemaVersion: 1, id, name: id, nodes, edges });

export const powerLossFlows: Flow[] = [
  flow('parallel', [node('t', 'manual-trigger@1', 0), node('a', 'test.remote-effect@1', 200), node('b', 'test.remote-effect@1', 200)], [edge('t', 'a'), edge('t', 'b')]),
  flow('chain', [node('t', 'manual-trigger@1', 0), node('a', 'test.remote-effect@1', 200), node('b', 'test.remote-effect@1', 400)], [edge('t', 'a'), edge('a', 'b')]),
  flow('trigger', [node('t', 'manual-trigger@1', 0), node('x', 'test.remote-effect@1', 200), node('y', 'test.remote-effect@1', 200)], [edge('t', 'x'), edge('t', 'y')]),
  flow('signal', [node('t', 'manual-trigger@1', 0), node('w', 'test.wait@1', 200, { signal: 'go' }), node('e', 'test.remote-effect@1', 400)], [edge('t', 'w'), edge('w', 'e')]),
];

/** Effect nodes per flow: every succeeded run must have delivered each of them. */
export const effectNodes: Record<string, string[]> = { parallel: ['a', 'b'], chain: ['a', 'b'], trigger: ['x', 'y'], signal: ['e'] };

/**
 * The node types the power-loss flows need. The effect goes to a "remote" log: one JSON line per
 * delivery, fsynced; it never forgets (it is not on the disk that loses power).
 */
export function powerLossRegistry(remoteLog: string): NodeRegistry {
  const remoteFd = openSync(remoteLog, 'a');
  const remoteEffect = defineNode({
    type: 'test.remote-effect', version: 1, title: 'Remote effect', description: '', category: 'sink',
    config: z.object({}), inputs: { in: { type: 'any' } }, outputs: { out: { type: 'any' } }, ui: {},
    async execute(ctx, { in: input }) {
      const delivered = await ctx.step.effect('deliver', ({ idempotencyKey, mayHaveRunBefore }) => {
        appendFileSync(remoteFd, `${JSON.stringify({ key: idempotencyKey, runId: ctx.runId, nodeId: ctx.nodeId, mayHaveRunBefore })}\n`);
        fsyncSync(remoteFd);
        return { key: idempotencyKey };
      });
      return { out: { input, delivered } };
    },
    exportCode: () => '',
  });
  return new NodeRegistry([...allNodeDefinitions, waitNode, remoteEffect] as AnyNodeDefinition[]);
}
