import { rm } from 'node:fs/promises';

/** Work files of a copy to `targetPath`: the image being written and its ddrescue mapfile. */
export function partPaths(targetPath: string): { part: string; map: string } {
  return { part: `${targetPath}.part`, map: `${targetPath}.part.map` };
}

/** Removes an interrupted copy's `.part` and `.part.map` (start-up reconciliation, cancel). */
export async function discardPartial(targetPath: string): Promise<void> {
  const { part, map } = partPaths(targetPath);
  await Promise.all([rm(part, { force: true }), rm(map, { force: true })]);
}
