/**
 * The laws must be able to fail: a correct hand-written codec passes them all, and each
 * deliberately broken variant of it is caught by the law it breaks.
 */
import { DecodeError, EncodeError, fieldMessage, jsonObject, jsonUint } from "@rashpa/bits";
import type { FormatInfo } from "@rashpa/bits";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CODEC_LAWS, checkCodecLaws, lawSeed } from "./index.js";
import { vectorLine } from "./c-selfcheck.js";

interface Pair {
  a: number;
  b: number;
}

/** A correct codec of a 3-byte format: a (8 bits), b (16 bits), big-endian. */
function pairFormat(overrides: Partial<FormatInfo<Pair>> = {}): FormatInfo<Pair> {
  const check = (v: Pair): void => {
    if (!Number.isInteger(v.a) || v.a < 0 || v.a > 0xff)
      throw new EncodeError(fieldMessage("a", "an integer 0..255", String(v.a)), { path: "a" });
    if (!Number.isInteger(v.b) || v.b < 0 || v.b > 0xffff)
      throw new EncodeError(fieldMessage("b", "an integer 0..65535", String(v.b)), { path: "b" });
  };
  const base: FormatInfo<Pair> = {
    id: "test.pair",
    title: "Pair",
    doc: "",
    spec: "none",
    fixedBytes: 3,
    variants: [
      {
        name: "",
        tags: {},
        fields: [
          { name: "a", kind: "uint", bits: 8, doc: "" },
          { name: "b", kind: "uint", bits: 16, doc: "" },
        ],
      },
    ],
    decode(bytes, offset = 0) {
      if (bytes.length - offset < 3)
        throw new DecodeError(
          fieldMessage("pair", "3 bytes", String(bytes.length - offset), offset),
          { offset },
        );
      return { a: bytes[offset]!, b: bytes[offset + 1]! * 256 + bytes[offset + 2]! };
    },
    encodeInto(view, offset, v) {
      check(v);
      if (offset + 3 > view.byteLength) throw new EncodeError("too small");
      view.setUint8(offset, v.a);
      view.setUint16(offset + 1, v.b);
      return 3;
    },
    encode(v) {
      const b = new Uint8Array(3);
      this.encodeInto(new DataView(b.buffer), 0, v);
      return b;
    },
    byteLength: () => 3,
    is(v): v is Pair {
      try {
        check(v as Pair);
        return typeof v === "object" && v !== null;
      } catch {
        return false;
      }
    },
    fromJson(j) {
      const o = jsonObject(j, "pair");
      return { a: jsonUint(o["a"], "a", 8), b: jsonUint(o["b"], "b", 16) };
    },
    variantOf: () => 0,
  };
  return { ...base, ...overrides };
}

const arbPair = fc.record({
  a: fc.integer({ min: 0, max: 0xff }),
  b: fc.integer({ min: 0, max: 0xffff }),
});
const seed = lawSeed();
const params = { seed, numRuns: 100 };
const lawNamed = (name: string) => CODEC_LAWS.find((l) => l.name.startsWith(name))!;

describe(`codec laws on a hand-written codec (seed ${seed})`, () => {
  it("a correct codec passes every law", () => {
    expect(() => checkCodecLaws(pairFormat(), arbPair, params)).not.toThrow();
  });

  it("catches a decoder that swaps bytes", () => {
    const broken = pairFormat({
      decode: (b, o = 0) => ({ a: b[o]!, b: b[o + 2]! * 256 + b[o + 1]! }),
    });
    expect(() => lawNamed("decode(encode(v))").check(broken, arbPair, params)).toThrow(
      /Counterexample/,
    );
  });

  it("catches a decoder that throws something other than DecodeError", () => {
    const broken = pairFormat({
      decode: (b, o = 0) => {
        if (b.length - o < 3) throw new TypeError("short");
        return { a: b[o]!, b: b[o + 1]! * 256 + b[o + 2]! };
      },
    });
    expect(() => lawNamed("on any bytes").check(broken, arbPair, params)).toThrow(/Counterexample/);
  });

  it("catches an encoder that silently masks out-of-range values", () => {
    const broken = pairFormat({
      encodeInto(view, offset, v) {
        view.setUint8(offset, v.a & 0xff);
        view.setUint16(offset + 1, v.b & 0xffff);
        return 3;
      },
      is: (v): v is Pair => typeof v === "object" && v !== null,
    });
    expect(() => lawNamed("rejects out-of-range").check(broken, arbPair, params)).toThrow(
      /Counterexample/,
    );
  });

  it("catches encodeInto writing outside its value", () => {
    const broken = pairFormat({
      encodeInto(view, offset, v) {
        view.setUint8(offset, v.a);
        view.setUint16(offset + 1, v.b);
        if (offset + 3 < view.byteLength) view.setUint8(offset + 3, 0);
        return 3;
      },
    });
    expect(() => lawNamed("byteLength, encodeInto").check(broken, arbPair, params)).toThrow(
      /Counterexample/,
    );
  });

  it("catches a JSON reader that loses a field", () => {
    const broken = pairFormat({
      fromJson: (j) => ({ a: jsonUint(jsonObject(j, "pair")["a"], "a", 8), b: 0 }),
    });
    expect(() => lawNamed("round-trips through the JSON").check(broken, arbPair, params)).toThrow(
      /Counterexample/,
    );
  });

  it("names the law and the format in checkCodecLaws's error", () => {
    const broken = pairFormat({ byteLength: () => 4 });
    expect(() => checkCodecLaws(broken, arbPair, params)).toThrow(
      /^test\.pair breaks the law "byteLength, encodeInto/,
    );
  });
});

describe("vectorLine", () => {
  it("writes id, variant, hex and each field in hex", () => {
    expect(vectorLine(pairFormat(), { a: 0xab, b: 0x1234 })).toBe("test.pair 0 ab1234 ab 1234");
  });
});
