/**
 * Runs the C self-check program generated for a spec (`src/gen/c/<base>-selfcheck.c`): compiles
 * it with `gcc -std=c11 -Wall -Wextra -Werror` and feeds it vectors produced by the TypeScript
 * codec, so the C pack/unpack functions are checked field by field and byte for byte against
 * the reference. The vector line format is described in `@rashpa/codegen`'s `c-header.ts`.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toHex } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import fc from "fast-check";

/**
 * Whether program `name` can be run here (`name --version` exits 0): tests that need a tool
 * from the system (gcc, tshark, chromium) say so when it is missing.
 *
 * @param name - the program
 * @returns true when it runs
 */
export function hasTool(name: string): boolean {
  const r = spawnSync(name, ["--version"], { encoding: "utf8", stdio: "ignore" });
  return r.status === 0;
}

/**
 * The gcc flags the generated C is held to: C11, every warning an error, pedantic, `-O1` (so
 * the optimiser's warnings run too).
 */
export const STRICT_C_FLAGS: readonly string[] = [
  "-std=c11",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-pedantic",
  "-O1",
];

/** Whether `gcc` can be run here. */
export function hasGcc(): boolean {
  return hasTool("gcc");
}

/**
 * Compiles the self-check program.
 *
 * @param cDir - directory holding `<base>.h` and `<base>-selfcheck.c`
 * @param base - base name of the spec
 * @returns path of the executable (in a fresh temporary directory) and a cleanup function
 * @throws Error with gcc's output when compilation fails
 */
export function compileSelfCheck(
  cDir: string,
  base: string,
): {
  /** Path of the compiled program. */
  exe: string;
  /** Removes the temporary directory holding the program. */
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "rashpa-c-"));
  const exe = join(dir, `${base}-selfcheck`);
  const r = spawnSync("gcc", [...STRICT_C_FLAGS, "-o", exe, join(cDir, `${base}-selfcheck.c`)], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `gcc failed on ${base}-selfcheck.c:\n${r.stderr}${r.error ? String(r.error) : ""}`,
    );
  }
  return { exe, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The self-check vector line of a value (see the module comment).
 *
 * @param format - the value's format
 * @param value - a valid value
 */
export function vectorLine(format: AnyFormatInfo, value: unknown): string {
  const variantIndex = format.variantOf(value);
  const variant = format.variants[variantIndex]!;
  const record = value as Record<string, unknown>;
  const values = variant.fields.map((info) => {
    const v = record[info.name];
    switch (info.kind) {
      case "bool":
        return v ? "1" : "0";
      case "enum":
        return info.enum![v as string]!.toString(16);
      case "bytes":
      case "payload":
        return (v as Uint8Array).length === 0 ? "-" : toHex(v as Uint8Array);
      default:
        return (v as number | bigint).toString(16);
    }
  });
  const hex = format.encode(value);
  return [format.id, String(variantIndex), hex.length === 0 ? "-" : toHex(hex), ...values].join(
    " ",
  );
}

/**
 * Vector lines for every format, `count` values each, from the given arbitraries.
 *
 * @param formats - formats of one spec
 * @param arbitraries - arbitraries by format id
 * @param count - values per format
 * @param seed - fast-check seed
 */
export function selfCheckVectors(
  formats: readonly AnyFormatInfo[],
  arbitraries: Readonly<Record<string, fc.Arbitrary<unknown>>>,
  count: number,
  seed: number,
): string[] {
  const lines: string[] = [];
  for (const f of formats) {
    const arb = arbitraries[f.id];
    if (!arb) throw new Error(`no arbitrary for ${f.id}`);
    for (const v of fc.sample(arb, { seed, numRuns: count })) lines.push(vectorLine(f, v));
  }
  return lines;
}

/**
 * Runs a compiled self-check on vector lines.
 *
 * @returns exit status, stdout and stderr of the program
 */
export function runSelfCheck(
  exe: string,
  lines: readonly string[],
): {
  /** Exit status, or `null` when the program was killed by a signal or did not start. */
  status: number | null;
  /** What the program wrote to standard output. */
  stdout: string;
  /** What the program wrote to standard error. */
  stderr: string;
} {
  const r = spawnSync(exe, [], {
    input: `${lines.join("\n")}\n`,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
