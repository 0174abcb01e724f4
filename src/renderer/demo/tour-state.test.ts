import { beforeEach, describe, expect, it } from 'vitest';
import { TOUR_KEY, createTour, readTourRecord, tourStore, type TourStorage } from './tour-state';
import { TOUR_STEPS } from './tour-steps';

function memoryStorage(initial?: string): TourStorage & { value(): unknown } {
  const data = new Map<string, string>(initial === undefined ? [] : [[TOUR_KEY, initial]]);
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    value: () => (data.has(TOUR_KEY) ? JSON.parse(data.get(TOUR_KEY)!) : undefined),
  };
}

beforeEach(() => tourStore.setState({ active: false, step: 0 }));

describe('first-run tour', () => {
  it('starts by itself the first time only', () => {
    const storage = memoryStorage();
    const tour = createTour(() => storage);
    expect(tour.maybeAutoStart()).toBe(true);
    expect(tourStore.getState()).toEqual({ active: true, step: 0 });
    tour.skip();
    expect(storage.value()).toEqual({ status: 'skipped', step: 0 });
    expect(tour.maybeAutoStart()).toBe(false);
    expect(tourStore.getState().active).toBe(false);
  });

  it('walks Next / Back through every step and remembers it was done', () => {
    const storage = memoryStorage();
    const tour = createTour(() => storage);
    tour.maybeAutoStart();
    tour.back(); // nothing before the first step
    expect(tourStore.getState().step).toBe(0);
    tour.next();
    tour.next();
    tour.back();
    expect(tourStore.getState().step).toBe(1);
    expect(storage.value()).toEqual({ status: 'active', step: 1 });
    for (let i = 1; i < TOUR_STEPS.length; i++) tour.next();
    expect(tourStore.getState().active).toBe(false);
    expect(storage.value()).toEqual({ status: 'done', step: TOUR_STEPS.length - 1 });
    expect(tour.maybeAutoStart()).toBe(false);
  });

  it('resumes an unfinished tour after a reload, at its step', () => {
    const tour = createTour(() => memoryStorage(JSON.stringify({ status: 'active', step: 3 })));
    expect(tour.maybeAutoStart()).toBe(true);
    expect(tourStore.getState()).toEqual({ active: true, step: 3 });
  });

  it('Restart tour shows step 1 again after it was skipped', () => {
    const storage = memoryStorage(JSON.stringify({ status: 'skipped', step: 2 }));
    const tour = createTour(() => storage);
    tour.restart();
    expect(tourStore.getState()).toEqual({ active: true, step: 0 });
    expect(storage.value()).toEqual({ status: 'active', step: 0 });
  });

  it('a stored step beyond the last one (fewer steps in a newer version) is clamped', () => {
    const tour = createTour(() => memoryStorage(JSON.stringify({ status: 'active', step: 42 })));
    tour.maybeAutoStart();
    expect(tourStore.getState().step).toBe(TOUR_STEPS.length - 1);
  });

  it('foreign or broken stored values count as a first run; blocked storage does not throw', () => {
    expect(readTourRecord(memoryStorage('{not json'))).toBeNull();
    expect(readTourRecord(memoryStorage(JSON.stringify({ status: 'maybe', step: 1 })))).toBeNull();
    expect(readTourRecord(memoryStorage(JSON.stringify({ status: 'done', step: -1 })))).toBeNull();
    const blocked: TourStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const tour = createTour(() => blocked);
    expect(tour.maybeAutoStart()).toBe(true);
    expect(() => tour.skip()).not.toThrow();
  });

  it('has 3–5 steps: trigger, LLM trace, approvals inbox, sink, Simulate traffic', () => {
    expect(TOUR_STEPS.map((s) => s.id)).toEqual(['trigger', 'llm-trace', 'approvals', 'sink', 'traffic']);
  });
});
