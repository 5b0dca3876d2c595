// CI must run every test: a skipped, todo or never-run test (say, after a failing
// beforeAll) fails the run even when vitest itself exits 0.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(new URL('../test-artifacts/vitest.json', import.meta.url), 'utf8'));
const notRun = report.numPendingTests + report.numTodoTests;
if (notRun > 0 || report.numFailedTestSuites > 0 || report.numTotalTests === 0) {
  const names = report.testResults.flatMap((f) =>
    f.assertionResults.filter((a) => a.status !== 'passed').map((a) => `  ${a.status}: ${a.fullName}`),
  );
  console.error(`${notRun} test(s) did not run, ${report.numFailedTestSuites} suite(s) failed:\n${names.join('\n')}`);
  process.exit(1);
}
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
