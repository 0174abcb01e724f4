/** A small fake EngineApi for the rpc tests: canned answers, and `emit` to push run events. */
import { EngineError, type EngineApi, type SavedFlow } from '../api';
import type { RunEvent, RunTrace } from '../runs';
import type { FlowProblem } from '../flow/problems';
import { chainFlow } from '../flow/testing';
import { DEMO_FLOW_ID, type DemoStatus } from '../demo';

export const problems: FlowProblem[] = [
  { kind: 'structure', path: ['edges', 0, 'target'], edgeId: 'e1', message: 'edge ends at missing node "x"' },
  { kind: 'config', path: ['nodes', 1, 'config', 'url'], nodeId: 'n1', field: 'url', message: 'required' },
];

export const event: RunEvent = { type: 'node.succeeded', runId: 'run_1', nodeId: 'n1', at: 5, durationMs: 2, output: { ok: true } };

export class FakeEngine implements EngineApi {
  readonly calls: { method: string; arg: unknown }[] = [];
  readonly runListeners = new Set<(e: RunEvent) => void>();
  /** Resolvers of getRunTrace calls, which stay pending until a test settles them. */
  readonly pendingTraces: ((t: RunTrace) => void)[] = [];

  private record(method: string, arg?: unknown) {
    this.calls.push({ method, arg });
  }
  private saved(name: string): SavedFlow {
    return { flow: { ...chainFlow(2), name }, version: 1, updatedAt: 1000, problems: [] };
  }

