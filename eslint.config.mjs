// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Modules with I/O, clocks or randomness: never in workflow code, nor in pure domain code. */
const nodeBuiltins = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'tls',
  'child_process',
  'worker_threads',
  'dns',
  'timers',
  'process',
];
const ioPackages = ['mongodb', 'koa', '@koa/*', 'pino', 'undici', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'];

/** Outside workflows/, a workflow is reached only through its messages.ts. */
const workflowMessagesOnly = {
  regex: '(^|/)workflows(/(?![^/]+/messages$).*)?$',
  message: 'Import a workflow only through its messages.ts; move shared rules to domain/.',
};
const noEvaluatorsMessage =
  'The API lists verification types by their descriptions (describeSupportedVerificationTypes); only the worker builds evaluators and their ports.';
const noEvaluatorsInApi = [
  { regex: '(^|/)store/evaluator-ports$', message: noEvaluatorsMessage },
  { regex: '(^|/)domain/verification-types/supported$', importNames: ['createSupportedEvaluators'], message: noEvaluatorsMessage },
];

/**
 * Development-only modules (dev/: the development PKI, the codec server, process supervision)
 * never reach production code. A rule's options replace those of an earlier block for the same
 * files, so every block below that restricts imports lists this pattern too.
 */
const noDevImports = { regex: '^(\\.\\./)+dev(/|$)', message: 'Production code must not import dev/ (development-only modules).' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', '.test-data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // Workflow code is replayed: it may import only @temporalio/workflow, @temporalio/common,
    // other workflow modules and pure domain modules; activities only as types.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [],
          patterns: [
            { group: [...nodeBuiltins, ...ioPackages], message: 'Workflow code must be deterministic: do I/O in an activity.' },
            {
              regex: '^(?!@temporalio/(workflow|common)$|\\.\\.?/|\\.\\./\\.\\./domain/)',
              message: 'Workflows may import only @temporalio/workflow, @temporalio/common, workflow modules and domain/.',
            },
            {
              group: ['../../activities/*', '../../api/*', '../../store/*', '../../clients/*', '../../crypto/*', '../../config/*', '../../workers/*'],
              allowTypeImports: true,
              message: 'Workflows may reference activities and other I/O modules only through types.',
            },
            noDevImports,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() or condition() from @temporalio/workflow.' },
        { name: 'fetch', message: 'Do I/O in an activity.' },
      ],
    },
  },
  {
    // Domain code is pure protocol logic, importable from workflows.
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: [...nodeBuiltins, ...ioPackages], message: 'domain/ is pure: put I/O in store/, clients/ or activities/.' },
            {
              group: ['../api/*', '../store/*', '../clients/*', '../activities/*', '../workers/*', '../config/*'],
              message: 'domain/ must not depend on outer layers.',
            },
            noDevImports,
          ],
        },
      ],
    },
  },
  {
    // The API, activities and stores talk to a workflow only through its messages.ts (queries,
    // updates, signals, inputs); its state functions and code are its own (STYLE.md).
    files: ['activities/**/*.ts', 'store/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [workflowMessagesOnly, noDevImports] }] },
  },
  {
    // The API also lists verification types from their descriptions only: evaluators and their
    // database-backed ports are the worker's (workers/compose.ts).
    files: ['api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [workflowMessagesOnly, ...noEvaluatorsInApi, noDevImports] }] },
  },
  {
    // The rest of the production code: the worker, clients, crypto, configuration and the
    // operator command.
    files: ['workers/**/*.ts', 'clients/**/*.ts', 'crypto/**/*.ts', 'config/**/*.ts', 'cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noDevImports] }] },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false }, globals: { module: 'writable', require: 'readonly' } },
  },
);
