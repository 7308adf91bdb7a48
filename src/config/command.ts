import { errorMessage } from '../util/errors.js';
import { ConfigError, loadConfig, type Config } from './load.js';

/**
 * The start every service command shares (`disk2iso run`, `disk2iso mqtt`): `--help` prints the
 * usage (exit 0), any argument is refused (exit 2), options that cannot be read or are invalid
 * print one line saying why (exit 1). Returns the options to run with, or the exit code.
 */
export async function commandConfig(command: string, args: readonly string[], usage: string): Promise<Config | number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`disk2iso ${command}: unexpected argument "${args[0] ?? ''}"\n\n${usage}\n`);
    return 2;
  }
  try {
    return await loadConfig();
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `disk2iso ${command}: ${errorMessage(error)}`}\n`);
    return 1;
  }
}
