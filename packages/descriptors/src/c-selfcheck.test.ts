/**
 * The generated C header, compiled with gcc -std=c11 -Wall -Wextra -Werror -pedantic, must
 * agree with the TypeScript codec on vectors the TypeScript codec produces.
 */
import { fileURLToPath } from "node:url";
import { compileSelfCheck, hasGcc, lawSeed, runSelfCheck, selfCheckVectors } from "@rashpa/laws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorsArbitraries, instructionsArbitraries } from "./arbitraries.js";
import { descriptorsFormats, instructionsFormats } from "./index.js";

const cDir = fileURLToPath(new URL("./gen/c/", import.meta.url));
const gcc = hasGcc();
if (!gcc)
  console.warn(
    "[c-selfcheck] gcc is not installed here: the C self-check cannot run (install gcc)",
  );

describe.runIf(gcc)("generated C header (descriptors.h)", () => {
  const seed = lawSeed();
  let build: { exe: string; cleanup: () => void };
  beforeAll(() => {
    build = compileSelfCheck(cDir, "descriptors");
  });
  afterAll(() => build?.cleanup());

  it(`agrees with the TypeScript codec on 300 vectors per format (seed ${seed})`, () => {
    const lines = selfCheckVectors(descriptorsFormats, descriptorsArbitraries, 300, seed);
    const r = runSelfCheck(build.exe, lines);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`rashpa.descriptors: ${lines.length} vectors ok`);
  });

  it("reports a field that disagrees (the check can fail)", () => {
    const [line] = selfCheckVectors(descriptorsFormats, descriptorsArbitraries, 1, seed);
    const parts = line!.split(" ");
    // Change the first field value ("size" of the BTD) by one.
    parts[3] = (BigInt(`0x${parts[3]}`) ^ 1n).toString(16);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /line 1: rashpa\.btd: field size: expected 0x[0-9a-f]+, got 0x[0-9a-f]+/,
    );
  });

  it("reports bytes that do not decode to the announced variant", () => {
    const [line] = selfCheckVectors(descriptorsFormats, descriptorsArbitraries, 1, seed);
    const parts = line!.split(" ");
    parts[1] = String((Number(parts[1]) + 1) % 3);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/rashpa\.btd: variant/);
  });
});

describe.runIf(gcc)("generated C header (instructions.h)", () => {
  const seed = lawSeed();
  let build: { exe: string; cleanup: () => void };
  beforeAll(() => {
    build = compileSelfCheck(cDir, "instructions");
  });
  afterAll(() => build?.cleanup());

  it(`agrees with the TypeScript codec on 300 vectors (seed ${seed})`, () => {
    const lines = selfCheckVectors(instructionsFormats, instructionsArbitraries, 300, seed);
    const r = runSelfCheck(build.exe, lines);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`bridge.instructions: ${lines.length} vectors ok`);
  });

  it("reports a field that disagrees (the check can fail)", () => {
    const [line] = selfCheckVectors(instructionsFormats, instructionsArbitraries, 1, seed);
    const parts = line!.split(" ");
    // Change the first value field ("priority", after the opcode) by one.
    parts[4] = (BigInt(`0x${parts[4]}`) ^ 1n).toString(16);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/line 1: bridge\.instruction: field priority: expected/);
  });
});

describe("gcc availability", () => {
  it("is reported rather than silently skipped", () => {
    // CI installs gcc; this asserts the self-check above really ran there.
    if (process.env["CI"]) expect(gcc).toBe(true);
    else expect(typeof gcc).toBe("boolean");
  });
});
