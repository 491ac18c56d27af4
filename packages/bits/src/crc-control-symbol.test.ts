/**
 * CRC-13 (Control Symbol 48) and CRC-24 (Control Symbol 64) of RapidIO 4.1 Part 6 §3.6.3–3.6.6,
 * checked against the parallel equations of Tables 3-26 and 3-27 as printed.
 */
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  CRC13_RAPIDIO_CS48,
  CRC24_RAPIDIO_CS64,
  crc13Cs48,
  crc13RapidIO,
  crc24Cs64,
  crc24RapidIO,
} from "./crc-control-symbol.js";
import { crcBitwise } from "./crc.js";

const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
const CHECK = new TextEncoder().encode("123456789");

/**
 * Builds the parallel-equation evaluator of a table: for each data input Dd (row d) the CRC bits
 * whose exclusive-OR includes it; "!" marks an inverted input, i.e. a constant 1 folded into that
 * CRC bit (the all-ones preset). D0 (symbol bit 0) is the most significant bit of the input.
 */
function equations(rows: readonly string[], width: number): (bits: number) => number {
  const n = rows.length;
  const taps: number[][] = Array.from({ length: width }, () => []);
  const invert = new Array<number>(width).fill(0);
  rows.forEach((row, i) => {
    const d = n - 1 - i; // rows are listed from D(n-1) down to D0
    for (const cell of row.split(" ")) {
      const c = Number(cell.replace("!", "").slice(1));
      taps[c]!.push(d);
      if (cell.startsWith("!")) invert[c] = invert[c]! ^ 1;
    }
  });
  return (bits) => {
    let crc = 0;
    for (let c = 0; c < width; c++) {
      let p = invert[c]!;
      for (const d of taps[c]!) p ^= Math.floor(bits / 2 ** (n - 1 - d)) % 2;
      crc = crc * 2 + p;
    }
    return crc;
  };
}

/** Shifts `count` bits of `value` (MSB first) through a register, then returns it. */
function serial(width: number, poly: number, init: number, value: bigint, count: number): number {
  let r = init;
  const mask = 2 ** width - 1;
  for (let i = count - 1; i >= 0; i--) {
    const bit = Number((value >> BigInt(i)) & 1n);
    const fb = Math.floor(r / 2 ** (width - 1)) ^ bit;
    r = (r * 2) % 2 ** width;
    if (fb) r = (r ^ poly) & mask;
  }
  return r;
}

describe(`CRC-13 of Control Symbol 48 (RapidIO 4.1 Part 6 §3.6.3–3.6.4, seed ${seed})`, () => {
  /**
   * Table 3-26 "Parallel CRC-13 Equations", rows D34..D0 as printed (columns C0..C12; the table
   * has no inverted inputs because the register starts at zero).
   */
  const TABLE_3_26: readonly string[] = [
    /* D34 */ "C2 C4 C7 C10 C12",
    /* D33 */ "C1 C3 C6 C9 C11",
    /* D32 */ "C0 C2 C5 C8 C10",
    /* D31 */ "C1 C2 C9 C10 C12",
    /* D30 */ "C0 C1 C8 C9 C11",
    /* D29 */ "C0 C2 C4 C8 C12",
    /* D28 */ "C1 C2 C3 C4 C10 C11 C12",
    /* D27 */ "C0 C1 C2 C3 C9 C10 C11",
    /* D26 */ "C0 C1 C4 C7 C8 C9 C12",
    /* D25 */ "C0 C2 C3 C4 C6 C8 C10 C11 C12",
    /* D24 */ "C1 C3 C4 C5 C9 C11 C12",
    /* D23 */ "C0 C2 C3 C4 C8 C10 C11",
    /* D22 */ "C1 C3 C4 C9 C12",
    /* D21 */ "C0 C2 C3 C8 C11",
    /* D20 */ "C1 C4 C12",
    /* D19 */ "C0 C3 C11",
    /* D18 */ "C4 C7 C12",
    /* D17 */ "C3 C6 C11",
    /* D16 */ "C2 C5 C10",
    /* D15 */ "C1 C4 C9",
    /* D14 */ "C0 C3 C8",
    /* D13 */ "C4 C10 C12",
    /* D12 */ "C3 C9 C11",
    /* D11 */ "C2 C8 C10",
    /* D10 */ "C1 C7 C9",
    /* D9 */ "C0 C6 C8",
    /* D8 */ "C2 C4 C5 C10 C12",
    /* D7 */ "C1 C3 C4 C9 C11",
    /* D6 */ "C0 C2 C3 C8 C10",
    /* D5 */ "C1 C4 C9 C10 C12",
    /* D4 */ "C0 C3 C8 C9 C11",
    /* D3 */ "C4 C8 C12",
    /* D2 */ "C3 C7 C11",
    /* D1 */ "C2 C6 C10",
    /* D0 */ "C1 C5 C9",
  ];
  const byEquations = equations(TABLE_3_26, 13);

  it("has the parameters of §3.6.3 and the catalogue-style check value", () => {
    expect(CRC13_RAPIDIO_CS48.poly).toBe(0b101_0010_0101); // x^10, x^8, x^5, x^2, 1
    expect(crcBitwise(CRC13_RAPIDIO_CS48, CHECK)).toBe(0x1234);
    expect(crc13RapidIO.compute(CHECK)).toBe(0x1234);
  });

  it("the table has one row per protected bit (35)", () => {
    expect(TABLE_3_26).toHaveLength(35);
  });

  it("agrees with Table 3-26 on every single-bit input and on zero", () => {
    expect(crc13Cs48(0)).toBe(0);
    for (let d = 0; d < 35; d++) {
      const v = 2 ** (34 - d);
      expect(crc13Cs48(v), `D${d}`).toBe(byEquations(v));
    }
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 35 - 1 })], { seed, numRuns: 20000 })(
    "agrees with Table 3-26 on random 35-bit inputs",
    (bits35) => {
      expect(crc13Cs48(bits35)).toBe(byEquations(bits35));
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 35 - 1 })], { seed })(
    "a symbol with its CRC has residue 0, also through the byte-oriented engine",
    (bits35) => {
      const crc = crc13Cs48(bits35);
      const symbol = (BigInt(bits35) << 13n) | BigInt(crc);
      expect(serial(13, 0x0525, 0, symbol, 48)).toBe(0);
      const bytes = new Uint8Array(6);
      for (let i = 0; i < 6; i++) bytes[i] = Number((symbol >> BigInt(40 - 8 * i)) & 0xffn);
      expect(crc13RapidIO.compute(bytes)).toBe(0);
    },
  );

  it("rejects inputs that are not 35-bit unsigned integers", () => {
    expect(() => crc13Cs48(2 ** 35)).toThrow(RangeError);
    expect(() => crc13Cs48(-1)).toThrow(RangeError);
    expect(() => crc13Cs48(1.5)).toThrow(RangeError);
  });
});

