import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './support.js';

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean }>;
}

const lock = (path: string) => JSON.parse(readFileSync(join(REPO, path), 'utf8')) as Lock;

/**
 * The image's build stage compiles with image/compiler (TypeScript, Node's types and esbuild for the browser bundle) over the
 * production dependencies; scripts/stage-image.sh merges the two trees, which is only sound when
 * they carry the very versions the project is developed and type-checked with.
 */
describe('image/compiler', () => {
  const project = lock('package-lock.json');
  const compiler = lock('image/compiler/package-lock.json');
  const compilerPackages = Object.keys(compiler.packages).filter((p) => p.startsWith('node_modules/'));

  it('pins only what compiling needs', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'image/compiler/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies).sort()).toEqual(['@types/node', 'esbuild', 'typescript']);
    // esbuild's binary comes in one optional package per platform; npm installs the one that fits.
    const platformBinaries = compilerPackages.filter((p) => p.startsWith('node_modules/@esbuild/'));
    expect(platformBinaries).toEqual(expect.arrayContaining(['node_modules/@esbuild/linux-x64', 'node_modules/@esbuild/linux-arm64']));
    expect(compilerPackages.filter((p) => !platformBinaries.includes(p)).sort()).toEqual([
      'node_modules/@types/node',
      'node_modules/esbuild',
      'node_modules/typescript',
      'node_modules/undici-types',
    ]);
  });

  it.each(['node_modules/typescript', 'node_modules/@types/node', 'node_modules/undici-types', 'node_modules/esbuild', 'node_modules/@esbuild/linux-x64', 'node_modules/@esbuild/linux-arm64'])(
    '%s has the version of package-lock.json',
    (path) => {
      expect(compiler.packages[path]?.version).toBeDefined();
      expect(compiler.packages[path]?.version).toBe(project.packages[path]?.version);
    },
  );

  it('every esbuild platform binary has the version of package-lock.json', () => {
    for (const path of compilerPackages.filter((p) => p.startsWith('node_modules/@esbuild/'))) {
      expect(compiler.packages[path]?.version, path).toBe(project.packages[path]?.version);
    }
  });
});
