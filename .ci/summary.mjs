// Sum vitest JSON reports into the one closing line CI is read by. A missing or unreadable
// report (the runner crashed) counts as a failure, never as zero tests.
import { readFileSync } from 'node:fs';

let passed = 0,
  failed = 0,
  skipped = 0,
  broken = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
    skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    // A file that failed to load has no tests in it; count it so the line cannot read green.
    broken += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } catch (err) {
    console.error(`summary: cannot read ${file}: ${err.message}`);
    broken += 1;
  }
}
failed += broken;
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
