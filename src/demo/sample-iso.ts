import { open } from 'node:fs/promises';

const SECTOR = 2048;

function bothEndian32(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value, offset);
  buffer.writeUInt32BE(value, offset + 4);
}

function bothEndian16(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt16LE(value, offset);
  buffer.writeUInt16BE(value, offset + 2);
}

function padded(text: string, length: number): Buffer {
  return Buffer.from(text.padEnd(length, ' ').slice(0, length), 'ascii');
}

function volumeDate(date: Date): Buffer {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + '00';
  return Buffer.concat([Buffer.from(digits, 'ascii'), Buffer.from([0])]);
}

function directoryRecord(name: Buffer, extent: number, size: number, isDir: boolean, date: Date): Buffer {
  const length = 33 + name.length + (name.length % 2 === 0 ? 1 : 0);
  const record = Buffer.alloc(length);
  record[0] = length;
  bothEndian32(record, 2, extent);
  bothEndian32(record, 10, size);
  record.set(
    [date.getUTCFullYear() - 1900, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), 0],
    18,
  );
  record[25] = isDir ? 2 : 0;
  bothEndian16(record, 28, 1);
  record[32] = name.length;
  name.copy(record, 33);
  return record;
}

/** Deterministic filler, different per seed, so two sample discs have different fingerprints. */
function fill(buffer: Buffer, seed: number): number {
  let x = seed || 0x9e3779b9;
  for (let i = 0; i + 4 <= buffer.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer.writeUInt32LE(x >>> 0, i);
  }
  return x;
}

/** One file or folder of the sample's root, with where it lies. */
interface Entry {
  name: string;
  lba: number;
  size: number;
  isDir: boolean;
}

function directory(self: number, parent: number, entries: readonly Entry[], date: Date): Buffer {
  const sector = Buffer.alloc(SECTOR);
  let offset = 0;
  const records = [
    directoryRecord(Buffer.from([0]), self, SECTOR, true, date),
    directoryRecord(Buffer.from([1]), parent, SECTOR, true, date),
    // ISO 9660 sorts by name; files carry the ";1" version.
    ...[...entries].sort((a, b) => (a.name < b.name ? -1 : 1)).map((e) => directoryRecord(Buffer.from(e.isDir ? e.name : `${e.name};1`), e.lba, e.size, e.isDir, date)),
  ];
  for (const record of records) {
    record.copy(sector, offset);
    offset += record.length;
  }
  return sector;
}

/** The start of a DVD-Video IFO: its identifier, the rest zero (enough for readers that look for VIDEO_TS). */
function ifo(id: 'DVDVIDEO-VMG' | 'DVDVIDEO-VTS'): Buffer {
  const sector = Buffer.alloc(SECTOR);
  sector.write(id, 0, 'ascii');
  return sector;
}

/**
 * Writes a small, valid ISO 9660 image (PVD, path tables, root directory with README.TXT and
 * DATA.BIN) without external tools, so the demo runs on a machine with only Node. With
 * `dvdVideo` the data is a DVD-Video's layout instead: `VIDEO_TS/` with VIDEO_TS.IFO,
 * VTS_01_0.IFO and VTS_01_1.VOB (filler, not playable), which disk2iso identifies as a DVD-Video.
 */
