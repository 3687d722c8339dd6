// ESLint 9 flat config. Besides the usual TypeScript / React-hooks / accessibility checks it enforces the
// architecture (README "Architecture"): the core's layers only import downward, the core never imports the app,
// the worker or the CLI, the page's main thread sees only the tfjs-free entry src/core/lite.ts, the worker and
// the CLI see only the core's entries, and there are no import cycles.
// Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import jsxA11y from 'eslint-plugin-jsx-a11y';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';

/**
 * Layers of src/core, lowest first. A module may import from its own layer's folder or from any lower layer;
 * modules sharing a layer are independent of each other. The entries (index.ts, lite.ts) sit above everything.
 * Paths are relative to src/core; a folder ends with '/'.
 */
export const CORE_LAYERS = [
  ['types.ts', 'contracts.ts', 'rng.ts', 'metrics.ts', 'methods/', 'spec-schema.ts', 'presets.ts'],
  ['data/', 'backend/'],
  ['models/'],
  ['train/'],
  ['eval/', 'parallel/'],
  ['condense/', 'unlearn/'],
  ['runner/', 'results/'],
  ['index.ts', 'lite.ts'],
];

const core = (p) => `./src/core/${p.replace(/\/$/, '')}`;

/** no-restricted-paths zones: each layer entry may not import any entry above it or a peer of its layer. */
function layerZones() {
  const zones = [];
  CORE_LAYERS.forEach((layer, i) => {
    const above = CORE_LAYERS.slice(i + 1).flat();
    for (const target of layer) {
      const peers = layer.filter((p) => p !== target && p.endsWith('/') && target.endsWith('/'));
      const from = [...above, ...peers];
      if (!from.length) continue;
      zones.push({
        target: core(target),
        from: from.map(core),
        message: `core layers import only downward (${CORE_LAYERS.map((l) => l.join(' ')).join(' → ')})`,
      });
    }
  });
  return zones;
}

const OUTSIDE_CORE = ['./src/app', './src/worker', './src/cli'].map((from) => ({
  target: './src/core',
  from,
  message: 'the core never imports the app, the worker or the CLI',
}));

const NO_TFJS = {
  patterns: [
    { group: ['@tensorflow/*'], message: "the page's main thread never imports tfjs (it runs in the worker)" },
  ],
};

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
    ignores: ['src/core/**/*.test.ts', 'src/core/**/*.test-util.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...OUTSIDE_CORE, ...layerZones()] }] },
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
      'no-restricted-imports': ['error', NO_TFJS],
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
            { target: './src/app', from: './src/cli', message: 'the app never imports the CLI' },
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
  },
);
