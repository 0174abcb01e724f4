/**
 * The Code node's sandbox: QuickJS compiled to WebAssembly (quickjs-emscripten). The WASM module is
 * loaded once per process; every execution gets a fresh runtime (its own heap, so nothing one run
 * does — prototype changes, globals — is seen by the next) with:
 *   - an interrupt handler: QuickJS calls it while it interprets, so `while (true) {}` stops at the
 *     deadline (or on cancel) even though it never yields;
 *   - a memory limit and a stack limit: allocation bombs and runaway recursion end as errors;
 *   - no host objects at all: only `console.log` and the JSON globals. There is no process,
 *     require, fetch, import or file system inside; `eval` only reaches the sandbox itself.
 * The result leaves the sandbox as JSON text (checked for functions, BigInt, cycles, non-finite
 * numbers and size), so nothing but data crosses the boundary.
 */
import { newQuickJSWASMModule, newVariant, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import type { CodeRunRequest, CodeRunResult, CodeService } from '../../shared/services';

/**
 * One WebAssembly module per memory size, compiled once per process. QuickJS's own malloc limit
 * counts allocations rather than bytes in this build (large arrays grow far past it), so the real
 * limit is the module's WebAssembly memory: created with `maximum` = the node's limit, an
 * allocation beyond it fails inside QuickJS as a clean "out of memory" and the module stays usable.
 */
const modules = new Map<number, Promise<QuickJSWASMModule>>();
const WASM_PAGE = 64 * 1024;
/** The module's declared minimum memory (256 pages): no limit can be below it. */
export const MIN_SANDBOX_MEMORY_BYTES = 16 * 1024 * 1024;

export function loadQuickJS(memoryBytes: number): Promise<QuickJSWASMModule> {
  const pages = Math.max(MIN_SANDBOX_MEMORY_BYTES, memoryBytes) / WASM_PAGE;
  const maximum = Math.ceil(pages);
  let m = modules.get(maximum);
  if (!m) {
    if (modules.size >= 4) modules.delete(modules.keys().next().value!);
    m = newQuickJSWASMModule(newVariant(RELEASE_SYNC, { wasmMemory: new WebAssembly.Memory({ initial: MIN_SANDBOX_MEMORY_BYTES / WASM_PAGE, maximum }) }));
    modules.set(maximum, m);
  }
  return m;
}

/** Bytes of a module's WebAssembly memory (grows up to its maximum, never shrinks). */
function heapBytes(qjs: QuickJSWASMModule): number {
  const heap: unknown = Reflect.get(Reflect.get(qjs, 'module') ?? {}, 'HEAPU8');
  return heap instanceof Uint8Array ? heap.byteLength : 0;
}

/** TEST ONLY (unsafeDisable.memoryLimit): a module whose memory may grow as far as WebAssembly lets it. */
let uncapped: Promise<QuickJSWASMModule> | null = null;

function dropModule(memoryBytes: number) {
  modules.delete(Math.ceil(Math.max(MIN_SANDBOX_MEMORY_BYTES, memoryBytes) / WASM_PAGE));
}

export interface CodeSandboxOptions {
  /** Largest result, in characters of JSON. */
  maxOutputChars?: number;
  /** Stack limit of the sandbox (bytes). */
  maxStackBytes?: number;
  /**
   * TEST ONLY: run without the interrupt handler / memory limit, to show that they are what stops
   * an endless loop or an allocation bomb (see code-sandbox-guards.test.ts).
   */
  unsafeDisable?: { interrupt?: boolean; memoryLimit?: boolean };
}

const MAX_LOG_LINES = 200;
const MAX_LOG_LINE = 2000;

export function createCodeService(options: CodeSandboxOptions = {}): CodeService {
  return {
    async run(req) {
      const started = performance.now();
      let code = req.code;
      if (req.language === 'typescript') {
        const stripped = await stripTypes(code);
        if ('error' in stripped) return { ok: false, kind: 'syntax', message: stripped.error, logs: [], durationMs: performance.now() - started };
        code = stripped.code;
      }
      const qjs = options.unsafeDisable?.memoryLimit ? await (uncapped ??= newQuickJSWASMModule()) : await loadQuickJS(req.memoryBytes);
      return runSync(qjs, { ...req, code }, options, started);
    },
  };
}

/** TypeScript → JavaScript by removing types only (esbuild, loaded on first use). */
async function stripTypes(body: string): Promise<{ code: string } | { error: string }> {
  const { transform } = await import('esbuild');
  try {
    // A function around the body so a top-level `return` is legal; unwrapped again below.
    const out = await transform(`function __millrace_body__() {\n${body}\n}`, { loader: 'ts', format: 'esm', target: 'es2020' });
    const m = /^function __millrace_body__\(\) \{\n([\s\S]*)\n\}\s*$/.exec(out.code);
    return m ? { code: m[1]! } : { error: 'could not strip the TypeScript types' };
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { line: number } | null }[] }).errors;
    const first = errors?.[0];
    return { error: first ? `TypeScript: ${first.text}${first.location ? ` (line ${first.location.line - 1})` : ''}` : String(e) };
  }
}

