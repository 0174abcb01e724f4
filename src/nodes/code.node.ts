import { z } from 'zod';
import { defineNode } from '../shared/node-kit';
import { NodeError } from '../shared/services';
import { nodeScope } from '../shared/template';

const DEFAULT_CODE = `// $json is this node's input, $node["…"] an upstream node's outputs, $trigger the trigger's output.
// Return JSON: it becomes the output. console.log lines appear in the run's trace.
return { ...$json, checked: true };`;

/**
 * User code in a sandbox (ctx.services.code: QuickJS in WebAssembly, no Node APIs, no network, no
 * files), with a time limit that stops synchronous loops and a memory limit. Pure: the sandbox is a service.
 */
export const codeNode = defineNode({
  type: 'code',
  version: 1,
  title: 'Code',
  description: 'Run a small JavaScript (or TypeScript) function on the data, sandboxed: no network, no files, time and memory limits.',
  category: 'transform',
  config: z.object({
    language: z.enum(['javascript', 'typescript']).default('javascript'),
    code: z.string().min(1, 'required').max(200_000).default(DEFAULT_CODE),
    timeoutMs: z.number().int().min(10, 'at least 10 ms').max(60_000, 'at most 60 s').default(1000),
    memoryMb: z.number().int().min(32, 'at least 32 MB').max(512, 'at most 512 MB').default(32),
  }),
  inputs: { in: { type: 'any' } },
  outputs: { out: { type: 'any', label: 'result' }, logs: { type: 'array', label: 'console' } },
  ui: {
    language: { widget: 'select', label: 'Language', help: 'TypeScript is accepted with its types removed (nothing is type-checked).' },
    code: { widget: 'code', label: 'Code', rows: 12, help: 'The body of a function: return the output. $json, $node["Name"], $trigger are available.' },
    timeoutMs: { widget: 'number', label: 'Time limit (ms)' },
    memoryMb: { widget: 'number', label: 'Memory limit (MB)' },
  },
  summary: (cfg) => `${cfg.language === 'typescript' ? 'TS' : 'JS'} · ${cfg.code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).length} lines`,
  async execute(ctx, { in: input }, cfg) {
    const sandbox = ctx.services.code;
    if (!sandbox) throw new NodeError('this Millrace host has no code sandbox', { permanent: true });
    const scope = nodeScope(ctx, input);
    const result = await sandbox.run({
      code: cfg.code,
      language: cfg.language,
      globals: { $json: input ?? null, $node: (scope['$node'] ?? {}) as Record<string, unknown>, $trigger: scope['$trigger'] ?? null },
      timeoutMs: cfg.timeoutMs,
      memoryBytes: cfg.memoryMb * 1024 * 1024,
      signal: ctx.signal,
    });
    for (const line of result.logs) ctx.log(`console: ${line}`);
    if (!result.ok) {
      const tail = result.logs.length > 0 ? `\nlast console lines:\n${result.logs.slice(-5).join('\n')}` : '';
      const field = result.kind === 'timeout' ? 'timeoutMs' : result.kind === 'memory' ? 'memoryMb' : 'code';
      throw new NodeError(`${result.message}${tail}`, { field, permanent: true });
    }
    return { out: result.value, logs: result.logs };
  },
  exportCode: (cfg, { varName, inputs }) =>
    `const ${varName} = await runCode(${JSON.stringify(cfg.code)}, { $json: ${inputs['in']} }, { timeoutMs: ${cfg.timeoutMs}, memoryMb: ${cfg.memoryMb} });`,
});
