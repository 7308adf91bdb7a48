/** Shared by bench/mqtt-*.bench.ts: the bridge as a child process, and percentiles. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const ROOT = resolve(import.meta.dirname, '..');
const WORK = join(ROOT, 'bench', 'work');

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * How to run `disk2iso mqtt`: `node dist/cli.js mqtt` when dist is built and newer than the
 * bridge's sources; otherwise a private build of just the bridge (src/mqtt/main.ts and what it
 * imports) into bench/work, so the figures are always of the current code in its own process.
 */
export async function bridgeCommand(): Promise<{ args: string[]; how: string }> {
  const cli = join(ROOT, 'dist', 'cli.js');
  const built = join(ROOT, 'dist', 'mqtt', 'main.js');
  if (existsSync(cli) && existsSync(built)) {
    const sources = Math.max(...(await Promise.all(['mqtt', 'supervisor', 'contract', 'config', 'log'].map((d) => newestMtime(join(ROOT, 'src', d))))));
    if (statSync(built).mtimeMs >= sources) return { args: [cli, 'mqtt'], how: 'node dist/cli.js mqtt' };
  }
  await mkdir(WORK, { recursive: true });
  const tsconfig = join(WORK, 'tsconfig.mqtt.json');
  await writeFile(
    tsconfig,
    JSON.stringify({ extends: '../../tsconfig.build.json', compilerOptions: { outDir: './mqtt-dist', rootDir: '../../src', sourceMap: false }, include: [], files: ['../../src/mqtt/main.ts'] }),
  );
  await execa('npx', ['tsc', '-p', tsconfig], { cwd: ROOT });
  const runner = join(WORK, 'mqtt-main.mjs');
  await writeFile(runner, "import { main } from './mqtt-dist/mqtt/main.js';\nprocess.exitCode = await main(process.argv.slice(2));\n");
  return { args: [runner], how: 'node bench/work/mqtt-main.mjs (private build of src/mqtt; dist/ missing or older than the sources)' };
}

export interface BridgeProcess {
  child: ChildProcess;
  pid: number;
  output: string[];
  stop(): Promise<number | null>;
}

/** V8 flags that keep the bridge's memory down (recommended for the add-on's mqtt service). */
export const LEAN_NODE_FLAGS = ['--max-semi-space-size=1', '--lite-mode'];

export function spawnBridge(args: string[], optionsPath: string, nodeFlags: readonly string[] = []): BridgeProcess {
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    env: { ...process.env, DISK2ISO_OPTIONS: optionsPath, SUPERVISOR_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    pid: child.pid ?? 0,
    output,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
