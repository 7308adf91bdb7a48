import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from './errors.js';

/**
 * Checksum files, read by the scrub (core) and the Verify button (web server) alike: an image's
 * sidecar (`<image>.sha256`), and the checksum manifest of an archived folder (an audio rip): `checksums.sha256` / `checksums.md5`
 * in the folder, one `sha256sum` line per file by its path relative to the folder, so that
 * `sha256sum -c checksums.sha256` checks it from inside. Read by the scrub and the Verify button.
 */
export type ManifestAlgorithm = 'sha256' | 'md5';

export function manifestName(algorithm: ManifestAlgorithm): string {
  return `checksums.${algorithm}`;
}

export interface ManifestEntry {
  /** Relative to the folder, '/'-separated; never absolute, never with `.` or `..` segments. */
  readonly path: string;
  readonly digest: string;
}

export interface Manifest {
  readonly entries: ManifestEntry[];
  /** Lines that are neither a checksum line nor blank, or that name a path outside the folder. */
  readonly invalid: number;
}

const MANIFEST_NAMES: ReadonlySet<string> = new Set([manifestName('sha256'), manifestName('md5')]);

const DIGEST_LENGTH: Record<ManifestAlgorithm, number> = { sha256: 64, md5: 32 };

/** Undoes coreutils' escaping of a name (a line starting with `\`: `\\`, `\n`, `\r`). */
function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

function insideFolder(path: string): boolean {
  if (path === '' || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * Pure: the entries of a manifest (`<hex>  <name>` or `<hex> *<name>`, coreutils' escaped form
 * too), without the manifests themselves. A path that would leave the folder is not an entry but an invalid line: a manifest never
 * makes anyone read a file outside the folder it sits in.
 */
export function parseManifest(text: string, algorithm: ManifestAlgorithm): Manifest {
  const line = new RegExp(`^(\\\\?)([0-9a-fA-F]{${DIGEST_LENGTH[algorithm]}}) [ *](.+)$`);
  const entries: ManifestEntry[] = [];
  let invalid = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const match = line.exec(raw);
    // `find . -type f -exec sha256sum {} +` writes `./01.flac`: the same file.
    const name = (match ? (match[1] ? unescapeName(match[3] ?? '') : (match[3] ?? '')) : '').replace(/^(\.\/)+/, '');
    if (!match || !insideFolder(name)) {
      invalid += 1;
      continue;
    }
    // A manifest listed in a manifest (`sha256sum -- * > checksums.sha256` run twice) is no track.
    if (MANIFEST_NAMES.has(name)) continue;
    entries.push({ path: name, digest: (match[2] ?? '').toLowerCase() });
  }
  return { entries, invalid };
}

/** Pure: the hex digest at the start of a `sha256sum`/`md5sum` sidecar (its escaped form too), or null. */
export function digestOf(text: string, algorithm: ManifestAlgorithm): string | null {
  return new RegExp(`^\\\\?([0-9a-fA-F]{${DIGEST_LENGTH[algorithm]}})(\\s|$)`).exec(text.trimStart())?.[1]?.toLowerCase() ?? null;
}

/** The entries of the manifest in folder `dir`; throws (naming the manifest) when it cannot be read or lists no file. */
export async function readManifest(dir: string, algorithm: ManifestAlgorithm): Promise<ManifestEntry[]> {
  const name = manifestName(algorithm);
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (error) {
    throw new Error(`${name}: ${errorMessage(error)}`, { cause: error });
  }
  const { entries } = parseManifest(text, algorithm);
  if (entries.length === 0) throw new Error(`${name} lists no file`);
  return entries;
}

/** Pure: one line of a folder check's detail, the files that failed named (at most `shown`). */
export function folderCheckDetail(failed: readonly string[], total: number, shown = 5): string | null {
  if (failed.length === 0) return null;
  const names = failed.slice(0, shown).join(', ');
  const more = failed.length > shown ? ` and ${failed.length - shown} more` : '';
  return `${failed.length} of ${total} file(s) do not match the manifest: ${names}${more}`;
}
