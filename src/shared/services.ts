/**
 * The services a node executor may use, declared as plain interfaces so nodes stay pure and
 * testable with fakes. The engine injects Node implementations (src/engine/services).
 */
import type { LlmService } from './llm';
import type { ApprovalService } from './approvals';

export type { LlmService } from './llm';
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON and parses; otherwise the text. */
  body: unknown;
}

export interface HttpService {
  request(req: HttpRequest): Promise<HttpResponse>;
}

export interface FileService {
  /**
   * Append lines to a file inside the output directory. Relative paths only; escaping the
   * output directory is refused.
   * Returns the absolute path written.
   */
  appendLines(relativePath: string, lines: string[]): Promise<string>;
  /**
   * Append one keyed record (the line starts with its key: JSONL `{"_key":…}`, CSV first field).
   * A key already in the file is not appended again. Fsynced before it resolves; a torn last line
   * is cut off first; a failed write leaves the file as it was.
   */
  appendKeyed(relativePath: string, record: KeyedAppend): Promise<KeyedAppendResult>;
}

export interface KeyedAppend {
  key: string;
  line: string;
  format: 'jsonl' | 'csv';
  /** Written first when the file is new or empty (CSV column names). */
  header?: string;
}

export interface KeyedAppendResult {
  path: string;
  /** False when the key was already in the file (nothing written). */
  appended: boolean;
  bytes: number;
}

export interface Clock {
  now(): number;
}

/** Secret values by reference (`secret:NAME`); the values live outside flows, traces and logs. */
export interface SecretsService {
  /** The value behind `secret:NAME`. Hand it straight to a client: never into outputs, logs or errors. */
  resolveSecretRef(ref: string): Promise<string>;
}

/** Where a database sink connects: host fields or a secret connection string; passwords by reference only. */
export interface PgConnectionSettings {
  /** A named connection's id (src/shared/connections.ts): when set, the engine takes every setting from it. */
  connection?: string;
  host: string;
  port: number;
  database: string;
  user: string;
  /** `secret:NAME` or ''. */
  password: string;
  /** `secret:NAME` or '' (overrides the fields above). */
  connectionString: string;
  tls: 'disable' | 'require' | 'verify-full';
}

/** One row written by a table sink (Postgres or SQLite). */
export interface TableWrite {
  schema: string;
  table: string;
  mode: 'insert' | 'upsert' | 'update';
  /** Column → value, already rendered. */
  row: Record<string, unknown>;
  /** Upsert: the conflict columns; update: the columns that find the row. */
  keyColumns: string[];
  /** Recorded in the sink's idempotency table in the same transaction as the row (insert/update). */
  idempotencyKey: string;
  runId: string;
  nodeId: string;
}

export interface TableWriteResult {
  /** False when the idempotency key was already recorded (the row was written before). */
  applied: boolean;
  /** Rows the statement touched (0 for an update that found nothing). */
  rowCount: number;
  /** The statement, with $n placeholders (values are never spliced into SQL). */
  sql: string;
}

export interface ColumnInfo {
  name: string;
  /** The database's type name (Postgres `udt_name`, SQLite declared type). */
  type: string;
  nullable: boolean;
  hasDefault: boolean;
}

export interface PostgresSinkService {
  write(connection: PgConnectionSettings, w: TableWrite, signal?: AbortSignal): Promise<TableWriteResult>;
  listTables(connection: PgConnectionSettings): Promise<{ schema: string; table: string }[]>;
  listColumns(connection: PgConnectionSettings, schema: string, table: string): Promise<ColumnInfo[]>;
}

export interface SqliteSinkService {
  /** `file` is relative to the output folder (confined like Write file); created if missing. */
  write(file: string, w: TableWrite): Promise<TableWriteResult>;
  listColumns(file: string, table: string): Promise<ColumnInfo[]>;
}

/** What a Code node hands the sandbox. */
export interface CodeRunRequest {
  /** JavaScript, or TypeScript whose types are stripped: the body of a function whose return value is the output. */
  code: string;
  language: 'javascript' | 'typescript';
  /** Globals the code sees: `$json` (the input), `$node` (upstream outputs by node id), `$trigger`. Plain JSON. */
  globals: { $json: unknown; $node: Record<string, unknown>; $trigger: unknown };
  /** Wall-clock limit; synchronous loops are interrupted too. */
  timeoutMs: number;
  /** Heap limit of the sandbox. */
  memoryBytes: number;
  signal?: AbortSignal;
}

export type CodeRunResult =
  | { ok: true; value: unknown; logs: string[]; durationMs: number }
  | { ok: false; kind: 'syntax' | 'error' | 'timeout' | 'memory' | 'output' | 'cancelled'; message: string; logs: string[]; durationMs: number };

/** A sandbox for user code (QuickJS in WebAssembly): no Node APIs, no network, no file system. */
export interface CodeService {
  run(req: CodeRunRequest): Promise<CodeRunResult>;
}

export interface NodeServices {
  http: HttpService;
  files: FileService;
  clock: Clock;
  /** The LLM gateway (src/engine/services/llm). Optional so hosts without one still type-check; nodes say clearly when it is missing. */
  llm?: LlmService;
  secrets?: SecretsService;
  /** Table sinks (src/engine/services/pg-sink.ts, sqlite-sink.ts). Optional: nodes say clearly when missing. */
  postgres?: PostgresSinkService;
  sqlite?: SqliteSinkService;
  /** Human approval requests (src/engine/approvals); optional so hosts without an inbox still type-check. */
  approvals?: ApprovalService;
  /** The code sandbox (src/engine/services/code-sandbox.ts). Optional so hosts without one still type-check. */
  code?: CodeService;
}

/** An error a node throws on purpose: its message is shown to the user as-is, without a stack. */
export class NodeError extends Error {
  constructor(
    message: string,
    readonly details?: { field?: string; permanent?: boolean },
  ) {
    super(message);
    this.name = 'NodeError';
  }
}
