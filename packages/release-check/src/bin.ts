#!/usr/bin/env node
/**
 * `npm run release:check`: packs every published package into a temporary directory, prints
 * the per-package report and exits with status 1 when any package fails a check.
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkPublishedPackages, isClean, renderReports } from "./report.js";
import { repoRoot } from "./workspace.js";

const outDir = await mkdtemp(join(tmpdir(), "rashpa-release-check-"));
try {
  const reports = await checkPublishedPackages(repoRoot(), outDir);
  process.stdout.write(renderReports(reports));
  process.exitCode = reports.every(isClean) ? 0 : 1;
} finally {
  await rm(outDir, { recursive: true, force: true });
}
