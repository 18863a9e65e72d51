// The whole test suite: build (the CLI and examples run from dist/), typecheck, then vitest, then one
// final line `N passed, N failed` (vitest's own summary does not count that way).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

// Build the CLI and runtime, and typecheck everything (src, tests, benches) under strict TS.
if (run('npm', ['run', '--silent', 'build']) !== 0 || run('npm', ['run', '--silent', 'typecheck']) !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'aa-gen-test-'));
const report = join(dir, 'report.json');
const status = run('npx', [
  'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);

let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  // A file that fails before any test runs (an import error) counts as one failure.
  const brokenFiles = r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  failed = r.numFailedTests + brokenFiles;
} catch {
  failed = 1; // no report: vitest itself failed
}
rmSync(dir, { recursive: true, force: true });
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(status === 0 && failed === 0 ? 0 : 1);
