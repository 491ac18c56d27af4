/**
 * The workspace as the release sees it: which packages are published, where they live and
 * which versions their internal dependencies name.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The fields of a package.json that the release checks read. */
export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly files?: readonly string[];
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/** A workspace package: its directory (absolute) and its package.json. */
export interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: PackageManifest;
}

/** The repository root (the directory holding `packages/`), found from this module's location. */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../../", import.meta.url));
}

function readManifest(dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageManifest;
}

/** Every workspace package under `packages/`, sorted by directory name. */
export function workspacePackages(root: string): WorkspacePackage[] {
  return readdirSync(join(root, "packages"))
    .sort()
    .map((name) => join(root, "packages", name))
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: readManifest(dir) }));
}

/** The packages `changeset publish` publishes: every workspace package not marked `private`. */
export function publishedPackages(root: string): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true);
}

/** An internal dependency whose range is not the exact current version of the package it names. */
export interface InternalRangeMismatch {
  /** The package that declares the dependency. */
  readonly from: string;
  /** The dependency field: `dependencies`, `devDependencies` or `peerDependencies`. */
  readonly field: string;
  readonly dependency: string;
  readonly range: string;
  /** The version of the workspace package the dependency names. */
  readonly version: string;
}

/**
 * Internal dependency ranges that differ from the current version of the package they name.
 * The workspace pins internal packages exactly and `changeset version` rewrites the pins
 * (`updateInternalDependencies` in `.changeset/config.json`), so any difference means a version
 * was edited by hand or the lockfile and manifests drifted apart.
 */
export function internalRangeMismatches(
  packages: readonly WorkspacePackage[],
): InternalRangeMismatch[] {
  const versions = new Map(packages.map((p) => [p.manifest.name, p.manifest.version]));
  const out: InternalRangeMismatch[] = [];
  for (const { manifest } of packages) {
    for (const field of ["dependencies", "devDependencies", "peerDependencies"] as const) {
      for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
        const version = versions.get(dependency);
        if (version !== undefined && range !== version)
          out.push({ from: manifest.name, field, dependency, range, version });
      }
    }
  }
  return out;
}