export async function writeSampleIso(path: string, options: { label: string; dataBytes: number; date?: Date; dvdVideo?: boolean }): Promise<number> {
  const date = options.date ?? new Date();
  const volumeId = options.label.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 32);
  const readme = Buffer.from(`disk2iso demo disc "${volumeId}", made ${date.toISOString()}\n`);
  const dataSectors = Math.ceil(options.dataBytes / SECTOR);
  const rootLba = 20;
  const video = options.dvdVideo === true;
  // Root, [VIDEO_TS folder, two IFOs,] README, then the data.
  const videoTsLba = 21;
  const readmeLba = video ? 24 : 21;
  const dataLba = readmeLba + 1;
  const totalSectors = dataLba + dataSectors;

  const root = directory(
    rootLba,
    rootLba,
    video
      ? [
          { name: 'VIDEO_TS', lba: videoTsLba, size: SECTOR, isDir: true },
          { name: 'README.TXT', lba: readmeLba, size: readme.length, isDir: false },
        ]
      : [
          { name: 'DATA.BIN', lba: dataLba, size: options.dataBytes, isDir: false },
          { name: 'README.TXT', lba: readmeLba, size: readme.length, isDir: false },
        ],
    date,
  );
  const videoTs = video
    ? directory(
        videoTsLba,
        rootLba,
        [
          { name: 'VIDEO_TS.IFO', lba: 22, size: SECTOR, isDir: false },
          { name: 'VTS_01_0.IFO', lba: 23, size: SECTOR, isDir: false },
          { name: 'VTS_01_1.VOB', lba: dataLba, size: options.dataBytes, isDir: false },
        ],
        date,
      )
    : null;

  const pvd = Buffer.alloc(SECTOR);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'ascii');
  pvd[6] = 1;
  padded('LINUX', 32).copy(pvd, 8);
  padded(volumeId, 32).copy(pvd, 40);
  bothEndian32(pvd, 80, totalSectors);
  bothEndian16(pvd, 120, 1);
  bothEndian16(pvd, 124, 1);
  bothEndian16(pvd, 128, SECTOR);
  bothEndian32(pvd, 132, video ? 26 : 10);
  pvd.writeUInt32LE(18, 140);
  pvd.writeUInt32BE(19, 148);
  directoryRecord(Buffer.from([0]), rootLba, SECTOR, true, date).copy(pvd, 156);
  padded('DISK2ISO DEMO', 128).copy(pvd, 574);
  for (const at of [813, 830]) volumeDate(date).copy(pvd, at);
  pvd.write('0000000000000000', 847, 'ascii');
  pvd.write('0000000000000000', 864, 'ascii');
  pvd[881] = 1;

  const terminator = Buffer.alloc(SECTOR);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'ascii');
  terminator[6] = 1;

  const pathTable = (littleEndian: boolean): Buffer => {
    const table = Buffer.alloc(SECTOR);
    // Records: name length, extended attribute length, extent, parent's number, name (padded to even).
    const record = (at: number, name: Buffer, lba: number): void => {
      table[at] = name.length;
      if (littleEndian) table.writeUInt32LE(lba, at + 2);
      else table.writeUInt32BE(lba, at + 2);
      if (littleEndian) table.writeUInt16LE(1, at + 6);
      else table.writeUInt16BE(1, at + 6);
      name.copy(table, at + 8);
    };
    record(0, Buffer.from([0]), rootLba);
    if (video) record(10, Buffer.from('VIDEO_TS'), videoTsLba);
    return table;
  };

  const handle = await open(path, 'w');
  try {
    let position = 0;
    const write = async (buffer: Buffer) => {
      await handle.write(buffer, 0, buffer.length, position);
      position += buffer.length;
    };
    await write(Buffer.alloc(16 * SECTOR));
    await write(pvd);
    await write(terminator);
    await write(pathTable(true));
    await write(pathTable(false));
    await write(root);
    if (videoTs) {
      await write(videoTs);
      await write(ifo('DVDVIDEO-VMG'));
      await write(ifo('DVDVIDEO-VTS'));
    }
    const readmeSector = Buffer.alloc(SECTOR);
    readme.copy(readmeSector);
    await write(readmeSector);
    let seed = [...volumeId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, date.getTime() >>> 0);
    const chunk = Buffer.alloc(1024 * SECTOR);
    for (let remaining = dataSectors * SECTOR; remaining > 0; remaining -= chunk.length) {
      seed = fill(chunk, seed);
      await write(remaining >= chunk.length ? chunk : chunk.subarray(0, remaining));
    }
  } finally {
    await handle.close();
  }
  return totalSectors * SECTOR;
}
