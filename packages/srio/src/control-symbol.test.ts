/**
 * Control symbols CS24/CS48/CS64 (RapidIO 4.1 Part 6 ch. 3): golden vectors derived by hand from
 * Figures 3-1..3-3 and Tables 3-2/3-3/3-8/3-17/3-18, whose CRCs were computed with the parallel
 * equations of Tables 3-25..3-27 (test/vectors/cs24.json, cs48.json, cs64.json); the CRC helpers
 * and the checked decoders.
 */
import { readFileSync } from "node:fs";
import { DecodeError, EncodeError, fromHex, toHex, type AnyFormatInfo } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  checkCs24Crc,
  checkCs48Crc,
  checkCs64Crc,
  computeCs24Crc,
  computeCs48Crc,
  computeCs64Crc,
  cs64Stype1,
  cs64Stype1Fields,
  cs64Stype1Function,
  cs64Stype1Of,
  decodeCs24Checked,
  decodeCs48Checked,
  decodeCs64Checked,
  encodeCs24WithCrc,
  encodeCs48WithCrc,
  encodeCs64WithCrc,
  withCs24Crc,
  withCs48Crc,
  withCs64Crc,
} from "./control-symbol.js";
import { arbCs24, arbCs48, arbCs64 } from "./gen/control-symbol.arb.js";
import {
  CS24_FORMAT,
  CS48_FORMAT,
  CS64_FORMAT,
  decodeCs48,
  LINK_REQUEST_CMD_NAMES,
  PNA_CAUSE_NAMES,
  PORT_STATUS_NAMES,
  STYPE0_NAMES,
  STYPE1_NAMES,
  TIMING_CMD_NAMES,
  type Cs24,
  type Cs48,
  type Cs64,
} from "./gen/control-symbol.js";

const seed = lawSeed();

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

function caught(f: () => unknown): DecodeError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("expected a DecodeError");
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >>> 3] = out[bit >>> 3]! ^ (0x80 >>> (bit & 7));
  return out;
}

const kinds = [
  {
    file: "cs24",
    format: CS24_FORMAT as AnyFormatInfo,
    encodeWithCrc: (v: never) => encodeCs24WithCrc(v),
    decodeChecked: decodeCs24Checked,
    compute: (v: never) => computeCs24Crc(v),
  },
  {
    file: "cs48",
    format: CS48_FORMAT as AnyFormatInfo,
    encodeWithCrc: (v: never) => encodeCs48WithCrc(v),
    decodeChecked: decodeCs48Checked,
    compute: (v: never) => computeCs48Crc(v),
  },
  {
    file: "cs64",
    format: CS64_FORMAT as AnyFormatInfo,
    encodeWithCrc: (v: never) => encodeCs64WithCrc(v),
    decodeChecked: decodeCs64Checked,
    compute: (v: never) => computeCs64Crc(v),
  },
];

for (const k of kinds) {
  describe(`${k.format.id} golden vectors (test/vectors/${k.file}.json)`, () => {
    const vectors = load(k.file);
    it("has vectors", () => expect(vectors.length).toBeGreaterThanOrEqual(5));
    for (const v of vectors) {
      it(v.note, () => {
        expect(v.source).toMatch(/RapidIO 4\.1 Part 6 Figure 3-[123]/);
        const decoded = k.format.decode(fromHex(v.hex)) as Record<string, unknown>;
        for (const [field, expected] of Object.entries(v.value))
          expect(decoded[field], `field "${field}"`).toEqual(expected);
        expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
        expect(toHex(k.format.encode(k.format.fromJson(v.value)))).toBe(v.hex);
        // The hand-written CRC agrees with the parallel-equation CRC of the vector.
        const { crc, ...fields } = v.value;
        expect(k.compute(fields as never)).toBe(crc);
        expect(toHex(k.encodeWithCrc(fields as never))).toBe(v.hex);
        expect(k.decodeChecked(fromHex(v.hex))).toEqual(decoded);
      });
    }
  });
}

