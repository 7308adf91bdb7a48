import { ConfigError, loadConfig } from '../config/index.js';
import { createLogger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { startBridge } from './start.js';

const USAGE = `Usage: disk2iso mqtt

The MQTT bridge: publishes the /data/api contract to Home Assistant (discovery, state, events)
and forwards MQTT commands to the core. Options come from /data/options.json (DISK2ISO_OPTIONS).`;

function untilSignal(signal?: AbortSignal): Promise<NodeJS.Signals | 'abort'> {
  return new Promise((resolve) => {
    const done = (why: NodeJS.Signals | 'abort') => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      clearInterval(keepAlive);
      resolve(why);
    };
    const onTerm = () => done('SIGTERM');
    const onInt = () => done('SIGINT');
    // An idle bridge (no broker) has nothing else keeping the process alive.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    signal?.addEventListener('abort', () => done('abort'), { once: true });
  });
}

/**
 * `disk2iso mqtt`: runs until SIGTERM/SIGINT, then publishes `offline` and exits 0.
 * Exits 1 on invalid options, 2 on bad arguments. `signal` stops it too (tests).
 */
export async function main(args: string[], deps: { signal?: AbortSignal } = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`disk2iso mqtt: unexpected argument "${args[0]}"\n\n${USAGE}\n`);
    return 2;
  }
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `disk2iso mqtt: ${errorMessage(error)}`}\n`);
    return 1;
  }
  const logger = createLogger({ name: 'mqtt', level: config.log_level });
  const running = await startBridge(config, logger);
  const why = await untilSignal(deps.signal);
  logger.info({ signal: why }, 'stopping the MQTT bridge (%s)', why);
  await running.stop();
  return 0;
}
