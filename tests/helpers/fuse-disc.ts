import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';

/**
 * A disc with real read errors: a FUSE file (a small python3-fusepy server, direct_io, one
 * request at a time) serving an image and answering EIO for `bad` sectors, for `flaky` sectors
 * until they have failed the given number of times, and `hang` sectors fail larger reads and
 * block a read of the sector alone (the rescue's) until release(): a drive stuck in a read. `/stats` counts read requests, bytes and errors.
 * Needs root (the mount) and python3-fusepy.
 */
const SERVER = `
import errno, json, os, stat, sys, time
try:
    import fusepy as fuse
except ImportError:
    import fuse
image, mountpoint, config_file, release_file = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
SECTOR = 2048
config = json.load(open(config_file))
bad = set(config["bad"])
flaky = {int(k): v for k, v in config["flaky"].items()}
hang = set(config["hang"])
size = os.path.getsize(image)
fd = os.open(image, os.O_RDONLY)
stats = {"reads": 0, "bytes": 0, "errors": 0}
class Disc(fuse.Operations):
    def getattr(self, path, fh=None):
        if path == "/":
            return {"st_mode": stat.S_IFDIR | 0o555, "st_nlink": 2}
        if path in ("/disc.img", "/stats"):
            return {"st_mode": stat.S_IFREG | 0o444, "st_nlink": 1, "st_size": size if path == "/disc.img" else 4096}
        raise fuse.FuseOSError(errno.ENOENT)
    def readdir(self, path, fh):
        return [".", "..", "disc.img", "stats"]
    def read(self, path, length, offset, fh):
        if path == "/stats":
            return json.dumps(stats).encode()[offset:offset + length]
        end = min(offset + length, size)
        stats["reads"] += 1
        for s in range(offset // SECTOR, (max(end, offset + 1) - 1) // SECTOR + 1):
            if s in bad:
                stats["errors"] += 1
                raise fuse.FuseOSError(errno.EIO)
            if flaky and flaky.get(s, 0) > 0:
                flaky[s] -= 1
                stats["errors"] += 1
                raise fuse.FuseOSError(errno.EIO)
            if hang and s in hang:
                if end - offset > SECTOR:
                    stats["errors"] += 1
                    raise fuse.FuseOSError(errno.EIO)
                open(release_file + ".stuck", "w").close()
                while not os.path.exists(release_file):
                    time.sleep(0.01)
        data = os.pread(fd, end - offset, offset)
        stats["bytes"] += len(data)
        return data
fuse.FUSE(Disc(), mountpoint, foreground=True, ro=True, direct_io=True, nothreads=True)
`;

const PYTHON = '/usr/bin/python3';

export interface FuseDiscOptions {
  /** Sectors that always fail with EIO. */
  readonly bad?: readonly number[];
  /** Sector → how many reads of it fail before it reads. */
  readonly flaky?: Readonly<Record<number, number>>;
  /** Sectors whose reads fail when larger than the sector and block when not, until release(). */
  readonly hang?: readonly number[];
}

export interface FuseDisc {
  /** The file to read (the disc). */
  readonly path: string;
  stats(): Promise<{ reads: number; bytes: number; errors: number }>;
  /** Lets reads of `hang` sectors return. */
  release(): Promise<void>;
  /** Waits until a read is stuck in a `hang` sector (the server answers nothing else meanwhile). */
  stuck(): Promise<void>;
  stop(): Promise<void>;
}

/** Why a FUSE disc cannot be made here, or null when it can. */
export async function fuseUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root for the FUSE mount';
  const probe = await execa(PYTHON, ['-c', 'import fusepy'], { reject: false });
  return probe.failed ? 'needs python3-fusepy (apt-get install python3-fusepy fuse3)' : null;
}

/** Serves `image` from a FUSE mount under `dir` (created there). */
export async function startFuseDisc(dir: string, image: string, options: FuseDiscOptions = {}): Promise<FuseDisc> {
  const mnt = join(dir, 'fuse-mnt');
  const release = join(dir, 'fuse-release');
  await mkdir(mnt, { recursive: true });
  const config = { bad: options.bad ?? [], flaky: options.flaky ?? {}, hang: options.hang ?? [] };
  await writeFile(join(dir, 'fuse-config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'fuse-server.py'), SERVER);
  const server: ResultPromise = execa(PYTHON, [join(dir, 'fuse-server.py'), image, mnt, join(dir, 'fuse-config.json'), release], {
    reject: false,
  });
  const path = join(mnt, 'disc.img');
  const size = (await stat(image)).size;
  const stop = async (): Promise<void> => {
    await writeFile(release, '');
    await execa('umount', [mnt], { reject: false });
    await server;
  };
  for (let i = 0; i < 200; i++) {
    if (await stat(path).then((s) => s.size === size, () => false)) {
      return {
        path,
        stats: async () => JSON.parse(await readFile(join(mnt, 'stats'), 'utf8')) as { reads: number; bytes: number; errors: number },
        release: () => writeFile(release, ''),
        stuck: async () => {
          // The server marks the moment a read blocks.
          for (let i = 0; i < 3000; i++) {
            if (await stat(`${release}.stuck`).then(() => true, () => false)) return;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          throw new Error('no read got stuck');
        },
        stop,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`the FUSE disc did not come up at ${path}`);
}

/** Bad sectors (sorted) as the merged byte ranges a copy result reports. */
export function sectorRanges(sectors: readonly number[], sectorSize = 2048): [number, number][] {
  const out: [number, number][] = [];
  for (const s of sectors) {
    const last = out.at(-1);
    if (last && last[1] === s * sectorSize) last[1] = (s + 1) * sectorSize;
    else out.push([s * sectorSize, (s + 1) * sectorSize]);
  }
  return out;
}
