import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';

/** A vitest JSON report with one test of each given status in tests/x.test.ts. */
function report(statuses: readonly string[]): object {
  const count = (status: string): number => statuses.filter((s) => s === status).length;
  return {
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('skipped'),
    numTodoTests: count('todo'),
    success: count('failed') === 0,
    testResults: [{ name: join(REPO_ROOT, 'tests', 'x.test.ts'), assertionResults: statuses.map((status, i) => ({ status, fullName: `suite test ${i}` })) }],
  };
}

describe('scripts/test-summary.mjs', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  async function summary(statuses: readonly string[], ci: boolean): Promise<{ exitCode: number | undefined; all: string }> {
    const file = join(dir, 'report.json');
    await writeFile(file, JSON.stringify(report(statuses)));
    const env = { ...process.env, CI: ci ? 'true' : '' };
    const result = await execa('node', ['scripts/test-summary.mjs', file], { cwd: REPO_ROOT, env, extendEnv: false, reject: false, all: true });
    return { exitCode: result.exitCode, all: result.all };
  }

  it('passes a clean run and prints the closing line', async () => {
    expect(await summary(['passed', 'passed'], true)).toEqual({ exitCode: 0, all: 'tests: 2 passed, 0 failed, 0 skipped' });
  });

  it('fails a run with a failed test', async () => {
    expect((await summary(['passed', 'failed'], false)).exitCode).toBe(1);
  });

  it('fails on CI when a test was skipped or left todo, naming it; elsewhere it only lists it', async () => {
    const onCi = await summary(['passed', 'skipped', 'todo'], true);
    expect(onCi.exitCode).toBe(1);
    expect(onCi.all).toContain('tests: 1 passed, 0 failed, 2 skipped');
    expect(onCi.all).toContain('skipped: tests/x.test.ts > suite test 1');
    expect(onCi.all).toContain('skipped: tests/x.test.ts > suite test 2');
    const local = await summary(['passed', 'skipped'], false);
    expect(local.exitCode).toBe(0);
    expect(local.all).toContain('skipped: tests/x.test.ts > suite test 1');
  });

  it('fails when a report is missing', async () => {
    const result = await execa('node', ['scripts/test-summary.mjs', join(dir, 'absent.json')], { cwd: REPO_ROOT, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no test report in');
  });
});
