import { describe, it, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import {
  maskOf,
  readBits,
  readBitsBig,
  readField,
  writeBits,
  writeBitsBig,
  writeField,
} from "./bitfield.js";

if (process.env.FC_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });

// ---------------------------------------------------------------------------------------------
// Bit-by-bit reference: bit i of the view is bit (7 - i % 8) of byte floor(i / 8).

function refGet(bytes: Uint8Array, bit: number): number {
  return (bytes[bit >> 3]! >> (7 - (bit & 7))) & 1;
}

function refRead(bytes: Uint8Array, offset: number, width: number): bigint {
  let v = 0n;
  for (let i = 0; i < width; i++) v = (v << 1n) | BigInt(refGet(bytes, offset + i));
  return v;
}

function refWrite(bytes: Uint8Array, offset: number, width: number, value: bigint): void {
  for (let i = 0; i < width; i++) {
    const bit = Number((value >> BigInt(width - 1 - i)) & 1n);
    const pos = offset + i;
    const m = 1 << (7 - (pos & 7));
    bytes[pos >> 3] = bit ? bytes[pos >> 3]! | m : bytes[pos >> 3]! & ~m;
  }
}

/**
 * A random field inside a random view. The view starts `pad` bytes into a larger buffer with
 * random guard bytes on both sides, so writes outside the view would be noticed.
 */
function fieldArb(maxWidth: number) {
  return fc
    .record({
      pad: fc.nat(3),
      tail: fc.nat(3),
      content: fc.uint8Array({ minLength: 1, maxLength: 24 }),
      guard: fc.integer({ min: 0, max: 255 }),
    })
    .chain(({ pad, tail, content, guard }) => {
      const totalBits = content.length * 8;
      return fc
        .integer({ min: 1, max: Math.min(maxWidth, totalBits) })
        .chain((width) =>
          fc.record({
            width: fc.constant(width),
            offset: fc.integer({ min: 0, max: totalBits - width }),
            value: fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n }),
          }),
        )
        .map(({ width, offset, value }) => {
          const whole = new Uint8Array(pad + content.length + tail).fill(guard);
          whole.set(content, pad);
          const view = new DataView(whole.buffer, pad, content.length);
          return { whole, pad, content, view, width, offset, value };
        });
    });
}

describe("readBits / readBitsBig / readField against the bit-by-bit reference", () => {
  test.prop([fieldArb(32)])("readBits equals the reference", ({ content, view, width, offset }) => {
    expect(readBits(view, offset, width)).toBe(Number(refRead(content, offset, width)));
  });

  test.prop([fieldArb(64)])(
    "readBitsBig equals the reference",
    ({ content, view, width, offset }) => {
      expect(readBitsBig(view, offset, width)).toBe(refRead(content, offset, width));
    },
  );

  test.prop([fieldArb(64)])(
    "readField agrees with readBits (≤ 32) and readBitsBig (> 32)",
    ({ view, width, offset }) => {
      const v = readField(view, offset, width);
      if (width <= 32) {
        expect(typeof v).toBe("number");
        expect(v).toBe(readBits(view, offset, width));
      } else {
        expect(typeof v).toBe("bigint");
        expect(v).toBe(readBitsBig(view, offset, width));
      }
    },
  );
});

describe("writeBits / writeBitsBig / writeField", () => {
  test.prop([fieldArb(32)])(
    "writeBits round-trips and touches no other bit (inside or outside the view)",
    ({ whole, pad, view, width, offset, value }) => {
      const expected = whole.slice();
      refWrite(expected.subarray(pad), offset, width, value);
      writeBits(view, offset, width, Number(value));
      expect(readBits(view, offset, width)).toBe(Number(value));
      expect(whole).toEqual(expected);
    },
  );

  test.prop([fieldArb(64)])(
    "writeBitsBig round-trips and touches no other bit",
    ({ whole, pad, view, width, offset, value }) => {
      const expected = whole.slice();
      refWrite(expected.subarray(pad), offset, width, value);
      writeBitsBig(view, offset, width, value);
      expect(readBitsBig(view, offset, width)).toBe(value);
      expect(whole).toEqual(expected);
    },
  );

  test.prop([fc.integer({ min: 1, max: 64 }), fc.nat({ max: 7 })])(
    "writeBitsBig takes 2^width − 1 and refuses 2^width, leaving the bytes as they were",
    (width, offset) => {
      const view = new DataView(new ArrayBuffer(9));
      writeBitsBig(view, offset, width, (1n << BigInt(width)) - 1n);
      expect(readBitsBig(view, offset, width)).toBe((1n << BigInt(width)) - 1n);
      const before = new Uint8Array(view.buffer).slice();
      expect(() => writeBitsBig(view, offset, width, 1n << BigInt(width))).toThrow(RangeError);
      expect(new Uint8Array(view.buffer)).toEqual(before);
    },
  );

  test.prop([fieldArb(64), fc.boolean()])(
    "writeField accepts numbers and bigints and round-trips through readField",
    ({ whole, pad, view, width, offset, value }, asNumber) => {
      const expected = whole.slice();
      refWrite(expected.subarray(pad), offset, width, value);
      const useNumber = asNumber && value <= BigInt(Number.MAX_SAFE_INTEGER);
      writeField(view, offset, width, useNumber ? Number(value) : value);
      expect(whole).toEqual(expected);
      const back = readField(view, offset, width);
      expect(typeof back === "bigint" ? back : BigInt(back)).toBe(value);
    },
  );
});

