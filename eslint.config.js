import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // assets/docs: the API reference's bundle, copied from @scalar/api-reference at build.
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '.ticketbooth/**', '**/*.d.ts', '**/assets/docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
);
