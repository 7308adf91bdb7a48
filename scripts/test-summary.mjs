// Prints the closing line CI reads ("tests: N passed, N failed, N skipped") from one or more
// vitest JSON reports (the unit/integration run and the hardware rig), summed.
import { readFileSync } from 'node:fs';

const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let success = true;
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
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || !success ? 1 : 0;
