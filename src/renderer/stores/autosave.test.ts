import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAutosave, type SaveState } from './autosave';

function setup(save: (doc: string) => Promise<void> = () => Promise.resolve()) {
  let doc = 'v0';
  const states: SaveState['status'][] = [];
  const saved: string[] = [];
  const saveSpy = vi.fn(async (d: string) => {
    await save(d);
    saved.push(d);
  });
  const autosave = createAutosave<string>({
    delayMs: 500,
    current: () => doc,
    save: saveSpy,
    onState: (s) => states.push(s.status),
    describeError: (e) => (e instanceof Error ? e.message : String(e)),
  });
  return { autosave, saveSpy, saved, states, edit: (v: string) => ((doc = v), autosave.schedule()) };
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('autosave', () => {
  it('debounces a burst of edits into one save of the latest document', async () => {
    const { edit, saveSpy, saved, states } = setup();
    edit('v1');
    await vi.advanceTimersByTimeAsync(300);
    edit('v2');
    await vi.advanceTimersByTimeAsync(300);
    edit('v3');
    expect(saveSpy).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(500);
    expect(saved).toEqual(['v3']);
    expect(states.at(-1)).toBe('saved');
    expect(states).toContain('saving');
  });

  it('flush saves immediately and waits for the save', async () => {
    const { edit, autosave, saved } = setup();
    edit('v1');
    await autosave.flush();
    expect(saved).toEqual(['v1']);
    expect(autosave.hasUnsavedChanges()).toBe(false);
    await autosave.flush();
    expect(saved).toEqual(['v1']);
  });

  it('edits made during a save are saved afterwards, never concurrently', async () => {
    let release: () => void = () => {};
    let running = 0;
    let maxRunning = 0;
    const { edit, saved, states } = setup(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise<void>((r) => (release = r));
      running--;
    });
    edit('v1');
    await vi.advanceTimersByTimeAsync(500);
    edit('v2');
    await vi.advanceTimersByTimeAsync(500);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(saved).toEqual(['v1']);
    expect(states.at(-1)).not.toBe('saved');
    await vi.advanceTimersByTimeAsync(10);
    release();
    await vi.advanceTimersByTimeAsync(600);
    expect(saved).toEqual(['v1', 'v2']);
    expect(maxRunning).toBe(1);
    expect(states.at(-1)).toBe('saved');
  });

  it('reports a failed save, keeps the change unsaved, and retries on flush', async () => {
    let fail = true;
    const { edit, autosave, saved, states } = setup(async () => {
      if (fail) throw new Error('flow is broken');
    });
    edit('v1');
    await vi.advanceTimersByTimeAsync(500);
    expect(states.at(-1)).toBe('error');
    expect(autosave.hasUnsavedChanges()).toBe(true);
    fail = false;
    await autosave.flush();
    expect(saved).toEqual(['v1']);
    expect(states.at(-1)).toBe('saved');
  });

  it('reset forgets pending work (another flow was opened)', async () => {
    const { edit, autosave, saveSpy } = setup();
    edit('v1');
    autosave.reset();
    await vi.advanceTimersByTimeAsync(1000);
    expect(saveSpy).not.toHaveBeenCalled();
    expect(autosave.hasUnsavedChanges()).toBe(false);
  });
});
