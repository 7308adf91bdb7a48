import { pino, multistream, type Level, type Logger, type StreamEntry } from 'pino';
import { LogBuffer } from './buffer.js';

export type { Logger } from 'pino';

/** Home Assistant's log level names → pino's. */
function pinoLevel(level: string): Level {
  switch (level) {
    case 'notice':
      return 'info';
    case 'warning':
      return 'warn';
    case 'trace':
    case 'debug':
    case 'info':
    case 'error':
    case 'fatal':
      return level;
    default:
      return 'info';
  }
}

export interface LoggerOptions {
  level: string;
  /** Human-readable output (demo, development); JSON otherwise (the add-on). */
  pretty?: boolean;
  /** Also keep recent lines here (web UI log page). */
  buffer?: LogBuffer;
  /** Name of the process, e.g. "core" or "mqtt". */
  name: string;
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const level = pinoLevel(options.level);
  const streams: StreamEntry[] = [];
  if (options.pretty) {
    // pino-pretty as a stream (not a worker transport) keeps ordering with the buffer.
    streams.push({ level, stream: prettyStream(options.destination) });
  } else {
    streams.push({ level, stream: options.destination ?? process.stdout });
  }
  if (options.buffer) streams.push({ level, stream: options.buffer.stream() });
  return pino({ name: options.name, level, base: { pid: process.pid } }, multistream(streams));
}

let prettyFactory: ((opts: Record<string, unknown>) => NodeJS.WritableStream) | null = null;

/** Registered by the CLI before the first logger is created, so pino-pretty loads only when used. */
export function registerPretty(factory: (opts: Record<string, unknown>) => NodeJS.WritableStream): void {
  prettyFactory = factory;
}

function prettyStream(destination?: NodeJS.WritableStream): NodeJS.WritableStream {
  if (!prettyFactory) return destination ?? process.stdout;
  return prettyFactory({
    colorize: true,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname,name',
    messageFormat: '{if ns}[{ns}] {end}{msg}',
    destination: destination ?? 1,
    sync: true,
  });
}

/** A child logger for one namespace: `createLogger(...).child({ ns: 'copy' })`. */
export function namespaced(logger: Logger, ns: string, extra: Record<string, unknown> = {}): Logger {
  return logger.child({ ns, ...extra });
}
