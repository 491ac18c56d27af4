/**
 * Packing: `npm pack --json` of several workspaces in one npm run, as `changeset publish`
 * (which calls `npm publish` per package) would upload them.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";

const run = promisify(execFile);

/** One packed package: the tarball written and the paths it holds (relative to `package/`). */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.tgz` file. */
  readonly tarball: string;
  readonly files: readonly string[];
}

interface NpmPackEntry {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

/**
 * Packs the named workspace packages into `outDir` with one `npm pack --json --workspace …`
 * run from the repository root, and returns what npm reports for each.
 */
export async function packPackages(
  root: string,
  names: readonly string[],
  outDir: string,
): Promise<PackedPackage[]> {
  const args = [
    "pack",
    "--json",
    "--pack-destination",
    outDir,
    ...names.flatMap((n) => ["--workspace", n]),
  ];
  const { stdout } = await run("npm", args, { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const entries = JSON.parse(stdout) as NpmPackEntry[];
  return entries.map((e) => ({
    name: e.name,
    version: e.version,
    tarball: join(outDir, e.filename),
    files: e.files.map((f) => f.path).sort(),
  }));
}

/** What `npm publish --dry-run` would upload, and what npm would change on the way. */
export interface DryRunPublish {
  /** The packages npm would publish, each with the paths of its tarball. */
  readonly packages: readonly {
    readonly name: string;
    readonly version: string;
    readonly files: readonly string[];
  }[];
  /** The workspaces npm skips as private. */
  readonly skippedPrivate: readonly string[];
  /**
   * The `npm warn publish` lines about package.json fields npm would rewrite on publish
   * (`npm auto-corrected some errors…` and the corrections listed under it).
   */
  readonly corrections: readonly string[];
}

/**
 * Runs `npm publish --dry-run --workspaces --offline --json` from the repository root: npm packs
 * every workspace, skips the private ones and reports what it would publish, touching no
 * registry (`--offline`). Fails when npm exits with an error.
 */
export async function dryRunPublish(root: string): Promise<DryRunPublish> {
  const { stdout, stderr } = await run(
    "npm",
    ["publish", "--dry-run", "--workspaces", "--offline", "--json"],
    {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const entries = Object.values(JSON.parse(stdout) as Record<string, NpmPackEntry>);
  const warnings = stderr.split("\n").filter((l) => l.startsWith("npm warn publish "));
  const skipped = /^npm warn publish Skipping workspace (\S+), marked as private/;
  const login = /^npm warn publish This command requires you to be logged in/;
  return {
    packages: entries.map((e) => ({
      name: e.name,
      version: e.version,
      files: e.files.map((f) => f.path).sort(),
    })),
    skippedPrivate: warnings.flatMap((l) => skipped.exec(l)?.[1] ?? []),
    corrections: warnings.filter((l) => !skipped.test(l) && !login.test(l)),
  };
}