/**
 * The wrapper: reads the globals, calls the user's function body, and serialises the result with
 * JSON functions captured before user code runs (the code cannot swap them under us; whatever it
 * does, only a string leaves the sandbox and the host parses and checks that string again).
 */
function wrap(code: string): string {
  return `"use strict";
(() => {
  const stringify = JSON.stringify, parse = JSON.parse, isFinite_ = Number.isFinite;
  const g = parse(globalThis.__millraceGlobals);
  delete globalThis.__millraceGlobals;
  const fn = function ($json, $node, $trigger) {
${code}
};
  const result = fn.call(undefined, g.$json, g.$node, g.$trigger);
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    throw new TypeError('the code returned a Promise: return the value itself (await is not available here)');
  }
  const where = (k) => (k === '' ? '' : ' at "' + k + '"');
  return stringify(result === undefined ? null : result, (k, v) => {
    if (typeof v === 'function') throw new TypeError('the result is not JSON: it contains a function' + where(k));
    if (typeof v === 'bigint') throw new TypeError('the result is not JSON: it contains a BigInt' + where(k) + ' (convert it with String() or Number())');
    if (typeof v === 'symbol') throw new TypeError('the result is not JSON: it contains a Symbol' + where(k));
    if (typeof v === 'number' && !isFinite_(v)) throw new TypeError('the result is not JSON: ' + v + where(k) + ' is not a finite number');
    return v;
  });
})()`;
}

function runSync(qjs: QuickJSWASMModule, req: CodeRunRequest, options: CodeSandboxOptions, started: number): CodeRunResult {
  const logs: string[] = [];
  const elapsed = () => performance.now() - started;
  const fail = (kind: Exclude<CodeRunResult, { ok: true }>['kind'], message: string): CodeRunResult => ({ ok: false, kind, message, logs, durationMs: elapsed() });
  if (req.signal?.aborted) return fail('cancelled', 'cancelled');

  const runtime = qjs.newRuntime();
  let interrupted: 'timeout' | 'cancelled' | null = null;
  let broken = false;
  const nearlyFull = 0.9 * Math.max(MIN_SANDBOX_MEMORY_BYTES, req.memoryBytes);
  const heapAtStart = heapBytes(qjs);
  const memoryMessage = `the code used more than ${Math.round(req.memoryBytes / 1024 / 1024)} MB of memory`;
  try {
    // The module's memory is the hard limit (loadQuickJS); this stops single huge allocations early.
    if (!options.unsafeDisable?.memoryLimit) runtime.setMemoryLimit(req.memoryBytes);
    // Well below the host's own stack: QuickJS must report "stack overflow" before V8 runs out.
    runtime.setMaxStackSize(options.maxStackBytes ?? 192 * 1024);
    const deadline = Date.now() + req.timeoutMs;
    if (!options.unsafeDisable?.interrupt) {
      runtime.setInterruptHandler(() => {
        if (req.signal?.aborted) interrupted = 'cancelled';
        else if (Date.now() > deadline) interrupted = 'timeout';
        return interrupted !== null;
      });
    }
    const vm = runtime.newContext();
    try {
      installConsole(vm, logs);
      const globals = vm.newString(JSON.stringify(req.globals));
      vm.setProp(vm.global, '__millraceGlobals', globals);
      globals.dispose();

      const result = vm.evalCode(wrap(req.code), 'code-node.js');
      if (result.error) {
        const thrown = safeDump(vm, result.error);
        result.error.dispose();
        if (interrupted === 'timeout') return fail('timeout', `the code ran longer than ${req.timeoutMs} ms and was stopped`);
        if (interrupted === 'cancelled') return fail('cancelled', 'cancelled');
        // Out of memory while building the error object, QuickJS throws a bare null.
        // Out of memory while building the error object, QuickJS throws a bare null; a heap that
        // grew to its maximum during this run tells it from a deliberate `throw null`.
        if (thrown === null && heapBytes(qjs) >= nearlyFull && heapAtStart < nearlyFull) return fail('memory', memoryMessage);
        return classify(thrown, req, fail);
      }
      const type = vm.typeof(result.value);
      const text = type === 'string' ? vm.getString(result.value) : null;
      result.value.dispose();
      if (text === null) return fail('output', 'the code did not produce a JSON result');
      const max = options.maxOutputChars ?? 10 * 1024 * 1024;
      if (text.length > max) return fail('output', `the result is ${(text.length / 1e6).toFixed(1)} MB of JSON; the limit is ${(max / 1e6).toFixed(1)} MB`);
      return { ok: true, value: JSON.parse(text) as unknown, logs, durationMs: elapsed() };
    } finally {
      vm.dispose();
    }
  } catch (e) {
    // The sandbox itself broke (the WASM module aborted, the host stack ran out): the run gets an
    // error, the engine goes on, and the module is replaced because its state can no longer be trusted.
    broken = true;
    if (interrupted === 'timeout') return fail('timeout', `the code ran longer than ${req.timeoutMs} ms and was stopped`);
    const message = e instanceof Error ? e.message : String(e);
    if (/out of memory|memory/i.test(message)) return fail('memory', memoryMessage);
    if (/call stack/i.test(message)) return fail('error', 'the code recursed too deeply (stack overflow)');
    return fail('error', `the sandbox failed: ${message}`);
  } finally {
    if (!broken) {
      try {
        runtime.dispose();
      } catch {
        broken = true;
      }
    }
    // A heap that grew to its maximum never shrinks: start the next run on a fresh module.
    if (broken || heapBytes(qjs) >= nearlyFull) dropModule(req.memoryBytes);
  }
}

