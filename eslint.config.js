// ESLint 9 flat config. Besides the usual TypeScript / React-hooks / accessibility checks it enforces the
// architecture (docs/architecture.md): the core's layers only import downward and modules of one layer are
// independent; the core never imports the app, the worker, the CLI, the service worker, datasets/ or e2e/; the
// tfjs-free core layers and the page's main thread never import tfjs (static or dynamic); the main thread sees only
// the tfjs-free entry src/core/lite.ts; the worker, the CLI and datasets/ see only the core's entries; nothing
// imports datasets/ (a command of its own); e2e/ and src/sw/ import no project code; there are no import cycles.
// Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * Layers of src/core, lowest first. A module may import from its own folder or from any lower layer; modules
 * sharing a layer (files or folders) are independent of each other. Every file and folder of src/core belongs to
 * exactly one layer (src/core/lint.test.ts checks it). Paths are relative to src/core; a folder ends with '/'.
 * The first TFJS_FREE_LAYERS layers, and lite.ts, never import tfjs; `results/` is the tfjs-free results code
 * (reports, claims, seeds, trade-off, timing, budgets, result schema, reproduce plan and driver).
 */
export const CORE_LAYERS = [
  ['types.ts', 'rng.ts'],
  ['metrics.ts', 'stats.ts', 'methods/'],
  ['contracts.ts'],
  ['spec-schema.ts'],
  ['presets.ts'],
  ['results/'],
  ['data/', 'backend/'],
  ['models/'],
  ['train/'],
  ['eval/', 'parallel/'],
  ['condense/', 'unlearn/'],
  ['runner/', 'audit/'],
  ['lite.ts'],
  ['index.ts'],
];
export const TFJS_FREE_LAYERS = 6;

const core = (p) => `./src/core/${p.replace(/\/$/, '')}`;
const glob = (p) => (p.endsWith('/') ? `src/core/${p}**/*.ts` : `src/core/${p}`);
const LAYER_TEXT = CORE_LAYERS.map((l) => l.join(' ')).join(' → ');

/** no-restricted-paths zones: each layer entry may not import any entry above it or a peer of its layer. */
function layerZones() {
  const zones = [];
  CORE_LAYERS.forEach((layer, i) => {
    for (const target of layer) {
      const above = CORE_LAYERS.slice(i + 1).flat();
      // lite.ts is the tfjs-free entry: it sits above the tfjs layers only to re-export the tfjs-free ones
      const from =
        target === 'lite.ts'
          ? CORE_LAYERS.slice(TFJS_FREE_LAYERS)
              .flat()
              .filter((p) => p !== 'lite.ts')
          : above;
      const peers = layer.filter((p) => p !== target);
      if (peers.length)
        zones.push({
          target: core(target),
          from: peers.map(core),
          message: `modules of one core layer are independent (${layer.join(' · ')})`,
        });
      if (from.length)
        zones.push({
          target: core(target),
          from: from.map(core),
          message: `core layers import only downward (${LAYER_TEXT})`,
        });
    }
  });
  return zones;
}

const OUTSIDE_CORE = ['./src/app', './src/worker', './src/cli', './src/sw', './datasets', './e2e'].map((from) => ({
  target: './src/core',
  from,
  message: 'the core never imports the app, the worker, the CLI, the service worker, datasets/ or e2e/',
}));

