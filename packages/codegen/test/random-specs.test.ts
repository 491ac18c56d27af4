/**
 * Generator-level property test: random valid spec files (see `random-specs.test-helpers.ts`)
 * are loaded, generated into TypeScript, arbitraries and C, and every format is put through
 * the codec laws and the C self-check; the generated TypeScript must typecheck under the
 * repository's strict tsconfig.
 *
 * The seed comes from `lawSeed()` (printed in the suite title; replay with `FC_SEED`), the
 * number of specs from `RANDOM_SPECS` (default 12), the runs per law from `FC_RUNS`;
 * `RANDOM_SPECS_KEEP=1` keeps the generated files under `.test-gen/`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FormatInfo } from "@rashpa/bits";
import {
  codecLaws,
  compileSelfCheck,
  hasGcc,
  lawSeed,
  runSelfCheck,
  selfCheckVectors,
} from "@rashpa/laws";
import { loadSpecText, SpecError } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import fc from "fast-check";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  generateCHeader,
  generateCSelfCheck,
  generateMarkdown,
  generateTsArbitraries,
  generateTsCodecs,
} from "../src/index.js";
import { pkgDir, typecheck } from "./fixture.test-helpers.js";
import { randomSpecArbitrary } from "./random-specs.test-helpers.js";
import type { RandomSpec } from "./random-specs.test-helpers.js";

const SEED = lawSeed();
const COUNT = Number(process.env["RANDOM_SPECS"] || 12);
const VECTORS = 50;
const GCC = hasGcc();
if (!GCC) console.warn("[random-specs] gcc not found: the C self-check of random specs is skipped");

/** One random spec and what became of it. */
interface Case {
  readonly index: number;
  readonly spec: RandomSpec;
  readonly dir: string;
  readonly model?: SpecModel;
  readonly diagnostics?: readonly string[];
  readonly formats?: readonly FormatInfo<unknown>[];
  readonly arbitraries?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  readonly importError?: string;
}

mkdirSync(join(pkgDir, ".test-gen"), { recursive: true });
const root = mkdtempSync(join(pkgDir, ".test-gen", "random-"));
// RANDOM_SPECS_KEEP=1 keeps the generated files for a look.
afterAll(() => {
  if (process.env["RANDOM_SPECS_KEEP"])
    console.log(`[random-specs] generated files kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
});

function write(dir: string, files: readonly (readonly [string, string])[]): void {
  for (const [f, text] of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
}

async function prepare(index: number, spec: RandomSpec): Promise<Case> {
  const dir = join(root, `s${String(index).padStart(2, "0")}`);
  write(dir, [[`${spec.base}.yaml`, spec.text]]);
  let model: SpecModel;
  try {
    model = loadSpecText(spec.text, `test/random/${spec.base}.yaml`);
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return { index, spec, dir, diagnostics: e.diagnostics.map((d) => d.message) };
  }
  write(dir, [
    [`${spec.base}.ts`, generateTsCodecs(model)],
    [`${spec.base}.arb.ts`, generateTsArbitraries(model)],
    [`c/${spec.base}.h`, generateCHeader(model)],
    [`c/${spec.base}-selfcheck.c`, generateCSelfCheck(model)],
    [`${spec.base}.md`, generateMarkdown(model)],
  ]);
  try {
    const mod = (await import(join(dir, `${spec.base}.ts`))) as Record<string, unknown>;
    const arbs = (await import(join(dir, `${spec.base}.arb.ts`))) as Record<string, unknown>;
    const formats = Object.entries(mod).find(([k]) =>
      k.endsWith("Formats"),
    )?.[1] as FormatInfo<unknown>[];
    const arbitraries = Object.entries(arbs).find(([k]) =>
      k.endsWith("Arbitraries"),
    )?.[1] as Record<string, fc.Arbitrary<unknown>>;
    return { index, spec, dir, model, formats, arbitraries };
  } catch (e) {
    return {
      index,
      spec,
      dir,
      model,
      importError: e instanceof Error ? (e.stack ?? e.message) : String(e),
    };
  }
}

const specs = fc.sample(randomSpecArbitrary(), { seed: SEED, numRuns: COUNT });
const cases: Case[] = [];
for (const [i, s] of specs.entries()) cases.push(await prepare(i, s));

const numbered = (text: string): string =>
  text
    .split("\n")
    .map((l, i) => `${String(i + 1).padStart(4)}  ${l}`)
    .join("\n");

describe(`random specs (seed ${SEED}; replay with FC_SEED=${SEED})`, () => {
  it("prints the seed and the features covered", () => {
    const counts = new Map<string, number>();
    for (const s of specs) for (const f of s.features) counts.set(f, (counts.get(f) ?? 0) + 1);
    const covered = [...counts]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([f, n]) => `${f} ×${n}`);
    console.log(
      `[random-specs] seed=${SEED} specs=${COUNT} (replay: FC_SEED=${SEED})\n  ${covered.join(", ")}`,
    );
    expect(cases).toHaveLength(COUNT);
  });

  for (const c of cases) {
    const ids = c.formats?.map((f) => f.id).join(", ") ?? "not generated";
    describe(`spec #${c.index} ${c.spec.base} (${ids})`, () => {
      beforeEach((ctx) => {
        ctx.onTestFailed(() => {
          console.error(
            `[random-specs] spec #${c.index} failed (FC_SEED=${SEED}); its text:\n${numbered(c.spec.text)}`,
          );
        });
      });

      it("loads without diagnostics", () => {
        expect(
          c.diagnostics ?? [],
          `spec text:\n${numbered(c.spec.text)}\ndiagnostics:\n${c.diagnostics?.join("\n")}`,
        ).toEqual([]);
      });

      it("generates TypeScript that imports", () => {
        expect(c.importError, `spec text:\n${numbered(c.spec.text)}`).toBeUndefined();
        expect(c.formats?.length).toBe(c.model?.formats.length);
      });

      if (c.formats && c.arbitraries) {
        for (const f of c.formats) codecLaws(f, c.arbitraries[f.id]!, { seed: SEED });

        // A random spec can make a large header and many vectors: tens of seconds of gcc and
        // self-check alone, several times that beside the rest of the suite on two cores.
        it.runIf(GCC)(
          "generates C that agrees with the TypeScript codec",
          () => {
            const build = compileSelfCheck(join(c.dir, "c"), c.spec.base);
            try {
              const lines = selfCheckVectors(c.formats!, c.arbitraries!, VECTORS, SEED);
              const r = runSelfCheck(build.exe, lines);
              expect(r.stderr).toBe("");
              expect(r.stdout.trim()).toBe(`${c.model!.id}: ${lines.length} vectors ok`);
            } finally {
              build.cleanup();
            }
          },
          300_000,
        );
      }
    });
  }

  it("generates TypeScript that typechecks under the repository's strict tsconfig", () => {
    const generated = cases.filter((c) => c.model !== undefined);
    if (generated.length === 0) return;
    const r = typecheck(
      root,
      generated.map((c) => `${c.dir.slice(root.length + 1)}/*.ts`),
    );
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });
});
