import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONTROL_ACTIONS,
  allCommandContexts,
  commandVerdict,
  type CommandContext,
  type ControlAction,
  type DriveStatus,
} from '../../src/contract/index.js';
import { DriveCard } from '../../src/web/views/drive-card.js';
import { translator } from '../../src/web/i18n/index.js';
import { attributes as attributesFixture, status as statusFixture } from '../web/fixtures.js';

interface BrowserPolicy {
  enables(view: { status: DriveStatus }, action: ControlAction): boolean;
  asksFirst(view: { status: DriveStatus }, action: ControlAction): boolean;
}

/**
 * The browser's rules as the page runs them: the module src/web/browser/dashboard.ts imports,
 * bundled by esbuild for the browser (as scripts/build-browser.mjs does) and run in a fresh context.
 */
let browser: BrowserPolicy;
beforeAll(async () => {
  const out = await build({
    stdin: { contents: "export { enables, asksFirst } from './src/web/views/drive-state.ts';", resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'policy',
    platform: 'browser',
    target: ['es2017'],
    tsconfig: 'src/web/browser/tsconfig.json',
  });
  const code = out.outputFiles[0]?.text ?? '';
  // Nothing but the rules: no zod, no Node in what the page loads for them.
  expect(code).not.toMatch(/zod|require\(|node:/);
  browser = runInNewContext(`${code}\npolicy;`, {}) as BrowserPolicy;
});

function statusOf(ctx: CommandContext): DriveStatus {
  const base = statusFixture({ state: ctx.state, job_id: ctx.job ? 'job-1' : null });
  return { ...base, drive: { ...base.drive, present: ctx.drivePresent } };
}

/** Whether the server-rendered card enables the control of `action`. */
function cardEnables(html: string, action: ControlAction): boolean {
  const tag = new RegExp(`<(?:button|input)[^>]*data-action="${action}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no control for ${action}`);
  return !/\sdisabled(="")?[\s>/]/.test(tag);
}

const t = translator('en');
const CARD_LESS = new Set<ControlAction>(['set_duplicate_policy', 'set_checksum']);
/** A disc with two matches waiting: the card then has the candidates panel, whose controls follow the policy too. */
const pendingAttributes = attributesFixture({
  pending: {
    awaiting: 'metadata',
    candidates: [
      { id: 'tmdb:1', source: 'tmdb', kind: 'movie', title: 'One', year: 2001, artist: null, overview: null, cover_url: null, cover_file: 'tmdb-1.jpg' },
      { id: 'tmdb:2', source: 'tmdb', kind: 'movie', title: 'Two', year: null, artist: null, overview: 'x', cover_url: null, cover_file: null },
    ],
    default_id: 'tmdb:1',
    query: 'one',
    deadline: new Date(Date.now() + 60_000).toISOString(),
    notes: [],
  },
});

async function renderCard(element: ReturnType<typeof DriveCard>): Promise<string> {
  // A hono JSX node (or escaped string): its toString() is the HTML.
  const node = (await element) as { toString(): string } | null;
  if (!node) throw new Error('the card rendered nothing');
  return node.toString();
}

describe('one command policy: UI enabled ⇔ core accepts, in every state × action × job × drive presence', () => {
  const contexts = allCommandContexts();

  it('covers the 12 states with and without a job and a drive', () => {
    expect(contexts).toHaveLength(12 * 4);
    expect([...CONTROL_ACTIONS].sort()).toEqual([
      'cancel', 'close_tray', 'eject', 'search_metadata', 'select_metadata', 'set_auto_copy', 'set_checksum', 'set_duplicate_policy', 'set_title', 'skip_metadata', 'start',
    ]);
  });

  for (const ctx of contexts) {
    it(`${ctx.state}, ${ctx.job ? 'job' : 'no job'}, ${ctx.drivePresent ? 'drive' : 'no drive'}`, async () => {
      const status = statusOf(ctx);
      const html = await renderCard(DriveCard({ view: { id: 'sim0', status, progress: null, attributes: pendingAttributes }, t, lang: 'en' }));
      for (const action of CONTROL_ACTIONS) {
        const verdict = commandVerdict(action, ctx);
        // The duplicate policy and checksum are set from Home Assistant (select entities) or the API: no card control.
        if (!CARD_LESS.has(action)) expect(cardEnables(html, action), `card ${action}`).toBe(verdict.allowed);
        expect(browser.enables({ status }, action), `script ${action}`).toBe(verdict.allowed);
        expect(browser.asksFirst({ status }, action), `confirm ${action}`).toBe(verdict.allowed && verdict.confirm);
      }
    });
  }

  it('auto-copy off, disc waiting for Start: Start enabled, Cancel not (issue 10, 1)', () => {
    const waiting = { state: 'waiting_for_metadata', job: false, drivePresent: true } as const;
    expect(commandVerdict('start', waiting).allowed).toBe(true);
    expect(commandVerdict('cancel', waiting).allowed).toBe(false);
  });

  it('Cancel and Eject during a copy ask first; Close tray is refused then (issue 10, 3)', () => {
    const copying = { state: 'copying', job: true, drivePresent: true } as const;
    expect(commandVerdict('cancel', copying)).toEqual({ allowed: true, confirm: true });
    expect(commandVerdict('eject', copying)).toEqual({ allowed: true, confirm: true });
    expect(commandVerdict('eject', { ...copying, state: 'waiting_for_removal', job: false })).toEqual({ allowed: true, confirm: false });
    expect(commandVerdict('close_tray', copying).allowed).toBe(false);
  });
});
