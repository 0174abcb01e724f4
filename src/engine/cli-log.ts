/**
 * The terminal log of `millrace serve` / `run`: one line per event. Stack traces are printed only
 * with --verbose (they are for bug reports, not for an ordinary node failure), and a line that
 * repeats (a stale browser tab retrying with an old token) is printed once, then summarised.
 */

export interface TerminalLog {
  (line: string): void;
  /** Prints pending repeat counts; call before exit. */
  flush(): void;
}

/** The first line of a multi-line message (an error with its stack) unless verbose. */
export function oneLine(line: string, verbose: boolean): string {
  if (verbose) return line;
  const first = line.split('\n', 1)[0] ?? line;
  return first.trimEnd();
}

interface Repeat {
  count: number;
  timer: ReturnType<typeof setTimeout>;
}

export function createTerminalLog(write: (line: string) => void, options: { verbose: boolean; windowMs?: number }): TerminalLog {
  const windowMs = options.windowMs ?? 10_000;
  const repeats = new Map<string, Repeat>();
  const report = (line: string, r: Repeat) => {
    if (r.count > 0) write(`${line} (repeated ${r.count} more time${r.count === 1 ? '' : 's'})`);
  };
  const log = ((raw: string) => {
    const line = oneLine(raw, options.verbose);
    const seen = repeats.get(line);
    if (seen) {
      seen.count += 1;
      return;
    }
    write(line);
    const entry: Repeat = {
      count: 0,
      timer: setTimeout(() => {
        repeats.delete(line);
        report(line, entry);
      }, windowMs),
    };
    entry.timer.unref();
    repeats.set(line, entry);
  }) as TerminalLog;
  log.flush = () => {
    for (const [line, r] of repeats) {
      clearTimeout(r.timer);
      report(line, r);
    }
    repeats.clear();
  };
  return log;
}
