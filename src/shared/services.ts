/**
 * The services a node executor may use, declared as plain interfaces so nodes stay pure and
 * testable with fakes. The engine injects Node implementations (src/engine/services).
 */
import type { LlmService } from './llm';

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
}

export interface Clock {
  now(): number;
}

/** Secret values by reference (`secret:NAME`); the values live outside flows, traces and logs. */
export interface SecretsService {
  /** The value behind `secret:NAME`. Hand it straight to a client: never into outputs, logs or errors. */
  resolveSecretRef(ref: string): Promise<string>;
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
