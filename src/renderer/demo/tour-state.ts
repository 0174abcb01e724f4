/**
 * The first-run tour's state: which step is shown, and what the user did with it, kept in
 * localStorage so the tour starts by itself only the first time the demo flow opens (and resumes
 * where it was after a reload). Stored data is parsed, never trusted.
 */
import { create } from 'zustand';
import { z } from 'zod';
import { TOUR_STEPS } from './tour-steps';

export const TOUR_KEY = 'millrace.demoTour';

const recordSchema = z.object({
  status: z.enum(['active', 'done', 'skipped']),
  step: z.number().int().min(0),
});
export type TourRecord = z.infer<typeof recordSchema>;

export interface TourStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The stored record, or null when there is none or it is not ours (then the tour has never run). */
export function readTourRecord(storage: TourStorage | undefined): TourRecord | null {
  let raw: string | null = null;
  try {
    raw = storage?.getItem(TOUR_KEY) ?? null;
  } catch {
    return null; // storage blocked (private mode, policy): behave as a first run
  }
  if (raw === null) return null;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface TourState {
  active: boolean;
  step: number;
}

export const tourStore = create<TourState>(() => ({ active: false, step: 0 }));
export const useTour = tourStore;

function defaultStorage(): TourStorage | undefined {
  return typeof localStorage === 'undefined' ? undefined : localStorage;
}

export function createTour(storage: () => TourStorage | undefined = defaultStorage, stepCount = TOUR_STEPS.length) {
  const save = (record: TourRecord) => {
    try {
      storage()?.setItem(TOUR_KEY, JSON.stringify(record));
    } catch {
      // Not remembered: the tour may show again next time, which is harmless.
    }
  };
  const show = (step: number) => {
    const clamped = Math.max(0, Math.min(stepCount - 1, step));
    tourStore.setState({ active: true, step: clamped });
    save({ status: 'active', step: clamped });
  };
  return {
    /** Opening the demo flow: start the first time, resume an unfinished tour, else nothing. */
    maybeAutoStart(): boolean {
      if (tourStore.getState().active) return false;
      const record = readTourRecord(storage());
      if (record === null) show(0);
      else if (record.status === 'active') show(record.step);
      else return false;
      return true;
    },
    restart: () => show(0),
    next() {
      const { active, step } = tourStore.getState();
      if (!active) return;
      if (step >= stepCount - 1) {
        tourStore.setState({ active: false });
        save({ status: 'done', step });
      } else show(step + 1);
    },
    back() {
      const { active, step } = tourStore.getState();
      if (active && step > 0) show(step - 1);
    },
    skip() {
      const { active, step } = tourStore.getState();
      if (!active) return;
      tourStore.setState({ active: false });
      save({ status: 'skipped', step });
    },
  };
}

export const tour = createTour();
