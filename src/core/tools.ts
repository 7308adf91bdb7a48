import { execa } from 'execa';

/** External tools disk2iso uses or reports, with the flag that prints their version. */
const TOOLS: ReadonlyArray<readonly [name: string, args: readonly string[]]> = [
  ['ddrescue', ['--version']],
  ['dvdbackup', ['--version']],
  ['genisoimage', ['--version']],
  ['xorriso', ['-version']],
  ['cdparanoia', ['--version']],
  ['flac', ['--version']],
  ['lame', ['--version']],
  ['eject', ['--version']],
];

/** First line that looks like a version, from stdout or stderr. */
export function versionLine(output: string): string | null {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  const withDigit = lines.find((l) => /\d+\.\d+/.test(l));
  const line = withDigit ?? lines[0];
  return line ? line.slice(0, 120) : null;
}

/** Asks each tool once at start-up (never per poll); a missing tool is `null`. */
export async function detectTools(): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    TOOLS.map(async ([name, args]) => {
      try {
        const result = await execa(name, args, { timeout: 3000, reject: false, stdin: 'ignore' });
        if (result.failed && result.exitCode === undefined) return [name, null] as const;
        return [name, versionLine(`${result.stdout}\n${result.stderr}`)] as const;
      } catch {
        return [name, null] as const;
      }
    }),
  );
  return { node: process.version, ...Object.fromEntries(entries) };
}
