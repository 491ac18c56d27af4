/**
 * CRCs of the RapidIO Control Symbol 48 and Control Symbol 64 (RapidIO 4.1 Part 6 §3.6.3 and
 * §3.6.5; see docs/reference/srio.md §5). The Control Symbol 24 CRC-5 is in `crc.ts`
 * ({@link crc5Cs24}).
 *
 * The protected parts of these symbols are 35 and 38 bits long, not whole bytes, so besides the
 * byte-oriented presets ({@link CRC13_RAPIDIO_CS48}, {@link CRC24_RAPIDIO_CS64}) this module
 * gives bit-exact functions that take the protected bits as one unsigned integer, symbol bit 0
 * most significant, and shift them through the register exactly as the specification states.
 *
 * @module
 */

import { createCrc, type Crc, type CrcParams } from "./crc.js";

/**
 * RapidIO Control Symbol 48 CRC-13 (RapidIO 4.1 Part 6 §3.6.3): polynomial
 * x^13+x^10+x^8+x^5+x^2+1 (0x0525), register preset to all zeros, MSB first, no reflection, no
 * final XOR. Byte-oriented check value over "123456789": 0x1234.
 *
 * The CS48 symbol covers 35 bits, not a whole number of bytes: use {@link crc13Cs48} for symbols.
 */
export const CRC13_RAPIDIO_CS48: CrcParams = Object.freeze({
  name: "CRC-13/RAPIDIO-CS48",
  width: 13,
  poly: 0x0525,
  init: 0x0000,
  refin: false,
  refout: false,
  xorout: 0x0000,
  check: 0x1234,
  residue: 0x0000,
});

/**
 * RapidIO Control Symbol 64 CRC-24 (RapidIO 4.1 Part 6 §3.6.5): polynomial
 * x^24+x^22+x^20+x^19+x^18+x^16+x^14+x^13+x^11+x^10+x^8+x^7+x^6+x^3+x+1 (0x5D6DCB), register
 * preset to all ones, MSB first, no reflection, no final XOR. Byte-oriented check value over
 * "123456789": 0xCAE6B7.
 *
 * The CS64 symbol covers 38 bits, not a whole number of bytes: use {@link crc24Cs64} for symbols.
 */
export const CRC24_RAPIDIO_CS64: CrcParams = Object.freeze({
  name: "CRC-24/RAPIDIO-CS64",
  width: 24,
  poly: 0x5d6dcb,
  init: 0xffffff,
  refin: false,
  refout: false,
  xorout: 0x000000,
  check: 0xcae6b7,
  residue: 0x000000,
});

/** Byte-oriented engine for {@link CRC13_RAPIDIO_CS48}; for CS48 symbols use {@link crc13Cs48}. */
export const crc13RapidIO: Crc = createCrc(CRC13_RAPIDIO_CS48);
/** Byte-oriented engine for {@link CRC24_RAPIDIO_CS64}; for CS64 symbols use {@link crc24Cs64}. */
export const crc24RapidIO: Crc = createCrc(CRC24_RAPIDIO_CS64);

/**
 * Shifts the `count` low bits of `value` (most significant first) through an MSB-first CRC
 * register. `value` may exceed 32 bits, so bits are extracted arithmetically.
 */
function crcOfBits(
  width: number,
  poly: number,
  init: number,
  value: number,
  count: number,
): number {
  const mask = 2 ** width - 1;
  const top = width - 1;
  let r = init;
  let rest = value;
  let weight = 2 ** (count - 1);
  for (let i = 0; i < count; i++) {
    const bit = rest >= weight ? 1 : 0;
    if (bit === 1) rest -= weight;
    weight /= 2;
    const feedback = ((r >>> top) ^ bit) & 1;
    r = (r << 1) & mask;
    if (feedback !== 0) r ^= poly;
  }
  return r >>> 0;
}

function checkBits(fn: string, value: number, count: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** count) {
    throw new RangeError(`${fn}: expected a ${count}-bit unsigned integer, got ${String(value)}`);
  }
}

/**
 * Computes the CRC-13 of a RapidIO Control Symbol 48 exactly as RapidIO 4.1 Part 6 §3.6.3
 * specifies: the register is preset to all zeros, then control-symbol bits 0..34 (bit 0 first)
 * are shifted through x^13+x^10+x^8+x^5+x^2+1. Equivalent to the parallel equations of Part 6
 * §3.6.4, Table 3-26.
 *
 * Bit 0 of the symbol is the most significant bit of `bits35`, so the complete 48-bit symbol is
 * `bits35 * 2 ** 13 + crc13Cs48(bits35)`: c0 (the result's MSB) lands in symbol bit 35 and c12
 * in bit 47.
 *
 * @param bits35 - symbol bits 0..34 (stype0, parameter0, parameter1, stype1, cmd, reserved) as
 *   an unsigned 35-bit integer, bit 0 most significant.
 * @returns the 13-bit CRC c[0:12], c0 most significant.
 * @throws RangeError if `bits35` is not an integer 0..2^35 − 1.
 * @example
 * ```ts
 * crc13Cs48(0); // 0: the register starts at zero
 * ```
 */
export function crc13Cs48(bits35: number): number {
  checkBits("crc13Cs48", bits35, 35);
  return crcOfBits(13, 0x0525, 0, bits35, 35);
}

/**
 * Computes the CRC-24 of a RapidIO Control Symbol 64 exactly as RapidIO 4.1 Part 6 §3.6.5
 * specifies: the register is preset to all ones, then control-symbol bits 0..37 (bit 0 first;
 * the alignment bits 30–31 count as 0) are shifted through the CRC-24 polynomial. Equivalent to
 * the parallel equations of Part 6 §3.6.6, Table 3-27.
 *
 * Bit 0 of the symbol is the most significant bit of `bits38`; c0 (the result's MSB) occupies
 * symbol bit 38 and c23 bit 61.
 *
 * @param bits38 - symbol bits 0..37 (stype0, parameter0, parameter1, stype1[0:1], alignment,
 *   stype1[2:7]) as an unsigned 38-bit integer, bit 0 most significant.
 * @returns the 24-bit CRC c[0:23], c0 most significant.
 * @throws RangeError if `bits38` is not an integer 0..2^38 − 1.
 * @example
 * ```ts
 * crc24Cs64(0); // 0x1ec57e: the all-ones preset shifted through 38 zero bits
 * ```
 */
export function crc24Cs64(bits38: number): number {
  checkBits("crc24Cs64", bits38, 38);
  return crcOfBits(24, 0x5d6dcb, 0xffffff, bits38, 38);
}