describe("enums carry the Part 6 codes", () => {
  it("stype0 and stype1 (Tables 3-2, 3-17)", () => {
    expect(STYPE0_NAMES.indexOf("packet-not-accepted")).toBe(0b010);
    expect(STYPE0_NAMES.indexOf("link-response")).toBe(0b110);
    expect(STYPE1_NAMES.indexOf("link-request")).toBe(0b100);
    expect(STYPE1_NAMES.indexOf("nop")).toBe(0b111);
  });
  it("cmd and cause (Tables 3-17, 3-8)", () => {
    expect(LINK_REQUEST_CMD_NAMES.indexOf("reset-device")).toBe(0b011);
    expect(LINK_REQUEST_CMD_NAMES.indexOf("port-status")).toBe(0b100);
    expect(TIMING_CMD_NAMES.indexOf("loop-timing-request")).toBe(0b011);
    expect(PNA_CAUSE_NAMES.indexOf("bad-control-symbol-crc")).toBe(0b00010);
    expect(PNA_CAUSE_NAMES.indexOf("general-error")).toBe(0b11111);
    expect(PNA_CAUSE_NAMES[0]).toBeUndefined();
    expect(PORT_STATUS_NAMES.indexOf("ok")).toBe(0b10000);
    expect(PORT_STATUS_NAMES.indexOf("error-stopped")).toBe(0b00101);
  });
});

describe(`CRC helpers and checked decoders (Part 6 §3.6, seed ${seed})`, () => {
  test.prop([arbCs24], { seed })("CS24: encodeCs24WithCrc → decodeCs24Checked", (v: Cs24) => {
    const bytes = encodeCs24WithCrc(v);
    expect(decodeCs24Checked(bytes)).toEqual(withCs24Crc(v));
  });
  test.prop([arbCs48], { seed })("CS48: encodeCs48WithCrc → decodeCs48Checked", (v: Cs48) => {
    const bytes = encodeCs48WithCrc(v);
    expect(decodeCs48Checked(bytes)).toEqual(withCs48Crc(v));
  });
  test.prop([arbCs64], { seed })("CS64: encodeCs64WithCrc → decodeCs64Checked", (v: Cs64) => {
    const bytes = encodeCs64WithCrc(v);
    expect(decodeCs64Checked(bytes)).toEqual(withCs64Crc(v));
  });

  test.prop([arbCs24, fc.integer({ min: 0, max: 23 })], { seed })(
    "CS24: every single-bit error is detected",
    (v: Cs24, bit) => {
      expect(() => decodeCs24Checked(flipBit(encodeCs24WithCrc(v), bit))).toThrow(DecodeError);
    },
  );
  test.prop([arbCs48, fc.integer({ min: 0, max: 47 })], { seed })(
    "CS48: every single-bit error is detected, also in the reserved bits",
    (v: Cs48, bit) => {
      expect(() => decodeCs48Checked(flipBit(encodeCs48WithCrc(v), bit))).toThrow(DecodeError);
    },
  );
  test.prop([arbCs64, fc.integer({ min: 0, max: 63 })], { seed })(
    "CS64: every single-bit error is detected (alignment bits by the decoder)",
    (v: Cs64, bit) => {
      expect(() => decodeCs64Checked(flipBit(encodeCs64WithCrc(v), bit))).toThrow(DecodeError);
    },
  );

  it("a wrong CRC is a DecodeError naming the field crc with expected and found", () => {
    const e24 = caught(() => decodeCs24Checked(Uint8Array.of(0x00, 0x00, 0x0f)));
    expect([e24.path, e24.expected, e24.found, e24.offset]).toEqual(["crc", "0x0e", "0x0f", 2]);
    expect(e24.message).toBe('"crc" expected 0x0e, got 0x0f at byte 2');
    const e48 = caught(() => checkCs48Crc(fromHex("9fffc00008a9")));
    expect([e48.path, e48.expected, e48.found, e48.offset]).toEqual(["crc", "0x08a8", "0x08a9", 4]);
    const e64 = caught(() => checkCs64Crc(fromHex("00000000007b15fc"), 0));
    expect([e64.path, e64.expected, e64.found]).toEqual(["crc", "0x1ec57e", "0x1ec57f"]);
  });

  it("checks the symbol at an offset and reports short input", () => {
    const buf = Uint8Array.of(0xaa, 0x00, 0x00, 0x0e);
    expect(() => checkCs24Crc(buf, 1)).not.toThrow();
    expect(decodeCs24Checked(buf, 1).stype1).toBe("start-of-packet");
    expect(caught(() => checkCs24Crc(buf, 2)).path).toBe("cs24");
    expect(caught(() => checkCs48Crc(new Uint8Array(5))).path).toBe("cs48");
    expect(caught(() => checkCs64Crc(new Uint8Array(7))).path).toBe("cs64");
  });

  it("CS48 reserved bits: ignored by the decoder but covered by the CRC-13", () => {
    // All-zero symbol with reserved bit 21 set: decodes, but the CRC (0) no longer matches.
    const bytes = fromHex("000004000000");
    expect(decodeCs48(bytes).stype0).toBe("packet-accepted");
    expect(caught(() => decodeCs48Checked(bytes)).path).toBe("crc");
  });

  it("CS64 alignment bits must be 0", () => {
    const good = fromHex("00000000007b15f8");
    expect(() => decodeCs64Checked(good)).not.toThrow();
    expect(() => decodeCs64Checked(flipBit(good, 30))).toThrow(DecodeError);
    expect(() => decodeCs64Checked(flipBit(good, 63))).toThrow(DecodeError);
  });

  it("encoders reject out-of-range fields with an EncodeError", () => {
    expect(() =>
      encodeCs24WithCrc({ stype0: "status", parameter0: 32, parameter1: 0, stype1: "nop", cmd: 0 }),
    ).toThrow(EncodeError);
    expect(() =>
      computeCs48Crc({ stype0: "status", parameter0: 0, parameter1: 64, stype1: "nop", cmd: 0 }),
    ).toThrow(EncodeError);
  });
});

