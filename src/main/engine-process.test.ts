import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineProcess, defaultRestartDelayMs, type EngineProcessOptions } from './engine-process';

vi.mock('electron', () => import('./fake-electron'));

type Fake = typeof import('./fake-electron');
let fake: Fake;

beforeEach(async () => {
  fake = (await import('electron')) as unknown as Fake;
  fake.resetFakeElectron();
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

function engine(options: Partial<EngineProcessOptions> = {}) {
  const onRestart = vi.fn();
  const onGiveUp = vi.fn();
  const host = new EngineProcess({
    entry: '/app/out/engine-host/index.cjs',
    dataDir: '/data',
    env: { MILLRACE_SQLITE_BINDING: '/app/native/electron/better_sqlite3.node' },
    onRestart,
    onGiveUp,
    ...options,
  });
  return { host, onRestart, onGiveUp };
}

function child(index: number) {
  const c = fake.forks[index];
  if (!c) throw new Error(`no utility process #${index}`);
  return c;
}

describe('EngineProcess', () => {
  it('forks the host entry as a named utility process with the data folder and env', () => {
    const { host } = engine();
    host.start();
    host.start();
    expect(fake.forks).toHaveLength(1);
    expect(child(0).modulePath).toBe('/app/out/engine-host/index.cjs');
    expect(child(0).args).toEqual(['--data-dir=/data']);
    expect(child(0).options).toMatchObject({ serviceName: 'millrace-engine' });
    expect((child(0).options.env as Record<string, string>).MILLRACE_SQLITE_BINDING).toBe('/app/native/electron/better_sqlite3.node');
    expect(host.running).toBe(true);
  });

  it('connect() sends one end of a new channel to the host and returns the other', async () => {
    const { host } = engine();
    host.start();
    const page = host.connect();
    expect(child(0).posted).toHaveLength(1);
    const { message, ports } = child(0).posted[0] ?? { message: undefined, ports: [] };
    expect(message).toEqual({ type: 'millrace:connect' });
    expect(ports).toHaveLength(1);
    expect(page).toBeDefined();
    expect(ports[0]?.peer).toBe(page);
  });

  it('connect() returns undefined while no host runs', () => {
    const { host } = engine();
    expect(host.connect()).toBeUndefined();
    host.start();
    child(0).exit(1);
    expect(host.connect()).toBeUndefined();
  });

  it('restarts a crashed host with growing delays and reports each restart', async () => {
    const { host, onRestart } = engine();
    host.start();
    child(0).exit(134);
    expect(host.running).toBe(false);
    await vi.advanceTimersByTimeAsync(defaultRestartDelayMs(1) - 1);
    expect(fake.forks).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.forks).toHaveLength(2);
    expect(onRestart).toHaveBeenCalledTimes(1);
    expect(host.connect()).toBeDefined();

    child(1).exit(134);
    await vi.advanceTimersByTimeAsync(defaultRestartDelayMs(2) - 1);
    expect(fake.forks).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.forks).toHaveLength(3);
    expect(defaultRestartDelayMs(2)).toBeGreaterThan(defaultRestartDelayMs(1));
  });

  it('gives up after maxRestarts quick failures, with the host’s own reason', async () => {
    const { host, onGiveUp, onRestart } = engine({ maxRestarts: 2 });
    host.start();
    for (let i = 0; i < 3; i++) {
      child(i).emit('message', { type: 'millrace:failed', message: 'the engine could not start: disk full' });
      child(i).exit(1);
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(fake.forks).toHaveLength(3);
    expect(onRestart).toHaveBeenCalledTimes(2);
    expect(onGiveUp).toHaveBeenCalledWith('the engine could not start: disk full');
    host.start();
    expect(fake.forks).toHaveLength(4);
  });

  it('falls back to the exit code when the host said nothing, and ignores malformed reports', async () => {
    const { host, onGiveUp } = engine({ maxRestarts: 0 });
    host.start();
    child(0).emit('message', { type: 'millrace:failed', message: 42 });
    child(0).exit(139);
    expect(onGiveUp).toHaveBeenCalledWith('the engine process exited unexpectedly (code 139)');
  });

  it('forgets old failures once a host has stayed up for a while', async () => {
    const { host, onGiveUp } = engine({ maxRestarts: 1, stableAfterMs: 60_000 });
    host.start();
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(61_000);
      child(i).exit(1);
      await vi.advanceTimersByTimeAsync(30_000);
    }
    expect(onGiveUp).not.toHaveBeenCalled();
    expect(fake.forks).toHaveLength(5);
  });

  it('stop() asks for a clean shutdown and never restarts afterwards', async () => {
    const { host, onRestart } = engine();
    host.start();
    const stopped = host.stop();
    expect(child(0).posted.at(-1)?.message).toEqual({ type: 'millrace:shutdown' });
    expect(host.connect()).toBeUndefined();
    child(0).exit(0);
    await stopped;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.forks).toHaveLength(1);
    expect(onRestart).not.toHaveBeenCalled();
    expect(child(0).kill).not.toHaveBeenCalled();
  });

  it('stop() kills a host that does not exit in time', async () => {
    const { host } = engine({ stopTimeoutMs: 1000 });
    host.start();
    const stopped = host.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    expect(child(0).kill).toHaveBeenCalledTimes(1);
  });

  it('stop() during a restart delay cancels the restart', async () => {
    const { host } = engine();
    host.start();
    child(0).exit(1);
    await host.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.forks).toHaveLength(1);
  });
});
