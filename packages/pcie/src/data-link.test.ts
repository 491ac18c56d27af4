/**
 * Data-link wrapping and DLLP CRC-16 (pcie.md §5, §6): a hand-computed LCRC example, the DLLP
 * golden vectors, and properties — wrap/unwrap round trip, every single bit flip detected.
 */
import { readFileSync } from "node:fs";
import { DecodeError, fromHex, toHex } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbDllp, arbTlp } from "./arbitraries.js";
import {
  checkDllpCrc,
  computeDllpCrc,
  computeLcrc,
  encodeDllpWithCrc,
  unwrapTlp,
  withDllpCrc,
  wrapTlp,
} from "./data-link.js";
import { decodeDllp, type Dllp } from "./gen/dllp.js";
import { encodeTlp, type Tlp } from "./gen/tlp.js";

const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);
const dllpVectors = JSON.parse(
  readFileSync(new URL("../test/vectors/dllp.json", import.meta.url), "utf8"),
) as { note: string; hex: string }[];

function caught(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

/** MRd 3DW, 1 DW at 0x12345678 (the example of the package documentation). */
const MRD = "000000010100050f12345678";

describe("LCRC and sequence number (pcie.md §6)", () => {
  it("hand-computed example: sequence 1, MRd 3DW", () => {
    // CRC-32 (reflected IEEE, init and xorout 0xFFFFFFFF) of 00 01 00 00 00 01 01 00 05 0f 12 34
    // 56 78, computed independently with Python's zlib.crc32: 0x6e2c6379, sent 79 63 2c 6e.
    expect(computeLcrc(fromHex(`0001${MRD}`))).toBe(0x6e2c6379);
    const wire = wrapTlp(1, fromHex(MRD));
    expect(toHex(wire)).toBe(`0001${MRD}79632c6e`);
    const { seq, tlp } = unwrapTlp(wire);
    expect(seq).toBe(1);
    expect(toHex(tlp)).toBe(MRD);
  });

  it("the sequence number uses 12 bits, the upper 4 bits of byte 0 are reserved", () => {
    expect(toHex(wrapTlp(0xabc, fromHex(MRD)).subarray(0, 2))).toBe("0abc");
    expect(() => wrapTlp(4096, fromHex(MRD))).toThrow(RangeError);
    expect(() => wrapTlp(-1, fromHex(MRD))).toThrow(RangeError);
    expect(() => wrapTlp(1.5, fromHex(MRD))).toThrow(RangeError);
  });

  it("reserved bits set: typed error at byte 0", () => {
    const wire = fromHex(`1001${MRD}`);
    const full = new Uint8Array(wire.length + 4);
    full.set(wire);
    new DataView(full.buffer).setUint32(wire.length, computeLcrc(wire), true);
    const e = caught(() => unwrapTlp(full));
    expect(e.path).toBe("reserved");
    expect(e.offset).toBe(0);
    expect(e.message).toBe('"reserved" expected 0, got 0x1 at byte 0');
  });

  it("bad LCRC: typed error naming both values and the offset", () => {
    const wire = wrapTlp(1, fromHex(MRD));
    wire[5] = wire[5]! ^ 0x80;
    const e = caught(() => unwrapTlp(wire));
    expect(e.path).toBe("lcrc");
    expect(e.offset).toBe(14);
    expect(e.found).toBe("0x6e2c6379");
    expect(e.message).toMatch(
      /^"lcrc" expected 0x[0-9a-f]{8} \(stored little-endian\), got 0x6e2c6379 at byte 14$/,
    );
  });

  it("too short: typed error", () => {
    expect(caught(() => unwrapTlp(fromHex("000100"))).path).toBe("bytes");
  });
});

describe("DLLP CRC-16 (pcie.md §5)", () => {
  it("every golden DLLP vector checks, and re-encoding reproduces its CRC", () => {
    for (const v of dllpVectors) {
      const bytes = fromHex(v.hex);
      expect(() => checkDllpCrc(bytes), v.note).not.toThrow();
      const crc = computeDllpCrc(bytes);
      expect([bytes[4], bytes[5]], v.note).toEqual([crc & 0xff, crc >>> 8]);
      const d = decodeDllp(bytes);
      expect(toHex(encodeDllpWithCrc({ ...d, crc: 0 }))).toBe(v.hex);
      expect(withDllpCrc({ ...d, crc: 0 }).crc).toBe(d.crc);
    }
  });

  it("a bad CRC is a typed error at byte 4", () => {
    const bytes = fromHex(dllpVectors[0]!.hex);
    bytes[5] = bytes[5]! ^ 1;
    const e = caught(() => checkDllpCrc(bytes));
    expect(e.path).toBe("crc");
    expect(e.offset).toBe(4);
    expect(e.expected).toMatch(/^0x[0-9a-f]{4} \(bytes 4–5 as sent\)$/);
    expect(caught(() => checkDllpCrc(bytes.subarray(0, 5))).path).toBe("dllp");
    expect(caught(() => computeDllpCrc(bytes.subarray(0, 3))).path).toBe("dllp");
  });
});

describe(`data-link properties (pcie.md §5, §6) — seed ${seed}`, () => {
  const arbSeq = fc.integer({ min: 0, max: 0xfff });

  it("unwrapTlp(wrapTlp(seq, tlp)) gives back seq and tlp", () => {
    fc.assert(
      fc.property(arbSeq, arbTlp, (seq: number, t: Tlp) => {
        const tlp = encodeTlp(t);
        const out = unwrapTlp(wrapTlp(seq, tlp));
        expect(out.seq).toBe(seq);
        expect(out.tlp).toEqual(tlp);
      }),
      { seed, numRuns },
    );
  });

  it("any single bit flip of a wrapped TLP is detected", () => {
    fc.assert(
      fc.property(arbSeq, arbTlp, fc.nat(), (seq: number, t: Tlp, n: number) => {
        const wire = wrapTlp(seq, encodeTlp(t));
        const bit = n % (wire.length * 8);
        wire[bit >> 3] = wire[bit >> 3]! ^ (1 << (bit & 7));
        expect(() => unwrapTlp(wire)).toThrow(DecodeError);
      }),
      { seed, numRuns },
    );
  });

  it("encodeDllpWithCrc output checks, and any single bit flip is detected", () => {
    fc.assert(
      fc.property(arbDllp, fc.nat(), (d: Dllp, n: number) => {
        const bytes = encodeDllpWithCrc(d);
        checkDllpCrc(bytes);
        const bit = n % (bytes.length * 8);
        bytes[bit >> 3] = bytes[bit >> 3]! ^ (1 << (bit & 7));
        expect(() => checkDllpCrc(bytes)).toThrow(DecodeError);
      }),
      { seed, numRuns },
    );
  });
});
