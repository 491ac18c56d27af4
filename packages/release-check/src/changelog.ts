/**
 * CHANGELOGs and the pending release plan, as changesets writes and reads them.
 *
 * @module
 */
import getReleasePlan from "@changesets/get-release-plan";

/**
 * The version of the newest entry of a CHANGELOG written by `changeset version`: the first
 * `## <version>` heading, or `undefined` when there is none.
 */
export function changelogTopVersion(changelog: string): string | undefined {
  return /^## (\S+)\s*$/m.exec(changelog)?.[1];
}

/** The release plan of the pending changesets, as `changeset status` computes it. */
export type ReleasePlan = Awaited<ReturnType<typeof getReleasePlan>>;

/**
 * Reads `.changeset/config.json` and every pending changeset under `root` and assembles the
 * release plan, with the same function `changeset status` and `changeset version` call. It
 * rejects an invalid config, a changeset that does not parse, one that names a package outside
 * the workspace, or one that mixes ignored and released packages. Unlike `changeset status` it
 * does not compare the branch with `main` through git (see CONTRIBUTING.md).
 */
export function releasePlan(root: string): Promise<ReleasePlan> {
  return getReleasePlan(root);
}

/**
 * What is wrong with a published package's CHANGELOG: with one, its first line must be
 * `# <name>` and its newest entry `version`; without one (a new package), a pending changeset
 * must bump it, so that the next `changeset version` writes it. Empty when all is right.
 */
export function changelogProblems(
  name: string,
  version: string,
  changelog: string | undefined,
  pendingBumps: ReadonlySet<string>,
): string[] {
  if (changelog === undefined)
    return pendingBumps.has(name)
      ? []
      : [`"CHANGELOG.md" missing and no pending changeset bumps ${name}`];
  const top = changelogTopVersion(changelog);
  return [
    ...(changelog.startsWith(`# ${name}\n`)
      ? []
      : [`"CHANGELOG.md" expected the title "# ${name}"`]),
    ...(top === version
      ? []
      : [`"CHANGELOG.md" expected top entry ${version}, got ${top ?? "none"}`]),
  ];
}

/** The packages a release plan bumps (every release whose type is not `none`). */
export function pendingBumps(plan: ReleasePlan): Set<string> {
  return new Set(plan.releases.filter((r) => r.type !== "none").map((r) => r.name));
}

function parts(version: string): number[] {
  return (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
}

/** Whether semantic version `a` is above `b`, comparing major, minor and patch only. */
export function isVersionAbove(a: string, b: string): boolean {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return false;
}
