/** Generates the fixture spec's TypeScript and C into a scratch directory of this package. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpecFile } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import {
  generateCHeader,
  generateCSelfCheck,
  generateMarkdown,
  generateTsArbitraries,
  generateTsCodecs,
} from "../src/index.js";

export const pkgDir = fileURLToPath(new URL("../", import.meta.url));

/** Loads a fixture spec and writes its generated outputs; returns the directory. */
export function generateFixture(name: string): {
  spec: SpecModel;
  dir: string;
  cleanup: () => void;
} {
  const spec = loadSpecFile(join(pkgDir, "test/fixtures", `${name}.yaml`), pkgDir);
  mkdirSync(join(pkgDir, ".test-gen"), { recursive: true });
  const dir = mkdtempSync(join(pkgDir, ".test-gen", `${name}-`));
  const files: [string, string][] = [
    [`${name}.ts`, generateTsCodecs(spec)],
    [`${name}.arb.ts`, generateTsArbitraries(spec)],
    [`c/${name}.h`, generateCHeader(spec)],
    [`c/${name}-selfcheck.c`, generateCSelfCheck(spec)],
    [`${name}.md`, generateMarkdown(spec)],
  ];
  for (const [f, text] of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  return { spec, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Typechecks generated TypeScript under the repository's strict settings: writes a tsconfig
 * extending `tsconfig.base.json` into `dir` and runs tsc (not through npx, whose warnings are
 * not ours) on the files that `include` matches, relative to `dir`.
 *
 * @returns tsc's exit status and output (empty when everything typechecks)
 */
export function typecheck(
  dir: string,
  include: readonly string[],
): { status: number | null; output: string } {
  const base = relative(dir, join(pkgDir, "../../tsconfig.base.json"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    `${JSON.stringify({ extends: base, compilerOptions: { noEmit: true }, include }, null, 2)}\n`,
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/lib/tsc.js");
  const r = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(dir, "tsconfig.json")], {
    cwd: pkgDir,
    encoding: "utf8",
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}
