import { commandConfig } from '../config/index.js';
import { createLogger, LogBuffer } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { startCore } from './run.js';

const USAGE = `Usage: disk2iso run

The core: one state machine per drive, the copy pipeline, the web UI and the control API.
Options come from /data/options.json (override the path with DISK2ISO_OPTIONS). It refuses to
start, with one line saying why, when another core runs on the same api_dir or the output
folder cannot be used.`;

/** `disk2iso run`: the core process. Exits 0 after SIGTERM/SIGINT, 1 when it cannot start, 2 on bad arguments. */
export async function main(args: string[]): Promise<number> {
  const config = await commandConfig('run', args, USAGE);
  if (typeof config === 'number') return config;
  const logs = new LogBuffer();
  const logger = createLogger({ name: 'core', level: config.log_level, buffer: logs });
  let core;
  try {
    core = await startCore({ config, logger, logs });
  } catch (error) {
    // One plain line on stderr, and nothing else: the add-on's log shows exactly why it stopped.
    process.stderr.write(`disk2iso cannot start: ${errorMessage(error)}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'received %s, stopping', signal);
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  await core.stop();
  return 0;
}