describe(`CS64 stype1 (Part 6 Table 3-18, seed ${seed})`, () => {
  it("names the functions and start-of-packet with ackID[0:5]", () => {
    expect(cs64Stype1Function(0x38)).toEqual({ function: "nop" });
    expect(cs64Stype1Function(0x11)).toEqual({ function: "end-of-packet-padded" });
    expect(cs64Stype1Function(0x24)).toEqual({ function: "link-request-port-status" });
    expect(cs64Stype1Function(0x81)).toEqual({
      function: "start-of-packet",
      padded: false,
      ackIdHigh: 1,
    });
    expect(cs64Stype1Function(0xff)).toEqual({
      function: "start-of-packet",
      padded: true,
      ackIdHigh: 63,
    });
    expect(cs64Stype1Function(0x2a)).toEqual({ function: "reserved", value: 0x2a });
    expect(cs64Stype1Function(0x00)).toEqual({ function: "reserved", value: 0 });
  });

  test.prop([fc.integer({ min: 0, max: 255 })], { seed })(
    "cs64Stype1Of inverts cs64Stype1Function; the split fields join back",
    (s) => {
      expect(cs64Stype1Of(cs64Stype1Function(s))).toBe(s);
      expect(cs64Stype1(cs64Stype1Fields(s))).toBe(s);
    },
  );

  it("rejects out-of-range values", () => {
    expect(() => cs64Stype1Fields(256)).toThrow(RangeError);
    expect(() => cs64Stype1Function(-1)).toThrow(RangeError);
    expect(() =>
      cs64Stype1Of({ function: "start-of-packet", padded: false, ackIdHigh: 64 }),
    ).toThrow(RangeError);
  });
});
