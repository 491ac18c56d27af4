#!/usr/bin/env node
/**
 * `rashpa-site [--out <dir>]`: builds the reference site (plots, then TypeDoc) from the
 * repository root (the current directory); what `npm run docs` runs after building the
 * packages.
 *
 * @module
 */
import { SiteBuildError, buildSite } from "./build.js";

const at = process.argv.indexOf("--out");
try {
  const { out } = buildSite({
    root: process.cwd(),
    ...(at >= 0 && process.argv[at + 1] !== undefined ? { out: process.argv[at + 1] } : {}),
  });
  process.stdout.write(`site written to ${out}\n`);
} catch (e) {
  if (!(e instanceof SiteBuildError)) throw e;
  process.stderr.write(`rashpa-site: ${e.message}\n`);
  process.exitCode = 1;
}
