import { describe, it, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { HexError } from "./errors.js";
import { fromHex, hexNumber, toHex } from "./hex.js";

if (process.env.FC_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

function hexErrorOf(text: string): HexError {
  try {
    fromHex(text);
  } catch (e) {
    if (e instanceof HexError) return e;
    throw e;
  }
  throw new Error(`fromHex(${JSON.stringify(text)}) did not throw`);
}

describe("toHex", () => {
  it("formats lower case without separator by default", () => {
    expect(toHex(Uint8Array.of(0x00, 0x0a, 0xff, 0x10))).toBe("000aff10");
    expect(toHex(new Uint8Array(0))).toBe("");
  });

  it("supports a separator and upper case", () => {
    expect(toHex(Uint8Array.of(0xde, 0xad), { separator: " " })).toBe("de ad");
    expect(toHex(Uint8Array.of(0xde, 0xad, 0x01), { separator: ":", upper: true })).toBe(
      "DE:AD:01",
    );
    expect(toHex(Uint8Array.of(0xab), { separator: "--" })).toBe("ab");
    expect(toHex(Uint8Array.of(0xab, 0xcd), { upper: false })).toBe("abcd");
  });

  it("formats a subarray, not its whole buffer", () => {
    const whole = Uint8Array.of(1, 2, 3, 4);
    expect(toHex(whole.subarray(1, 3))).toBe("0203");
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])("agrees with Number#toString(16)", (bytes) => {
    const expected = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    expect(toHex(bytes)).toBe(expected);
  });
});

describe("fromHex", () => {
  it("parses plain, prefixed and separated text", () => {
    expect([...fromHex("deadbeef")]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect([...fromHex("0xDEAD_beef")]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect([...fromHex("0X0a")]).toEqual([0x0a]);
    expect([...fromHex("de:ad:be:ef")]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect([...fromHex("  de ad\n\tbe  ef \r\n")]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect([...fromHex("  0x01 02")]).toEqual([1, 2]);
  });

  it("returns an empty array for empty input or a bare prefix", () => {
    expect(fromHex("").length).toBe(0);
    expect(fromHex("0x").length).toBe(0);
    expect(fromHex(" _: ").length).toBe(0);
  });

  it("returns an array of exactly the parsed length", () => {
    const bytes = fromHex("01 02 03");
    expect(bytes.length).toBe(3);
    expect(bytes.buffer.byteLength).toBe(3);
  });

  it("reports invalid characters with their character index", () => {
    const err = hexErrorOf("0123g5");
    expect(err.message).toBe("invalid hex digit 'g' at character 4");
    expect(err.offset).toBe(4);
    expect(err.name).toBe("HexError");
    expect(hexErrorOf("12 3z").offset).toBe(4);
    expect(hexErrorOf("0x12x4").offset).toBe(4);
    expect(hexErrorOf("x12").offset).toBe(0);
    expect(hexErrorOf("12-34").message).toBe("invalid hex digit '-' at character 2");
    expect(hexErrorOf("12\u000034").message).toBe("invalid hex digit '\\u0000' at character 2");
  });

  it("only accepts the 0x prefix at the start", () => {
    expect(hexErrorOf("12 0x34").offset).toBe(4);
  });

  it("reports an odd digit count at the unpaired digit", () => {
    const err = hexErrorOf("0x123");
    expect(err.offset).toBe(4);
    expect(err.message).toMatch(/odd number of hex digits/);
    expect(hexErrorOf("a").offset).toBe(0);
  });

  it("rejects a separator between the two digits of a byte", () => {
    const err = hexErrorOf("12 3 4");
    expect(err.offset).toBe(4);
    expect(err.message).toMatch(/separator ' ' inside a byte at character 4/);
  });

  test.prop([
    fc.uint8Array({ maxLength: 64 }),
    fc.constantFrom("", " ", ":", "_", "\n", " : "),
    fc.boolean(),
    fc.boolean(),
  ])("round-trips toHex output in every accepted style", (bytes, separator, upper, prefix) => {
    const text = (prefix ? "0x" : "") + toHex(bytes, { separator, upper });
    expect(fromHex(text)).toEqual(bytes);
  });

  test.prop([fc.string({ maxLength: 20 })])("either parses or throws a HexError", (text) => {
    try {
      const bytes = fromHex(text);
      expect(bytes).toBeInstanceOf(Uint8Array);
    } catch (e) {
      expect(e).toBeInstanceOf(HexError);
      const offset = (e as HexError).offset;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(text.length);
    }
  });
});

describe("hexNumber", () => {
  it.each([
    [5, 5, "0x05"],
    [0, 1, "0x0"],
    [255, 16, "0x00ff"],
    [0xffffffff, 32, "0xffffffff"],
    [0x1_0000_0000n, 34, "0x100000000"],
    [0n, 64, "0x0000000000000000"],
    [0xabcn, 12, "0xabc"],
    [2 ** 52, 53, "0x10000000000000"],
  ] as const)("hexNumber(%s, %i) = %s", (value, bits, text) => {
    expect(hexNumber(value, bits)).toBe(text);
  });

  it("rejects values that do not fit and bad widths", () => {
    expect(() => hexNumber(16, 4)).toThrow(RangeError);
    expect(() => hexNumber(-1, 8)).toThrow(RangeError);
    expect(() => hexNumber(1.5, 8)).toThrow(RangeError);
    expect(() => hexNumber(256n, 8)).toThrow(RangeError);
    expect(() => hexNumber(-1n, 8)).toThrow(RangeError);
    expect(() => hexNumber(1, 0)).toThrow(RangeError);
    expect(() => hexNumber(2 ** 60, 64)).toThrow(RangeError);
  });

  test.prop([
    fc
      .integer({ min: 1, max: 64 })
      .chain((bits) =>
        fc.tuple(fc.constant(bits), fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })),
      ),
  ])("has ceil(bits/4) digits and parses back", ([bits, value]) => {
    const text = hexNumber(value, bits);
    expect(text).toMatch(/^0x[0-9a-f]+$/);
    expect(text.length).toBe(2 + Math.ceil(bits / 4));
    expect(BigInt(text)).toBe(value);
    if (value <= BigInt(Number.MAX_SAFE_INTEGER)) expect(hexNumber(Number(value), bits)).toBe(text);
  });
});
