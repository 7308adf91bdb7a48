import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrowserAssets } from '../../scripts/build-browser.mjs';

/**
 * Vitest global setup: bundles src/web/browser into a scratch folder (esbuild, well under a
 * second) and points the web server at it, so tests and benches that run the server from src/
 * serve the current browser code without `npm run build`, and never touch dist/.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-web-assets-'));
  await buildBrowserAssets(dir);
  process.env.DISK2ISO_WEB_ASSETS = dir;
  return () => rm(dir, { recursive: true, force: true });
}
