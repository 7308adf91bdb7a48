/** Types of scripts/build-browser.mjs for the TypeScript callers (tests/setup, benches). */
export function buildBrowserAssets(outDir: string): Promise<{ script: number; styles: number; inputs: string[] }>;
