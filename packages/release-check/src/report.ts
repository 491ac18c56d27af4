/**
 * The whole check of the published packages, gathered per package, and its one-line-per-package
 * rendering (`npm run release:check`).
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { changelogProblems, changelogTopVersion, pendingBumps, releasePlan } from "./changelog.js";
import { packPackages } from "./pack.js";
import { checkTarballTypes, lintTarball, tarballFileProblems } from "./tarball-checks.js";
import type { PublintReport, TypesReport } from "./tarball-checks.js";
import { publishedPackages } from "./workspace.js";

/** Everything checked about one published package. */
export interface PackageReport {
  readonly name: string;
  readonly version: string;
  /** Whether the package directory has a CHANGELOG.md (written by `changeset version`). */
  readonly hasChangelog: boolean;
  /** The version of the CHANGELOG's newest entry, `undefined` without one. */
  readonly changelogVersion: string | undefined;
  /** What is wrong with the CHANGELOG ({@link changelogProblems}). */
  readonly changelogProblems: readonly string[];
  /** Whether the package's LICENSE is byte for byte the repository's. */
  readonly licenseMatchesRoot: boolean;
  /** The paths in the tarball. */
  readonly files: readonly string[];
  /** Missing required files and test files in the tarball ({@link tarballFileProblems}). */
  readonly fileProblems: readonly string[];
  readonly publint: PublintReport;
  readonly types: TypesReport;
}

/**
 * Packs every published package of the workspace at `root` into `outDir` and checks each
 * tarball. A package without a CHANGELOG.md yet (a new package whose first changeset is still
 * pending) is not required to ship one, as long as a pending changeset bumps it.
 */
export async function checkPublishedPackages(
  root: string,
  outDir: string,
): Promise<PackageReport[]> {
  const packages = publishedPackages(root);
  const packed = await packPackages(
    root,
    packages.map((p) => p.manifest.name),
    outDir,
  );
  const license = readFileSync(join(root, "LICENSE"));
  const pending = pendingBumps(await releasePlan(root));
  return Promise.all(
    packages.map(async ({ dir, manifest }) => {
      const pack = packed.find((p) => p.name === manifest.name);
      if (pack === undefined)
        throw new Error(`"${manifest.name}" expected in the npm pack output, got no entry`);
      const tarball = new Uint8Array(await readFile(pack.tarball));
      const changelogPath = join(dir, "CHANGELOG.md");
      const hasChangelog = existsSync(changelogPath);
      const changelog = hasChangelog ? readFileSync(changelogPath, "utf8") : undefined;
      const licensePath = join(dir, "LICENSE");
      const required = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"];
      return {
        name: manifest.name,
        version: pack.version,
        hasChangelog,
        changelogVersion: changelog === undefined ? undefined : changelogTopVersion(changelog),
        changelogProblems: changelogProblems(manifest.name, pack.version, changelog, pending),
        licenseMatchesRoot: existsSync(licensePath) && readFileSync(licensePath).equals(license),
        files: pack.files,
        fileProblems: tarballFileProblems(
          pack.files,
          hasChangelog ? [...required, "CHANGELOG.md"] : required,
        ),
        publint: await lintTarball(tarball),
        types: await checkTarballTypes(tarball),
      };
    }),
  );
}

/** Whether a report shows nothing wrong: the rules `src/release.test.ts` asserts. */
export function isClean(r: PackageReport): boolean {
  return (
    r.fileProblems.length === 0 &&
    r.licenseMatchesRoot &&
    r.changelogProblems.length === 0 &&
    r.publint.errors.length + r.publint.warnings.length + r.publint.suggestions.length === 0 &&
    r.types.typed &&
    r.types.problems.length === 0
  );
}

/**
 * One line per package: version, file count, publint errors/warnings/suggestions, attw
 * problems and the problems the `esm-only` profile ignores, then the details of anything wrong.
 */
export function renderReports(reports: readonly PackageReport[]): string {
  const lines = reports.map((r) => {
    const p = r.publint;
    const t = r.types;
    const head =
      `${isClean(r) ? "ok  " : "FAIL"} ${r.name.padEnd(20)} ${r.version.padEnd(8)} ${String(r.files.length).padStart(4)} files` +
      `  publint ${p.errors.length}e/${p.warnings.length}w/${p.suggestions.length}s` +
      `  attw ${t.typed ? `${t.problems.length} problems` : "untyped"}, ${t.ignored.length} ignored (esm-only: ${t.ignoredKinds.join(", ") || "none"})` +
      `  changelog ${r.changelogVersion ?? "none"}`;
    const details = [
      ...r.fileProblems,
      ...(r.licenseMatchesRoot ? [] : ['"LICENSE" differs from the repository LICENSE']),
      ...r.changelogProblems,
      ...p.errors,
      ...p.warnings,
      ...p.suggestions,
      ...t.problems,
    ].map((d) => `       ${d}`);
    return [head, ...details].join("\n");
  });
  return lines.join("\n") + "\n";
}
