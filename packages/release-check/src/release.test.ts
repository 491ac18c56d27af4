import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  changelogProblems,
  changelogTopVersion,
  checkPublishedPackages,
  dryRunPublish,
  internalRangeMismatches,
  isTestFile,
  isVersionAbove,
  publishedPackages,
  releasePlan,
  repoRoot,
  tarballFileProblems,
  workspacePackages,
} from "./index.js";
import type { PackageReport } from "./index.js";

const root = repoRoot();
const published = publishedPackages(root);
const publishedNames = published.map((p) => p.manifest.name);
const privateNames = workspacePackages(root)
  .filter((p) => p.manifest.private === true)
  .map((p) => p.manifest.name);

describe("published packages, packed as changeset publish would", () => {
  let outDir = "";
  const reports = new Map<string, PackageReport>();
  const report = (name: string): PackageReport => {
    const r = reports.get(name);
    if (r === undefined) throw new Error(`"${name}" expected a report, got none`);
    return r;
  };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "rashpa-release-check-"));
    for (const r of await checkPublishedPackages(root, outDir)) reports.set(r.name, r);
  }, 180_000);
  afterAll(async () => {
    if (outDir !== "") await rm(outDir, { recursive: true, force: true });
  });

  test("the workspace publishes the twelve library packages and keeps bench and release-check private", () => {
    expect(publishedNames).toEqual([
      "@rashpa/bits",
      "@rashpa/cli",
      "@rashpa/client",
      "@rashpa/codegen",
      "@rashpa/descriptors",
      "@rashpa/emulator",
      "@rashpa/laws",
      "@rashpa/pcie",
      "@rashpa/registers",
      "@rashpa/roce",
      "@rashpa/spec",
      "@rashpa/srio",
    ]);
    expect(privateNames).toEqual(
      expect.arrayContaining(["@rashpa/bench", "@rashpa/release-check"]),
    );
    expect([...reports.keys()].sort()).toEqual(publishedNames);
  });

  // The dry run is the last step before `changeset publish`: npm must publish exactly the
  // packed files and rewrite nothing in a package.json (it would, silently, for a `./` bin path).
  test("npm publish --dry-run publishes the same tarballs, skips the private packages and corrects nothing", async () => {
    const dry = await dryRunPublish(root);
    expect(dry.corrections).toEqual([]);
    expect(dry.skippedPrivate).toEqual(privateNames);
    expect(dry.packages.map((p) => p.name).sort()).toEqual(publishedNames);
    for (const p of dry.packages) {
      expect(p.version, p.name).toBe(report(p.name).version);
      expect(p.files, p.name).toEqual(report(p.name).files);
    }
  }, 120_000);

  describe.each(publishedNames)("%s", (name) => {
    test("the tarball holds README.md, LICENSE, CHANGELOG.md, dist/index.js, dist/index.d.ts and no test file", () => {
      // CHANGELOG.md is required once the package has one: a new package gets it from its
      // first `changeset version` (until then its pending changeset is checked below).
      const r = report(name);
      expect(r.fileProblems).toEqual([]);
      expect(r.files.includes("CHANGELOG.md")).toBe(r.hasChangelog);
    });

    test("its LICENSE is the repository's MIT licence", () => {
      expect(report(name).licenseMatchesRoot).toBe(true);
    });

    test("its CHANGELOG is titled with the package name and its newest entry is the package.json version (or its first changeset is pending)", () => {
      const r = report(name);
      expect(r.changelogProblems).toEqual([]);
      expect(r.changelogVersion).toBe(r.hasChangelog ? r.version : undefined);
    });

    // Every publint level counts, suggestions included: the ones that came up (a repository
    // URL npm would rewrite on publish) were fixed in package.json, so none is tolerated.
    test("publint reports no error, warning or suggestion", () => {
      expect(report(name).publint).toEqual({ errors: [], warnings: [], suggestions: [] });
    });

    // ESM-only packages: attw's `esm-only` profile ignores the node10 and node16-cjs
    // resolutions. What it ignores must be exactly the ESM-only signature, nothing else.
    test("arethetypeswrong finds typed entry points and no problem outside the esm-only profile", () => {
      const t = report(name).types;
      expect(t.typed).toBe(true);
      expect(t.entrypoints).toContain(".");
      expect(t.problems).toEqual([]);
      expect(t.ignored).toContain('"NoResolution" at "." (node10)');
      expect(t.ignored).toContain('"CJSResolvesToESM" at "." (node16-cjs)');
      expect(t.ignoredKinds).toEqual(["CJSResolvesToESM", "NoResolution"]);
    });
  });
});

