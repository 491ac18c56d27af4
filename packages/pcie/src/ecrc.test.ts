/**
 * ECRC (pcie.md §6): the golden MWr vector of test/vectors/tlp.json, and properties — the digest
 * appended by `appendEcrc`/`withEcrc` checks, and any single bit flip is detected.
 */
import { readFileSync } from "node:fs";
import { DecodeError, fromHex, toHex } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbTlp } from "./arbitraries.js";
import { appendEcrc, checkEcrc, computeEcrc, withEcrc } from "./ecrc.js";
import { decodeTlp, encodeTlp, type Tlp } from "./gen/tlp.js";

interface Vector {
  note: string;
  hex: string;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/tlp.json", import.meta.url), "utf8"),
) as Vector[];
const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);

/** The MWr 3DW vector with TD = 1 (6 bytes at 0xFEDC0040). */
const MWR_ECRC = "400080020008003ffedc00401122334455667788bc8841f2";

describe("ECRC golden vectors (pcie.md §6)", () => {
  it("the MWr vector of test/vectors/tlp.json carries the computed ECRC", () => {
    const v = vectors.find((x) => x.hex === MWR_ECRC);
    expect(v?.value["td"]).toBe(true);
    const bytes = fromHex(MWR_ECRC);
    expect(computeEcrc(bytes.subarray(0, bytes.length - 4))).toBe(0xf24188bc);
    expect(() => checkEcrc(bytes)).not.toThrow();
  });

  it("appendEcrc sets TD and appends the digest little-endian", () => {
    const noDigest = fromHex("400000020008003ffedc00401122334455667788");
    expect(toHex(appendEcrc(noDigest))).toBe(MWR_ECRC);
    expect(toHex(noDigest)).toBe("400000020008003ffedc00401122334455667788"); // input untouched
  });

  it("every TD = 1 vector checks", () => {
    for (const v of vectors.filter((x) => x.value["td"] === true))
      expect(() => checkEcrc(fromHex(v.hex)), v.note).not.toThrow();
  });

  it("the variant bits (Type[0], EP) do not change the digest, TD and other bits do", () => {
    const body = fromHex("400080020008003ffedc00401122334455667788");
    const base = computeEcrc(body);
    for (const [i, bit] of [
      [0, 0x01],
      [2, 0x40],
    ] as const) {
      const b = body.slice();
      b[i] = b[i]! ^ bit;
      expect(computeEcrc(b)).toBe(base);
    }
    const b = body.slice();
    b[2] = b[2]! ^ 0x80; // TD
    expect(computeEcrc(b)).not.toBe(base);
  });

  it("withEcrc turns the vector without digest into the vector with one", () => {
    const v = decodeTlp(fromHex("400000020008003ffedc00401122334455667788"));
    const d = withEcrc(v);
    expect(d.td).toBe(true);
    expect(toHex(encodeTlp(d))).toBe(MWR_ECRC);
  });

  it("a wrong digest is a DecodeError naming both digests and the offset", () => {
    const bad = fromHex(MWR_ECRC);
    bad[20] = bad[20]! ^ 1;
    let err: unknown;
    try {
      checkEcrc(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    const e = err as DecodeError;
    expect(e.name).toBe("DecodeError");
    expect(e.path).toBe("ecrc");
    expect(e.offset).toBe(20);
    expect(e.expected).toBe("0xf24188bc");
    expect(e.found).toBe("0xf24188bd");
    expect(e.message).toBe(
      '"ecrc" expected 0xf24188bc (stored little-endian), got 0xf24188bd at byte 20',
    );
  });

  it("a TLP with TD = 0 or too short is rejected", () => {
    expect(() => checkEcrc(fromHex("400000020008003ffedc00401122334455667788"))).toThrow(
      /"td" expected 1/,
    );
    expect(() => checkEcrc(fromHex("4000"))).toThrow(DecodeError);
    expect(() => computeEcrc(fromHex("4000"))).toThrow(DecodeError);
  });
});

describe(`ECRC properties (pcie.md §6) — seed ${seed}`, () => {
  it("withEcrc gives a TLP whose encoding checks", () => {
    fc.assert(
      fc.property(arbTlp, (t: Tlp) => {
        const d = withEcrc(t);
        expect(d.td).toBe(true);
        checkEcrc(encodeTlp(d));
      }),
      { seed, numRuns },
    );
  });

  it("any single bit flip outside the variant bits is detected", () => {
    fc.assert(
      fc.property(arbTlp, fc.nat(), (t: Tlp, n: number) => {
        const bytes = encodeTlp(withEcrc(t));
        const bit = n % (bytes.length * 8);
        const i = bit >> 3;
        const mask = 1 << (bit & 7);
        fc.pre(!((i === 0 && mask === 0x01) || (i === 2 && mask === 0x40)));
        bytes[i] = bytes[i]! ^ mask;
        expect(() => checkEcrc(bytes)).toThrow(DecodeError);
      }),
      { seed, numRuns },
    );
  });
});
