import { beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/api';
import { MAX_DEMO_PACK_BYTES } from '../../shared/limits';
import { createDemoController, type DemoDeps, type PackFile } from './demo-controller';
import { DEFAULT_TRAFFIC_RATE, demoStore } from './demo-store';
import { FakeDemoApi } from './testing/fake-demo-api';

function setup(api = new FakeDemoApi({ now: () => clock })) {
  const log: string[] = [];
  const toasts: { kind: string; text: string }[] = [];
  const downloads: { fileName: string; text: string }[] = [];
  let saveOk = true;
  let copyRefused = false;
  const copied: string[] = [];
  const deps: DemoDeps = {
    api: () => {
      log.push('api');
      return api;
    },
    saveOpenFlow: async () => {
      log.push('save');
      return saveOk;
    },
    reopenFlow: async (id) => void log.push(`reopen:${id}`),
    toast: (kind, text) => void toasts.push({ kind, text }),
    describeError: (e) => (e instanceof Error ? e.message : String(e)),
    download: (fileName, text) => void downloads.push({ fileName, text }),
    copy: async (text) => {
      if (copyRefused) throw new Error('NotAllowedError');
      copied.push(text);
    },
  };
  return { api, demo: createDemoController(deps), log, toasts, downloads, copied, failSave: () => (saveOk = false), refuseCopy: () => (copyRefused = true) };
}

let clock = 1_000_000;
const file = (text: string, name = 'demo.millrace', size = text.length): PackFile => ({ name, size, text: async () => text });

beforeEach(() => {
  clock = 1_000_000;
  demoStore.setState({ status: null, pollError: null, rateText: String(DEFAULT_TRAFFIC_RATE), trafficError: null, busy: null, resetDialog: false, resetError: null });
});

describe('demo status', () => {
  it('keeps the last status and clears an earlier poll error', async () => {
    const { demo } = setup();
    demoStore.setState({ pollError: 'old' });
    await demo.refreshStatus();
    expect(demoStore.getState().status?.database.state).toBe('running');
    expect(demoStore.getState().pollError).toBeNull();
  });

  it('says why the status could not be read', async () => {
    const api = new FakeDemoApi();
    api.getDemoStatus = async () => {
      throw new EngineError('disconnected', 'Not connected to the engine');
    };
    const { demo } = setup(api);
    await demo.refreshStatus();
    expect(demoStore.getState().pollError).toBe('Could not read the demo status: Not connected to the engine');
  });

  it('Retry on a failed database calls startDemo and shows its answer (still failed, or running)', async () => {
    const stuck = setup(new FakeDemoApi({ state: 'failed', failStart: true }));
    await stuck.demo.startDatabase();
    expect(stuck.api.calls).toEqual(['startDemo']);
    expect(demoStore.getState().status?.database).toMatchObject({ state: 'failed', problem: { code: 'no-postgres' } });
    const fixed = setup(new FakeDemoApi({ state: 'failed' }));
    await fixed.demo.startDatabase();
    expect(demoStore.getState().status?.database.state).toBe('running');
    expect(demoStore.getState().busy).toBeNull();
  });
});

describe('Simulate traffic', () => {
  it('starts at the chosen rate, counts inserted tickets live, stops', async () => {
    const { demo } = setup();
    demo.setRateText('20');
    await demo.startTraffic();
    expect(demoStore.getState().status?.traffic).toMatchObject({ running: true, ratePerSecond: 20, inserted: 0 });
    clock += 1500;
    await demo.refreshStatus();
    expect(demoStore.getState().status?.traffic.inserted).toBe(30);
    await demo.stopTraffic();
    clock += 5000;
    await demo.refreshStatus();
    expect(demoStore.getState().status?.traffic).toMatchObject({ running: false, inserted: 30 });
  });

  it('an invalid rate is not sent: the field says what is wrong', async () => {
    const { demo, api } = setup();
    demo.setRateText('80');
    await demo.startTraffic();
    expect(api.calls).not.toContain('simulateTraffic');
    expect(demoStore.getState().trafficError).toBe('Rate: At most 50 per second');
  });

  it('a refusal from the engine is shown with its message', async () => {
    const { demo } = setup(new FakeDemoApi({ state: 'failed' }));
    await demo.startTraffic();
    expect(demoStore.getState().trafficError).toBe('Traffic was refused: The demo database is not running; start it first (Retry in the demo bar).');
    expect(demoStore.getState().busy).toBeNull();
  });

  it('a new rate while running is sent once; the same rate or a stopped generator sends nothing', async () => {
    const { demo, api } = setup();
    demo.setRateText('10');
    await demo.commitRate(); // not running: nothing
    expect(api.calls).toEqual([]);
    await demo.startTraffic();
    await demo.commitRate(); // same rate
    expect(api.calls).toEqual(['simulateTraffic']);
    demo.setRateText('25');
    await demo.commitRate();
    expect(api.calls).toEqual(['simulateTraffic', 'simulateTraffic']);
    expect(demoStore.getState().status?.traffic.ratePerSecond).toBe(25);
  });
});

describe('Reset demo', () => {
  it('saves the open flow first, resets, closes the dialog and reopens the demo flow', async () => {
    const { demo, log, toasts } = setup();
    demo.askReset();
    expect(demoStore.getState().resetDialog).toBe(true);
    await demo.confirmReset();
    expect(log).toEqual(['save', 'api', 'reopen:demo-support-triage']);
    expect(demoStore.getState().resetDialog).toBe(false);
    expect(toasts[0]).toMatchObject({ kind: 'success' });
    expect(toasts[0]?.text).toContain('240 tickets seeded');
  });

  it('a refused reset keeps the dialog open with the engine message', async () => {
    const api = new FakeDemoApi();
    api.resetDemo = async () => {
      throw new EngineError('internal', 'could not drop the slot: it is active');
    };
    const { demo, log } = setup(api);
    demo.askReset();
    await demo.confirmReset();
    expect(demoStore.getState()).toMatchObject({ resetDialog: true, resetError: 'could not drop the slot: it is active', busy: null });
    expect(log).not.toContain('reopen:demo-support-triage');
  });
});

describe('demo packs', () => {
  it('opens a pack: sends its text, reopens the imported flow, toasts the summary', async () => {
    const { demo, log, toasts, api } = setup();
    await demo.openPack(file(JSON.stringify({ kind: 'millrace-demo-pack' })));
    expect(api.calls).toEqual(['openDemoPack']);
    expect(log.at(-1)).toBe('reopen:demo-support-triage');
    expect(toasts).toEqual([{ kind: 'success', text: 'Opened demo pack "Support ticket triage (pack)": 12 runs replayed, 3 decisions applied, 12 recorded LLM answers.' }]);
  });

  it('shows the engine message when a pack is refused', async () => {
    const { demo, toasts } = setup();
    await demo.openPack(file('not json', 'notes.json'));
    expect(toasts).toEqual([{ kind: 'error', text: 'Could not open notes.json: This file is not a demo pack: it is not JSON.' }]);
    expect(demoStore.getState().busy).toBeNull();
  });

  it('refuses a file over the size limit without reading or sending it', async () => {
    const { demo, toasts, api } = setup();
    let read = false;
    await demo.openPack({ name: 'huge.millrace', size: MAX_DEMO_PACK_BYTES + 1, text: async () => ((read = true), '') });
    expect(read).toBe(false);
    expect(api.calls).toEqual([]);
    expect(toasts[0]?.text).toMatch(/^Could not open huge\.millrace: it is .* a demo pack may be at most 12/);
  });

  it('does not replace the open flow when its edits cannot be saved', async () => {
    const { demo, toasts, api, failSave } = setup();
    failSave();
    await demo.openPack(file('{}'));
    expect(api.calls).toEqual([]);
    expect(toasts[0]?.kind).toBe('error');
  });

  it('exports a pack as a download named by the engine', async () => {
    const { demo, downloads, toasts } = setup();
    await demo.exportPack('demo-support-triage');
    expect(downloads.map((d) => d.fileName)).toEqual(['demo-support-triage.millrace']);
    expect(JSON.parse(downloads[0]!.text)).toMatchObject({ kind: 'millrace-demo-pack' });
    expect(toasts[0]?.text).toBe('Saved demo-support-triage.millrace: 12 source changes, 12 LLM answers, 3 decisions.');
  });
});

describe('psql', () => {
  it('copies a psql command for the demo database, or shows it when the browser refuses', async () => {
    const ok = setup();
    await ok.demo.copyPsql('postgresql://postgres@127.0.0.1:54873/postgres');
    expect(ok.copied).toEqual(['psql "postgresql://postgres@127.0.0.1:54873/postgres"']);
    const refused = setup();
    refused.refuseCopy();
    await refused.demo.copyPsql('postgresql://postgres@127.0.0.1:54873/postgres');
    expect(refused.toasts).toEqual([{ kind: 'info', text: 'Copy this into a terminal: psql "postgresql://postgres@127.0.0.1:54873/postgres"' }]);
  });
});
