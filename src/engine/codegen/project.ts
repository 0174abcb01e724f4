/**
 * The exported project around `flow.ts`: package.json, tsconfig.json (strict), eslint.config.mjs
 * (typescript-eslint recommended) and a README saying how to run it and which secrets to set.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExportedConnection } from '../../shared/connections';
import type { Flow } from '../../shared/flow/schema';
import { exportFlowSource, type ExportTarget } from './generate';
import { parseFlowDocument } from '../../shared/flow/validate';
import { nodeRegistry } from '../../nodes';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ExportedProject {
  /** File name → content. */
  files: Record<string, string>;
}

export interface ProjectOptions {
  target?: ExportTarget;
  /** npm spec of the runtime package; default: this Millrace checkout (`file:…`). */
  runtimeSpec?: string;
  /** The named connections the flow picks (references only): written into defineFlow so the program resolves them. */
  connections?: readonly ExportedConnection[];
}

/** Every `secret:NAME` the flow refers to, in order of first use. */
export function secretNames(flow: Flow, connections: readonly ExportedConnection[] = []): string[] {
  const names = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const m = /^\s*secret:([A-Za-z0-9_.-]{1,100})\s*$/.exec(v);
      if (m) names.add(m[1]!);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const n of flow.nodes) walk(n.config);
  for (const c of connections) walk([c.password, c.connectionString]);
  return [...names];
}

export function buildProject(raw: unknown, options: ProjectOptions = {}): ExportedProject {
  const target = options.target ?? 'standalone';
  const source = exportFlowSource(raw, { target, ...(options.connections ? { connections: options.connections } : {}) });
  const parsed = parseFlowDocument(raw, nodeRegistry);
  if (!parsed.ok) throw new Error('unreachable: exportFlowSource validated the flow');
  const flow = parsed.flow;
  const pkgName = flow.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'flow';
  const pkg = {
    name: pkgName,
    private: true,
    type: 'module',
    scripts: { start: 'tsx flow.ts', typecheck: 'tsc -p .', lint: 'eslint .' },
    dependencies: {
      millrace: options.runtimeSpec ?? `file:${repoRoot}`,
      tsx: '^4.23.15',
      ...(target === 'dbos' ? { '@dbos-inc/dbos-sdk': '5.3.0' } : {}),
    },
    devDependencies: { typescript: '5.9', '@types/node': '^20.19.43', eslint: '^9.39.5', 'typescript-eslint': '^8.74.0', '@eslint/js': '^9.39.5' },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2023',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      strict: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      isolatedModules: true,
      noEmit: true,
      lib: ['ES2023', 'DOM'],
      types: ['node'],
    },
    include: ['flow.ts'],
  };
  const eslint = [
    "import js from '@eslint/js';",
    "import tseslint from 'typescript-eslint';",
    '',
    "export default tseslint.config({ files: ['**/*.ts'] }, js.configs.recommended, ...tseslint.configs.recommended);",
    '',
  ].join('\n');
  const secrets = secretNames(flow, options.connections ?? []);
  const readme = [
    `# ${flow.name}`,
    '',
    ...(flow.description ? [flow.description, ''] : []),
    'Exported from Millrace. `flow.ts` is the flow: one `flow.node({...})` step per node, run by the same',
    'node implementations, durable runner and services as the app (`millrace/runtime`).',
    '',
    '## Run',
    '',
    '```sh',
    'npm install',
    ...(target === 'dbos'
      ? [
          'export DBOS_SYSTEM_DATABASE_URL=postgres://user:pass@localhost:5432/flow_dbos',
          "npx tsx flow.ts --input '{\"amount\": 1250}' --json   # one run, printed as JSON",
          'npx tsx flow.ts --worker                               # a worker; start several',
        ]
      : [
          "npx tsx flow.ts --input '{\"amount\": 1250}' --json   # durable journal in ./.millrace",
          "npx tsx flow.ts --input '{\"amount\": 1250}' --ephemeral",
        ]),
    '```',
    '',
    '`--json` prints `{"status":…,"nodes":{"<nodeId>":{"status":…,"output":…}}}`, the same as `millrace run FLOW.json --json`.',
    '',
    '## Secrets',
    '',
    ...(secrets.length
      ? ['Config values `secret:NAME` are read from the environment variable `MILLRACE_SECRET_NAME`:', '', ...secrets.map((s) => `- \`MILLRACE_SECRET_${s}\``)]
      : ['This flow uses no secrets.']),
    '',
    '## Back to the canvas',
    '',
    '`millrace import flow.ts --out flow.json` reads the file (without running it) and brings edited config values back.',
    '',
  ].join('\n');
  return {
    files: {
      'flow.ts': source,
      'package.json': `${JSON.stringify(pkg, null, 2)}\n`,
      'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
      'eslint.config.mjs': eslint,
      'README.md': readme,
    },
  };
}

export function writeProject(dir: string, project: ExportedProject): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(project.files).map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}
