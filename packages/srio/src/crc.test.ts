import { crc16RapidIO } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { srioCrc16Update } from "./crc.js";

const seed = lawSeed();

describe(`srioCrc16Update (RapidIO 4.1 Part 6 §2.4.2; seed ${seed})`, () => {
  it("gives the catalogue check value 0x29B1 over 123456789", () => {
    expect(srioCrc16Update(0xffff, new TextEncoder().encode("123456789"), 0, 9)).toBe(0x29b1);
  });

  it("equals crc16RapidIO.update on any range and state", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffff }),
        (bytes, a, b, state) => {
          const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
          const end = start + (b % (bytes.length - start + 1));
          expect(srioCrc16Update(state, bytes, start, end)).toBe(
            crc16RapidIO.update(state, bytes, start, end),
          );
        },
      ),
      { seed, numRuns: 500 },
    );
  });
});
