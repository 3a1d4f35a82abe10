// The lint gate `npm test` runs: typescript-eslint's recommended rules with type information, and the
// type-aware rules that catch real bugs in async code (a promise nobody awaits or handles).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.ci/cache/', '.kplane/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test() and describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Folders are layers: src/ sits below controllers/ (only the server's wiring brings the built-in
    // controllers in), and product code never reaches into tests or benchmarks.
    files: ['src/**/*.ts', 'schemas/**/*.ts', 'controllers/**/*.ts'],
    ignores: ['src/server.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+controllers/',
              message: 'src/ does not import controllers/: wire them in src/server.ts.',
            },
            { regex: '^(\\.\\./)+(test|bench)/', message: 'product code does not import tests or benchmarks.' },
          ],
        },
      ],
    },
  },
  {
    // Tests probe deep into JSON response bodies; typing each one would only restate the assertions.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
