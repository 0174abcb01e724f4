// @ts-check
/**
 * Lint for the whole repo. The part that matters most is the import boundary: src/shared and
 * src/nodes run in the engine, the browser and exported scripts alike, so they may not reach for
 * Node, Electron, React, database drivers or the Node-only folders (tested in scripts/lint-boundaries.test.ts).
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const srcRoot = path.join(import.meta.dirname, 'src');
const pureFolders = ['src/shared/**', 'src/nodes/**'];
const nodeOnlyLayers = ['engine', 'main', 'preload', 'renderer'];

const escapeRegex = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const builtins = builtinModules.filter((m) => !m.startsWith('_')).map(escapeRegex);
const forbiddenPackages = ['electron', 'react', 'react-dom', 'better-sqlite3', 'pg', 'ws'].map(escapeRegex);

/**
 * Relative imports that land in a Node-only layer (src/engine, src/main, …). Resolved against the
 * importing file, so `../engine/x` and `../../engine/x` are caught at any depth and a file that
 * merely happens to be called `main.ts` inside src/shared is not.
 */
const layerBoundaries = {
  meta: {
    type: /** @type {const} */ ('problem'),
    docs: { description: 'Forbid src/shared and src/nodes from importing the Node-only layers' },
    messages: { crossing: '"{{source}}" reaches into src/{{layer}}; src/shared and src/nodes must stay runnable anywhere.' },
    schema: [],
  },
  /** @param {import('eslint').Rule.RuleContext} context */
  create(context) {
    const dir = path.dirname(context.filename);
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const layer = path.relative(srcRoot, path.resolve(dir, source)).split(path.sep)[0] ?? '';
      if (nodeOnlyLayers.includes(layer)) context.report({ node, messageId: 'crossing', data: { source, layer } });
    };
    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'bench/results/', 'coverage/'] },

  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  {
    files: ['**/*.{js,mjs,cjs}', 'src/engine/**', 'src/main/**', 'src/preload/**', 'scripts/**', 'bench/**', 'e2e/**', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },

  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    files: pureFolders,
    plugins: { millrace: { rules: { 'layer-boundaries': layerBoundaries } } },
    rules: {
      'millrace/layer-boundaries': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(node:.*|(${builtins.join('|')})(/.*)?)$`,
              message: 'Node builtins are not available in src/shared and src/nodes: declare a service in src/shared/services.ts and inject it.',
            },
            {
              regex: `^((${forbiddenPackages.join('|')})(/.*)?|@xyflow/.*)$`,
              message: 'src/shared and src/nodes may not depend on Electron, React, the canvas or database drivers.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({
          name,
          message: `"${name}" is Node-only; src/shared and src/nodes must run anywhere.`,
        })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'Import statically in src/shared and src/nodes, so the boundary rules can see it.' },
      ],
    },
  },
);
