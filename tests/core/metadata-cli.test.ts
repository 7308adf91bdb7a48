import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, AttributesSchema, ControlClient, readContractValue } from '../../src/contract/index.js';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin } from '../../src/demo/metadata-standin.js';
import { simInsert, simReset } from '../../src/drive/index.js';
import { useCliProcesses, writeCliOptions } from '../helpers/cli-core.js';
import { history, waitForState } from '../helpers/core.js';
import { makeDvdVideo } from '../helpers/dvd-video.js';
import { REPO_ROOT } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

const BUILD = join(REPO_ROOT, 'tests', 'artifacts', 'metadata-cli-dist');

describe('`disk2iso run` asks the stand-in TMDB and takes the choice over the HTTP control API', () => {
  const fx = useCliProcesses();
  let standin: MetadataStandin;
  beforeAll(async () => {
    // This tree's core, built into a scratch folder: ensureBuilt only builds a missing dist/, and
    // rebuilding the shared dist/ would pull it from under other test files' running CLIs.
    await execa('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD], { cwd: REPO_ROOT });
    standin = await startMetadataStandin(DEMO_CATALOGUE);
  }, 300_000);
  afterAll(async () => standin.close());

  it('a DVD-Video with two films waits; POST select_metadata names the ISO after the chosen film', { timeout: 120_000 }, async () => {
    const sim = join(fx.dir, 'sim0');
    await simReset(sim);
    await mkdir(join(fx.dir, 'dvd'));
    const { iso } = await makeDvdVideo(join(fx.dir, 'dvd'), 'MY_MOVIE_DISC_1');
    const { optionsPath, config } = await writeCliOptions(fx.dir, sim, { tmdb_api_key: 'demo-key', metadata_language: 'fr', dvd_video_mode: 'raw', eject_after_copy: false, poll_media_interval: 1 });
    const core = execa('node', [join(BUILD, 'cli.js'), 'run'], { env: { DISK2ISO_OPTIONS: optionsPath, ...standin.env() }, reject: false, all: true, stdin: 'ignore' });
    fx.running.push(core);
    await waitForState(config, 'sim0', 'waiting_for_media', 60_000);
    await simInsert(sim, iso);
    await waitForState(config, 'sim0', 'waiting_for_metadata', 60_000);
    const pending = (await readContractValue(apiPaths(config.api_dir).attributes('sim0'), AttributesSchema))?.pending;
    expect(pending?.candidates.map((c) => c.id)).toEqual(['tmdb:movie-9001', 'tmdb:movie-9002', 'tmdb:tv-9101']);
    expect(standin.requests.filter((r) => r.url.startsWith('/3/search/')).every((r) => r.url.includes('language=fr'))).toBe(true);
    const client = new ControlClient(`http://127.0.0.1:${config.web_port}/`);
    expect(await client.send('sim0', { action: 'select_metadata', candidate_id: 'tmdb:movie-2' })).toMatchObject({ ok: false, status: 404, code: 'cmd_unknown_candidate' });
    expect(await client.send('sim0', { action: 'select_metadata', candidate_id: 'tmdb:movie-9001' })).toMatchObject({ ok: true, code: 'cmd_metadata_selected' });
    await waitFor(async () => ((await history(config))?.entries.length ?? 0) > 0, { timeoutMs: 60_000, message: 'the copy in history' });
    const entry = (await history(config))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('My_Movie (2004).iso');
    expect(entry?.metadata).toMatchObject({ source: 'tmdb', source_id: 'movie-9001', chosen_by: 'user' });
    core.kill('SIGTERM');
    expect((await core).exitCode).toBe(0);
  });
});
