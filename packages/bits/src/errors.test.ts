import { describe, it, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import {
  CodecError,
  DecodeError,
  EncodeError,
  HexError,
  decodeFieldError,
  describeValue,
  encodeFieldError,
  fieldMessage,
} from "./errors.js";

if (process.env.FC_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

describe("error classes", () => {
  it("are instances of their class, CodecError and Error, with the right name", () => {
    const cases = [
      [new DecodeError("d"), DecodeError, "DecodeError"],
      [new EncodeError("e"), EncodeError, "EncodeError"],
      [new HexError("h"), HexError, "HexError"],
    ] as const;
    for (const [err, cls, name] of cases) {
      expect(err).toBeInstanceOf(cls);
      expect(err).toBeInstanceOf(CodecError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(name);
      expect(String(err)).toBe(`${name}: ${err.message}`);
    }
    expect(new DecodeError("x")).not.toBeInstanceOf(EncodeError);
    expect(new CodecError("c").name).toBe("CodecError");
  });

  it("carry the details and the full message", () => {
    const err = new DecodeError("boom", { offset: 3, path: "a.b", expected: "0..1", found: "2" });
    expect(err.message).toBe("boom");
    expect(err.offset).toBe(3);
    expect(err.path).toBe("a.b");
    expect(err.expected).toBe("0..1");
    expect(err.found).toBe("2");
  });

  it("leave absent details undefined", () => {
    const err = new EncodeError("boom", { path: "p" });
    expect(err.path).toBe("p");
    expect(err.offset).toBeUndefined();
    expect(err.expected).toBeUndefined();
    expect(err.found).toBeUndefined();
    expect(new HexError("x").offset).toBeUndefined();
  });

  it("have a stack trace", () => {
    expect(new DecodeError("x").stack).toContain("DecodeError");
  });
});

describe("fieldMessage", () => {
  it("builds the conventional message without offset", () => {
    expect(fieldMessage("hdr.ftype", "0..15", "16 (0x10)")).toBe(
      '"hdr.ftype" expected 0..15, got 16 (0x10)',
    );
  });

  it("appends the decimal byte offset when given (including 0)", () => {
    expect(fieldMessage("tt", "0 or 1", "2 (0x2)", 17)).toBe(
      '"tt" expected 0 or 1, got 2 (0x2) at byte 17',
    );
    expect(fieldMessage("tt", "x", "y", 0)).toBe('"tt" expected x, got y at byte 0');
  });
});

describe("decodeFieldError / encodeFieldError", () => {
  it("decodeFieldError fills message and every detail", () => {
    const err = decodeFieldError("dw0.fmt", "a defined Fmt", "5 (0x5)", 0);
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.message).toBe('"dw0.fmt" expected a defined Fmt, got 5 (0x5) at byte 0');
    expect(err).toMatchObject({
      path: "dw0.fmt",
      expected: "a defined Fmt",
      found: "5 (0x5)",
      offset: 0,
    });
  });

  it("encodeFieldError fills message and details, no offset", () => {
    const err = encodeFieldError("length", "1..1024", "0 (0x0)");
    expect(err).toBeInstanceOf(EncodeError);
    expect(err.message).toBe('"length" expected 1..1024, got 0 (0x0)');
    expect(err.offset).toBeUndefined();
    expect(err).toMatchObject({ path: "length", expected: "1..1024", found: "0 (0x0)" });
  });
});

describe("describeValue", () => {
  it.each([
    [70000, "70000 (0x11170)"],
    [0, "0 (0x0)"],
    [-5, "-5 (-0x5)"],
    [1.5, "1.5"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [-0, "-0"],
    [255n, "255n (0xff)"],
    [-16n, "-16n (-0x10)"],
    ["abc", '"abc"'],
    ['a"b', '"a\\"b"'],
    [true, "true"],
    [undefined, "undefined"],
    [null, "null"],
    [new Uint8Array(4), "<4 bytes>"],
    [new Uint8Array(0), "<0 bytes>"],
    [new Uint8Array(1), "<1 byte>"],
    [new Uint16Array(3), "<Uint16Array 6 bytes>"],
    [new ArrayBuffer(8), "<ArrayBuffer 8 bytes>"],
    [[1, 2, 3], "array(3)"],
    [{}, "{}"],
    [{ a: 1, b: 2 }, "{a, b}"],
    [new Map([[1, 2]]), "Map(1)"],
    [new RangeError("bad"), "RangeError: bad"],
    [Symbol("s"), "Symbol(s)"],
  ] as const)("describes %o as %s", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it("describes functions and class instances", () => {
    function namedFn(): void {}
    class Thing {}
    expect(describeValue(namedFn)).toBe("function namedFn");
    expect(describeValue(new Thing())).toBe("Thing object");
  });

  it("describes large bigints within the length limit", () => {
    const d = describeValue(2n ** 64n - 1n);
    expect(d).toBe("18446744073709551615n (0xffffffffffffffff)");
    expect(describeValue(2n ** 400n).length).toBeLessThanOrEqual(60);
  });

  it("truncates long strings and says how long they were", () => {
    const d = describeValue("x".repeat(500));
    expect(d.length).toBeLessThanOrEqual(60);
    expect(d.startsWith('"xxx')).toBe(true);
    expect(d).toContain("(500 chars)");
  });

  it("truncates objects with many keys", () => {
    const obj = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, i]));
    const d = describeValue(obj);
    expect(d.length).toBeLessThanOrEqual(60);
    expect(d.startsWith("{key0, key1")).toBe(true);
    expect(d.endsWith("…}")).toBe(true);
  });

  it("never throws, even for hostile objects", () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error("nope");
        },
        ownKeys() {
          throw new Error("nope");
        },
      },
    );
    expect(describeValue(hostile)).toBe("<unprintable value>");
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(typeof describeValue(proxy)).toBe("string");
  });

  test.prop([
    fc.anything({ withBigInt: true, withTypedArray: true, withMap: true, withSet: true }),
  ])("never throws and stays within 60 characters", (value) => {
    const d = describeValue(value);
    expect(typeof d).toBe("string");
    expect(d.length).toBeGreaterThan(0);
    expect(d.length).toBeLessThanOrEqual(60);
  });

  test.prop([fc.maxSafeInteger()])("shows safe integers in decimal and hex", (n) => {
    const d = describeValue(n);
    const match = /^(-?\d+) \((-?)0x([0-9a-f]+)\)$/.exec(d);
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBe(n);
    const sign = match?.[2] === "-" ? -1 : 1;
    expect(sign * Number.parseInt(match?.[3] ?? "", 16)).toBe(n);
  });
});
