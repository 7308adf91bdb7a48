/**
 * What a test needs from the machine, and what happens when it is not there.
 *
 * CI (env CI set, as `.ci/run` does) is set up to run every test: it runs as root and installs
 * every Debian tool the tests use. There a missing requirement is a failure, never a skip. On a
 * developer's machine the test is skipped with a reason that says what to install. Whatever
 * still skips on CI fails the run in scripts/test-summary.mjs unless it is on its allowlist.
 */
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'vitest';

const ON_CI = Boolean(process.env.CI);
export const IS_ROOT = process.getuid?.() === 0;

/**
 * Skips the running test with `reason`, or fails it on CI. For requirements found out inside the
 * test (a mount, a loop device); `return skipUnlessCi(ctx, …)` reads as the early exit it is.
 */
export function skipUnlessCi(ctx: TestContext, reason: string): never {
  if (ON_CI) throw new Error(`${reason}: CI must run this test (.ci/run sets the machine up for it)`);
  return ctx.skip(reason);
}

/** Whether `tool` is an executable on PATH or in the sbin folders (mkudffs, losetup live there). */
function hasTool(tool: string): boolean {
  // The name is an argument of the shell, never part of its script.
  return spawnSync('sh', ['-c', 'command -v "$1" >/dev/null', 'sh', tool], { env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }).status === 0;
}

/**
 * For a whole file or suite (`describe.skipIf(!requireTools(…))`): true when every tool is
 * there. A missing one fails the file on CI (naming the Debian package of `.ci/run`); elsewhere
 * it prints one SKIPPED line naming it and the suite is skipped.
 */
export function requireTools(tools: readonly string[], aptPackages: string): boolean {
  const missing = tools.filter((tool) => !hasTool(tool));
  return requireOnCi(missing.length === 0 ? null : `${missing.join(', ')} missing (apt-get install ${aptPackages})`);
}

/**
 * The same for a requirement probed some other way: `unmet` is null when it is met, else why not
 * (e.g. "needs root for the FUSE mount").
 */
export function requireOnCi(unmet: string | null): boolean {
  if (unmet === null) return true;
  if (ON_CI) throw new Error(`${unmet}: CI must run these tests (.ci/run sets the machine up for them)`);
  console.warn(`SKIPPED: ${unmet}`);
  return false;
}
