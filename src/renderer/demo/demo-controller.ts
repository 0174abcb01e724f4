/**
 * What the demo controls do, written against injected dependencies (the engine's DemoApi, the
 * app's flow actions, toasts) so it is tested without a browser; demo-actions.ts wires it to the app.
 */
import { DEMO_FLOW_ID, type DemoApi, type DemoStatus } from '../../shared/demo';
import { MAX_DEMO_PACK_BYTES, formatBytes } from '../../shared/limits';
import { demoStore, parseRate } from './demo-store';

export interface DemoDeps {
  api(): DemoApi;
  /** Flushes the open flow's pending edits; false when they could not be saved. */
  saveOpenFlow(): Promise<boolean>;
  /** Re-reads the flow list and shows this flow, even when it is already open (it changed underneath). */
  reopenFlow(flowId: string): Promise<void>;
  toast(kind: 'info' | 'error' | 'success', text: string): void;
  describeError(error: unknown): string;
  download(fileName: string, text: string): void;
  /** Puts text on the clipboard; rejects when the browser refuses. */
  copy(text: string): Promise<void>;
}

export interface PackFile {
  name: string;
  size: number;
  text(): Promise<string>;
}

const store = demoStore;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function createDemoController(deps: DemoDeps) {
  const setStatus = (status: DemoStatus) => store.setState({ status, pollError: null });

  async function refreshStatus(): Promise<void> {
    try {
      setStatus(await deps.api().getDemoStatus());
    } catch (error) {
      store.setState({ pollError: `Could not read the demo status: ${deps.describeError(error)}` });
    }
  }

  /** Retry after a failed start (or start a database that is off). */
  async function startDatabase(): Promise<void> {
    store.setState({ busy: 'start-db' });
    try {
      setStatus(await deps.api().startDemo());
    } catch (error) {
      deps.toast('error', `Could not start the demo database: ${deps.describeError(error)}`);
    } finally {
      store.setState({ busy: null });
    }
  }

  async function startTraffic(): Promise<void> {
    const parsed = parseRate(store.getState().rateText);
    if (!parsed.ok) {
      store.setState({ trafficError: `Rate: ${parsed.error}` });
      return;
    }
    store.setState({ busy: 'traffic', trafficError: null });
    try {
      setStatus(await deps.api().simulateTraffic({ ratePerSecond: parsed.rate }));
    } catch (error) {
      store.setState({ trafficError: `Traffic was refused: ${deps.describeError(error)}` });
    } finally {
      store.setState({ busy: null });
    }
  }

  async function stopTraffic(): Promise<void> {
    store.setState({ busy: 'traffic', trafficError: null });
    try {
      setStatus(await deps.api().stopTraffic());
    } catch (error) {
      store.setState({ trafficError: `Could not stop the traffic: ${deps.describeError(error)}` });
    } finally {
      store.setState({ busy: null });
    }
  }

  /** A new rate while traffic runs is sent right away (simulateTraffic again with the new rate). */
  async function commitRate(): Promise<void> {
    const { status, rateText, busy } = store.getState();
    const parsed = parseRate(rateText);
    if (!parsed.ok || !status?.traffic.running || busy) return;
    if (parsed.rate === status.traffic.ratePerSecond) return;
    await startTraffic();
  }

  function setRateText(rateText: string): void {
    store.setState({ rateText, trafficError: null });
  }

  function askReset(): void {
    store.setState({ resetDialog: true, resetError: null });
  }

  function cancelReset(): void {
    if (store.getState().busy === 'reset') return;
    store.setState({ resetDialog: false, resetError: null });
  }

  async function confirmReset(): Promise<void> {
    store.setState({ busy: 'reset', resetError: null });
    try {
      // The open flow's last edits first: a save landing after the restore would overwrite it.
      await deps.saveOpenFlow();
      const status = await deps.api().resetDemo();
      setStatus(status);
      store.setState({ resetDialog: false, trafficError: null });
      await deps.reopenFlow(status.flowId || DEMO_FLOW_ID);
      deps.toast('success', `Demo reset: ${plural(status.tickets.total, 'ticket')} seeded, the flow restored. Earlier runs stay in the history.`);
    } catch (error) {
      store.setState({ resetError: deps.describeError(error) });
    } finally {
      store.setState({ busy: null });
    }
  }

  async function openPack(file: PackFile): Promise<void> {
    if (file.size > MAX_DEMO_PACK_BYTES) {
      deps.toast('error', `Could not open ${file.name}: it is ${formatBytes(file.size)}, a demo pack may be at most ${formatBytes(MAX_DEMO_PACK_BYTES)}.`);
      return;
    }
    store.setState({ busy: 'pack' });
    try {
      if (!(await deps.saveOpenFlow())) {
        deps.toast('error', 'The open flow has unsaved changes that could not be saved; fix them or try again.');
        return;
      }
      const result = await deps.api().openDemoPack({ text: await file.text() });
      await deps.reopenFlow(result.flowId);
      const s = result.summary;
      deps.toast(
        'success',
        `Opened demo pack "${s.flowName}": ${plural(result.runs, 'run')} replayed, ${plural(s.decisions, 'decision')} applied, ${plural(s.llmAnswers, 'recorded LLM answer')}.`,
      );
    } catch (error) {
      deps.toast('error', `Could not open ${file.name}: ${deps.describeError(error)}`);
    } finally {
      store.setState({ busy: null });
    }
  }

  async function exportPack(flowId: string): Promise<void> {
    store.setState({ busy: 'pack' });
    try {
      await deps.saveOpenFlow();
      const pack = await deps.api().exportDemoPack({ flowId });
      deps.download(pack.fileName, pack.text);
      const s = pack.summary;
      deps.toast('success', `Saved ${pack.fileName}: ${plural(s.changes, 'source change')}, ${plural(s.llmAnswers, 'LLM answer')}, ${plural(s.decisions, 'decision')}.`);
    } catch (error) {
      deps.toast('error', `Could not export a demo pack: ${deps.describeError(error)}`);
    } finally {
      store.setState({ busy: null });
    }
  }

  /**
   * The presenter's way into the demo database: the engine's psql command (it reads the password
   * from its 0600 file), else `psql "<url>"`, on the clipboard (or shown when copying is refused).
   */
  async function copyPsql(url: string, psql?: string): Promise<void> {
    const command = psql ?? `psql "${url}"`;
    try {
      await deps.copy(command);
      deps.toast('success', `Copied: ${command}`);
    } catch {
      deps.toast('info', `Copy this into a terminal: ${command}`);
    }
  }

  return { copyPsql, refreshStatus, startDatabase, startTraffic, stopTraffic, commitRate, setRateText, askReset, cancelReset, confirmReset, openPack, exportPack };
}

export type DemoController = ReturnType<typeof createDemoController>;
