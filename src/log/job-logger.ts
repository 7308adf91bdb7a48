import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

/**
 * A logger for one job that writes to its own file (`<output>/.log/<job>.log`) and also passes
 * every line on to the main logger, so the job log is complete and the add-on log keeps context.
 */
export function createJobLogger(main: Logger, file: string, bindings: Record<string, unknown>): { logger: Logger; close(): void } {
  const mainChild = main.child(bindings);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch {
    return { logger: mainChild, close: () => undefined };
  }
  const destination = pino.destination({ dest: file, sync: true, mkdir: true });
  const logger = pino(
    {
      level: 'debug',
      base: bindings,
      hooks: {
        logMethod(args, method, level) {
          const name = pino.levels.labels[level] as 'info' | undefined;
          if (name && name in mainChild) mainChild[name](...args);
          method.apply(this, args);
        },
      },
    },
    destination,
  );
  return {
    logger,
    close: () => {
      try {
        destination.flushSync();
        destination.end();
      } catch {
        // The job log is best effort; never fail a job over it.
      }
    },
  };
}