const TFJS_MESSAGE = 'tfjs-free code (the main thread and the tfjs-free core layers) never imports tfjs';
const NO_TFJS = {
  patterns: [{ group: ['@tensorflow/*'], message: TFJS_MESSAGE, allowTypeImports: true }],
};
/** no-restricted-imports ignores `import()`; this catches the dynamic form (`import type` stays allowed). */
const NO_DYNAMIC_TFJS = [
  { selector: 'ImportExpression[source.value=/^@tensorflow/]', message: `${TFJS_MESSAGE} (dynamic import)` },
];
/** The tfjs-free modules of the core: lint bans tfjs in each (src/core/lite.test.ts also walks the import graph). */
const TFJS_FREE_CORE = [...CORE_LAYERS.slice(0, TFJS_FREE_LAYERS).flat(), 'lite.ts'].map(glob);
const TEST_FILES = ['**/*.test.ts', '**/*.test-util.ts'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'public/**',
      'results/**',
      '.cache/**',
      'test-results/**',
      'playwright-report/**',
      'src/core/__lint_fixtures__/**',
      // AssemblyScript (compiled by `npm run kernels`), not TypeScript the program runs
      'src/core/backend/asm/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.worker, ...globals.node },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
      'import-x/extensions': ['.ts', '.tsx', '.js'],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // --- architecture ---
  {
    files: ['src/core/**/*.ts'],
    ignores: TEST_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...OUTSIDE_CORE, ...layerZones()] }] },
  },
  {
    files: TFJS_FREE_CORE,
    ignores: TEST_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', NO_TFJS],
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_TFJS],
    },
  },
  {
    // tests inside the core may import internals in any order, and the Node backend harness of the CLI
    files: ['src/core/**/*.test.ts', 'src/core/**/*.test-util.ts'],
    rules: {
      'import-x/no-cycle': 'off',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/core',
              from: './src/cli',
              except: ['./node-backend.ts', './dataset-node.ts', './parallel-node.ts'],
              message: 'core tests use only the CLI Node harnesses (node-backend, dataset-node, parallel-node)',
            },
            {
              target: './src/core',
              from: ['./src/app', './src/worker'],
              message: 'the core never imports the app or the worker',
            },
          ],
        },
      ],
    },
  },
  {
    // the main thread: the app, and the worker's protocol and client that the app shares
    files: ['src/app/**/*.{ts,tsx}', 'src/worker/protocol.ts', 'src/worker/client.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', NO_TFJS],
      'no-restricted-syntax': ['error', ...NO_DYNAMIC_TFJS],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./src/app', './src/worker/protocol.ts', './src/worker/client.ts'],
              from: './src/core',
              except: ['./lite.ts'],
              message: "the page's main thread imports the core only through src/core/lite.ts (tfjs-free)",
            },
            {
              target: './src/app',
              from: './src/worker',
              except: ['./protocol.ts', './client.ts'],
              message: 'the app talks to the worker only through its protocol and client',
            },
            {
              target: ['./src/app', './src/worker/protocol.ts', './src/worker/client.ts'],
              from: ['./src/cli', './src/sw', './datasets', './e2e'],
              message: "the page's main thread never imports the CLI, the service worker, datasets/ or e2e/",
            },
            {
              target: ['./src/worker/protocol.ts', './src/worker/client.ts'],
              from: './src/app',
              message: 'the worker protocol and client never import the app',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/worker/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/worker/protocol.ts', 'src/worker/client.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: ['./src/worker', './src/cli'],
              from: './src/core',
              except: ['./index.ts', './lite.ts'],
              message: 'the worker and the CLI import the core only through its entry (src/core/index.ts or lite.ts)',
            },
            {
              target: './src/worker',
              from: ['./src/app', './src/cli'],
              message: 'the worker never imports the app or the CLI',
            },
            {
              target: './src/cli',
              from: ['./src/app', './src/worker'],
              message: 'the CLI never imports the app or the worker',
            },
            {
              target: ['./src/worker', './src/cli'],
              from: ['./src/sw', './datasets', './e2e'],
              message:
                'the worker and the CLI never import the service worker, datasets/ (a command of its own) or e2e/',
            },
          ],
        },
      ],
    },
  },
  {
    // datasets/: the dataset preparation command; it uses the core's entries and the CLI's Node harnesses
    files: ['datasets/**/*.ts'],
    ignores: ['datasets/**/*.test.ts', 'datasets/test-helpers.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './datasets',
              from: './src/core',
              except: ['./index.ts', './lite.ts'],
              message: 'datasets/ imports the core only through its entry (src/core/index.ts or lite.ts)',
            },
            {
              target: './datasets',
              from: ['./src/app', './src/worker', './src/sw', './e2e'],
              message: 'datasets/ never imports the app, the worker, the service worker or e2e/',
            },
          ],
        },
      ],
    },
  },
  {
    // e2e/ drives the built page through a browser and src/sw/ is copied or run by Vite: neither imports the
    // project's code (packages and their own folder only)
    files: ['e2e/**/*.ts', 'src/sw/**/*.{ts,js}'],
    ignores: TEST_FILES,
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './e2e',
              from: ['./src', './datasets'],
              message: 'e2e/ tests the built page: it imports no project code (packages and e2e/ only)',
            },
            {
              target: './src/sw',
              from: ['./src/core', './src/app', './src/worker', './src/cli', './datasets', './e2e'],
              message: 'src/sw/ imports no project code (packages and src/sw/ only)',
            },
          ],
        },
      ],
    },
  },
  // --- React ---
  {
    files: ['src/app/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  {
    files: ['src/app/**/*.tsx'],
    ...jsxA11y.flatConfigs.recommended,
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      // a table that scrolls sideways is a focusable role="region" (axe: scrollable-region-focusable)
      'jsx-a11y/no-noninteractive-tabindex': ['error', { tags: [], roles: ['tabpanel', 'region'] }],
    },
  },
  {
    // a scrolling table wrapper is a focusable region so keyboard users can scroll it (axe scrollable-region-focusable)
    files: ['src/app/**/*.tsx'],
    rules: {
      'jsx-a11y/no-noninteractive-tabindex': [
        'error',
        { tags: [], roles: ['tabpanel', 'region'], allowExpressionValues: true },
      ],
    },
  },
);