describe("tarball file rules", () => {
  test("test files, test directories and Vitest configs are test files; shipped code is not", () => {
    for (const f of [
      "src/bits.test.ts",
      "src/frames.test-helpers.ts",
      "dist/bits.test.js",
      "dist/bits.test.d.ts",
      "test/vectors/tlp.test.ts",
      "test/vectors/mrd.json",
      "vitest.config.ts",
    ])
      expect(isTestFile(f), f).toBe(true);
    for (const f of [
      "src/index.ts",
      "dist/index.js",
      "dist/testing.js",
      "src/gen/c/tlp.h",
      "src/attest.ts",
    ])
      expect(isTestFile(f), f).toBe(false);
  });

  test("a missing required file and a shipped test file are both reported", () => {
    expect(
      tarballFileProblems(
        ["package.json", "dist/index.js", "src/a.test.ts"],
        ["package.json", "LICENSE"],
      ),
    ).toEqual(['"LICENSE" missing', '"src/a.test.ts" is a test file']);
  });
});

describe("changesets", () => {
  // Private packages appear in the plan only with type "none" (their pins of bumped packages
  // are rewritten); a changeset that names one would be silently dropped, so none may.
  test("the pending changesets assemble into a release plan that bumps published packages upwards", async () => {
    const plan = await releasePlan(root);
    for (const r of plan.releases) {
      if (r.type === "none") expect(r.newVersion, r.name).toBe(r.oldVersion);
      else {
        expect(publishedNames, r.name).toContain(r.name);
        expect(
          isVersionAbove(r.newVersion, r.oldVersion),
          `${r.name} ${r.oldVersion} → ${r.newVersion}`,
        ).toBe(true);
      }
    }
    for (const c of plan.changesets) {
      expect(c.releases.length, c.id).toBeGreaterThan(0);
      for (const r of c.releases)
        expect(publishedNames, `${c.id} names ${r.name}`).toContain(r.name);
    }
    expect(plan.preState).toBeUndefined();
  });

  test("internal dependencies pin the current version of every workspace package", () => {
    expect(internalRangeMismatches(workspacePackages(root))).toEqual([]);
  });

  test("the lockfile records each workspace package at its package.json version", () => {
    const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version?: string }>;
    };
    for (const { dir, manifest } of workspacePackages(root)) {
      const key = `packages/${dir.split(/[/\\]/).pop() ?? ""}`;
      expect(lock.packages[key]?.version, key).toBe(manifest.version);
    }
  });

  test("a package without a CHANGELOG passes only while a pending changeset bumps it", () => {
    const log = "# @rashpa/x\n\n## 0.3.0\n\n### Minor Changes\n";
    expect(changelogProblems("@rashpa/x", "0.3.0", log, new Set())).toEqual([]);
    expect(changelogProblems("@rashpa/x", "0.3.1", log, new Set())).toEqual([
      '"CHANGELOG.md" expected top entry 0.3.1, got 0.3.0',
    ]);
    expect(changelogProblems("@rashpa/y", "0.3.0", log, new Set())).toEqual([
      '"CHANGELOG.md" expected the title "# @rashpa/y"',
    ]);
    expect(changelogProblems("@rashpa/new", "0.1.0", undefined, new Set(["@rashpa/new"]))).toEqual(
      [],
    );
    expect(changelogProblems("@rashpa/new", "0.1.0", undefined, new Set())).toEqual([
      '"CHANGELOG.md" missing and no pending changeset bumps @rashpa/new',
    ]);
  });

  test("CHANGELOG and version helpers read what changeset version writes", () => {
    expect(changelogTopVersion("# @rashpa/x\n\n## 1.4.0\n\n### Minor Changes\n\n## 1.3.2\n")).toBe(
      "1.4.0",
    );
    expect(changelogTopVersion("# @rashpa/x\n")).toBeUndefined();
    expect(isVersionAbove("0.2.0", "0.1.9")).toBe(true);
    expect(isVersionAbove("1.0.0", "0.10.0")).toBe(true);
    expect(isVersionAbove("0.1.0", "0.1.0")).toBe(false);
    expect(isVersionAbove("0.1.0", "0.2.0")).toBe(false);
  });
});
