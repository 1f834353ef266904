// ESLint (flat config) with typescript-eslint's recommended rules, without type information so that a lint of
// the whole repository stays quick. `npm run lint`; `npm run lint:fix` applies the automatic fixes.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'build/',
      'out/',
      'runs/',
      'models/',
      'scratch/',
      '.vitest-cache/',
      // Generated: WebAssembly modules as base64 and Zhang's tables (scripts/ writes them).
      'src/color/wasm/*-wasm.ts',
      'src/color/bins/zhang-gamut-313.ts',
      'src/color/prior/zhang-prior-313.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
    rules: {
      // `_`-prefixed names mark parameters a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Tests match formatted text (progress lines, tables) whose runs of spaces are easier to read as typed.
      'no-regex-spaces': 'off',
    },
  },
);