describe(`CRC-24 of Control Symbol 64 (RapidIO 4.1 Part 6 §3.6.5–3.6.6, seed ${seed})`, () => {
  /**
   * Table 3-27 "Parallel CRC-24 Equations", rows D37..D0 as printed (columns C0..C23); "!" marks
   * the inverted inputs of rows D37..D35, which fold in the all-ones preset.
   */
  const TABLE_3_27: readonly string[] = [
    /* D37 */ "C1 !C3 !C4 !C5 C7 !C9 C10 C12 !C13 !C15 C16 !C17 !C20 !C22 C23",
    /* D36 */ "C0 C2 C3 C4 !C6 !C8 C9 C11 C12 C14 C15 C16 !C19 !C21 C22",
    /* D35 */ "C2 C4 C8 C9 C11 C12 C14 C16 C17 !C18 C21 C22 C23",
    /* D34 */ "C1 C3 C7 C8 C10 C11 C13 C15 C16 C17 C20 C21 C22",
    /* D33 */ "C0 C2 C6 C7 C9 C10 C12 C14 C15 C16 C19 C20 C21",
    /* D32 */ "C3 C4 C6 C7 C8 C10 C11 C12 C14 C16 C17 C18 C19 C22 C23",
    /* D31 */ "C2 C3 C5 C6 C7 C9 C10 C11 C13 C15 C16 C17 C18 C21 C22",
    /* D30 */ "C1 C2 C4 C5 C6 C8 C9 C10 C12 C14 C15 C16 C17 C20 C21",
    /* D29 */ "C0 C1 C3 C4 C5 C7 C8 C9 C11 C13 C14 C15 C16 C19 C20",
    /* D28 */ "C0 C1 C2 C5 C6 C8 C9 C14 C16 C17 C18 C19 C20 C22 C23",
    /* D27 */ "C0 C3 C8 C9 C10 C12 C18 C19 C20 C21 C23",
    /* D26 */ "C1 C2 C3 C4 C5 C8 C10 C11 C12 C13 C15 C16 C18 C19 C23",
    /* D25 */ "C0 C1 C2 C3 C4 C7 C9 C10 C11 C12 C14 C15 C17 C18 C22",
    /* D24 */ "C0 C2 C4 C5 C6 C7 C8 C11 C12 C14 C15 C20 C21 C22 C23",
    /* D23 */ "C6 C9 C11 C12 C14 C15 C16 C17 C19 C21 C23",
    /* D22 */ "C5 C8 C10 C11 C13 C14 C15 C16 C18 C20 C22",
    /* D21 */ "C4 C7 C9 C10 C12 C13 C14 C15 C17 C19 C21",
    /* D20 */ "C3 C6 C8 C9 C11 C12 C13 C14 C16 C18 C20",
    /* D19 */ "C2 C5 C7 C8 C10 C11 C12 C13 C15 C17 C19",
    /* D18 */ "C1 C4 C6 C7 C9 C10 C11 C12 C14 C16 C18",
    /* D17 */ "C0 C3 C5 C6 C8 C9 C10 C11 C13 C15 C17",
    /* D16 */ "C1 C2 C3 C8 C13 C14 C15 C17 C20 C22 C23",
    /* D15 */ "C0 C1 C2 C7 C12 C13 C14 C16 C19 C21 C22",
    /* D14 */ "C0 C3 C4 C5 C6 C7 C9 C10 C11 C16 C17 C18 C21 C22 C23",
    /* D13 */ "C1 C2 C6 C7 C8 C12 C13 C21 C23",
    /* D12 */ "C0 C1 C5 C6 C7 C11 C12 C20 C22",
    /* D11 */ "C0 C1 C3 C6 C7 C9 C11 C12 C13 C15 C16 C17 C19 C20 C21 C22 C23",
    /* D10 */ "C0 C1 C2 C3 C4 C6 C7 C8 C9 C11 C13 C14 C17 C18 C19 C21 C23",
    /* D9 */ "C0 C2 C4 C6 C8 C9 C15 C18 C23",
    /* D8 */ "C4 C8 C9 C10 C12 C13 C14 C15 C16 C20 C23",
    /* D7 */ "C3 C7 C8 C9 C11 C12 C13 C14 C15 C19 C22",
    /* D6 */ "C2 C6 C7 C8 C10 C11 C12 C13 C14 C18 C21",
    /* D5 */ "C1 C5 C6 C7 C9 C10 C11 C12 C13 C17 C20",
    /* D4 */ "C0 C4 C5 C6 C8 C9 C10 C11 C12 C16 C19",
    /* D3 */ "C1 C8 C11 C12 C13 C16 C17 C18 C20 C22 C23",
    /* D2 */ "C0 C7 C10 C11 C12 C15 C16 C17 C19 C21 C22",
    /* D1 */ "C1 C3 C4 C5 C6 C7 C11 C12 C13 C14 C17 C18 C21 C22 C23",
    /* D0 */ "C0 C2 C3 C4 C5 C6 C10 C11 C12 C13 C16 C17 C20 C21 C22",
  ];
  const byEquations = equations(TABLE_3_27, 24);

  it("has the parameters of §3.6.5 and the catalogue-style check value", () => {
    expect(CRC24_RAPIDIO_CS64.poly).toBe(0x5d6dcb);
    expect(crcBitwise(CRC24_RAPIDIO_CS64, CHECK)).toBe(0xcae6b7);
    expect(crc24RapidIO.compute(CHECK)).toBe(0xcae6b7);
  });

  it("the polynomial is the product of the factors given in §3.6.5", () => {
    const mul = (a: bigint, b: bigint) => {
      let r = 0n;
      for (let i = 0n; b >> i; i++) if ((b >> i) & 1n) r ^= a << i;
      return r;
    };
    const poly = (...exps: number[]) => exps.reduce((p, e) => p | (1n << BigInt(e)), 0n);
    const product = [
      poly(11, 9, 8, 7, 6, 3, 0),
      poly(11, 9, 8, 7, 5, 3, 2, 1, 0),
      poly(1, 0),
      poly(1, 0),
    ].reduce(mul);
    expect(product).toBe((1n << 24n) | BigInt(CRC24_RAPIDIO_CS64.poly));
  });

  it("the table has one row per protected bit (38)", () => {
    expect(TABLE_3_27).toHaveLength(38);
  });

  it("agrees with Table 3-27 on zero (the inverted inputs) and every single-bit input", () => {
    expect(crc24Cs64(0)).toBe(byEquations(0));
    expect(crc24Cs64(0)).toBe(0x1ec57e);
    for (let d = 0; d < 38; d++) {
      const v = 2 ** (37 - d);
      expect(crc24Cs64(v), `D${d}`).toBe(byEquations(v));
    }
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 38 - 1 })], { seed, numRuns: 20000 })(
    "agrees with Table 3-27 on random 38-bit inputs",
    (bits38) => {
      expect(crc24Cs64(bits38)).toBe(byEquations(bits38));
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 38 - 1 })], { seed })(
    "bits 0..37 followed by c0..c23 leave the register at 0",
    (bits38) => {
      const symbol = (BigInt(bits38) << 24n) | BigInt(crc24Cs64(bits38));
      expect(serial(24, 0x5d6dcb, 0xffffff, symbol, 62)).toBe(0);
    },
  );

  test.prop([fc.integer({ min: 0, max: 2 ** 38 - 1 }), fc.integer({ min: 0, max: 37 })], { seed })(
    "detects every single-bit error",
    (bits38, bit) => {
      const flipped = Number(BigInt(bits38) ^ (1n << BigInt(bit)));
      expect(crc24Cs64(flipped)).not.toBe(crc24Cs64(bits38));
    },
  );

  it("rejects inputs that are not 38-bit unsigned integers", () => {
    expect(() => crc24Cs64(2 ** 38)).toThrow(RangeError);
    expect(() => crc24Cs64(-1)).toThrow(RangeError);
    expect(() => crc24Cs64(Number.NaN)).toThrow(RangeError);
  });
});
