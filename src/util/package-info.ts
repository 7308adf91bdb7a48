import { readFileSync } from 'node:fs';

interface PackageInfo {
  version: string;
  supportUrl: string | null;
}

/** Version and support URL of disk2iso, from package.json next to dist/ or src/ (read once). */
export const PACKAGE: PackageInfo = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
      homepage?: unknown;
      bugs?: unknown;
      repository?: unknown;
    };
    const repository = typeof pkg.repository === 'string' ? pkg.repository : (pkg.repository as { url?: unknown } | undefined)?.url;
    const candidates = [pkg.homepage, repository];
    const supportUrl = candidates.find((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u)) ?? null;
    return { version: typeof pkg.version === 'string' ? pkg.version : '0.0.0', supportUrl: supportUrl?.replace(/\.git$/, '') ?? null };
  } catch {
    return { version: '0.0.0', supportUrl: null };
  }
})();
