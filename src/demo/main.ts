import { mkdir, access } from 'node:fs/promises';
import { join, resolve, relative } from 'node:path';
import { parseOptions } from '../config/index.js';
import { simInsert, simReset, updateSimState } from '../drive/index.js';
import { createLogger, LogBuffer, registerPretty } from '../log/index.js';
import { startCore } from '../core/run.js';
import { errorMessage } from '../util/errors.js';
import { SAMPLE_AUDIO_SPEC, writeSampleAudioCd } from './sample-audio.js';
import { writeSampleIso } from './sample-iso.js';
import { progressLine, TerminalView, transitionLine } from './terminal.js';

const SAMPLE_BYTES = 96 * 1024 * 1024;
/** Slow enough that the progress bar is worth watching. */
const SIMULATED_SPEED = 12 * 1024 * 1024;

function demoDir(): string {
  return resolve(process.env.DISK2ISO_DEMO_DIR ?? '.demo');
}

function argValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

const USAGE = `Usage: disk2iso demo [insert IMAGE | sample LABEL | sample-audio] [--port N] [--mqtt URL]

  (no action)     run a core with a simulated drive and a sample disc, web UI on --port (8099)
  insert IMAGE    put an image (ISO, or a BIN/CUE audio CD: the .cue) into the running demo's simulated drive
  sample LABEL    make a sample disc image and insert it
  sample-audio    make a sample audio CD (BIN/CUE: tones with CD-TEXT) and insert it`;

/** `disk2iso demo [insert IMAGE | sample LABEL] [--port N] [--mqtt URL]` */
export async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = demoDir();
  const simFolder = join(dir, 'sim0');
  if (args[0] === 'insert') {
    const image = args[1];
    if (!image) {
      process.stderr.write('usage: disk2iso demo insert IMAGE\n');
      return 2;
    }
    await access(image);
    await simInsert(simFolder, image, { bytes_per_second: SIMULATED_SPEED });
    process.stdout.write(`inserted ${image} into the simulated drive ${simFolder}\n`);
    return 0;
  }
  if (args[0] === 'sample') {
    const label = args[1] ?? `DEMO_${Date.now().toString(36).toUpperCase()}`;
    const path = join(dir, 'discs', `${label}.iso`);
    await mkdir(join(dir, 'discs'), { recursive: true });
    await writeSampleIso(path, { label, dataBytes: SAMPLE_BYTES });
    await simInsert(simFolder, path, { bytes_per_second: SIMULATED_SPEED });
    process.stdout.write(`made ${path} and inserted it\n`);
    return 0;
  }
  if (args[0] === 'sample-audio') {
    const path = join(dir, 'discs', `audio-${Date.now().toString(36)}.cue`);
    await writeSampleAudioCd(path, SAMPLE_AUDIO_SPEC);
    await simInsert(simFolder, path);
    process.stdout.write(`made ${path} (and its .bin) and inserted it\n`);
    return 0;
  }
  return runDemo(dir, simFolder, args);
}

async function runDemo(dir: string, simFolder: string, args: string[]): Promise<number> {
  const port = Number(argValue(args, '--port') ?? process.env.DISK2ISO_DEMO_PORT ?? 8099);
  const mqttUrl = argValue(args, '--mqtt');
  const view = new TerminalView();
  let config;
  try {
    const broker = mqttUrl ? new URL(mqttUrl) : null;
    config = parseOptions(
      {
        drives: [`sim:${simFolder}`],
        api_dir: join(dir, 'api'),
        output_dir: join(dir, 'output'),
        web_port: port,
        poll_drive_interval: 2,
        poll_media_interval: 1,
        poll_removal_interval: 1,
        eject_after_copy: true,
        log_level: 'warning',
        mqtt_enabled: broker !== null,
        ...(broker
          ? {
              mqtt_host: broker.hostname,
              mqtt_port: Number(broker.port || (broker.protocol === 'mqtts:' ? 8883 : 1883)),
              mqtt_tls: broker.protocol === 'mqtts:',
              mqtt_user: decodeURIComponent(broker.username),
              mqtt_password: decodeURIComponent(broker.password),
            }
          : {}),
      },
      '(demo)',
    );
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    return 2;
  }

  const { default: pretty } = await import('pino-pretty');
  registerPretty((opts) => pretty(opts));
  const logs = new LogBuffer();
  const logger = createLogger({ name: 'demo', level: config.log_level, pretty: true, buffer: logs });

  await simReset(simFolder);
  await updateSimState(simFolder, { model: 'Demo DVD-RW (simulated)' });
  const core = await startCore({ config, logger, logs });
  let bridge: { stop(): Promise<void> } | null = null;
  if (mqttUrl) {
    const { startBridge } = await import('../mqtt/index.js');
    bridge = await startBridge(config, logger.child({ ns: 'mqtt' }));
  }

  const rel = (p: string) => relative(process.cwd(), p) || '.';
  view.line('');
  view.line('disk2iso demo — a simulated drive, a sample disc, the real core');
  view.line(`  web UI      ${core.web ? core.web.url : '(off)'}`);
  view.line(`  JSON files  ${rel(config.api_dir)}/  (drives/sim0/status.json, progress.json, attributes.json, history.json, events.jsonl)`);
  view.line(`  images      ${rel(config.output_dir)}/data/`);
  view.line(`  MQTT        ${mqttUrl ? `publishing to ${mqttUrl}` : 'off (add --mqtt mqtt://HOST:1883 to publish to a broker)'}`);
  view.line('');

  for (const machine of core.machines) {
    machine.events.on('transition', (_from, to, status) => view.line(transitionLine(machine.id, to, status.message)));
    machine.events.on('progress', (progress) => view.bar(progressLine(machine.id, progress)));
    machine.events.on('transition', (from, to) => {
      if (to === 'waiting_for_media' && from === 'idle') {
        view.line('');
        view.line('  Insert another disc from a second terminal:');
        view.line('    npm run demo -- sample MY_LABEL        (makes a new sample disc and inserts it)');
        view.line('    npm run demo -- sample-audio           (makes a sample audio CD, BIN/CUE, and inserts it)');
        view.line('    npm run demo -- insert path/to/disc.iso   (or a BIN/CUE: path/to/disc.cue)');
        view.line('  Stop with Ctrl+C.');
        view.line('');
      }
    });
  }

  const samplePath = join(dir, 'discs', 'DISK2ISO_DEMO.iso');
  await mkdir(join(dir, 'discs'), { recursive: true });
  await writeSampleIso(samplePath, { label: 'DISK2ISO_DEMO', dataBytes: SAMPLE_BYTES, date: new Date('2026-01-10T23:01:05Z') });
  await simInsert(simFolder, samplePath, { bytes_per_second: SIMULATED_SPEED });

  await new Promise<void>((resolveStop) => {
    process.once('SIGINT', () => resolveStop());
    process.once('SIGTERM', () => resolveStop());
  });
  view.line('stopping…');
  await bridge?.stop();
  await core.stop();
  return 0;
}
