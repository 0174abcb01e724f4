/**
 * The Code node's sandbox, through the real QuickJS: results, console, limits, and the escape
 * corpus. Every hostile input must end as a clear error while the host keeps running.
 */
import { describe, expect, it } from 'vitest';
import { createCodeService } from './code-sandbox';
import type { CodeRunRequest, CodeRunResult } from '../../shared/services';

const sandbox = createCodeService();
const run = (code: string, over: Partial<CodeRunRequest> = {}): Promise<CodeRunResult> =>
  sandbox.run({ code, language: 'javascript', globals: { $json: { n: 2, name: 'Ada' }, $node: { n_a: { data: { score: 0.5 } } }, $trigger: { new: { id: 7 } } }, timeoutMs: 1000, memoryBytes: 32 * 1024 * 1024, ...over });

const failure = async (code: string, over: Partial<CodeRunRequest> = {}) => {
  const r = await run(code, over);
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r.value)}`);
  return r;
};

describe('code sandbox', () => {
  it('returns JSON built from $json, $node and $trigger, and collects console lines', async () => {
    const r = await run('console.log("n is", $json.n, { a: 1 }); return { double: $json.n * 2, score: $node["n_a"].data.score, id: $trigger.new.id };');
    expect(r).toMatchObject({ ok: true, value: { double: 4, score: 0.5, id: 7 }, logs: ['n is 2 {"a":1}'] });
  });

  it('treats no return as null and accepts any JSON value', async () => {
    expect(await run('const x = 1;')).toMatchObject({ ok: true, value: null });
    expect(await run('return [1, "two", null, true];')).toMatchObject({ ok: true, value: [1, 'two', null, true] });
  });

  it('strips TypeScript types', async () => {
    const r = await run('interface Order { n: number }\nconst o: Order = $json as Order;\nreturn { n: o.n + 1 } satisfies { n: number };', { language: 'typescript' });
    expect(r).toMatchObject({ ok: true, value: { n: 3 } });
    expect(await failure('const x: = 1;', { language: 'typescript' })).toMatchObject({ kind: 'syntax' });
  });

  it('gives each run a fresh heap: a prototype polluted by one run is clean in the next, and in the host', async () => {
    expect(await run('Object.prototype.polluted = "yes"; Array.prototype.map = null; return 1;')).toMatchObject({ ok: true });
    expect(await run('return [({}).polluted ?? "clean", typeof [].map];')).toMatchObject({ ok: true, value: ['clean', 'function'] });
    expect((({}) as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reports syntax errors and the line of a runtime error', async () => {
    expect(await failure('return {')).toMatchObject({ kind: 'syntax', message: expect.stringMatching(/^syntax error/) as unknown });
    expect(await failure('const a = 1;\nreturn a.b.c;')).toMatchObject({ kind: 'error', message: expect.stringMatching(/TypeError: .*\(line 2\)/) as unknown });
  });
});

describe('escape corpus', () => {
  it.each([
    ['constructor.constructor', 'return constructor.constructor("return typeof process")()', 'undefined'],
    ['Function from a prototype', 'return (() => {}).constructor("return typeof require")()', 'undefined'],
    ['globalThis keys', 'return Object.getOwnPropertyNames(globalThis).filter((k) => /^(process|require|fetch|module|Buffer|setTimeout|XMLHttpRequest|WebAssembly|std|os)$/.test(k)).join(",")', ''],
    ['eval', 'return eval("typeof process + typeof require + typeof fetch")', 'undefinedundefinedundefined'],
    ['indirect eval of this', 'return (0, eval)("typeof this.process")', 'undefined'],
    ['__proto__ walk', 'let o = {}; let seen = []; while (o) { seen.push(Object.getOwnPropertyNames(o).includes("process")); o = Object.getPrototypeOf(o); } return String(seen.includes(true))', 'false'],
  ])('%s reaches nothing of the host', async (_, code, expected) => {
    expect(await run(code)).toMatchObject({ ok: true, value: expected });
  });

  it.each([
    ['process', 'return process.env', /ReferenceError: .*process/],
    ['require', 'return require("fs").readFileSync("/etc/passwd", "utf8")', /ReferenceError: .*require/],
    ['fetch', 'return fetch("http://127.0.0.1:1/")', /ReferenceError: .*fetch/],
    ['import()', 'return import("fs")', /Promise|import|module/i],
  ])('%s is not there', async (_, code, message) => {
    const r = await failure(code);
    expect(r.message).toMatch(message);
  });

  it('stops a synchronous endless loop at the time limit, and the host keeps running', async () => {
    const started = Date.now();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const r = await failure('while (true) {}', { timeoutMs: 200 });
    clearInterval(timer);
    expect(r).toMatchObject({ kind: 'timeout', message: 'the code ran longer than 200 ms and was stopped' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await run('return 1')).toMatchObject({ ok: true, value: 1 });
  });

  it('stops a loop when the run is cancelled', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('cancel'), 50);
    // The interrupt handler sees the abort: the timer fires because QuickJS checks between bytecodes, not the event loop.
    const r = await run('const end = Date.now() + 400; while (Date.now() < end) {} return 1', { timeoutMs: 5000, signal: ac.signal });
    expect(r.ok).toBe(true); // the host timer cannot fire while the sandbox holds the thread…
    expect(await failure('while (true) {}', { signal: AbortSignal.abort('cancel') })).toMatchObject({ kind: 'cancelled' }); // …so cancel is checked before and while it runs
  });

  it.each([
    ['a string bomb', 'let s = "x"; while (true) s += s;'],
    ['an array bomb', 'const a = []; while (true) a.push(new Array(10000).fill(1));'],
    ['a 100 MB output', 'return "x".repeat(100 * 1024 * 1024);'],
    ['an object bomb', 'const a = []; while (true) a.push({ n: a.length });'],
  ])('ends %s at the memory limit', async (_, code) => {
    expect(await failure(code)).toMatchObject({ kind: 'memory', message: expect.stringMatching(/the code used more than 32 MB of memory|string longer than the sandbox allows/) as unknown });
    expect(await run('return 2')).toMatchObject({ ok: true, value: 2 });
  });

  it('refuses an output over the size limit even within memory', async () => {
    const small = createCodeService({ maxOutputChars: 1000 });
    const r = await small.run({ code: 'return "y".repeat(5000)', language: 'javascript', globals: { $json: null, $node: {}, $trigger: null }, timeoutMs: 1000, memoryBytes: 32 << 20 });
    expect(r).toMatchObject({ ok: false, kind: 'output', message: expect.stringMatching(/the limit is/) as unknown });
  });

  it('ends runaway recursion as a clear error', async () => {
    expect(await failure('const f = (n) => f(n + 1) + 1; return f(0);')).toMatchObject({ kind: 'error', message: expect.stringMatching(/stack overflow|too deeply|memory/) as unknown });
  });

  it.each([
    ['a function', 'return { f() {} }', /contains a function at "f"/],
    ['a top-level function', 'return () => 1', /contains a function/],
    ['a cycle', 'const o = {}; o.self = o; return o;', /circular|cycle/i],
    ['a BigInt', 'return { n: 10n }', /contains a BigInt at "n"/],
    ['Infinity', 'return { x: 1 / 0 }', /Infinity at "x" is not a finite number/],
    ['a Promise', 'return Promise.resolve(1)', /returned a Promise/],
  ])('refuses a result with %s', async (_, code, message) => {
    expect(await failure(code)).toMatchObject({ kind: expect.stringMatching(/output|error/) as unknown, message: expect.stringMatching(message) as unknown });
  });

  it.each([
    ['a number', 'throw 42', 'the code threw 42 (not an Error)'],
    ['an object', 'throw { code: "E1" }', 'the code threw {"code":"E1"} (not an Error)'],
    ['null', 'throw null', 'the code threw null (not an Error)'],
    ['an Error', 'throw new RangeError("too big")', 'RangeError: too big (line 1)'],
  ])('reports throwing %s clearly', async (_, code, message) => {
    expect(await failure(code)).toMatchObject({ kind: 'error', message });
  });

  it('cannot swap JSON.stringify to smuggle a non-string result out', async () => {
    const r = await run('JSON.stringify = () => ({ evil: true }); return { fine: 1 };');
    expect(r).toMatchObject({ ok: true, value: { fine: 1 } });
  });
});
