import { readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'cli.js');
/** The bundled browser code, which `npm run build` writes after the compile. */
const BROWSER_ASSETS = join(REPO_ROOT, 'dist', 'web', 'assets', 'app.js');

/** Builds dist/ if it (or its browser bundle) is missing; a stale one is rebuilt before the run (tests/setup/fresh-dist.ts). */
export async function ensureBuilt(): Promise<void> {
  try {
    await Promise.all([access(CLI), access(BROWSER_ASSETS)]);
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

/** How an s6 run script starts Node: the flags before the script, and the variables it exports. */
export interface AddonLaunch {
  flags: string[];
  env: Record<string, string>;
}

/**
 * Reads `exec node <flags> /app/dist/cli.js <command>` and `export NAME=value` lines from an s6
 * run script, so tests and benchmarks start Node exactly as the add-on ships it (not a copy).
 */
export function parseRunScript(text: string): AddonLaunch {
  const env: Record<string, string> = {};
  let flags: string[] | null = null;
  for (const line of text.split('\n').map((l) => l.trim())) {
    const exported = /^export ([A-Z_][A-Z0-9_]*)=(\S+)$/.exec(line);
    if (exported) env[exported[1]!] = exported[2]!;
    if (/^exec node\b/.test(line)) flags = line.split(/\s+/).filter((a) => a.startsWith('--'));
  }
  if (!flags) throw new Error('no `exec node` line in the run script');
  return { flags, env };
}

function addonLaunch(service: string): AddonLaunch {
  return parseRunScript(readFileSync(join(REPO_ROOT, 'rootfs', 'etc', 's6-overlay', 's6-rc.d', service, 'run'), 'utf8'));
}

/** How the add-on's s6 run scripts start each process (benchmarks measure with these). */
export const ADDON_LAUNCH = { run: addonLaunch('disk2iso'), mqtt: addonLaunch('disk2iso-mqtt') } as const;
/** The Node/V8 flags of each process, read from its run script. */
export const ADDON_NODE_FLAGS = { run: ADDON_LAUNCH.run.flags, mqtt: ADDON_LAUNCH.mqtt.flags } as const;

/** Starts `disk2iso <command>` from dist/ with the given options file; output kept for failures. */
export function startCli(command: string, optionsPath: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): ResultPromise {
  return execa('node', [...nodeArgs, CLI, command], {
    env: { DISK2ISO_OPTIONS: optionsPath, ...env },
    reject: false,
    all: true,
    stdin: 'ignore',
  });
}
