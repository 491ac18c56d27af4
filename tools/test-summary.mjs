// Adds up the Vitest JSON reports of every package (packages/*/test-results.json, written by
// the reporter configured in vitest.shared.ts) and prints one plain line:
//   N passed, N failed, N skipped
// so that a run that executed no test is visible. Exit status 1 when nothing ran or a report
// is missing for a package that has tests.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const pkg = join(root, "packages", dir);
  const report = join(pkg, "test-results.json");
  if (!existsSync(report)) {
    if (existsSync(join(pkg, "src"))) missing.push(dir);
    continue;
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0);
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const hasTests = (dir) => {
  const walk = (d) =>
    readdirSync(d, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? e.name !== "node_modules" && e.name !== "dist" && walk(join(d, e.name)) : e.name.endsWith(".test.ts"),
    );
  return walk(join(root, "packages", dir));
};
const reallyMissing = missing.filter(hasTests);
if (reallyMissing.length > 0) console.error(`no test report from: ${reallyMissing.join(", ")}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = passed === 0 || reallyMissing.length > 0 ? 1 : 0;