describe("concrete layouts", () => {
  const bytes = () => Uint8Array.of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f);
  const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

  it("bit 0 is the MSB of byte 0 and fields are big-endian", () => {
    const v = viewOf(Uint8Array.of(0b1010_1100, 0xff));
    expect(readBits(v, 0, 1)).toBe(1);
    expect(readBits(v, 1, 1)).toBe(0);
    expect(readBits(v, 2, 4)).toBe(0b1011);
    expect(readBits(v, 4, 8)).toBe(0xcf);
    expect(readBits(v, 0, 16)).toBe(0xacff);
  });

  it("aligned 8/16/32-bit fields (fast paths)", () => {
    const v = viewOf(bytes());
    expect(readBits(v, 8, 8)).toBe(0x34);
    expect(readBits(v, 8, 16)).toBe(0x3456);
    expect(readBits(v, 8, 32)).toBe(0x3456789a);
    expect(readBits(v, 32, 32)).toBe(0x9abcdef0);
    expect(readBitsBig(v, 0, 64)).toBe(0x123456789abcdef0n);
    expect(readBitsBig(v, 8, 64)).toBe(0x3456789abcdef00fn);
  });

  it("unaligned 32-bit field spanning five bytes", () => {
    const v = viewOf(bytes());
    // bits 4..35: 0x2345678 9 -> 0x23456789
    expect(readBits(v, 4, 32)).toBe(0x23456789);
    expect(readBits(v, 7, 32)).toBe(Number((0x123456789an >> 1n) & 0xffffffffn));
  });

  it("unaligned 34-bit and 64-bit bigint fields", () => {
    const v = viewOf(bytes());
    expect(readBitsBig(v, 4, 64)).toBe(0x23456789abcdef00n);
    expect(readField(v, 6, 34)).toBe(0x123456789an & ((1n << 34n) - 1n));
  });

  it("writes an unaligned field into the right bits", () => {
    const b = new Uint8Array(3);
    writeBits(viewOf(b), 4, 8, 0xab);
    expect([...b]).toEqual([0x0a, 0xb0, 0x00]);
    writeBits(viewOf(b), 12, 12, 0xfff);
    expect([...b]).toEqual([0x0a, 0xbf, 0xff]);
    writeBits(viewOf(b), 0, 4, 0xc);
    expect([...b]).toEqual([0xca, 0xbf, 0xff]);
  });

  it("writes aligned 8/16/32 fields with the fast path", () => {
    const b = new Uint8Array(8).fill(0xee);
    const v = viewOf(b);
    writeBits(v, 8, 32, 0xdeadbeef);
    writeBits(v, 40, 16, 0x1234);
    writeBits(v, 56, 8, 0x56);
    expect([...b]).toEqual([0xee, 0xde, 0xad, 0xbe, 0xef, 0x12, 0x34, 0x56]);
  });

  it("writes 64-bit bigints aligned and unaligned", () => {
    const b = new Uint8Array(9);
    writeBitsBig(viewOf(b), 0, 64, 0x0102030405060708n);
    expect([...b]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0]);
    const c = new Uint8Array(9);
    writeBitsBig(viewOf(c), 4, 64, 0xffffffffffffffffn);
    expect([...c]).toEqual([0x0f, 255, 255, 255, 255, 255, 255, 255, 0xf0]);
  });

  it("honours the view's byteOffset", () => {
    const whole = Uint8Array.of(0xff, 0x00, 0x80, 0xff);
    const v = new DataView(whole.buffer, 1, 2);
    expect(readBits(v, 0, 16)).toBe(0x0080);
    expect(readBits(v, 8, 1)).toBe(1);
    writeBits(v, 0, 3, 0b101);
    expect([...whole]).toEqual([0xff, 0xa0, 0x80, 0xff]);
  });
});

