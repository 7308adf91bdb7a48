import { mkdir, access } from 'node:fs/promises';
import { join, resolve, relative } from 'node:path';
import { parseOptions } from '../config/index.js';
import { simInsert, simReset, updateSimState } from '../drive/index.js';
import { createLogger, LogBuffer, registerPretty } from '../log/index.js';
import { startCore } from '../core/run.js';
import { errorMessage } from '../util/errors.js';
import { SAMPLE_AUDIO_SPEC, writeSampleAudioCd } from './sample-audio.js';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin } from './metadata-standin.js';
import { writeSampleIso } from './sample-iso.js';
import { progressLine, TerminalView, transitionLine } from './terminal.js';

const SAMPLE_BYTES = 96 * 1024 * 1024;
/** Slow enough that the progress bar is worth watching. */
const SIMULATED_SPEED = 12 * 1024 * 1024;
/** The sample DVD-Video: its label stands for "My Movie", which the stand-in's TMDB finds twice (2004, 2019). */
const SAMPLE_DVD_LABEL = 'MY_MOVIE_DISC_1';
const SAMPLE_DVD_BYTES = 48 * 1024 * 1024;

function demoDir(): string {
  return resolve(process.env.DISK2ISO_DEMO_DIR ?? '.demo');
}

function argValue(args: string[], flag: string): string | undefined {
  const index = args.indexOf(flag);
  return index >= 0 ? args[index + 1] : undefined;
}

const USAGE = `Usage: disk2iso demo [insert IMAGE | sample LABEL | sample-dvd [LABEL] | sample-audio] [--port N] [--mqtt URL] [--tmdb-key KEY]

  (no action)       run a core with a simulated drive and a sample disc, web UI on --port (8099)
  insert IMAGE      put an image (ISO, or a BIN/CUE audio CD: the .cue) into the running demo's simulated drive
  sample LABEL      make a sample disc image and insert it
  sample-dvd LABEL  make a sample DVD-Video (default ${SAMPLE_DVD_LABEL}: two films on the demo's TMDB) and insert it
  sample-audio      make a sample audio CD (BIN/CUE: tones with CD-TEXT) and insert it
  --tmdb-key KEY    look discs up on the real TMDB, MusicBrainz and Cover Art Archive; without it
                    the demo answers from a loopback stand-in with a small catalogue`;

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
  if (args[0] === 'sample-dvd') {
    const label = args[1] && !args[1].startsWith('--') ? args[1] : SAMPLE_DVD_LABEL;
    const path = join(dir, 'discs', `${label}.iso`);
    await mkdir(join(dir, 'discs'), { recursive: true });
    await writeSampleIso(path, { label, dataBytes: SAMPLE_DVD_BYTES, dvdVideo: true });
    await simInsert(simFolder, path, { bytes_per_second: SIMULATED_SPEED });
    process.stdout.write(`made the DVD-Video ${path} and inserted it\n`);
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
  const realTmdbKey = argValue(args, '--tmdb-key') ?? process.env.DISK2ISO_DEMO_TMDB_KEY ?? '';
  const view = new TerminalView();
  // Without a real key the lookups go to a loopback stand-in (TMDB v3, MusicBrainz, Cover Art
  // Archive shapes); the core finds it through its DISK2ISO_*_URL variables, read at start.
  let standin: MetadataStandin | null = null;
  if (realTmdbKey === '') {
    standin = await startMetadataStandin(DEMO_CATALOGUE);
    Object.assign(process.env, standin.env());
  }
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
        tmdb_api_key: realTmdbKey || DEMO_CATALOGUE.tmdbApiKey,
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
    await standin?.close();
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
  view.line(
    `  metadata    ${standin ? `demo stand-in for TMDB, MusicBrainz and the Cover Art Archive at ${standin.baseUrl} (--tmdb-key KEY for the real ones)` : 'TMDB (your key), MusicBrainz, Cover Art Archive'}`,
  );
  view.line('');

  for (const machine of core.machines) {
    machine.events.on('transition', (_from, to, status) => view.line(transitionLine(machine.id, to, status.message)));
    machine.events.on('progress', (progress) => view.bar(progressLine(machine.id, progress)));
    machine.events.on('transition', (from, to) => {
      if (to === 'waiting_for_metadata') {
        view.line(`  Which disc is it? Choose in the web UI (${core.web ? core.web.url : 'web UI off'}), or with the drive's Metadata select in Home Assistant (--mqtt);`);
        view.line('  without an answer the default is taken when metadata_timeout (120 s) ends.');
      }
      if (to === 'waiting_for_media' && from === 'idle') {
        view.line('');
        view.line('  Insert another disc from a second terminal:');
        view.line('    npm run demo -- sample MY_LABEL        (makes a new sample disc and inserts it)');
        view.line(`    npm run demo -- sample-dvd             (a DVD-Video "${SAMPLE_DVD_LABEL}": two films to choose from, with covers)`);
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
  await standin?.close();
  return 0;
}
