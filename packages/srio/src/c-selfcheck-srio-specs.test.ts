/**
 * The generated C headers control-symbol.h and hello.h, compiled with gcc -std=c11 -Wall -Wextra -Werror
 * -pedantic, must agree with the TypeScript codecs on vectors the TypeScript codecs produce.
 */
import { fileURLToPath } from "node:url";
import { compileSelfCheck, hasGcc, lawSeed, runSelfCheck, selfCheckVectors } from "@rashpa/laws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlSymbolArbitraries } from "./gen/control-symbol.arb.js";
import { controlSymbolFormats } from "./gen/control-symbol.js";
import { helloArbitraries } from "./gen/hello.arb.js";
import { helloFormats } from "./gen/hello.js";

const cDir = fileURLToPath(new URL("./gen/c/", import.meta.url));
const gcc = hasGcc();
if (!gcc)
  console.warn(
    "[c-selfcheck] gcc is not installed here: the C self-check cannot run (install gcc)",
  );

describe.runIf(gcc)("generated C header (control-symbol.h)", () => {
  const seed = lawSeed();
  let build: { exe: string; cleanup: () => void };
  beforeAll(() => {
    build = compileSelfCheck(cDir, "control-symbol");
  });
  afterAll(() => build?.cleanup());

  it(`agrees with the TypeScript codec on 300 vectors per format (seed ${seed})`, () => {
    const lines = selfCheckVectors(controlSymbolFormats, controlSymbolArbitraries, 300, seed);
    const r = runSelfCheck(build.exe, lines);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`srio.control-symbol: ${lines.length} vectors ok`);
  });

  it("reports bytes that are not a valid symbol (CS64 alignment bits set)", () => {
    const [line] = selfCheckVectors([controlSymbolFormats[2]!], controlSymbolArbitraries, 1, seed);
    const parts = line!.split(" ");
    expect(parts[0]).toBe("srio.cs64");
    const hex = parts[2]!;
    parts[2] = hex.slice(0, -1) + (parseInt(hex.slice(-1), 16) | 3).toString(16);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/srio\.cs64/);
  });
});

describe.runIf(gcc)("generated C header (hello.h)", () => {
  const seed = lawSeed();
  let build: { exe: string; cleanup: () => void };
  beforeAll(() => {
    build = compileSelfCheck(cDir, "hello");
  });
  afterAll(() => build?.cleanup());

  it(`agrees with the TypeScript codec on 300 vectors (seed ${seed})`, () => {
    const lines = selfCheckVectors(helloFormats, helloArbitraries, 300, seed);
    const r = runSelfCheck(build.exe, lines);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`srio.hello: ${lines.length} vectors ok`);
  });

  it("reports a header whose reserved bit 47 is set", () => {
    const [line] = selfCheckVectors(helloFormats, helloArbitraries, 1, seed);
    const parts = line!.split(" ");
    const hex = parts[2]!;
    parts[2] = hex.slice(0, 4) + (parseInt(hex.slice(4, 5), 16) | 8).toString(16) + hex.slice(5);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/srio\.hello/);
  });
});

describe("gcc availability", () => {
  it("is reported rather than silently skipped", () => {
    if (process.env["CI"]) expect(gcc).toBe(true);
    else expect(typeof gcc).toBe("boolean");
  });
});
