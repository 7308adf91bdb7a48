/**
 * For the end-to-end tests: `disk2iso run` / `disk2iso mqtt` from dist/ as child processes, and
 * a temp folder with a simulated drive, a data disc image made by genisoimage and an options file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { freePort } from '../helpers/mosquitto.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
/** dist/ is built (CI builds before testing); the end-to-end tests are skipped with a message otherwise. */
export const BUILT = existsSync(CLI);

export interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export function spawnCli(command: string, optionsPath: string, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [CLI, command], {
    env: { ...process.env, ...env, DISK2ISO_OPTIONS: optionsPath, SUPERVISOR_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString('utf8')));
  return { child, output, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

/** Signals the process and waits for its exit; one that does not stop within 20 s is killed (exit code null). */
export async function stopProc(proc: Proc | null, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return proc?.child.exitCode ?? null;
  proc.child.kill(signal);
  const force = setTimeout(() => proc.child.kill('SIGKILL'), 20_000);
  const code = await proc.exited;
  clearTimeout(force);
  return code;
}

/**
 * In `dir`: a simulated drive `sim0`, a data disc `<label>.iso` of `mb` MB and options for the
 * core and the bridge (broker on 127.0.0.1:`mqttPort`, 1 s polls), `extra` on top.
 */
export async function e2eFolder(dir: string, label: string, mb: number, mqttPort: number, extra: Record<string, unknown> = {}) {
  const sim = join(dir, 'sim0');
  const content = join(dir, 'content');
  await mkdir(sim, { recursive: true });
  await mkdir(content, { recursive: true });
  await writeFile(join(content, 'README.TXT'), 'disk2iso end-to-end test disc, a line of 64 bytes to fill it up\n'.repeat(mb * 16_384));
  const iso = join(dir, `${label}.iso`);
  execFileSync('genisoimage', ['-quiet', '-o', iso, '-V', label, '-J', '-r', content]);
  const apiDir = join(dir, 'api');
  const optionsPath = join(dir, 'options.json');
  await writeFile(
    optionsPath,
    JSON.stringify({
      drives: [`sim:${sim}`],
      api_dir: apiDir,
      output_dir: join(dir, 'out'),
      web_port: await freePort(),
      mqtt_enabled: true,
      mqtt_host: '127.0.0.1',
      mqtt_port: mqttPort,
      poll_media_interval: 1,
      poll_drive_interval: 1,
      poll_removal_interval: 1,
      min_free_space_mb: 0,
      log_level: 'info',
      ...extra,
    }),
  );
  return { sim, iso, apiDir, optionsPath };
}
