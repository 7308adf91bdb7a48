// Prints the closing line CI reads ("tests: N passed, N failed, N skipped") from one or more
// vitest JSON reports (the unit/integration run and the hardware rig), summed.
//
// On CI (env CI set) a skipped test fails the run: CI runs as root with every tool of .ci/run,
// so a skip there means a test that silently stopped testing. The only exceptions are the
// tests named in SKIP_ALLOWED below, each with the reason it cannot run on CI.
import { readFileSync } from 'node:fs';

/** "file (relative to the repository) > full test name" → why CI may skip it. */
const SKIP_ALLOWED = new Map([
  // (none today: every test runs on CI)
]);

const onCi = Boolean(process.env.CI);
const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let success = true;
const notAllowed = [];
for (const file of files.length > 0 ? files : ['test-results.json']) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`no test report in ${file}: ${error.message}`);
    success = false;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  success &&= report.success !== false;
  for (const suite of report.testResults ?? []) {
    const path = String(suite.name ?? '').replace(`${process.cwd()}/`, '');
    for (const test of suite.assertionResults ?? []) {
      if (test.status === 'passed' || test.status === 'failed') continue;
      const key = `${path} > ${test.fullName}`;
      if (!SKIP_ALLOWED.has(key)) notAllowed.push(key);
    }
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (notAllowed.length > 0) {
  const log = onCi ? console.error : console.log;
  log(onCi ? `${notAllowed.length} test(s) skipped on CI, which must run them all (or list them with a reason in scripts/test-summary.mjs):` : 'skipped here (CI must run them):');
  for (const key of notAllowed) log(`  skipped: ${key}`);
}
process.exitCode = failed > 0 || !success || (onCi && notAllowed.length > 0) ? 1 : 0;
