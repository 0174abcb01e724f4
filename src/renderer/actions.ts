/**
 * Everything that talks to the engine: start-up, opening/creating/renaming/deleting flows,
 * autosave, import/export, runs. Components call these; stores stay plain data.
 */
import { EngineError, type FlowSummary, type SavedFlow } from '../shared/api';
import type { Flow } from '../shared/flow/schema';
import { formatProblem, type FlowProblem } from '../shared/flow/problems';
import type { RunEvent } from '../shared/runs';
import type { SampledChanges } from '../shared/triggers';
import type { EngineClient } from '../shared/rpc/client';
import { connectEngine, engine, isConnected } from './engine-client';
import { editorStore } from './stores/editor-store';
import { useSession } from './stores/session-store';
import { runStore } from './stores/run-store';
import { createAutosave } from './stores/autosave';
import { triggerStore } from './triggers/trigger-store';
import { connectApprovals } from './approvals/approvals-store';
import { refreshRuns } from './runs/history-actions';
import { changeTriggerOf } from './runs/test-run-input';

const LAST_FLOW_KEY = 'millrace.lastFlow';
const AUTOSAVE_MS = 500;
const session = () => useSession.getState();

export function describeError(error: unknown): string {
  if (error instanceof EngineError) {
    const first = error.problems?.[0];
    if (first) {
      const more = error.problems && error.problems.length > 1 ? ` (+${error.problems.length - 1} more)` : '';
      return `${error.message}: ${formatProblem(first, nodeNames())}${more}`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** An engine call's answer as a value: the split action modules (sinks, connections) never throw. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; error: string };

export async function load<T>(fn: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

function nodeNames(): Map<string, string> {
  const flow = editorStore.getState().flow;
  return new Map((flow?.nodes ?? []).map((n) => [n.id, n.name]));
}

function summaryOf(saved: SavedFlow): FlowSummary {
  return { id: saved.flow.id, name: saved.flow.name, version: saved.version, nodeCount: saved.flow.nodes.length, updatedAt: saved.updatedAt };
}

const autosave = createAutosave<Flow>({
  delayMs: AUTOSAVE_MS,
  current: () => editorStore.getState().flow,
  async save(flow) {
    const saved = await engine().saveFlow({ flow });
    if (editorStore.getState().flow?.id === flow.id) session().setFlowVersion(saved.version);
    session().upsertFlow(summaryOf(saved));
  },
  onState: (state) => session().setSave(state),
  describeError: (error) =>
    error instanceof EngineError && error.code === 'disconnected' ? 'offline — will save when the engine is back' : describeError(error),
});

editorStore.subscribe((state, previous) => {
  if (state.edits !== previous.edits && state.flow && state.flow.id === previous.flow?.id) autosave.schedule();
});

export const saveNow = () => autosave.flush();
export const hasUnsavedChanges = () => autosave.hasUnsavedChanges();

export function failed(prefix: string) {
  return (error: unknown) => session().toast('error', `${prefix}: ${describeError(error)}`);
}

// ---- start-up and reconnects ----

export function startApp(): void {
  connectEngine({
    onStatus: (status, detail) => session().setConnection(status, detail),
    onConnected: (client, reconnected) => void onConnected(client, reconnected),
  });
}

async function onConnected(client: EngineClient, reconnected: boolean) {
  subscribeRunEvents();
  client.onTriggerStatus((status) => triggerStore.getState().setStatus(status));
  // The engine dropped events while this tab was not reading (e.g. a background tab during a burst): reload.
  client.onResync(() => void reloadRunState());
  connectApprovals(client);
  try {
    const flows = await client.listFlows();
    session().setFlows(flows);
    const open = editorStore.getState().flow;
    if (reconnected && open) {
      // The canvas is kept as it was: push whatever was edited while offline.
      await autosave.flush();
      void refreshRuns();
      return;
    }
    const target = flows.find((f) => f.id === localStorage.getItem(LAST_FLOW_KEY)) ?? flows[0];
    if (!target) {
      const created = await client.createFlow({ name: 'My first flow', template: 'demo' });
      session().upsertFlow(summaryOf(created));
      showFlow(created);
    } else {
      await openFlow(target.id);
    }
    session().setLoaded();
  } catch (error) {
    failed('Could not load flows')(error);
  }
}

// ---- flows ----

function showFlow(saved: SavedFlow) {
  autosave.reset();
  editorStore.getState().load(saved.flow);
  session().setCurrentFlow(saved.flow.id, saved.version);
  runStore.getState().reset(saved.flow.id);
  subscribeRunEvents();
  localStorage.setItem(LAST_FLOW_KEY, saved.flow.id);
  session().requestFit();
  void refreshRuns({ showLatest: true });
  void refreshTriggers();
}

/** Shows a flow the engine just saved from elsewhere (a TypeScript import), reloading it if it is open. */
export function showSavedFlow(saved: SavedFlow): void {
  session().upsertFlow(summaryOf(saved));
  showFlow(saved);
}

/** Saves the open flow first; refuses to switch when that save fails, so no edit is lost. */
async function leaveCurrentFlow(): Promise<boolean> {
  await autosave.flush();
  if (!autosave.hasUnsavedChanges()) return true;
  session().toast('error', 'The open flow has unsaved changes that could not be saved; fix them or try again.');
  return false;
}

export async function openFlow(id: string): Promise<void> {
  if (editorStore.getState().flow?.id === id) return;
  if (!(await leaveCurrentFlow())) return;
  try {
    showFlow(await engine().getFlow({ id }));
  } catch (error) {
    failed('Could not open the flow')(error);
  }
}

export async function createFlow(template: 'empty' | 'demo' = 'empty'): Promise<void> {
  if (!(await leaveCurrentFlow())) return;
  const taken = new Set(session().flows.map((f) => f.name));
  let name = template === 'demo' ? 'Demo flow' : 'Untitled flow';
  for (let i = 2; taken.has(name); i++) name = `${template === 'demo' ? 'Demo flow' : 'Untitled flow'} ${i}`;
  try {
    const created = await engine().createFlow({ name, template });
    session().upsertFlow(summaryOf(created));
    showFlow(created);
  } catch (error) {
    failed('Could not create a flow')(error);
  }
}

export async function renameFlow(id: string, name: string): Promise<void> {
  const trimmed = name.trim();
  if (trimmed === '') return;
  try {
    // An in-flight save of the old document must not land after the rename.
    if (editorStore.getState().flow?.id === id) await autosave.flush();
    const summary = await engine().renameFlow({ id, name: trimmed });
    session().upsertFlow(summary);
    if (editorStore.getState().flow?.id === id) editorStore.getState().setFlowName(summary.name);
  } catch (error) {
    failed('Could not rename the flow')(error);
  }
}

export function askDeleteFlow(id: string): void {
  const flow = session().flows.find((f) => f.id === id);
  if (flow) session().openDialog({ kind: 'confirm-delete', flowId: id, flowName: flow.name });
}

export async function deleteFlow(id: string): Promise<void> {
  session().closeDialog();
  try {
    const wasOpen = editorStore.getState().flow?.id === id;
    if (wasOpen) autosave.reset();
    await engine().deleteFlow({ id });
    session().removeFlow(id);
    if (!wasOpen) return;
    editorStore.getState().unload();
    const next = session().flows[0];
    if (next) await openFlow(next.id);
    else await createFlow('empty');
  } catch (error) {
    failed('Could not delete the flow')(error);
  }
}

// ---- import / export ----

export async function importFlowFile(file: File): Promise<void> {
  if (!(await leaveCurrentFlow())) return;
  try {
    const result = await engine().importFlow({ text: await file.text() });
    if (!result.ok) {
      showProblems(`Could not import ${file.name}`, 'The file was not imported. Fix these problems and try again:', result.problems, {});
      return;
    }
    session().upsertFlow(summaryOf(result.saved));
    showFlow(result.saved);
    const count = result.saved.problems.length;
    session().toast('success', `Imported "${result.saved.flow.name}"${count ? ` — ${count} setting${count === 1 ? '' : 's'} to fix before it can run` : ''}`);
  } catch (error) {
    failed('Could not import the file')(error);
  }
}

export function exportFlow(): void {
  const flow = editorStore.getState().flow;
  if (!flow) return;
  const blob = new Blob([JSON.stringify(flow, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${flow.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'flow'}.millrace.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function showProblems(title: string, intro: string, problems: FlowProblem[], names: Record<string, string>) {
  session().openDialog({ kind: 'problems', title, intro, problems, nodeNames: names });
}

// ---- runs ----

/** Runs start from the saved flow: push pending edits first, and refuse when they cannot be saved. */
async function saveBeforeRunning() {
  await autosave.flush();
  if (autosave.hasUnsavedChanges()) throw new Error('the flow could not be saved, so it cannot run yet');
}

/** The Run dialog's "a recent real change": read from the saved trigger's tables (pending edits are saved first). */
export async function sampleRecentChanges(flowId: string, nodeId: string): Promise<SampledChanges> {
  await saveBeforeRunning();
  return engine().sampleTriggerChanges({ flowId, nodeId, limit: 10 });
}

/** A run refused for problems in the flow lists them and outlines the nodes; anything else is a toast. */
function refused(prefix: string) {
  return (error: unknown) => {
    if (error instanceof EngineError && error.code === 'invalid_flow' && error.problems) {
      session().setHighlightProblems(true);
      showProblems('This flow cannot run yet', 'Fix these problems first (nodes with problems are outlined on the canvas):', error.problems, Object.fromEntries(nodeNames()));
    } else {
      failed(prefix)(error);
    }
  };
}

/**
 * The Run button. A flow started by a Postgres change asks for its input first (a recent row or an
 * edited sample) and runs it as a test run; `test` is that dialog's answer.
 */
export async function runFlow(test?: { input: unknown }): Promise<void> {
  const flow = editorStore.getState().flow;
  const runs = runStore.getState();
  if (!flow || runs.starting) return;
  const trigger = test ? null : changeTriggerOf(flow);
  if (trigger) {
    useSession.getState().openDialog({ kind: 'test-run', flowId: flow.id, nodeId: trigger.id, nodeName: trigger.name });
    return;
  }
  runs.setStarting(true);
  try {
    await saveBeforeRunning();
    const { runId } = await engine().startRun({ flowId: flow.id, ...(test ? { input: test.input, test: true } : {}) });
    runStore.getState().selectRun(runId);
    session().setHighlightProblems(false);
    // Normally the live events arrive first; fetch the trace if they were missed.
    setTimeout(() => {
      if (runStore.getState().selectedRunId === runId && !runStore.getState().traces[runId]) void loadTrace(runId);
    }, 1500);
  } catch (error) {
    refused('Could not start the run')(error);
  } finally {
    runStore.getState().setStarting(false);
  }
}

/**
 * A new run linked to `runId`: whole, or from a node with its original input (no `input`) or an
 * edited one (`null` included). Resolves true when the new run was created.
 */
export async function rerun(runId: string, from?: { nodeId: string; input?: unknown }): Promise<boolean> {
  try {
    await saveBeforeRunning();
    const { runId: created } = await engine().rerun({
      runId,
      ...(from ? { fromNodeId: from.nodeId } : {}),
      ...(from && from.input !== undefined ? { input: from.input } : {}),
    });
    runStore.getState().noteParent(created, runId);
    runStore.getState().selectRun(created);
    session().setHighlightProblems(false);
    // A re-run from a node starts with results copied from the original, which no event reports.
    void loadTrace(created);
    return true;
  } catch (error) {
    refused('Could not re-run')(error);
    return false;
  }
}

export async function cancelRun(runId: string): Promise<void> {
  try {
    const { status } = await engine().cancelRun({ runId });
    if (status !== 'cancelled') session().toast('info', `The run had already finished (${status}).`);
  } catch (error) {
    failed('Could not cancel the run')(error);
  }
}

/** Delivers a named signal (e.g. an approval) to a waiting run. */
export async function sendSignal(runId: string, name: string, payload: unknown): Promise<boolean> {
  try {
    const { accepted } = await engine().signalRun({ runId, name, ...(payload !== undefined ? { payload } : {}) });
    if (accepted) session().toast('success', `Sent the signal “${name}”.`);
    else session().toast('info', `The run did not take “${name}”: it has finished, or already had that signal.`);
    return accepted;
  } catch (error) {
    failed('Could not send the signal')(error);
    return false;
  }
}

/** Loads in flight, per run; asking again meanwhile loads once more afterwards, so the last answer is never stale. */
const traceLoads = new Map<string, { again: boolean }>();

export async function loadTrace(runId: string) {
  const pending = traceLoads.get(runId);
  if (pending) {
    pending.again = true;
    return;
  }
  if (!isConnected()) return;
  const load = { again: true };
  traceLoads.set(runId, load);
  try {
    while (load.again) {
      load.again = false;
      runStore.getState().setTrace(await engine().getRunTrace({ runId }));
    }
  } catch (error) {
    failed('Could not load the run')(error);
  } finally {
    traceLoads.delete(runId);
  }
}

let offRunEvents: (() => void) | null = null;

/** Live events of the open flow's runs only (the narrowest filter the canvas and runs list need). */
function subscribeRunEvents() {
  offRunEvents?.();
  offRunEvents = null;
  const flowId = runStore.getState().flowId;
  if (!flowId || !isConnected()) return;
  offRunEvents = engine().onRunEvent(handleRunEvent, { flowId });
}

async function reloadRunState(): Promise<void> {
  await refreshRuns();
  const selected = runStore.getState().selectedRunId;
  if (selected) await loadTrace(selected);
  await refreshTriggers();
}

function handleRunEvent(event: RunEvent) {
  const { missedStart } = runStore.getState().applyEvent(event);
  const state = runStore.getState();
  if (missedStart && event.runId === state.selectedRunId) void loadTrace(event.runId);
  // When the shown run parks or ends, the stored trace is the reference (it also has what no event carries).
  if ((event.type === 'run.finished' || event.type === 'run.waiting') && event.runId === state.selectedRunId) void loadTrace(event.runId);
  if (event.type === 'run.started' && event.flowId === state.flowId && state.selectedRunId === null) state.selectRun(event.runId);
}

export async function selectRun(runId: string | null): Promise<void> {
  runStore.getState().selectRun(runId);
  if (!runId) return;
  const trace = runStore.getState().traces[runId];
  if (!trace || trace.run.status === 'running' || trace.run.status === 'queued' || trace.run.status === 'waiting') await loadTrace(runId);
}

// The runs list (keyset pages, filters) lives in ./runs/history-actions.ts.
export { refreshRuns } from './runs/history-actions';

/** Clicking a node opens its data from the selected run when there is some, else its settings. */
export function focusNode(nodeId: string): void {
  const run = runStore.getState();
  const hasData = run.selectedRunId ? Boolean(run.traces[run.selectedRunId]?.nodes[nodeId]) : false;
  session().setSideTab('node');
  session().setNodeTab(hasData ? 'run' : 'config');
}

// ---- change triggers (Postgres) ----

/** Saves pending edits first: the engine checks and activates the saved flow. */
async function withTrigger(nodeId: string, what: string, work: (flowId: string) => Promise<void>): Promise<void> {
  const flowId = editorStore.getState().flow?.id;
  if (!flowId) return;
  const { setBusy } = triggerStore.getState();
  setBusy(flowId, nodeId, what);
  try {
    await autosave.flush();
    await work(flowId);
  } catch (error) {
    failed(`${what} failed`)(error);
  } finally {
    setBusy(flowId, nodeId, undefined);
  }
}

export async function refreshTriggers(): Promise<void> {
  const flowId = editorStore.getState().flow?.id;
  if (!flowId || !isConnected()) return;
  try {
    triggerStore.getState().setStatuses(flowId, await engine().getTriggerStatus({ flowId }));
  } catch {
    /* shown as inactive; the next status event corrects it */
  }
}

export const checkTriggerSetup = (nodeId: string) =>
  withTrigger(nodeId, 'Setup check', async (flowId) => {
    triggerStore.getState().setSetup(flowId, nodeId, await engine().checkTriggerSetup({ flowId, nodeId }));
  });

export const activateTriggers = (nodeId: string, resync = false) =>
  withTrigger(nodeId, resync ? 'Re-sync' : 'Activation', async (id) => {
    triggerStore.getState().setStatuses(id, await engine().activateFlow({ id, resync }));
    session().toast('info', resync ? 'Re-syncing: new slot, backfill started.' : 'Trigger active: changes now start runs.');
  });

export const deactivateTriggers = (nodeId: string, dropSlot: boolean) =>
  withTrigger(nodeId, 'Deactivation', async (id) => {
    triggerStore.getState().setStatuses(id, await engine().deactivateFlow({ id, dropSlot }));
  });
