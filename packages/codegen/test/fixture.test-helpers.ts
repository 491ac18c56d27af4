/** Generates the fixture spec's TypeScript and C into a scratch directory of this package. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpecFile } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import { generateCHeader, generateCSelfCheck, generateMarkdown, generateTsArbitraries, generateTsCodecs } from "../src/index.js";

export const pkgDir = fileURLToPath(new URL("../", import.meta.url));

/** Loads a fixture spec and writes its generated outputs; returns the directory. */
export function generateFixture(name: string): { spec: SpecModel; dir: string; cleanup: () => void } {
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
