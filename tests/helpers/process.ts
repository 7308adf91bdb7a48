import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

/** Builds dist/ once if it is missing (CI builds before testing). */
export async function ensureBuilt(): Promise<void> {
  try {
    await access(CLI);
  } catch {
    await execa('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT });
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The V8 flags the add-on's s6 run scripts give each process (benchmarks measure with them). */
export const ADDON_NODE_FLAGS = { run: ['--max-semi-space-size=2'], mqtt: ['--lite-mode', '--max-semi-space-size=1'] } as const;

/** Starts `disk2iso <command>` from dist/ with the given options file; output kept for failures. */
export function startCli(command: string, optionsPath: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): ResultPromise {
  return execa('node', [...nodeArgs, CLI, command], {
    env: { DISK2ISO_OPTIONS: optionsPath, ...env },
    reject: false,
    all: true,
    stdin: 'ignore',
  });
}