  async listNodeTypes() {
    this.record('listNodeTypes');
    return [];
  }
  async listFlows() {
    this.record('listFlows');
    return [{ id: 'flow_test', name: 'Test flow', version: 1, nodeCount: 2, updatedAt: 1000 }];
  }
  async getFlow(arg: { id: string }) {
    this.record('getFlow', arg);
    if (arg.id !== 'flow_test') throw new EngineError('not_found', `no flow "${arg.id}"`);
    return this.saved('Test flow');
  }
  async createFlow(arg: { name: string; template?: 'empty' | 'demo' }) {
    this.record('createFlow', arg);
    return this.saved(arg.name);
  }
  async saveFlow(arg: { flow: unknown }): Promise<never> {
    this.record('saveFlow', arg);
    throw new EngineError('invalid_flow', 'the flow has 2 problems', problems);
  }
  async renameFlow(arg: { id: string; name: string }) {
    this.record('renameFlow', arg);
    return { id: arg.id, name: arg.name, version: 2, nodeCount: 2, updatedAt: 2000 };
  }
  async deleteFlow(arg: { id: string }) {
    this.record('deleteFlow', arg);
  }
  async importFlow(arg: { text: string }): Promise<never> {
    this.record('importFlow', arg);
    throw new Error('disk on fire');
  }
  async exportFlowCode(arg: { flowId: string; target: 'standalone' | 'dbos' }) {
    this.record('exportFlowCode', arg);
    return { files: [] };
  }
  async importFlowCode(arg: { text: string }) {
    this.record('importFlowCode', arg);
    return { ok: false as const, issues: [] };
  }
  async validateFlow(arg: { flow: unknown }): Promise<never> {
    this.record('validateFlow', arg);
    throw 'a bare string'; // the server must cope with non-Error throws
  }
  async startRun(arg: { flowId: string; input?: unknown }) {
    this.record('startRun', arg);
    return { runId: 'run_1', deduplicated: false };
  }
  async cancelRun(arg: { runId: string }) {
    this.record('cancelRun', arg);
    return { status: 'cancelled' as const };
  }
  async rerun(arg: { runId: string }) {
    this.record('rerun', arg);
    return { runId: 'run_2' };
  }
  async signalRun(arg: { runId: string; name: string }) {
    this.record('signalRun', arg);
    return { accepted: true };
  }
  async listRuns(arg: { flowId?: string; limit?: number }) {
    this.record('listRuns', arg);
    return [];
  }
  getRunTrace(arg: { runId: string }) {
    this.record('getRunTrace', arg);
    return new Promise<RunTrace>((resolve) => this.pendingTraces.push(resolve));
  }
  async listSecrets() {
    this.record('listSecrets');
    return [{ name: 'OPENAI_API_KEY', source: 'file' as const, writable: true }];
  }
  async setSecret(arg: { name: string; value: string }) {
    this.record('setSecret', { name: arg.name });
  }
  async deleteSecret(arg: { name: string }) {
    this.record('deleteSecret', arg);
    return { deleted: true };
  }
  async recordLlmReplay(arg: { runId: string }) {
    this.record('recordLlmReplay', arg);
    return { entries: 0, file: '' };
  }
  async detectLlmServers(arg: { urls?: string[] }) {
    this.record('detectLlmServers', arg);
    return [];
  }
  async testLlm(arg: { config: unknown }) {
    this.record('testLlm', arg);
    return { ok: false as const, error: 'not in this fake' };
  }
  async getDataFolderInfo() {
    this.record('getDataFolderInfo');
    return { path: '/data', bytes: 1, databaseBytes: 1, reclaimableBytes: 0 };
  }
  onRunEvent = (listener: (e: RunEvent) => void) => {
    this.runListeners.add(listener);
    return () => void this.runListeners.delete(listener);
  };
  emit(e: RunEvent) {
    for (const l of this.runListeners) l(e);
  }
  async checkTriggerSetup(arg: { flowId: string; nodeId: string }) {
    this.record('checkTriggerSetup', arg);
    return { ok: true, connected: true, serverVersion: '15.0', problems: [] };
  }
  async activateFlow(arg: { id: string }) {
    this.record('activateFlow', arg);
    return [];
  }
  async deactivateFlow(arg: { id: string; dropSlot: boolean }) {
    this.record('deactivateFlow', arg);
    return [];
  }
  async getTriggerStatus(arg: { flowId: string }) {
    this.record('getTriggerStatus', arg);
    return [];
  }
  async sampleTriggerChanges(arg: { flowId: string; nodeId: string; limit?: number }) {
    this.record('sampleTriggerChanges', arg);
    return { changes: [], rowsRead: 0 };
  }
  onTriggerStatus = () => () => undefined;
  async listEffects() {
    return [];
  }
  async reconcileEffects(arg: { flowId: string }) {
    return { flowId: arg.flowId, nodes: [], gaps: [] };
  }
  async listSinkTables() {
    return [];
  }
  async listSinkColumns() {
    return [];
  }
  async testSink() {
    return { ok: false as const, key: '', error: 'fake', logs: [] };
  }
  // Named connections (src/shared/connections.ts): not exercised by this fake.
  async listConnections() {
    return [];
  }
  async saveConnection(): Promise<never> {
    throw new Error('not in this fake');
  }
  async deleteConnection() {
    return { deleted: false };
  }
  async testConnection(): Promise<never> {
    throw new Error('not in this fake');
  }
  // Approvals (src/shared/approvals.ts): not exercised by this fake.
  async listApprovals() {
    return [];
  }
  async decideApproval(): Promise<never> {
    throw new Error('not in this fake');
  }
  async exportApprovals() {
    return { jsonl: '', count: 0 };
  }
  async approvalStats() {
    return [];
  }
  onApprovalEvent = () => () => undefined;
  // Demo (src/shared/demo.ts): a disabled demo workspace.
  private demoStatus(): DemoStatus {
    return { enabled: false, flowId: DEMO_FLOW_ID, database: { state: 'off' }, tickets: { total: 0, triaged: 0 }, traffic: { running: false, ratePerSecond: 0, inserted: 0 } };
  }
  async getDemoStatus() {
    return this.demoStatus();
  }
  async startDemo() {
    return this.demoStatus();
  }
  async resetDemo() {
    return this.demoStatus();
  }
  async simulateTraffic(arg: unknown) {
    this.record('simulateTraffic', arg);
    return this.demoStatus();
  }
  async stopTraffic() {
    return this.demoStatus();
  }
  async exportDemoPack(): Promise<never> {
    throw new Error('not in this fake');
  }
  async openDemoPack(): Promise<never> {
    throw new Error('not in this fake');
  }
  async listRunHistory(arg: unknown) {
    this.record('listRunHistory', arg);
    return { rows: [], nextCursor: null };
  }
  async getNodeStats(arg: unknown) {
    this.record('getNodeStats', arg);
    return [];
  }
  async getNodeRuns(arg: unknown) {
    this.record('getNodeRuns', arg);
    return [];
  }
  async getNodeErrorGroups(arg: unknown) {
    this.record('getNodeErrorGroups', arg);
    return [];
  }
  async getFlowSeries(arg: unknown) {
    this.record('getFlowSeries', arg);
    return { t: [], runs: [], failed: [], costUsd: [] };
  }
  async listPins(arg: unknown) {
    this.record('listPins', arg);
    return [];
  }
  async pinNodeOutput(arg: unknown) {
    this.record('pinNodeOutput', arg);
    return [];
  }
  async unpinNode(arg: unknown) {
    this.record('unpinNode', arg);
    return [];
  }
}
