/**
 * Debounced autosave. One save in flight at a time; edits made while a save runs trigger one
 * more save afterwards, so the engine always ends up with the latest document.
 */
export type SaveState =
  | { status: 'saved' }
  | { status: 'dirty' }
  | { status: 'saving' }
  | { status: 'error'; message: string };

export interface AutosaveOptions<T> {
  delayMs: number;
  /** The document to save, read at save time so the newest edits go out. */
  current(): T | null;
  save(doc: T): Promise<void>;
  onState(state: SaveState): void;
  describeError(error: unknown): string;
}

export interface Autosave {
  /** An edit happened: save after the debounce delay. */
  schedule(): void;
  /** Save now if anything is unsaved (or the last save failed) and wait for it. */
  flush(): Promise<void>;
  /** Forget pending work (the document was replaced by another one). */
  reset(): void;
  hasUnsavedChanges(): boolean;
}

export function createAutosave<T>(options: AutosaveOptions<T>): Autosave {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dirty = false;
  let failed = false;
  let inFlight: Promise<void> | null = null;
  let generation = 0;

  const clearTimer = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };

  const run = (): Promise<void> => {
    clearTimer();
    if (inFlight) return inFlight.then(() => (dirty ? run() : undefined));
    const doc = options.current();
    if (!doc) return Promise.resolve();
    dirty = false;
    const gen = generation;
    options.onState({ status: 'saving' });
    inFlight = options
      .save(doc)
      .then(
        () => {
          if (gen !== generation) return;
          failed = false;
          if (!dirty) options.onState({ status: 'saved' });
        },
        (error: unknown) => {
          if (gen !== generation) return;
          failed = true;
          options.onState({ status: 'error', message: options.describeError(error) });
        },
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight.then(() => {
      if (dirty && gen === generation && timer === null) return run();
    });
  };

  return {
    schedule() {
      dirty = true;
      options.onState({ status: 'dirty' });
      clearTimer();
      timer = setTimeout(() => void run(), options.delayMs);
    },
    flush() {
      if (!dirty && !failed) return inFlight ?? Promise.resolve();
      return run();
    },
    reset() {
      clearTimer();
      generation += 1;
      dirty = false;
      failed = false;
      inFlight = null;
      options.onState({ status: 'saved' });
    },
    hasUnsavedChanges: () => dirty || failed || inFlight !== null,
  };
}
