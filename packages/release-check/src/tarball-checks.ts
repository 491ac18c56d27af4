/**
 * Checks of one packed tarball: its file list, publint's lint of the packed package.json
 * against the packed files, and arethetypeswrong's resolution of the packed types.
 *
 * @module
 */
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core";
import type { Problem, ResolutionKind } from "@arethetypeswrong/core";
import { publint } from "publint";
import type { Message } from "publint";
import { formatMessage } from "publint/utils";

/** Files every published tarball must hold (paths inside the package). */
export const REQUIRED_FILES: readonly string[] = [
  "package.json",
  "README.md",
  "LICENSE",
  "CHANGELOG.md",
  "dist/index.js",
  "dist/index.d.ts",
];

const TEST_FILE =
  /(^|\/)(test|tests|__tests__)\/|\.(test|spec)(-helpers)?\.[cm]?[jt]s$|\.(test|spec)(-helpers)?\.d\.[cm]?ts(\.map)?$|(^|\/)vitest\.config\./;

/** Whether a packed path is test code: a test directory, a `.test`/`.spec` file or its helpers, a Vitest config. */
export function isTestFile(path: string): boolean {
  return TEST_FILE.test(path);
}

/**
 * What is wrong with a tarball's file list: each missing path of `required` as
 * `"<path>" missing`, each test file as `"<path>" is a test file`. Empty when the list is right.
 */
export function tarballFileProblems(
  files: readonly string[],
  required: readonly string[] = REQUIRED_FILES,
): string[] {
  const have = new Set(files);
  return [
    ...required.filter((f) => !have.has(f)).map((f) => `"${f}" missing`),
    ...files.filter(isTestFile).map((f) => `"${f}" is a test file`),
  ];
}

/** publint's messages for one tarball, by severity, each as publint words it. */
export interface PublintReport {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly suggestions: readonly string[];
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * Lints a packed tarball with publint (every level, suggestions included). publint reads the
 * package.json and the file list from the tarball itself, so it sees what the registry would
 * serve, not the working tree.
 */
export async function lintTarball(tarball: Uint8Array): Promise<PublintReport> {
  const { messages, pkg } = await publint({
    pack: { tarball: toArrayBuffer(tarball) },
    level: "suggestion",
  });
  const text = (type: Message["type"]): string[] =>
    messages
      .filter((m) => m.type === type)
      .map((m) => `${m.code}: ${formatMessage(m, pkg) ?? m.code}`);
  return { errors: text("error"), warnings: text("warning"), suggestions: text("suggestion") };
}

/**
 * The resolutions arethetypeswrong's `esm-only` profile ignores (`attw --profile esm-only`,
 * @arethetypeswrong/cli `profiles.js`): the packages are ES modules only (`"type": "module"`,
 * no `require` condition), so TypeScript's `node10` resolution, which ignores `exports`, finds
 * nothing, and `node16` from CommonJS reports that the entry point resolves to ESM. Node 20.19,
 * the engines floor, can `require()` these modules, but TypeScript's `node16` mode still flags it.
 */
export const ESM_ONLY_IGNORED_RESOLUTIONS: readonly ResolutionKind[] = ["node10", "node16-cjs"];

/** arethetypeswrong's verdict on one tarball. */
export interface TypesReport {
  /** Whether the package ships type declarations at all. */
  readonly typed: boolean;
  /** Entry points analysed (subpaths of `exports`). */
  readonly entrypoints: readonly string[];
  /** Problems outside the ignored resolutions: each `"<kind>" at "<entrypoint>" (<resolution>)`. */
  readonly problems: readonly string[];
  /** Problems in the resolutions the `esm-only` profile ignores, in the same form. */
  readonly ignored: readonly string[];
  /** The problem kinds among `ignored`. */
  readonly ignoredKinds: readonly string[];
}

/** An export subpath naming a file that is not a module (`.lua`, `.json`, `.yaml`, …). */
const ASSET_EXPORT = /\.(?!(?:js|mjs|cjs)$)[a-z]+$/;

function describeProblem(p: Problem): string {
  const where = "entrypoint" in p ? ` at "${p.entrypoint}"` : "";
  const resolution = "resolutionKind" in p ? ` (${p.resolutionKind})` : "";
  return `"${p.kind}"${where}${resolution}`;
}

/**
 * Checks the types of a packed tarball with arethetypeswrong (the `@arethetypeswrong/core`
 * engine behind `attw`), splitting the problems as `attw --profile esm-only` does: a problem
 * counts unless it belongs to one of {@link ESM_ONLY_IGNORED_RESOLUTIONS}.
 */
export async function checkTarballTypes(tarball: Uint8Array): Promise<TypesReport> {
  // Exports of non-JavaScript files (e.g. `@rashpa/emulator/wireshark/rashpa.lua`, a Wireshark
  // script) are assets, not modules: they have no types to resolve, as `attw
  // --exclude-entrypoints` would say for them.
  const result = await checkPackage(createPackageFromTarballData(tarball), {
    excludeEntrypoints: [ASSET_EXPORT],
  });
  if (!result.types)
    return { typed: false, entrypoints: [], problems: [], ignored: [], ignoredKinds: [] };
  const isIgnored = (p: Problem): boolean =>
    "resolutionKind" in p && ESM_ONLY_IGNORED_RESOLUTIONS.includes(p.resolutionKind);
  const ignored = result.problems.filter(isIgnored);
  return {
    typed: true,
    entrypoints: Object.keys(result.entrypoints),
    problems: result.problems.filter((p) => !isIgnored(p)).map(describeProblem),
    ignored: ignored.map(describeProblem),
    ignoredKinds: [...new Set(ignored.map((p) => p.kind))].sort(),
  };
}
