/**
 * Golden vectors derived by hand from the layouts of docs/reference/pcie.md (§1 TLP headers,
 * §1.7 prefixes, §2 message codes, §3 completion status, §5 DLLPs, §6 ECRC); each vector names
 * its source. Every field is checked one by one, then the re-encoding and the JSON round trip.
 */
import { readFileSync } from "node:fs";
import {
  crc16PcieDllp,
  crc32,
  fromHex,
  toHex,
  valueToJson,
  type AnyFormatInfo,
} from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import { DLLP_FORMAT, TLP_FORMAT, TLP_PREFIX_FORMAT, decodeTlp } from "./index.js";

interface Vector {
  note: string;
  source: string;
  hex: string;
  value: Record<string, unknown>;
}

function load(name: string): Vector[] {
  return JSON.parse(
    readFileSync(new URL(`../test/vectors/${name}.json`, import.meta.url), "utf8"),
  ) as Vector[];
}

function checkVectors(file: string, format: AnyFormatInfo, vectors: Vector[]): void {
  describe(`${format.id} golden vectors (test/vectors/${file}.json)`, () => {
    for (const v of vectors) {
      it(v.note, () => {
        expect(v.source).toMatch(/pcie\.md §/);
        const decoded = valueToJson(format.decode(fromHex(v.hex))) as Record<string, unknown>;
        for (const [field, expected] of Object.entries(v.value))
          expect(decoded[field], `field "${field}"`).toEqual(expected);
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
        expect(toHex(format.encode(format.fromJson(v.value)))).toBe(v.hex);
      });
    }
  });
}

const tlpVectors = load("tlp");
const dllpVectors = load("dllp");
checkVectors("tlp", TLP_FORMAT, tlpVectors);
checkVectors("tlp-prefix", TLP_PREFIX_FORMAT, load("tlp-prefix"));
checkVectors("dllp", DLLP_FORMAT, dllpVectors);

describe("coverage of the golden vectors", () => {
  it("has a TLP of every type family", () => {
    const types = new Set(tlpVectors.map((v) => v.value["tlpType"]));
    for (const t of [
      "mrd-32",
      "mrd-64",
      "mwr-32",
      "iord",
      "iowr",
      "cfgrd0",
      "cfgwr1",
      "msg",
      "msgd",
      "cpl",
      "cpld",
      "fetchadd-64",
      "cas-32",
    ])
      expect(types.has(t), t).toBe(true);
  });
});

describe("check values carried by the vectors (pcie.md §5, §6)", () => {
  it("every DLLP vector's CRC-16 leaves the residue 0x556F (§5)", () => {
    for (const v of dllpVectors)
      expect(crc16PcieDllp.compute(fromHex(v.hex)) ^ 0xffff, v.note).toBe(0x556f);
  });

  it("the ECRC of the TD = 1 vector is the CRC-32 with the variant bits set, little-endian (§6)", () => {
    const withDigest = tlpVectors.filter((v) => v.value["td"] === true);
    expect(withDigest.length).toBeGreaterThan(0);
    for (const v of withDigest) {
      const bytes = fromHex(v.hex);
      const covered = bytes.slice(0, bytes.length - 4);
      covered[0]! |= 0x01; // Type[0]
      covered[2]! |= 0x40; // EP
      const ecrc = crc32.compute(covered);
      const tail = new DataView(bytes.buffer, bytes.length - 4, 4).getUint32(0, true);
      expect(tail, v.note).toBe(ecrc);
      expect(decodeTlp(bytes).tlpType).toBe(v.value["tlpType"]);
    }
  });
});
