import { Disk2isoError } from '../util/errors.js';

/**
 * GNU ddrescue mapfile format (https://www.gnu.org/software/ddrescue/manual/ddrescue_manual.html#Mapfile-structure):
 * comment lines start with `#`; the first data line is `current_pos current_status current_pass`,
 * then one `pos size status` line per block, contiguous. Block status: `?` non-tried,
 * `*` non-trimmed, `/` non-scraped, `-` bad sector(s), `+` finished.
 */
export type BlockStatus = '?' | '*' | '/' | '-' | '+';
/**
 * Phase of the run: copying `?`, trimming `*`, scraping `/`, retrying `-`, filling `F`,
 * generating `G`, finished `+`.
 */
export type PassStatus = BlockStatus | 'F' | 'G';

export interface MapBlock {
  pos: number;
  size: number;
  status: BlockStatus;
}

export interface Mapfile {
  currentPos: number;
  currentStatus: PassStatus;
  currentPass: number;
  blocks: MapBlock[];
}

export class MapfileError extends Disk2isoError {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super(`Bad mapfile at line ${line}: ${detail}`, { context: { line } });
  }
}

const BLOCK_STATUSES = new Set<string>(['?', '*', '/', '-', '+']);
const PASS_STATUSES = new Set<string>([...BLOCK_STATUSES, 'F', 'G']);

function parseNumber(text: string | undefined, line: number, what: string): number {
  if (text === undefined || !/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) {
    throw new MapfileError(line, `${what} '${text ?? ''}' is not a number`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new MapfileError(line, `${what} ${text} is too large`);
  return value;
}

/** Parses a mapfile; throws `MapfileError` for anything ddrescue would not accept. */
export function parseMapfile(text: string): Mapfile {
  let header: Omit<Mapfile, 'blocks'> | null = null;
  const blocks: MapBlock[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    if (header === null) {
      if (fields.length < 2 || fields.length > 3) {
        throw new MapfileError(lineNo, 'expected "current_pos current_status [current_pass]"');
      }
      const status = fields[1] ?? '';
      if (!PASS_STATUSES.has(status)) throw new MapfileError(lineNo, `unknown current status '${status}'`);
      header = {
        currentPos: parseNumber(fields[0], lineNo, 'current_pos'),
        currentStatus: status as PassStatus,
        currentPass: fields[2] === undefined ? 1 : parseNumber(fields[2], lineNo, 'current_pass'),
      };
      continue;
    }
    if (fields.length !== 3) throw new MapfileError(lineNo, 'expected "pos size status"');
    const pos = parseNumber(fields[0], lineNo, 'pos');
    const size = parseNumber(fields[1], lineNo, 'size');
    const status = fields[2] ?? '';
    if (!BLOCK_STATUSES.has(status)) throw new MapfileError(lineNo, `unknown block status '${status}'`);
    if (size <= 0) throw new MapfileError(lineNo, 'block size must be positive');
    const previous = blocks.at(-1);
    const expected = previous ? previous.pos + previous.size : pos;
    if (pos !== expected) {
      throw new MapfileError(lineNo, `block at ${pos} does not follow the previous one (expected ${expected})`);
    }
    blocks.push({ pos, size, status: status as BlockStatus });
  }
  if (header === null) throw new MapfileError(lines.length, 'no status line');
  return { ...header, blocks };
}

const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/** Formats like GNU ddrescue 1.2x does (hex positions), so `ddrescue` and `ddrescuelog` can read it. */
export function formatMapfile(map: Mapfile, info: { commandLine?: string; started?: Date; now?: Date } = {}): string {
  const stamp = (d: Date): string => d.toISOString().replace('T', ' ').slice(0, 19);
  const lines = ['# Mapfile. Created by disk2iso (GNU ddrescue format)'];
  if (info.commandLine) lines.push(`# Command line: ${info.commandLine.replace(/[\r\n]/g, ' ')}`);
  if (info.started) lines.push(`# Start time:   ${stamp(info.started)}`);
  if (info.now) lines.push(`# Current time: ${stamp(info.now)}`);
  if (map.currentStatus === '+') lines.push('# Finished');
  lines.push('# current_pos  current_status  current_pass');
  lines.push(`${hex(map.currentPos)}     ${map.currentStatus}               ${map.currentPass}`);
  lines.push('#      pos        size  status');
  for (const block of map.blocks) lines.push(`${hex(block.pos)}  ${hex(block.size)}  ${block.status}`);
  return `${lines.join('\n')}\n`;
}
