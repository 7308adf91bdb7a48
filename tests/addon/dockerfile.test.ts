import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { addonConfig, readText, REPO } from './support.js';

/** Dockerfile instructions with line continuations joined and comments dropped. */
const instructions = readText('Dockerfile')
  .split('\n')
  .filter((l) => !/^\s*#/.test(l))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.replace(/\s+/g, ' ').trim())
  .filter(Boolean)
  .map((l) => {
    const space = l.indexOf(' ');
    return { op: l.slice(0, space).toUpperCase(), args: l.slice(space + 1) };
  });

const ops = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);
const stages = () => {
  const result: { from: string; body: typeof instructions }[] = [];
  for (const i of instructions) {
    if (i.op === 'FROM') result.push({ from: i.args, body: [] });
    else result.at(-1)?.body.push(i);
  }
  return result;
};
const runtime = () => stages().at(-1)?.body ?? [];

/** .dockerignore decision for one path: the last matching pattern wins, parents count. */
function inContext(path: string, patterns: string[]): boolean {
  let included = true;
  const parts = path.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const glob = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    const re = new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('**', '\u0000').replaceAll('*', '[^/]*').replaceAll('?', '[^/]').replaceAll('\u0000', '.*')}$`);
    if (prefixes.some((p) => re.test(p))) included = negate;
  }
  return included;
}

describe('Dockerfile', () => {
  it('names its Home Assistant base image itself and builds every stage on it', () => {
    expect(instructions[0]).toEqual({ op: 'ARG', args: 'BUILD_FROM=ghcr.io/home-assistant/base-debian:trixie' });
    for (const { from } of stages()) expect(from).toMatch(/^\$\{BUILD_FROM\}( AS \S+)?$/);
  });

  it('lays out the app with the tested staging script and keeps s6-overlay as init', () => {
    expect(ops('RUN')).toContain('bash scripts/stage-image.sh /stage');
    expect(runtime().filter((i) => i.op === 'COPY').map((i) => i.args)).toContain('--from=build /stage/ /');
    expect(ops('CMD')).toEqual([]);
    expect(ops('ENTRYPOINT')).toEqual([]);
  });

  it('installs node and the disc tools from the one package list the image test builds from', () => {
    const runtimeRun = runtime().filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
    expect(runtime().filter((i) => i.op === 'COPY').map((i) => i.args)).toContain('image/packages.txt scripts/image-packages.sh /tmp/image/');
    expect(runtimeRun).toContain('/tmp/image/image-packages.sh /tmp/image/packages.txt | xargs apt-get install -y --no-install-recommends');
    // No package named anywhere else: the list is the only source.
    expect(runtimeRun).not.toMatch(/apt-get install[^|&]*\b(nodejs|dvdbackup|cdparanoia)\b/);
    expect(runtimeRun).not.toMatch(/(^|\s)npm(\s|$)/); // npm is only needed to build
  });

  it('builds libdvdcss from a pinned, checksummed release and fails loudly', () => {
    const stage = stages().find((s) => s.from.endsWith(' AS libdvdcss'));
    expect(stage).toBeDefined();
    const body = stage!.body.map((i) => `${i.op} ${i.args}`).join('\n');
    expect(body).toMatch(/ARG LIBDVDCSS_SHA256=[0-9a-f]{64}/);
    expect(body).toContain('sha256sum -c -');
    expect(body).toContain('test -e /out/usr/lib/libdvdcss.so.2');
    expect(body).not.toMatch(/\|\|/); // no fallback that would hide a failure
    expect(runtime().some((i) => i.op === 'COPY' && i.args === '--from=libdvdcss /out/ /')).toBe(true);
  });

  it('compiles with image/compiler only: no test runner or linter in the build stage', () => {
    const build = stages().find((s) => s.from.endsWith(' AS build'));
    const body = build!.body.map((i) => `${i.op} ${i.args}`).join('\n');
    expect(body).toContain('COPY image/compiler/ ./image/compiler/');
    expect(body).not.toMatch(/npm (ci|install)(?! --omit=dev)/);
  });

  it('checks the health of the web server on the ingress port', () => {
    expect(ops('HEALTHCHECK')).toHaveLength(1);
    expect(ops('HEALTHCHECK')[0]).toMatch(/CMD curl -fsS -m \d+ -o \/dev\/null http:\/\/127\.0\.0\.1:8099\/healthz/);
    expect(addonConfig().ingress_port ?? 8099).toBe(8099);
  });

  it('carries the io.hass labels', () => {
    const labels = ops('LABEL').join(' ');
    const name = addonConfig().name;
    expect(typeof name).toBe('string');
    expect(labels).toContain(`io.hass.name="${typeof name === 'string' ? name : ''}"`);
    expect(labels).toContain('io.hass.type="addon"');
    expect(labels).toContain('io.hass.arch="${BUILD_ARCH}"');
    expect(labels).toContain('io.hass.version="${BUILD_VERSION}"');
    expect(labels).toMatch(/io\.hass\.description="[^"]{20,}"/);
  });
});

describe('.dockerignore', () => {
  const patterns = readText('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('sends every file the Dockerfile copies', () => {
    const sources = instructions
      .filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(' ').slice(0, -1));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(inContext(source.replace(/\/$/, ''), patterns), source).toBe(true);
  });

  it('keeps dependencies, build output, tests and git history out of the build context', () => {
    for (const path of ['node_modules/zod/package.json', 'dist/cli.js', 'tests/addon/config.test.ts', '.git/HEAD', 'bench/x.bench.ts', 'icon.png']) {
      expect(inContext(path, patterns), path).toBe(false);
    }
  });
});

describe('the repository as a Home Assistant add-on repository', () => {
  it('has exactly one add-on config: the Supervisor treats every config.{json,yaml,yml} as an add-on', async () => {
    const { stdout } = await execa('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO });
    const configs = stdout
      .split('\n')
      .filter((p) => /(^|\/)config\.(json|ya?ml)$/.test(p))
      .filter((p) => !p.split('/').some((part) => part.startsWith('.') || part === 'rootfs'));
    expect(configs).toEqual(['config.yaml']);
  });
});
