import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger, LogBuffer } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { startCore } from './run.js';

/** `disk2iso run`: the core process. Exits 0 after SIGTERM/SIGINT, 1 on bad options. */
export async function main(_args: string[]): Promise<number> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `disk2iso: ${errorMessage(error)}`}\n`);
    return 1;
  }
  const logs = new LogBuffer();
  const logger = createLogger({ name: 'core', level: config.log_level, buffer: logs });
  let core;
  try {
    core = await startCore({ config, logger, logs });
  } catch (error) {
    logger.fatal({ err: errorMessage(error) }, 'disk2iso cannot start: %s', errorMessage(error));
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