describe("range checks", () => {
  const v = new DataView(new ArrayBuffer(4));

  it("rejects bit ranges outside the view", () => {
    expect(() => readBits(v, 25, 8)).toThrow(RangeError);
    expect(() => readBits(v, 25, 8)).toThrow(/bits 25\.\.32 are out of bounds for a 4-byte view/);
    expect(() => writeBits(v, 31, 2, 0)).toThrow(RangeError);
    expect(() => readBitsBig(v, 0, 33)).toThrow(RangeError);
    expect(() => writeBitsBig(v, 0, 33, 0n)).toThrow(RangeError);
    expect(() => readBits(new DataView(new ArrayBuffer(0)), 0, 1)).toThrow(RangeError);
    expect(readBits(v, 24, 8)).toBe(0);
  });

  it("rejects invalid widths and offsets", () => {
    expect(() => readBits(v, 0, 0)).toThrow(/width must be an integer 1\.\.32/);
    expect(() => readBits(v, 0, 33)).toThrow(RangeError);
    expect(() => readBits(v, 0, 1.5)).toThrow(RangeError);
    expect(() => readBitsBig(v, 0, 65)).toThrow(/1\.\.64/);
    expect(() => readBits(v, -1, 4)).toThrow(/non-negative integer/);
    expect(() => readBits(v, 0.5, 4)).toThrow(RangeError);
    expect(() => readBits(v, Number.NaN, 4)).toThrow(RangeError);
    expect(() => readField(v, 0, 0)).toThrow(RangeError);
  });

  it("rejects values that do not fit", () => {
    expect(() => writeBits(v, 0, 4, 16)).toThrow(/does not fit in an unsigned 4-bit field/);
    expect(() => writeBits(v, 0, 4, -1)).toThrow(RangeError);
    expect(() => writeBits(v, 0, 4, 1.5)).toThrow(RangeError);
    expect(() => writeBits(v, 0, 32, 2 ** 32)).toThrow(RangeError);
    expect(() => writeBitsBig(v, 0, 4, 16n)).toThrow(RangeError);
    expect(() => writeBitsBig(v, 0, 4, -1n)).toThrow(RangeError);
    expect(() => writeField(v, 0, 8, 256n)).toThrow(RangeError);
    expect(() => writeField(new DataView(new ArrayBuffer(8)), 0, 40, 2 ** 60)).toThrow(
      /not a safe integer/,
    );
    expect(() => writeField(new DataView(new ArrayBuffer(8)), 0, 40, 2 ** 40)).toThrow(RangeError);
  });

  it("leaves the view untouched when a write is rejected", () => {
    const b = Uint8Array.of(0x5a, 0x5a, 0x5a, 0x5a);
    const view = new DataView(b.buffer);
    expect(() => writeBits(view, 4, 8, 0x1ff)).toThrow(RangeError);
    expect(() => writeBitsBig(view, 4, 8, 0x1ffn)).toThrow(RangeError);
    expect([...b]).toEqual([0x5a, 0x5a, 0x5a, 0x5a]);
  });
});

describe("maskOf", () => {
  it.each([
    [0, 0],
    [1, 1],
    [5, 0x1f],
    [16, 0xffff],
    [31, 0x7fffffff],
    [32, 0xffffffff],
  ])("maskOf(%i) = %i", (width, mask) => {
    expect(maskOf(width)).toBe(mask);
  });

  it("rejects widths outside 0..32", () => {
    expect(() => maskOf(-1)).toThrow(RangeError);
    expect(() => maskOf(33)).toThrow(RangeError);
    expect(() => maskOf(2.5)).toThrow(RangeError);
  });

  test.prop([fc.integer({ min: 0, max: 32 })])("is 2^width - 1 and non-negative", (w) => {
    expect(maskOf(w)).toBe(2 ** w - 1);
    expect(maskOf(w)).toBeGreaterThanOrEqual(0);
  });
});
