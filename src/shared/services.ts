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
}

export interface Clock {
  now(): number;
}

/** Secret values by reference (`secret:NAME`); the values live outside flows, traces and logs. */
export interface SecretsService {
  /** The value behind `secret:NAME`. Hand it straight to a client: never into outputs, logs or errors. */
  resolveSecretRef(ref: string): Promise<string>;
}

export interface NodeServices {
  http: HttpService;
  files: FileService;
  clock: Clock;
  /** The LLM gateway (src/engine/services/llm). Optional so hosts without one still type-check; nodes say clearly when it is missing. */
  llm?: LlmService;
  secrets?: SecretsService;
  /** Human approval requests (src/engine/approvals); optional so hosts without an inbox still type-check. */
  approvals?: ApprovalService;
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
