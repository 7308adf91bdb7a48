import { statfs } from 'node:fs/promises';

/** Free space for an unprivileged writer (`bavail`) and total size of the filesystem holding `dir`. */
export async function freeSpace(dir: string): Promise<{ freeBytes: number; totalBytes: number }> {
  const stats = await statfs(dir);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
