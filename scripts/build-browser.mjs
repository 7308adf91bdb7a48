#!/usr/bin/env node
// Bundles the browser code (src/web/browser: main.ts and app.css) with esbuild into static
// assets: OUT_DIR/app.js (one minified IIFE, ES2017) and OUT_DIR/app.css. `npm run build` writes
// them to dist/web/assets/, where the server's asset routes read them; the tests bundle into a
// scratch folder of their own (tests/setup/browser-assets.ts).
//
// Usage: node scripts/build-browser.mjs [OUT_DIR]   (default dist/web/assets)
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BROWSER = join(REPO, 'src/web/browser');

/** Builds app.js and app.css into `outDir`; returns their sizes in bytes. */
export async function buildBrowserAssets(outDir) {
  await mkdir(outDir, { recursive: true });
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', metafile: true, absWorkingDir: REPO };
  const script = await build({
    ...common,
    entryPoints: [join(BROWSER, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    format: 'iife',
    platform: 'browser',
    target: ['es2017'],
    tsconfig: join(BROWSER, 'tsconfig.json'),
  });
  const styles = await build({ ...common, entryPoints: [join(BROWSER, 'app.css')], outfile: join(outDir, 'app.css'), target: ['chrome80', 'firefox78', 'safari13'] });
  const size = (result) => Object.values(result.metafile.outputs).reduce((sum, out) => sum + out.bytes, 0);
  return { script: size(script), styles: size(styles), inputs: Object.keys(script.metafile.inputs) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(REPO, 'dist/web/assets'));
  const sizes = await buildBrowserAssets(outDir);
  console.log(`build-browser: ${outDir}/app.js ${sizes.script} B, app.css ${sizes.styles} B`);
}
