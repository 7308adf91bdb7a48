import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseOptions, type Config } from '../../src/config/index.js';
import { archiveSummaryPath, ArchiveSummarySchema, type ArchiveSummary } from '../../src/contract/archive-index.js';
import { CONTROL_HEADER, readContractValue } from '../../src/contract/index.js';
import { writeImageMetadata } from '../../src/copy/index.js';
import { digestOf } from '../../src/util/checksum-manifest.js';
import { startCore, type RunningCore } from '../../src/core/run.js';
import { simInsert } from '../../src/drive/index.js';
import { LogBuffer } from '../../src/log/index.js';
import { events, FAST_INTERVALS, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { freePort } from '../helpers/process.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

/** An image with its `.sha256` and `.disk2iso.json`, as a job leaves it. */
async function archived(out: string, rel: string, label: string, bytes = 256 * 1024): Promise<string> {
  const abs = join(out, rel);
  await mkdir(join(abs, '..'), { recursive: true });
  const data = randomBytes(bytes);
  await writeFile(abs, data);
  const sha256 = createHash('sha256').update(data).digest('hex');
  await writeFile(`${abs}.sha256`, `${sha256}  ${rel.split('/').at(-1) ?? ''}\n`);
  await writeImageMetadata(abs, { fingerprint: null, label, disc_type: 'dvd-rom', created: new Date().toISOString(), bytes, checksums: { sha256 }, method: 'block-copy', result: 'success', bad_ranges: [] });
  return abs;
}

/** An audio rip's folder: three tracks (and a cover), with the `checksums.sha256` that `sha256sum` itself writes. */
async function album(out: string, rel: string): Promise<string> {
  const abs = join(out, rel);
  await mkdir(abs, { recursive: true });
  const files = ['01 - Intro.flac', '02 - Song.flac', '03 - Finale.flac', 'cover.jpg'];
  for (const name of files) await writeFile(join(abs, name), randomBytes(4096));
  const { stdout } = await execa('sha256sum', ['--', ...files], { cwd: abs });
  await writeFile(join(abs, 'checksums.sha256'), `${stdout}\n`);
  return abs;
}

/** Bit rot: one byte changes, the size and the file's time do not. */
async function flipByte(abs: string, offset: number): Promise<void> {
  const { atime, mtime } = await stat(abs);
  const handle = await open(abs, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, offset);
  byte[0] = (byte[0] ?? 0) ^ 0x01;
  await handle.write(byte, 0, 1, offset);
  await handle.close();
  await utimes(abs, atime, mtime);
}

async function startWebCore(config: Config): Promise<{ core: RunningCore; base: string }> {
  const core = await startCore({ config: { ...config, web_port: await freePort() }, logger: pino({ level: 'silent' }), logs: new LogBuffer(), machineOverrides: { intervalsMs: FAST_INTERVALS, progressIntervalMs: 100 } });
  return { core, base: `http://127.0.0.1:${core.web?.port ?? 0}/` };
}

const post = (url: string) => fetch(url, { method: 'POST', headers: { [CONTROL_HEADER]: '1', 'content-type': 'application/json' }, body: '{}' });
const summary = (config: Config): Promise<ArchiveSummary | null> => readContractValue(archiveSummaryPath(config.api_dir), ArchiveSummarySchema);

describe('the scrub', () => {
  const t = useSimCore();

  const config = (extra: Record<string, unknown> = {}): Config =>
    parseOptions({ drives: [`sim:${t.sim}`], api_dir: join(t.dir, 'api'), output_dir: join(t.dir, 'out'), mqtt_enabled: false, min_free_space_mb: 0, log_level: 'warning', eject_after_copy: false, ...extra }, '(test)');

  async function scrubAndWait(cfg: Config, base: string): Promise<ArchiveSummary> {
    const res = await post(`${base}api/archive/scrub`);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { started: boolean }).started).toBe(true);
    await t.core?.scrub.settled();
    return waitFor(async () => {
      const s = await summary(cfg);
      return s?.scrub === null && s.last_scrub !== null ? s : undefined;
    }, { message: 'scrub finished' });
  }

  it('finds one flipped byte in an archived image: in the index, archive.json, the API, the Archive page and events.jsonl', async () => {
    const cfg = config();
    const out = cfg.output_dir;
    await archived(out, 'data/GOOD.iso', 'Good disc');
    const rotten = await archived(out, 'dvd/ROTTEN.iso', 'Rotten <disc>');
    await archived(out, 'bluray/FINE.iso', 'Fine disc', 1024 * 1024);
    await writeImageMetadata(join(out, 'data', 'LOST.iso'), { fingerprint: null, label: 'Lost disc', disc_type: 'cd-rom', created: new Date().toISOString(), bytes: 1, checksums: {}, method: null, result: 'success', bad_ranges: [] });
    const { core, base } = await startWebCore(cfg);
    t.core = core;
    await flipByte(rotten, 100_000);

    const first = await scrubAndWait(cfg, base);
    expect(first.last_scrub).toMatchObject({ checked: 4, corrupt: 1, missing: 1 });
    expect(first).toMatchObject({ corrupt: 2, missing: 1, verified: 4 });
    // The index.
    expect((await core.archive.get('dvd/ROTTEN.iso'))?.verify).toMatchObject({ status: 'mismatch', algorithm: 'sha256' });
    expect((await core.archive.get('data/GOOD.iso'))?.verify?.status).toBe('ok');
    expect((await core.archive.get('bluray/FINE.iso'))?.verify?.status).toBe('ok');
    expect((await core.archive.get('data/LOST.iso'))?.verify?.status).toBe('missing');
    // The API.
    const corrupt = (await (await fetch(`${base}api/archive?check=corrupt`)).json()) as { items: { path: string; checksum: { status: string; detail: string | null } }[]; corrupt: number };
    expect(corrupt.items.map((i) => i.path).sort()).toEqual(['data/LOST.iso', 'dvd/ROTTEN.iso']);
    expect(corrupt.corrupt).toBe(2);
    expect(corrupt.items.find((i) => i.path === 'dvd/ROTTEN.iso')?.checksum).toMatchObject({ status: 'mismatch' });
    expect(corrupt.items.find((i) => i.path === 'dvd/ROTTEN.iso')?.checksum.detail).toContain('the record says');
    // The Archive page.
    const html = await (await fetch(`${base}archive?q=rotten`)).text();
    expect(html).toMatch(/data-field="checksum" data-status="mismatch"[^>]*>Checksum mismatch</);
    expect(html).toContain('data-field="verified-at"');
    expect(html).toContain('2 corrupt');
    expect(html).toMatch(/Last check of the archive: .* · 2 corrupt/);
    const lost = await (await fetch(`${base}archive?q=lost`)).text();
    expect(lost).toContain('>Image missing<');
    // events.jsonl.
    const log = (await events(cfg)).filter((e) => e.type === 'image_corrupt' || e.type === 'image_verified');
    expect(log.filter((e) => e.type === 'image_corrupt').map((e) => [e.data.path, e.data.reason]).sort()).toEqual([
      ['data/LOST.iso', 'missing'],
      ['dvd/ROTTEN.iso', 'mismatch'],
    ]);
    expect(log.filter((e) => e.type === 'image_verified').map((e) => e.data.path).sort()).toEqual(['bluray/FINE.iso', 'data/GOOD.iso']);
    const mismatch = log.find((e) => e.data.path === 'dvd/ROTTEN.iso');
    expect(mismatch?.data).toMatchObject({ algorithm: 'sha256', label: 'Rotten <disc>' });
    expect(mismatch?.data.expected).not.toBe(mismatch?.data.actual);

    // A second scrub reports the corrupt images again, but no image_verified for the ones already known whole.
    await scrubAndWait(cfg, base);
    const again = (await events(cfg)).filter((e) => e.type === 'image_corrupt' || e.type === 'image_verified');
    expect(again.filter((e) => e.type === 'image_verified')).toHaveLength(2);
    expect(again.filter((e) => e.type === 'image_corrupt')).toHaveLength(4);
  });

  it('checks audio folders against their checksums.sha256: a changed or lost track makes the album corrupt, on the scrub and the Verify button', async () => {
    const cfg = config();
    const out = cfg.output_dir;
    const good = await album(out, 'audio/Band/First (2001)');
    const rotten = await album(out, 'audio/Band/Second (2003)');
    await album(out, 'audio/Old Band - Old Album'); // the flat layout of older rips
    await mkdir(join(out, 'audio', 'Band', 'No Manifest'), { recursive: true });
    await writeFile(join(out, 'audio', 'Band', 'No Manifest', '01 - Track.flac'), randomBytes(1000));
    const { core, base } = await startWebCore(cfg);
    t.core = core;
    expect((await core.archive.get('audio/Band/First (2001)'))?.sidecars).toMatchObject({ sha256: true, md5: false });
    expect((await core.archive.get('audio/Band/No Manifest'))?.sidecars.sha256).toBe(false);
    await flipByte(join(rotten, '02 - Song.flac'), 500);
    await rm(join(rotten, '03 - Finale.flac'));

    const done = await scrubAndWait(cfg, base);
    expect(done.last_scrub).toMatchObject({ checked: 3, corrupt: 1 }); // the folder without a manifest is not checked
    expect((await core.archive.get('audio/Band/First (2001)'))?.verify?.status).toBe('ok');
    expect((await core.archive.get('audio/Old Band - Old Album'))?.verify?.status).toBe('ok');
    const bad = await core.archive.get('audio/Band/Second (2003)');
    expect(bad?.verify).toMatchObject({ status: 'mismatch', algorithm: 'sha256' });
    expect(bad?.verify?.detail).toBe('2 of 4 file(s) do not match the manifest: 02 - Song.flac, 03 - Finale.flac (missing)');
    const log = (await events(cfg)).filter((e) => e.type === 'image_corrupt' || e.type === 'image_verified');
    expect(log.find((e) => e.type === 'image_corrupt')?.data).toMatchObject({ path: 'audio/Band/Second (2003)', reason: 'mismatch', files: ['02 - Song.flac', '03 - Finale.flac (missing)'], source: 'scrub' });
    expect(log.filter((e) => e.type === 'image_verified').map((e) => e.data.path).sort()).toEqual(['audio/Band/First (2001)', 'audio/Old Band - Old Album']);

    // The Archive page offers Verify for an album; it reads the album again and finds the same.
    const html = await (await fetch(`${base}archive?q=second`)).text();
    expect(html).toMatch(/data-path="audio\/Band\/Second \(2003\)"[\s\S]*data-action="verify"(?! disabled)/);
    await flipByte(join(good, '01 - Intro.flac'), 10);
    for (const path of ['audio/Band/First (2001)', 'audio/Old Band - Old Album']) {
      expect((await fetch(`${base}api/archive/verify`, { method: 'POST', headers: { [CONTROL_HEADER]: '1', 'content-type': 'application/json' }, body: JSON.stringify({ path }) })).status).toBe(202);
    }
    const checked = await waitFor(async () => {
      const { items } = (await (await fetch(`${base}api/archive?group=audio`)).json()) as { items: { path: string; checksum: { status: string; detail: string | null } }[] };
      const byPath = new Map(items.map((i) => [i.path, i.checksum]));
      return byPath.get('audio/Band/First (2001)')?.status === 'mismatch' && byPath.get('audio/Old Band - Old Album')?.status === 'ok' ? byPath : undefined;
    }, { message: 'the Verify button checked both albums' });
    expect(checked.get('audio/Band/First (2001)')?.detail).toBe('1 of 4 file(s) do not match the manifest: 01 - Intro.flac');
    const corrupt = await waitFor(async () => (await events(cfg)).find((e) => e.type === 'image_corrupt' && e.data.source === 'verify'), { message: 'the Verify button event' });
    expect(corrupt.data).toMatchObject({ path: 'audio/Band/First (2001)', reason: 'mismatch' });
    expect((await core.archive.get('audio/Band/First (2001)'))?.verify?.status).toBe('mismatch');
  });

  it('waits while a disc is copied and goes on after the copy', async () => {
    const cfg = config();
    for (let i = 0; i < 3; i++) await archived(cfg.output_dir, `data/OLD_${i}.iso`, `Old ${i}`);
    const { core, base } = await startWebCore(cfg);
    t.core = core;
    await waitForState(cfg, 'sim0', 'waiting_for_media');
    // A slow disc: the copy runs for a few seconds.
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'SLOW', bytes: 3 * 1024 * 1024, seed: 5 }), { bytes_per_second: 1024 * 1024 });
    await waitForState(cfg, 'sim0', 'copying');
    expect((await post(`${base}api/archive/scrub`)).status).toBe(202);
    const paused = await waitFor(async () => ((await summary(cfg))?.scrub?.paused ? await summary(cfg) : undefined), { message: 'scrub paused' });
    expect(paused?.scrub).toMatchObject({ checked: 0, total: 3, paused: true });
    expect(paused?.last_scrub).toBeNull();
    // After the copy the scrub finishes, and the new image is in the index and checked too (or on the next run).
    const done = await waitFor(async () => ((await summary(cfg))?.last_scrub ? await summary(cfg) : undefined), { timeoutMs: 60_000, message: 'scrub finished after the copy' });
    expect(done?.last_scrub).toMatchObject({ checked: 3, corrupt: 0 });
    expect((await core.archive.get('data/SLOW.iso'))?.present).toBe(true);
  });
});

describe('digestOf', () => {
  it('reads sha256sum and md5sum lines, also the escaped form, and nothing else', () => {
    expect(digestOf(`${'A'.repeat(64)}  x.iso\n`, 'sha256')).toBe('a'.repeat(64));
    expect(digestOf(`\\${'b'.repeat(64)}  x\\nname.iso\n`, 'sha256')).toBe('b'.repeat(64));
    expect(digestOf(`${'c'.repeat(32)} *x.iso`, 'md5')).toBe('c'.repeat(32));
    expect(digestOf('not a digest', 'sha256')).toBeNull();
    expect(digestOf('d'.repeat(63), 'sha256')).toBeNull();
  });
});

