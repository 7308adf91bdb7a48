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

/**
 * Writes a small, valid ISO 9660 image (PVD, path tables, root directory with README.TXT and
 * DATA.BIN) without external tools, so the demo runs on a machine with only Node.
 */
export async function writeSampleIso(path: string, options: { label: string; dataBytes: number; date?: Date }): Promise<number> {
  const date = options.date ?? new Date();
  const volumeId = options.label.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 32);
  const readme = Buffer.from(`disk2iso demo disc "${volumeId}", made ${date.toISOString()}\n`);
  const dataSectors = Math.ceil(options.dataBytes / SECTOR);
  const rootLba = 20;
  const readmeLba = 21;
  const dataLba = 22;
  const totalSectors = dataLba + dataSectors;

  const root = Buffer.alloc(SECTOR);
  let offset = 0;
  for (const record of [
    directoryRecord(Buffer.from([0]), rootLba, SECTOR, true, date),
    directoryRecord(Buffer.from([1]), rootLba, SECTOR, true, date),
    directoryRecord(Buffer.from('DATA.BIN;1'), dataLba, options.dataBytes, false, date),
    directoryRecord(Buffer.from('README.TXT;1'), readmeLba, readme.length, false, date),
  ]) {
    record.copy(root, offset);
    offset += record.length;
  }

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
  bothEndian32(pvd, 132, 10);
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
    table[0] = 1;
    if (littleEndian) table.writeUInt32LE(rootLba, 2);
    else table.writeUInt32BE(rootLba, 2);
    if (littleEndian) table.writeUInt16LE(1, 6);
    else table.writeUInt16BE(1, 6);
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
