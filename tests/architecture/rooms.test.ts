/**
 * The import rules between the rooms of src/ (docs/architecture.md) are the `no-restricted-imports`
 * blocks of eslint.config.js; `npm run lint` enforces them. This proves they bite: code written
 * into a room's file (in memory only) is linted with the repository's own configuration.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/process.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

/** The no-restricted-imports messages for `code` as if it were the file `path`. */
async function roomErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the rooms of src/ and what each may import', () => {
  it('web/ and mqtt/ read the contract and never import the machine, the copy code, the drives or the core', async () => {
    const code = (up: string): string =>
      [
        `import { DriveMachine } from '${up}machine/index.js';`,
        `import { runCopy } from '${up}copy/index.js';`,
        `import type { Drive } from '${up}drive/index.js';`,
        `import { startCore } from '${up}core/run.js';`,
        `import { apiPaths } from '${up}contract/index.js';`,
        `export const used = [DriveMachine, runCopy, startCore, apiPaths];`,
        `export type Used = Drive;`,
        '',
      ].join('\n');
    for (const [path, up] of [
      ['src/web/format.ts', '../'],
      ['src/web/routes/api.ts', '../../'],
      ['src/mqtt/topics.ts', '../'],
    ] as const) {
      const errors = await roomErrors(path, code(up));
      expect(errors, path).toHaveLength(4);
      for (const room of ['machine', 'copy', 'drive', 'core']) expect(errors.some((e) => e.startsWith(`'${up}${room}/`)), `${path} → ${room}`).toBe(true);
    }
  }, 120_000);

  it('contract/ is the leaf: only util/', async () => {
    const errors = await roomErrors(
      'src/contract/paths.ts',
      "import { formatBytes } from '../util/format.js';\nimport type { Logger } from '../log/index.js';\nexport const f = formatBytes;\nexport type L = Logger;\n",
    );
    expect(errors).toEqual([`'../log/index.js' import is restricted from being used by a pattern. src/contract/ may import only util (docs/architecture.md).`]);
  }, 120_000);

  it('the browser code imports values only from leaf files (no barrel, Node or server package); types from anywhere', async () => {
    const [result] = await eslint.lintText(
      [
        "import { commandVerdict } from '../../contract/index.js';",
        "import type { DriveStatus } from '../../contract/index.js';",
        "import { readFileSync } from 'node:fs';",
        "import { z } from 'zod';",
        "import { checkCommand } from '../../contract/command-rules.js';",
        'export const used = [commandVerdict, readFileSync, z, checkCommand];',
        'export type Used = DriveStatus;',
        '',
      ].join('\n'),
      { filePath: join(REPO_ROOT, 'src/web/browser/main.ts') },
    );
    const restricted = (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message.split(' ')[0]);
    expect(restricted).toEqual(["'../../contract/index.js'", "'node:fs'", "'zod'"]);
  }, 120_000);
});