function classify(thrown: unknown, req: CodeRunRequest, fail: (kind: Exclude<CodeRunResult, { ok: true }>['kind'], m: string) => CodeRunResult): CodeRunResult {
  const err = thrown !== null && typeof thrown === 'object' ? (thrown as { name?: unknown; message?: unknown; stack?: unknown }) : null;
  const name = typeof err?.name === 'string' ? err.name : '';
  const message = typeof err?.message === 'string' ? err.message : '';
  if (/out of memory/i.test(message) || (name === 'InternalError' && /memory/i.test(message))) {
    return fail('memory', `the code used more than ${Math.round(req.memoryBytes / 1024 / 1024)} MB of memory`);
  }
  if (name === 'InternalError' && /string too long/i.test(message)) return fail('memory', 'the code built a string longer than the sandbox allows');
  if (/stack overflow/i.test(message)) return fail('error', 'the code recursed too deeply (stack overflow)');
  if (name === 'SyntaxError') return fail('syntax', `syntax error: ${message}${lineOf(err?.stack)}`);
  if (/^the (result|code)/.test(message)) return fail('output', message);
  if (err && (name || message)) return fail('error', `${name || 'Error'}: ${message}${lineOf(err.stack)}`);
  // `throw 42`, `throw { code: 1 }`, `throw null`: not an Error, still a clear message.
  let shown: string;
  try {
    shown = JSON.stringify(thrown) ?? String(thrown);
  } catch {
    shown = String(thrown);
  }
  return fail('error', `the code threw ${shown.slice(0, 300)} (not an Error)`);
}

/** "(line N)" in the user's code, from a QuickJS stack (the wrapper adds 6 lines above it). */
function lineOf(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  const m = /code-node\.js:(\d+)/.exec(stack);
  if (!m) return '';
  const line = Number(m[1]) - 6;
  return line >= 1 ? ` (line ${line})` : '';
}

function safeDump(vm: QuickJSContext, h: QuickJSHandle): unknown {
  try {
    return vm.dump(h);
  } catch {
    return 'an unreadable value';
  }
}

function installConsole(vm: QuickJSContext, logs: string[]) {
  const consoleObj = vm.newObject();
  const log = vm.newFunction('log', (...args) => {
    if (logs.length >= MAX_LOG_LINES) return;
    const parts = args.map((a) => {
      const v = safeDump(vm, a);
      if (typeof v === 'string') return v;
      try {
        return JSON.stringify(v) ?? String(v);
      } catch {
        return String(v);
      }
    });
    logs.push(parts.join(' ').slice(0, MAX_LOG_LINE));
    if (logs.length === MAX_LOG_LINES) logs.push(`… more console output dropped (${MAX_LOG_LINES} lines kept)`);
  });
  for (const name of ['log', 'info', 'warn', 'error']) vm.setProp(consoleObj, name, log);
  vm.setProp(vm.global, 'console', consoleObj);
  log.dispose();
  consoleObj.dispose();
}
