/**
 * The command table behind `millrace`: each command is one entry with its usage, help and
 * options; parsing, `--help`, `--verbose` and one-line errors are handled here once for all.
 * Another module adds a command by appending one `CliCommand` to the table in `cli.ts`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface CliInvocation {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  verbose: boolean;
}

export interface CliCommand {
  name: string;
  /** One line for the overview (`millrace --help`). */
  summary: string;
  /** `millrace <name> …` synopsis, shown with every error about this command. */
  usage: string;
  /** Option lines and notes for `millrace <name> --help`. */
  details?: string;
  options?: CliOptions;
  positionals?: boolean;
  run(invocation: CliInvocation): Promise<number>;
}

/** A problem the user caused (bad option, unreadable file): one line on stderr, exit 2, no stack. */
export class UsageError extends Error {}

const COMMON: CliOptions = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
};

/** Parses the command's arguments; a UsageError with a readable message when they are wrong. */
export function parseInvocation(command: CliCommand, args: string[]): CliInvocation & { help: boolean } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, allowPositionals: command.positionals ?? false, strict: true, options: { ...COMMON, ...command.options } });
  } catch (e) {
    throw new UsageError(parseArgsMessage(e));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    // No command declares `multiple`: a value is a string or a boolean.
    if (typeof value === 'string' || typeof value === 'boolean') values[key] = value;
  }
  return { values, positionals: parsed.positionals, verbose: values['verbose'] === true, help: values['help'] === true };
}

/** node:util's messages are long and mention the API; keep the part a user can act on. */
function parseArgsMessage(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^']*)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(message) ? `option ${option ?? ''} needs a value`.replace('  ', ' ') : `option ${option ?? ''} takes no value`.replace('  ', ' ');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
      const arg = /'([^']*)'/.exec(message)?.[1];
      return `unexpected argument ${arg ? `"${arg}"` : ''}`.trimEnd();
    }
    default:
      return message.split('\n')[0] ?? message;
  }
}

export function commandHelp(command: CliCommand): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  lines.push('', 'Common options:', '  -h, --help     show this help', '  --verbose      print stack traces of internal errors');
  return lines.join('\n');
}

export function overview(commands: readonly CliCommand[], version: string): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `millrace ${version} — draw AI pipelines, run them for real`,
    '',
    'Usage: millrace <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `millrace <command> --help` for its options. `millrace --version` prints the version.',
    'Data lives in --data-dir (default: $MILLRACE_DATA_DIR or ~/.millrace).',
  ].join('\n');
}
