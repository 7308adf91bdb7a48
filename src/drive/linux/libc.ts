import koffi from 'koffi';
import { errnoName } from './decode.js';

/** What one ioctl returned: its result and, when it failed (-1), the errno name. */
export interface IoctlResult {
  readonly result: number;
  readonly errno: string | null;
}

type Callback = (error: unknown, result: unknown) => void;

interface AsyncIoctl<Arg> {
  async(fd: number, request: number, arg: Arg, callback: Callback): void;
}

interface Libc {
  readonly ioctlInt: AsyncIoctl<number>;
  readonly ioctlPtr: AsyncIoctl<Buffer>;
}

let libc: Libc | null = null;

/**
 * Binds ioctl once, on first use (so importing the drive module never touches native code).
 * `koffi.load(null)` is RTLD_DEFAULT: the libc node itself runs on, glibc or musl, with no
 * file name to guess (`libc.so.6` vs `libc.musl-<arch>.so.1`).
 *
 * ioctl is variadic in C (`int ioctl(int, unsigned long, ...)`; musl: `int ioctl(int, int, ...)`);
 * it is declared here with one fixed third argument, which on the x86-64 SysV and AArch64 Linux
 * ABIs travels in the same register as a variadic one (and the request fits both int widths).
 */
function bind(): Libc {
  if (libc === null) {
    const lib = koffi.load(null);
    libc = {
      ioctlInt: lib.func('ioctl', 'int', ['int', 'unsigned long', 'intptr_t']) as unknown as AsyncIoctl<number>,
      ioctlPtr: lib.func('ioctl', 'int', ['int', 'unsigned long', 'void *']) as unknown as AsyncIoctl<Buffer>,
    };
  }
  return libc;
}

/**
 * ioctl(fd, request, arg) on a libuv worker thread (koffi's async call), so a drive that blocks
 * in the kernel never blocks the event loop. `arg` is an integer or a buffer the kernel reads or
 * fills; the caller keeps the buffer referenced until the promise settles (it is, by the closure).
 * koffi restores the worker's errno while the callback runs, so it is read there.
 */
export function ioctl(fd: number, request: number, arg: number | Buffer): Promise<IoctlResult> {
  const { ioctlInt, ioctlPtr } = bind();
  return new Promise((resolve, reject) => {
    const done: Callback = (error, result) => {
      if (error !== null && error !== undefined) {
        reject(error instanceof Error ? error : new Error('koffi async call failed', { cause: error }));
        return;
      }
      const value = typeof result === 'number' ? result : -1;
      resolve({ result: value, errno: value < 0 ? errnoName(koffi.errno()) : null });
    };
    if (typeof arg === 'number') ioctlInt.async(fd, request, arg, done);
    else ioctlPtr.async(fd, request, arg, done);
  });
}

/** An Error carrying an errno name as `code`, like Node's own system errors. */
export class ErrnoError extends Error {
  constructor(
    readonly code: string,
    readonly syscall: string,
  ) {
    super(`${syscall}: ${code}`);
    this.name = 'ErrnoError';
  }
}

/** The ioctl's result, or an ErrnoError when it failed. */
export async function ioctlOrThrow(fd: number, request: number, arg: number | Buffer, name: string): Promise<number> {
  const { result, errno } = await ioctl(fd, request, arg);
  if (result < 0) throw new ErrnoError(errno ?? 'EIO', name);
  return result;
}
