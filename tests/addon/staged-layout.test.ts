/**
 * Docker cannot run here, so this proves what can be proven about the image: the same script as
 * the Dockerfile's build stage lays out /app and /etc/s6-overlay, and the services' own command
 * lines (taken from their s6 run scripts) start from that layout, serve, write the contract,
 * publish to a real Mosquitto and stop cleanly on SIGTERM within their s6 kill deadlines.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, DriveStatusSchema, readContractValue, SystemSchema } from '../../src/contract/index.js';
import { cleanupsAfterAll } from '../helpers/cleanups.js';
import { freePort } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';
import { requireMosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { REPO } from './support.js';

const S6 = join(REPO, 'rootfs', 'etc', 's6-overlay', 's6-rc.d');
const NEEDED = { core: 'src/core/main.ts', bridge: 'src/mqtt/main.ts', cli: 'src/cli.ts' };
const missing = Object.values(NEEDED).filter((f) => !existsSync(join(REPO, f)));
if (missing.length > 0) console.warn(`SKIPPED staged-layout: not written yet: ${missing.join(', ')}`);
const HAS_MOSQUITTO = missing.length === 0 && requireMosquitto();

/** The service's command line from its s6 run script, with /app moved into the staged tree. */
function serviceCommand(service: string, stage: string): string[] {
  const run = readFileSync(join(S6, service, 'run'), 'utf8');
  const line = run.split('\n').find((l) => l.startsWith('exec '));
  if (!line) throw new Error(`${service}/run has no exec line`);
  return line
    .slice('exec '.length)
    .trim()
    .split(/\s+/)
    .map((arg) => (arg.startsWith('/app/') ? join(stage, arg) : arg));
}

const killDeadlineMs = (service: string) => Number(readFileSync(join(S6, service, 'timeout-kill'), 'utf8'));

