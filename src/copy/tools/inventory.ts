import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { execa } from 'execa';
import { findLibdvdcss, LIBRARY_DIRS } from '../dvd-video/libdvdcss.js';

/** Every external program disk2iso runs or reports, with the flag that prints its version. */
export const TOOLS = {
  ddrescue: { versionArgs: ['--version'], package: 'gddrescue' },
  dvdbackup: { versionArgs: ['--version'], package: 'dvdbackup' },
  genisoimage: { versionArgs: ['--version'], package: 'genisoimage' },
  xorriso: { versionArgs: ['-version'], package: 'xorriso' },
  'cd-paranoia': { versionArgs: ['--version'], package: 'cd-paranoia' },
  cdparanoia: { versionArgs: ['--version'], package: 'cdparanoia' },
  'cd-info': { versionArgs: ['--version'], package: 'libcdio-utils' },
  flac: { versionArgs: ['--version'], package: 'flac' },
  lame: { versionArgs: ['--version'], package: 'lame' },
  eject: { versionArgs: ['--version'], package: 'eject' },
} as const satisfies Record<string, { versionArgs: readonly string[]; package: string }>;

export type ToolName = keyof typeof TOOLS;
export const TOOL_NAMES = Object.keys(TOOLS) as ToolName[];

/** What is installed, found once at start-up and handed to the method choice. */
export interface ToolInventory {
  /** The version line of each tool, or null when it is not on PATH. */
  readonly tools: Readonly<Record<ToolName, string | null>>;
  /** libdvdcss's version (from the library file name), or null when it is not installed. */
  readonly libdvdcss: string | null;
}

/** The package that provides `tool`, for "not installed" messages (the tool's own name when unknown). */
export function packageOf(tool: string): string {
  return tool in TOOLS ? TOOLS[tool as ToolName].package : tool;
}

/** True when `tool` was found. */
export function hasTool(inventory: ToolInventory, tool: ToolName): boolean {
  return inventory.tools[tool] !== null;
}

/** "dvdbackup is not installed (package 'dvdbackup')": the start of every fallback warning. */
export function notInstalled(tool: ToolName): string {
  return `${tool} is not installed (package '${packageOf(tool)}')`;
}

/** An inventory with the given tools present (tests, and what-if summaries); everything else missing. */
export function inventoryOf(present: readonly ToolName[], libdvdcss: string | null = null): ToolInventory {
  const tools = Object.fromEntries(TOOL_NAMES.map((name) => [name, present.includes(name) ? 'test' : null])) as Record<ToolName, string | null>;
  return { tools, libdvdcss };
}

/** First line that looks like a version, from stdout or stderr. */
export function versionLine(output: string): string | null {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /\d+\.\d+/.test(l)) ?? lines[0];
  return line ? line.slice(0, 120) : null;
}

export interface ProbeOptions {
  /** Folders searched for the tools (default: `PATH`). */
  readonly path?: string;
  /** Folders searched for libdvdcss (default: the usual library folders). */
  readonly libraryDirs?: readonly string[];
}

/**
 * Finds every tool on PATH and asks it for its version, and looks for libdvdcss. Spawns one
 * process per installed tool: call it once at start-up, never per poll.
 */
export async function probeTools(options: ProbeOptions = {}): Promise<ToolInventory> {
  const dirs = (options.path ?? process.env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  const entries = await Promise.all(
    TOOL_NAMES.map(async (name) => {
      const file = await findExecutable(name, dirs);
      return [name, file === null ? null : await toolVersion(file, TOOLS[name].versionArgs)] as const;
    }),
  );
  const tools = Object.fromEntries(entries) as Record<ToolName, string | null>;
  const library = await findLibdvdcss(options.libraryDirs ?? LIBRARY_DIRS);
  return { tools, libdvdcss: library?.version ?? null };
}

async function findExecutable(name: string, dirs: readonly string[]): Promise<string | null> {
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      await access(file, constants.X_OK);
      if ((await stat(file)).isFile()) return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** The tool's version line; a tool that is there but prints nothing useful is still reported as installed. */
async function toolVersion(file: string, args: readonly string[]): Promise<string> {
  try {
    const result = await execa(file, args, { timeout: 3000, reject: false, stdin: 'ignore' });
    return versionLine(`${String(result.stdout)}\n${String(result.stderr)}`) ?? 'installed (version unknown)';
  } catch {
    return 'installed (version unknown)';
  }
}
