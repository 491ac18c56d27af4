/**
 * Release checks of the rashpa workspace: packs every published package as `changeset publish`
 * would and checks each tarball (file list, publint, arethetypeswrong with the `esm-only`
 * profile), the CHANGELOGs against package versions, internal dependency pins and the pending
 * changesets' release plan. `src/release.test.ts` runs them in `npm test`; `npm run
 * release:check` prints the per-package report.
 *
 * @module
 */
export * from "./workspace.js";
export * from "./pack.js";
export * from "./tarball-checks.js";
export * from "./changelog.js";
export * from "./report.js";
