import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listFiles } from '../tools/index.js';
import { outputOp } from '../errors.js';
import type { CopyGuard } from '../guard.js';
import { hashFile } from '../hashing.js';
import { checksumLine } from '../sidecars.js';
import type { ChecksumAlgorithm, ChecksumValues } from '../types.js';
import { manifestName } from '../../util/checksum-manifest.js';

/**
 * Hashes every file under `dir` (one read per file for all algorithms) and writes one manifest
 * per algorithm listing them by relative path. Returns the manifest names.
 */
export async function writeFolderManifests(
  dir: string,
  algorithms: readonly ChecksumAlgorithm[],
  guard: CopyGuard,
  onBytes: (done: number, total: number) => void,
): Promise<string[]> {
  const wanted = [...new Set(algorithms)];
  if (wanted.length === 0) return [];
  const skip = new Set(wanted.map(manifestName));
  const files = (await listFiles(dir)).filter((f) => !skip.has(f.path));
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  const digests: ChecksumValues[] = [];
  let before = 0;
  for (const file of files) {
    digests.push(await hashFile(join(dir, file.path), file.bytes, wanted, guard, (done) => onBytes(before + done, total)));
    before += file.bytes;
  }
  onBytes(total, total);
  for (const algorithm of wanted) {
    const text = files.map((f, i) => checksumLine(digests[i]?.[algorithm] ?? '', f.path)).join('');
    const path = join(dir, manifestName(algorithm));
    await outputOp('write', path, () => writeFile(path, text));
  }
  return wanted.map(manifestName);
}
