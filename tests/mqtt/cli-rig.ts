/**
 * For the end-to-end tests: `disk2iso run` / `disk2iso mqtt` from dist/ as child processes, a
 * fresh broker with a recording subscriber, and a temp folder with a simulated drive, a data disc
 * image made by genisoimage and an options file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Cleanups } from '../helpers/cleanups.js';
import { freePort, startMosquitto } from '../helpers/mosquitto.js';
import { recorderFor, tmpDir, waitFor, type Recorder } from './support.js';

export const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
/** dist/ is built (CI builds before testing); the end-to-end tests are skipped with a message otherwise. */
export const BUILT = existsSync(CLI);

export interface Proc {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function spawnCli(command: string, optionsPath: string, env: Record<string, string> = {}): Proc {
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

/** The last 3000 characters each process wrote, under its name: for failure messages. */
export function outputTails(procs: Record<string, Proc | null>): string {
  return Object.entries(procs)
    .map(([name, proc]) => `\n--- ${name} ---\n${proc?.output.join('').slice(-3000)}`)
    .join('');
}

/**
 * A fresh broker, a temp folder (`prefix`) and a recording subscriber; `spawn` starts
 * `disk2iso <command>` (stopped by `stopProc`). All of it is torn down by `cleanups`.
 */
export async function e2eRig(cleanups: Cleanups, prefix: string) {
  const broker = await startMosquitto();
  cleanups.defer(() => broker.dispose());
  const dir = await tmpDir(prefix);
  cleanups.defer(dir.remove);
  const recorder = await recorderFor(cleanups, broker.url);
  const spawn = (command: string, optionsPath: string, env: Record<string, string> = {}): Proc => {
    const proc = spawnCli(command, optionsPath, env);
    cleanups.defer(() => stopProc(proc));
    return proc;
  };
  return { broker, dir: dir.path, recorder, spawn };
}

/** Waits until the bridge of an `e2eFolder` saved its event cursor at `seq` or later. */
export async function cursorSaved(dir: string, seq: number): Promise<void> {
  const path = join(dir, 'mqtt', 'state.json');
  await waitFor(async () => {
    try {
      return (JSON.parse(await readFile(path, 'utf8')) as { last_seq: number }).last_seq >= seq;
    } catch {
      return false;
    }
  }, { message: 'cursor saved' });
}

/** After a broker restart: waits until `client` publishes again and `recorder`, resubscribed, gets it. */
export async function clientAndRecorderBack(client: MqttClient, recorder: Recorder): Promise<void> {
  await waitFor(
    async () => {
      await client.publishAsync('test/ping', 'x', { qos: 1 }).catch(() => undefined);
      return recorder.on('test/ping').length > 0;
    },
    { timeout: 30_000, interval: 200, message: 'recorder and test client back' },
  );
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