/** Waits for the process to end, failing once the s6 deadline to SIGKILL it in the add-on passes. */
async function exitBeforeKill(child: ResultPromise, service: string): Promise<{ exitCode?: number; all: string }> {
  const ms = killDeadlineMs(service);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${service} still running ${ms} ms after SIGTERM: s6 would SIGKILL it`)), ms);
  });
  try {
    const result = await Promise.race([child, deadline]);
    return { exitCode: result.exitCode, all: typeof result.all === 'string' ? result.all : '' };
  } finally {
    clearTimeout(timer);
  }
}

describe.skipIf(missing.length > 0)('the staged image layout', () => {
  let root = '';
  let cleanup: () => Promise<void> = async () => {};
  let stage = '';

  beforeAll(async () => {
    ({ dir: root, cleanup } = await makeTempDir('disk2iso-stage-test-'));
    stage = join(root, 'stage');
    const result = await execa('bash', [join(REPO, 'scripts', 'stage-image.sh'), stage], { reject: false, all: true });
    if (result.exitCode !== 0) throw new Error(`stage-image.sh failed:\n${String(result.all)}`);
  }, 300_000);

  afterAll(async () => cleanup());

  it('has the layout the Dockerfile copies to /', () => {
    const pkg = JSON.parse(readFileSync(join(stage, 'app', 'package.json'), 'utf8')) as { type?: string };
    expect(pkg.type).toBe('module');
    for (const file of ['dist/cli.js', 'dist/core/main.js', 'dist/mqtt/main.js', 'dist/web/assets/app.js', 'dist/web/assets/app.css', 'node_modules/zod/package.json']) {
      expect(existsSync(join(stage, 'app', file)), file).toBe(true);
    }
    // Production dependencies only.
    for (const dev of ['vitest', 'typescript', 'esbuild', 'eslint', 'playwright-core']) {
      expect(existsSync(join(stage, 'app', 'node_modules', dev)), dev).toBe(false);
    }
    for (const service of ['disk2iso', 'disk2iso-mqtt']) {
      const run = join(stage, 'etc', 's6-overlay', 's6-rc.d', service, 'run');
      expect(statSync(run).mode & 0o111, run).toBe(0o111);
    }
  });

  it('loads koffi (the FFI for drive ioctls) from the production dependencies', async () => {
    const probe = "import koffi from 'koffi'; const getpid = koffi.load('libc.so.6').func('int getpid()'); console.log(getpid() === process.pid)";
    const { stdout } = await execa('node', ['--input-type=module', '-e', probe], { cwd: join(stage, 'app') });
    expect(stdout.trim()).toBe('true');
  });

  describe.skipIf(!HAS_MOSQUITTO)('services started from the layout', () => {
    const cleanups = cleanupsAfterAll();
    const seen: { topic: string; payload: string }[] = [];

    it('serve, write the contract, publish to MQTT and stop cleanly on SIGTERM', async () => {
      const broker = await startMosquitto();
      cleanups.defer(() => broker.dispose());
      const client = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
      cleanups.defer(() => client.endAsync(true));
      client.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
      await client.subscribeAsync('disk2iso/#');

      const api = join(root, 'data', 'api');
      const sim = join(root, 'sim0');
      await mkdir(sim, { recursive: true });
      const webPort = await freePort();
      const optionsPath = join(root, 'data', 'options.json');
      await mkdir(join(root, 'data'), { recursive: true });
      const options = {
        drives: [`sim:${sim}`],
        api_dir: api,
        output_dir: join(root, 'media', 'disk2iso'),
        web_port: webPort,
        mqtt_enabled: true,
        mqtt_host: '127.0.0.1',
        mqtt_port: broker.port,
        log_level: 'info',
      };
      await writeFile(optionsPath, JSON.stringify(options));
      const env = { DISK2ISO_OPTIONS: optionsPath };
      const start = (service: string): ResultPromise => {
        const [cmd = 'node', ...args] = serviceCommand(service, stage);
        return execa(cmd, args, { env, cwd: root, reject: false, all: true, stdin: 'ignore' });
      };

      const core = start('disk2iso');
      const bridge = start('disk2iso-mqtt');
      try {
        const health = await waitFor(
          async () => {
            const res = await fetch(`http://127.0.0.1:${webPort}/healthz`);
            return res.ok ? await res.json() : null;
          },
          { timeoutMs: 60_000, message: 'GET /healthz from the staged core' },
        );
        expect(health).toEqual({ status: 'ok' });
        // The browser bundle made by the stage script is what the core serves.
        const script = await fetch(`http://127.0.0.1:${webPort}/app.js`);
        expect(script.status).toBe(200);
        expect(await script.text()).toBe(readFileSync(join(stage, 'app', 'dist', 'web', 'assets', 'app.js'), 'utf8'));

        const paths = apiPaths(api);
        // An empty simulated drive settles in waiting_for_media (passing initializing and drive_detected).
        const status = await waitFor(
          async () => {
            const current = await readContractValue(paths.status('sim0'), DriveStatusSchema);
            return current?.state === 'waiting_for_media' ? current : null;
          },
          { timeoutMs: 30_000, message: 'status.json of sim0 in waiting_for_media' },
        );
        expect(status.drive.simulated).toBe(true);
        const system = await waitFor(() => readContractValue(paths.system, SystemSchema), { message: 'system.json' });
        expect(system.version).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version);

        await waitFor(() => seen.find((m) => m.topic === 'disk2iso/availability' && m.payload === 'online'), {
          timeoutMs: 30_000,
          message: 'the bridge to publish disk2iso/availability online',
        });
        await waitFor(() => seen.find((m) => m.topic.startsWith('disk2iso/sim0/')), {
          timeoutMs: 30_000,
          message: 'the bridge to publish the state of sim0',
        });
      } finally {
        // s6 stops the bridge first (it depends on the core), then the core.
        bridge.kill('SIGTERM');
        const bridgeExit = await exitBeforeKill(bridge, 'disk2iso-mqtt');
        core.kill('SIGTERM');
        const coreExit = await exitBeforeKill(core, 'disk2iso');
        expect(bridgeExit.exitCode, bridgeExit.all).toBe(0);
        expect(coreExit.exitCode, coreExit.all).toBe(0);
      }
      await waitFor(() => seen.filter((m) => m.topic === 'disk2iso/availability').at(-1)?.payload === 'offline', {
        message: 'disk2iso/availability offline after the bridge stopped',
      });
    }, 180_000);
  });
});
