import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TestContext } from 'vitest';
import { IS_ROOT, skipUnlessCi } from './ci.js';

/**
 * A fresh tmpfs mounted for the running test only, with mount `options` such as 'size=2m'
 * (a disk that fills up) or 'ro,size=1m' (a folder even root cannot write). Mounting needs root,
 * which CI has: elsewhere the test is skipped, on CI a mount that fails fails it. The mount is
 * lifted and its folder removed once the test and its afterEach hooks are done, so a core the
 * test started is stopped before its output folder goes away.
 */
export async function mountTmpfs(ctx: TestContext, options: string): Promise<string> {
  if (!IS_ROOT) return skipUnlessCi(ctx, 'mounting a tmpfs needs root');
  const mountPoint = await mkdtemp(join(tmpdir(), 'disk2iso-tmpfs-'));
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint], { reject: false });
  if (mounted.failed) {
    await rm(mountPoint, { recursive: true, force: true });
    return skipUnlessCi(ctx, `mount -t tmpfs -o ${options} failed: ${mounted.stderr}`);
  }
  ctx.onTestFinished(async () => {
    // Lazy: a reader still closing in the background must not leave the mount behind.
    await execa('umount', ['-l', mountPoint], { reject: false });
    await rm(mountPoint, { recursive: true, force: true });
  });
  return mountPoint;
}

/** Changes the options of a mounted tmpfs, e.g. 'ro' to turn a working output folder read-only. */
export async function remountTmpfs(mountPoint: string, options: string): Promise<void> {
  await execa('mount', ['-o', `remount,${options}`, mountPoint]);
}
