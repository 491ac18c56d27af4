/**
 * The generated C header (transport.h: the headers of specs/roce/transport.yaml), compiled
 * with gcc -std=c11 -Wall -Wextra -Werror -pedantic, must agree with the TypeScript codecs on
 * vectors the TypeScript codecs produce.
 */
import { fileURLToPath } from "node:url";
import { compileSelfCheck, hasGcc, lawSeed, runSelfCheck, selfCheckVectors } from "@rashpa/laws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transportArbitraries } from "./arbitraries.js";
import { transportFormats } from "./index.js";

const cDir = fileURLToPath(new URL("./gen/c/", import.meta.url));
const gcc = hasGcc();
if (!gcc)
  console.warn(
    "[c-selfcheck] gcc is not installed here: the C self-check cannot run (install gcc)",
  );

describe.runIf(gcc)("generated C header (transport.h)", () => {
  const seed = lawSeed();
  let build: { exe: string; cleanup: () => void };
  beforeAll(() => {
    build = compileSelfCheck(cDir, "transport");
  }, 120_000);
  afterAll(() => build?.cleanup());

  it(`agrees with the TypeScript codec on 300 vectors per format (seed ${seed})`, () => {
    const lines = selfCheckVectors(transportFormats, transportArbitraries, 300, seed);
    const r = runSelfCheck(build.exe, lines);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(`roce.transport: ${lines.length} vectors ok`);
  });

  it("reports bytes that do not decode to the announced variant", () => {
    const packet = transportFormats.filter((f) => f.id === "roce.packet");
    const [line] = selfCheckVectors(packet, transportArbitraries, 1, seed);
    const parts = line!.split(" ");
    parts[1] = String((Number(parts[1]) + 1) % packet[0]!.variants.length);
    const r = runSelfCheck(build.exe, [parts.join(" ")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/roce\.packet: variant/);
  });
});

describe("gcc availability", () => {
  it("is reported rather than silently skipped", () => {
    // CI installs gcc; this asserts the self-check above really ran there.
    if (process.env["CI"]) expect(gcc).toBe(true);
    else expect(typeof gcc).toBe("boolean");
  });
});
