// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The rooms of src/ (docs/architecture.md) and the rooms each may import. core/, demo/ and
 * cli.ts put the program together and may import any room; a room not listed here cannot be
 * imported by the rooms that are. mqtt/ and web/ are watchers: the contract, never the core's code.
 */
const ROOM_IMPORTS = {
  util: [],
  contract: ['util'],
  config: ['util'],
  log: ['util'],
  supervisor: ['log', 'util'],
  drive: ['config', 'contract', 'log', 'util'],
  disc: ['contract', 'drive', 'log', 'util'],
  copy: ['config', 'contract', 'disc', 'drive', 'log', 'util'],
  archive: ['contract', 'copy', 'disc', 'log', 'util'],
  metadata: ['config', 'contract', 'log', 'util'],
  machine: ['archive', 'config', 'contract', 'copy', 'disc', 'drive', 'log', 'metadata', 'util'],
  mqtt: ['config', 'contract', 'log', 'supervisor', 'util'],
  web: ['config', 'contract', 'log', 'util'],
};
const ROOMS = [...Object.keys(ROOM_IMPORTS), 'core', 'demo'];
const roomRules = Object.entries(ROOM_IMPORTS).map(([room, allowed]) => {
  const forbidden = ROOMS.filter((other) => other !== room && !allowed.includes(other));
  return {
    files: [`src/${room}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
              message: `src/${room}/ may import only ${allowed.length > 0 ? allowed.join(', ') : 'nothing of src/'} (docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tests/hardware/work/**', 'tests/image/work/**', 'bench/work/**', 'tests/artifacts/**', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...roomRules,
  {
    // The page script, bundled for the browser: value imports only of files without runtime
    // dependencies (a barrel brings zod along); types from anywhere (docs/architecture.md).
    files: ['src/web/browser/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^node:|^(zod|hono|pino|pino-pretty|chokidar|mqtt|execa|koffi|@hono/node-server)(/|$)|(^|/)index\\.js$',
              allowTypeImports: true,
              message: 'The browser bundle imports only leaf files (no barrels, Node or server packages); use `import type` for types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'scripts/**/*.mjs', 'tests/image/guest/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      // Plain Node scripts (and code evaluated in a page by scripts/make-icons.mjs).
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', document: 'readonly' },
    },
  },
);
