/**
 * A real Mosquitto broker for tests: started on a free loopback port with its own config in a
 * tmp dir, stoppable (SIGTERM), killable (SIGKILL) and restartable on the same port.
 *
 *   const broker = await startMosquitto();            // null (with a message) when not installed
 *   const broker = await startMosquitto({ users: { alice: 'secret' } }); // password_file, no anonymous
 *   await broker.kill(); await broker.start();         // broker crash and restart, same port
 *   await broker.stop();                               // at the end (also removes the tmp dir)
 *
 * When /usr/sbin/mosquitto is missing the test fails if env CI is set, else it is skipped: use
 * `describe.skipIf(!MOSQUITTO_AVAILABLE)` together with `requireMosquitto()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MOSQUITTO_BIN = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD_BIN = process.env.MOSQUITTO_PASSWD_BIN ?? '/usr/bin/mosquitto_passwd';
export const MOSQUITTO_AVAILABLE = existsSync(MOSQUITTO_BIN);

/** Call at the top of a suite: throws on CI when Mosquitto is missing, else warns once. */
export function requireMosquitto(): boolean {
  if (MOSQUITTO_AVAILABLE) return true;
  const message = `Mosquitto not found at ${MOSQUITTO_BIN}: install the Debian package "mosquitto" (MQTT tests need a real broker)`;
  if (process.env.CI) throw new Error(message);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

export interface MosquittoOptions {
  /** Username → password; when given, anonymous access is off (password_file via mosquitto_passwd). */
  users?: Record<string, string>;
  /** Extra config lines. */
  extraConfig?: string[];
}

export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The broker's recent log lines (stderr), for failure messages. */
  readonly log: readonly string[];
  readonly running: boolean;
  /** Starts it again on the same port (after stop/kill). */
  start(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a hung broker. */
  pause(): void;
  resume(): void;
  /** Stops it and removes its tmp dir. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

class MosquittoProcess implements Mosquitto {
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  readonly log: string[] = [];

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly configPath: string,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    const child = spawn(MOSQUITTO_BIN, ['-c', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line) this.log.push(line);
      if (this.log.length > 200) this.log.splice(0, this.log.length - 200);
    });
    this.#exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (this.#child === child) this.#child = null;
        resolve();
      });
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (!this.#child) throw new Error(`mosquitto exited at start on port ${this.port}:\n${this.log.join('\n')}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not listen on port ${this.port} within 15 s:\n${this.log.join('\n')}`);
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child) return;
    if (signal === 'SIGTERM') child.kill('SIGCONT');
    child.kill(signal);
    await this.#exited;
  }

  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Starts a broker; retries on another port if the chosen one was taken meanwhile. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  if (!MOSQUITTO_AVAILABLE) throw new Error(`Mosquitto not found at ${MOSQUITTO_BIN}`);
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-mosquitto-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const lines = [
      `listener ${port} 127.0.0.1`,
      // As root, mosquitto would switch to user "mosquitto", which cannot read the tmp dir.
      'user root',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      'log_type notice',
      'max_queued_messages 100000',
    ];
    if (options.users) {
      const passwordFile = join(dir, 'passwords');
      await writeFile(passwordFile, '', { mode: 0o600 });
      for (const [user, password] of Object.entries(options.users)) {
        execFileSync(MOSQUITTO_PASSWD_BIN, ['-b', passwordFile, user, password]);
      }
      lines.push('allow_anonymous false', `password_file ${passwordFile}`);
    } else {
      lines.push('allow_anonymous true');
    }
    lines.push(...(options.extraConfig ?? []));
    const configPath = join(dir, `mosquitto-${port}.conf`);
    await writeFile(configPath, `${lines.join('\n')}\n`);
    const broker = new MosquittoProcess(dir, port, configPath);
    try {
      await broker.start();
      return broker;
    } catch (error) {
      lastError = error;
      await broker.kill();
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
