#!/usr/bin/env node
import { errorMessage } from './util/errors.js';

// Drive calls run on libuv's pool with time-outs; a hung drive may hold two threads (see
// src/drive/linux/lane.ts). Set before the first pool use, which happens after this line.
process.env.UV_THREADPOOL_SIZE ??= '8';

const USAGE = `Usage: disk2iso <command>

Commands:
  run                 the core: drives, state machines, copy pipeline, web UI (port 8099)
  mqtt                the MQTT bridge: publishes /data/api to Home Assistant
  demo                a demo with a simulated drive and a sample disc (no drive, no root needed)
  sim <action> ...    steer a simulated drive folder (insert, eject, unplug, replug, errors)

Options come from /data/options.json (override the path with DISK2ISO_OPTIONS).`;

type Main = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Main>> = {
  run: async () => (await import('./core/main.js')).main,
  mqtt: async () => (await import('./mqtt/main.js')).main,
  demo: async () => (await import('./demo/main.js')).main,
  sim: async () => (await import('./demo/sim-cli.js')).main,
};

async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`disk2iso: unknown command "${command}"\n\n${USAGE}\n`);
    return 2;
  }
  return (await load())(rest);
}

cli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`disk2iso: ${errorMessage(error)}\n`);
    process.exitCode = 1;
  },
);
