import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mkudffs, populateUdf, writeTree } from '../../disc/helpers.js';

/** A single-layer DVD: 2 295 104 sectors of 2048 bytes. */
const DVD_BYTES = 2_295_104 * 2048;
/** A single-layer Blu-ray: 12 219 392 sectors of 2048 bytes. */
const BD_BYTES = 12_219_392 * 2048;

/**
 * A sparse, full-size UDF image (mkudffs on a truncated file) with `files` copied in by the
 * disc helpers' populate VM: a real DVD- or Blu-ray-sized filesystem without gigabytes on disk.
 */
async function makeUdf(dir: string, name: string, bytes: number, mkudffsArgs: readonly string[], files: Record<string, string>): Promise<string> {
  const image = join(dir, `${name}.udf`);
  const tree = join(dir, `${name}.tree`);
  await rm(tree, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  await writeTree(tree, files);
  await mkudffs(image, bytes, mkudffsArgs);
  const populated = await populateUdf(image, tree);
  if (!populated.ok) throw new Error(`cannot populate ${image}: ${populated.reason}`);
  return image;
}

/** A DVD-Video: UDF 1.02 with VIDEO_TS, DVD-sized. */
export function makeDvdVideo(dir: string, label: string): Promise<string> {
  return makeUdf(dir, label, DVD_BYTES, ['--media-type=hd', '--udfrev=0x0102', `--label=${label}`], {
    'VIDEO_TS/VIDEO_TS.IFO': 'DVDVIDEO-VMG'.padEnd(2048, '\0'),
    'VIDEO_TS/VTS_01_0.IFO': 'DVDVIDEO-VTS'.padEnd(2048, '\0'),
    'VIDEO_TS/VTS_01_1.VOB': 'x'.repeat(65_536),
  });
}

/**
 * A Blu-ray-style disc: a BD-sized UDF with BDMV and a disc title in bdmt_eng.xml. (UDF 2.01 on
 * rewritable-style media, not the 2.50 of pressed discs: the populate VM writes the files with
 * Linux, which cannot write UDF 2.50 or read-only media types.)
 */
export function makeBluray(dir: string, label: string, title: string): Promise<string> {
  return makeUdf(dir, label, BD_BYTES, ['--media-type=hd', '--udfrev=0x0201', `--label=${label}`], {
    'BDMV/index.bdmv': 'INDX0200'.padEnd(512, '\0'),
    'BDMV/MovieObject.bdmv': 'MOBJ0200'.padEnd(512, '\0'),
    'BDMV/META/DL/bdmt_eng.xml': `<?xml version="1.0" encoding="utf-8"?>\n<disclib><di:discinfo xmlns:di="urn:BDA:bdmv;discinfo"><di:title><di:name>${title}</di:name></di:title></di:discinfo></disclib>\n`,
    'BDMV/STREAM/00000.m2ts': 'y'.repeat(65_536),
  });
}
