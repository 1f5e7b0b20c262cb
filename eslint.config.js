// ESLint: TypeScript rules for the whole repo, and no focused or skipped tests (a test must run to count).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const testModifiers = ['only', 'skip', 'todo'].flatMap((property) =>
  ['it', 'test', 'describe'].map((object) => ({
    object,
    property,
    message: `${object}.${property} leaves tests out of the run; remove it.`,
  })),
);

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'cdk.out/**', '**/.hf/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      'no-restricted-properties': ['error', ...testModifiers],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
    },
  },
);
