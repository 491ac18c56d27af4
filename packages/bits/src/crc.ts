/**
 * Parameterised CRC engines in the Rocksoft™ model (R. N. Williams, "A Painless Guide to CRC
 * Error Detection Algorithms", 1993; parameter names and check values as in G. Cook's
 * "Catalogue of parametrised CRC algorithms"), plus the presets RASHPA needs:
 *
 * - RapidIO packet CRC-16: RapidIO 4.1 Part 6 §2.4.2 (see docs/reference/srio.md §4).
 * - RapidIO Control Symbol 24 CRC-5: RapidIO 4.1 Part 6 §3.6.1, parallel equations §3.6.2
 *   Table 3-25 (see docs/reference/srio.md §5).
 * - PCIe DLLP CRC-16: PCI Express Base Spec, Data Link Layer, DLLP CRC (see
 *   docs/reference/pcie.md §5).
 * - PCIe LCRC / ECRC (PCI Express Base Spec, Data Link Layer and §2.7 ECRC; see
 *   docs/reference/pcie.md §6), the RapidIO 64b/67b link CRC-32 (RapidIO 4.1 Part 6 §5.6.1) and
 *   the RoCEv2 ICRC (see docs/reference/roce.md §5): the standard reflected CRC-32.
 *
 * Engines for widths 8..32 are table-driven (one 256-entry table per engine, built once);
 * widths 1..7 are processed bit by bit.
 *
 * @module
 */

import { maskOf } from "./bitfield.js";

/** The Rocksoft™ model parameters of a CRC, as listed in the CRC catalogue. */
export interface CrcParams {
  /** Catalogue-style name, e.g. `"CRC-16/IBM-3740"`. */
  name: string;
  /** Register width in bits, 1..32. */
  width: number;
  /** Generator polynomial in normal (MSB-first) form without the x^width term. */
  poly: number;
  /** Register value before the first bit is processed (in normal orientation). */
  init: number;
  /** Whether each input byte is processed least significant bit first. */
  refin: boolean;
  /** Whether the final register is bit-reflected before `xorout` is applied. */
  refout: boolean;
  /** Value XORed into the (possibly reflected) final register. */
  xorout: number;
  /** CRC of the nine ASCII bytes `"123456789"`. */
  check: number;
  /**
   * Register contents (after the `refout` reflection, before `xorout`) after processing an
   * error-free codeword, i.e. a message followed by its CRC in transmission order.
   */
  residue?: number;
}

/** A ready-to-use CRC engine for one {@link CrcParams} set. */
export interface Crc {
  /** The (frozen) parameters of this engine. */
  readonly params: CrcParams;
  /**
   * Computes the CRC of `data[start..end)` in one go.
   *
   * @param data - the message bytes.
   * @param start - first byte index (default 0).
   * @param end - one past the last byte index (default `data.length`).
   * @returns the CRC as an unsigned number.
   * @throws RangeError if `start`/`end` are not integers with 0 ≤ start ≤ end ≤ data.length.
   */
  compute(data: Uint8Array, start?: number, end?: number): number;
  /**
   * Starts a streaming computation.
   *
   * @returns the initial state. The state is the raw algorithm register: for `refin: true`
   *   engines it is held bit-reflected (like zlib's `crc32` register before inversion).
   */
  init(): number;
  /**
   * Feeds `data[start..end)` into a streaming computation.
   *
   * @param state - the state returned by {@link Crc.init} or a previous `update`.
   * @param data - the next message bytes.
   * @param start - first byte index (default 0).
   * @param end - one past the last byte index (default `data.length`).
   * @returns the new state.
   * @throws RangeError for invalid `start`/`end`.
   */
  update(state: number, data: Uint8Array, start?: number, end?: number): number;
  /**
   * Finishes a streaming computation (applies `refout` and `xorout`).
   *
   * @param state - the final state.
   * @returns the CRC as an unsigned number.
   */
  finish(state: number): number;
}

/** ASCII "123456789", the catalogue's check message. */
const CHECK_MESSAGE = Uint8Array.of(0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39);

function reflect(value: number, bits: number): number {
  let out = 0;
  let v = value;
  for (let i = 0; i < bits; i++) {
    out = (out << 1) | (v & 1);
    v >>>= 1;
  }
  return out >>> 0;
}

function validateParams(params: CrcParams): void {
  const { width } = params;
  if (!Number.isInteger(width) || width < 1 || width > 32) {
    throw new RangeError(`CRC "${params.name}": width must be an integer 1..32, got ${width}`);
  }
  const max = maskOf(width);
  const fields = ["poly", "init", "xorout", "check", "residue"] as const;
  for (const field of fields) {
    const value = params[field];
    if (value === undefined && field === "residue") continue;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
      throw new RangeError(
        `CRC "${params.name}": ${field} must be an integer 0..0x${max.toString(16)}, got ${String(value)}`,
      );
    }
  }
  if (typeof params.refin !== "boolean" || typeof params.refout !== "boolean") {
    throw new RangeError(`CRC "${params.name}": refin and refout must be booleans`);
  }
}

function checkBounds(data: Uint8Array, start: number, end: number): void {
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(end) ||
    start < 0 ||
    start > end ||
    end > data.length
  ) {
    throw new RangeError(
      `CRC range [${String(start)}, ${String(end)}) is invalid for ${data.length} bytes`,
    );
  }
}

/**
 * Slow, obviously-correct reference implementation of the Rocksoft™ model: processes one bit at a
 * time in the normal orientation, reflecting input bytes when `refin` is set. Used by tests to
 * cross-check {@link createCrc}. Does not validate `params`.
 *
 * @param params - CRC parameters.
 * @param data - the message bytes.
 * @returns the CRC as an unsigned number.
 * @example
 * ```ts
 * crcBitwise(CRC32_PCIE, new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crcBitwise(params: CrcParams, data: Uint8Array): number {
  const { width, poly, refin, refout, xorout } = params;
  const mask = maskOf(width);
  const topShift = width - 1;
  let reg = params.init;
  for (const byte of data) {
    for (let k = 0; k < 8; k++) {
      const bit = refin ? (byte >>> k) & 1 : (byte >>> (7 - k)) & 1;
      const feedback = ((reg >>> topShift) ^ bit) & 1;
      reg = (reg << 1) & mask;
      if (feedback !== 0) reg ^= poly;
    }
  }
  reg >>>= 0;
  const out = refout ? reflect(reg, width) : reg;
  return (out ^ xorout) >>> 0;
}

/**
 * Runs the register over `data[start..end)`. Table-driven updaters return the register as a
 * signed 32-bit integer, and the caller makes it unsigned: an operation after the loop would
 * have no type feedback when the loop is compiled on its first long input (on-stack
 * replacement), and its optimised code would then deoptimise on every later call.
 */
type Updater = (state: number, data: Uint8Array, start: number, end: number) => number;

function makeUpdater(params: CrcParams): Updater {
  const { width, poly, refin } = params;
  const mask = maskOf(width);
  if (width >= 8) {
    // The register is kept as a signed 32-bit integer inside the loops (an Int32Array table,
    // `| 0` on entry, made unsigned by the caller): a 32-bit CRC's values above 2^31 would otherwise be
    // doubles to the JIT, whose int32-specialised loop then deoptimises over and over.
    const table = new Int32Array(256);
    if (refin) {
      const rpoly = reflect(poly, width);
      for (let i = 0; i < 256; i++) {
        let r = i;
        for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ rpoly : r >>> 1;
        table[i] = r;
      }
      // Two literals of the same loop: the JIT keeps type feedback per function literal, and
      // 32-bit results above 2^31 where it has seen only 16-bit ones make it deoptimise the
      // shared code again and again ("lost precision"). Each width class gets its own.
      if (width === 32)
        return (state, data, start, end) => {
          let r = state | 0;
          for (let i = start; i < end; i++) r = (r >>> 8) ^ table[(r ^ data[i]!) & 0xff]!;
          return r;
        };
      return (state, data, start, end) => {
        let r = state | 0;
        for (let i = start; i < end; i++) r = (r >>> 8) ^ table[(r ^ data[i]!) & 0xff]!;
        return r;
      };
    }
    const shift = width - 8;
    const top = 1 << (width - 1);
    for (let i = 0; i < 256; i++) {
      let r = i << shift;
      for (let k = 0; k < 8; k++) r = ((r & top) !== 0 ? (r << 1) ^ poly : r << 1) & mask;
      table[i] = r;
    }
    const mask32 = mask | 0;
    if (width === 32)
      return (state, data, start, end) => {
        let r = state | 0;
        for (let i = start; i < end; i++) r = (r << 8) ^ table[((r >>> shift) ^ data[i]!) & 0xff]!;
        return r;
      };
    return (state, data, start, end) => {
      let r = state | 0;
      for (let i = start; i < end; i++) {
        r = ((r << 8) ^ table[((r >>> shift) ^ data[i]!) & 0xff]!) & mask32;
      }
      return r;
    };
  }
  if (refin) {
    const rpoly = reflect(poly, width);
    return (state, data, start, end) => {
      let r = state;
      for (let i = start; i < end; i++) {
        const byte = data[i]!;
        for (let k = 0; k < 8; k++) {
          const feedback = (r ^ (byte >>> k)) & 1;
          r >>>= 1;
          if (feedback !== 0) r ^= rpoly;
        }
      }
      return r;
    };
  }
  const topShift = width - 1;
  return (state, data, start, end) => {
    let r = state;
    for (let i = start; i < end; i++) {
      const byte = data[i]!;
      for (let k = 7; k >= 0; k--) {
        const feedback = ((r >>> topShift) ^ (byte >>> k)) & 1;
        r = (r << 1) & mask;
        if (feedback !== 0) r ^= poly;
      }
    }
    return r;
  };
}

/**
 * Creates a CRC engine. Widths 8..32 use a 256-entry lookup table, widths 1..7 a bitwise loop;
 * both give exactly the result of {@link crcBitwise}.
 *
 * @param params - Rocksoft™ model parameters.
 * @returns the engine.
 * @throws RangeError if a parameter is out of range, or if the engine's CRC of `"123456789"`
 *   differs from `params.check` (this catches mistyped parameter sets).
 * @example
 * ```ts
 * const crc16 = createCrc({ name: "CRC-16/ARC", width: 16, poly: 0x8005, init: 0,
 *   refin: true, refout: true, xorout: 0, check: 0xbb3d });
 * crc16.compute(bytes);
 * ```
 */
export function createCrc(params: CrcParams): Crc {
  validateParams(params);
  const frozen: CrcParams = Object.freeze({ ...params });
  const { width, refin, refout, xorout } = frozen;
  const initial = refin ? reflect(frozen.init, width) : frozen.init;
  const reflectOut = refin !== refout;
  const update = makeUpdater(frozen);
  // One literal per width class, as for the update loops (see makeUpdater).
  const finish =
    width === 32
      ? (state: number): number => ((reflectOut ? reflect(state, 32) : state) ^ xorout) >>> 0
      : (state: number): number => ((reflectOut ? reflect(state, width) : state) ^ xorout) >>> 0;

  const crc: Crc = {
    params: frozen,
    compute(data, start = 0, end = data.length) {
      checkBounds(data, start, end);
      return finish(update(initial, data, start, end) >>> 0);
    },
    init() {
      return initial;
    },
    update(state, data, start = 0, end = data.length) {
      checkBounds(data, start, end);
      return update(state, data, start, end) >>> 0;
    },
    finish,
  };
  const check = crc.compute(CHECK_MESSAGE);
  if (check !== frozen.check) {
    throw new RangeError(
      `CRC "${frozen.name}": parameters give check value 0x${check.toString(16)}, ` +
        `but params.check is 0x${frozen.check.toString(16)}`,
    );
  }
  return Object.freeze(crc);
}

/**
 * RapidIO Control Symbol 24 CRC-5 (RapidIO 4.1 Part 6 §3.6.1): polynomial x^5+x^4+x^2+1
 * (0x15), register preset to 0b11111, MSB first, no reflection, no final XOR.
 *
 * As a byte-oriented CRC this gives check 0x14. The CS24 symbol itself covers 19 bits plus one
 * appended 0 bit, which is not a whole number of bytes: use {@link crc5Cs24} for symbols.
 */
export const CRC5_RAPIDIO_CS24: CrcParams = Object.freeze({
  name: "CRC-5/RAPIDIO-CS24",
  width: 5,
  poly: 0x15,
  init: 0x1f,
  refin: false,
  refout: false,
  xorout: 0x00,
  check: 0x14,
  residue: 0x00,
});

/**
 * RapidIO packet CRC-16 (RapidIO 4.1 Part 6 §2.4.2): polynomial x^16+x^12+x^5+1 (0x1021),
 * initial value 0xFFFF, no reflection, no final XOR — the catalogue's CRC-16/IBM-3740 (also
 * called CRC-16/CCITT-FALSE), check 0x29B1, residue 0x0000 (a receiver running the CRC over the
 * packet including its CRC fields gets 0, see docs/reference/srio.md §4).
 */
export const CRC16_CCITT_RAPIDIO: CrcParams = Object.freeze({
  name: "CRC-16/IBM-3740",
  width: 16,
  poly: 0x1021,
  init: 0xffff,
  refin: false,
  refout: false,
  xorout: 0x0000,
  check: 0x29b1,
  residue: 0x0000,
});

/**
 * PCIe DLLP CRC-16 (see docs/reference/pcie.md §5): polynomial x^16+x^12+x^3+x+1 (0x100B,
 * reflected 0xD008), initial value 0xFFFF, bytes processed LSB first, result inverted. In the
 * Rocksoft™ model: refin = refout = true, xorout = 0xFFFF. The CRC is appended to the 4-byte DLLP
 * body low byte first; running the engine over all 6 bytes leaves the register at the residue
 * 0x556F (so `compute` returns 0x556F ^ 0xFFFF = 0xAA90). Check value over "123456789": 0x0A3D.
 */
export const CRC16_PCIE_DLLP: CrcParams = Object.freeze({
  name: "CRC-16/PCIE-DLLP",
  width: 16,
  poly: 0x100b,
  init: 0xffff,
  refin: true,
  refout: true,
  xorout: 0xffff,
  check: 0x0a3d,
  residue: 0x556f,
});

/**
 * Standard reflected CRC-32 (catalogue CRC-32/ISO-HDLC, IEEE 802.3): polynomial 0x04C11DB7,
 * initial value 0xFFFFFFFF, refin = refout = true, xorout 0xFFFFFFFF, check 0xCBF43926, residue
 * 0xDEBB20E3. Used for the PCIe LCRC and ECRC (docs/reference/pcie.md §6, stored little-endian)
 * and the RoCEv2 ICRC (docs/reference/roce.md §5).
 */
export const CRC32_PCIE: CrcParams = Object.freeze({
  name: "CRC-32/ISO-HDLC",
  width: 32,
  poly: 0x04c11db7,
  init: 0xffffffff,
  refin: true,
  refout: true,
  xorout: 0xffffffff,
  check: 0xcbf43926,
  residue: 0xdebb20e3,
});

/** Byte-oriented engine for {@link CRC5_RAPIDIO_CS24}; for CS24 symbols use {@link crc5Cs24}. */
export const crc5RapidIO: Crc = createCrc(CRC5_RAPIDIO_CS24);
/** Engine for {@link CRC16_CCITT_RAPIDIO}, the RapidIO packet CRC-16. */
export const crc16RapidIO: Crc = createCrc(CRC16_CCITT_RAPIDIO);
/** Engine for {@link CRC16_PCIE_DLLP}, the PCIe DLLP CRC-16. */
export const crc16PcieDllp: Crc = createCrc(CRC16_PCIE_DLLP);
/** Engine for {@link CRC32_PCIE}, the standard CRC-32 (PCIe LCRC/ECRC, RoCE ICRC). */
export const crc32: Crc = createCrc(CRC32_PCIE);

/**
 * Computes the CRC-5 of a RapidIO Control Symbol 24 exactly as RapidIO 4.1 Part 6 §3.6.1
 * specifies: the register is preset to 0b11111, then control-symbol bits 0..18 (bit 0 first)
 * followed by one appended 0 bit are shifted through x^5+x^4+x^2+1. Equivalent to the parallel
 * equations of Part 6 §3.6.2, Table 3-25.
 *
 * Bit 0 of the symbol (the first bit of stype0) is the most significant bit of `bits19`, so the
 * complete 24-bit symbol is `(bits19 << 5) | crc5Cs24(bits19)`: c0 (the result's MSB) lands in
 * symbol bit 19 and c4 in bit 23.
 *
 * @param bits19 - symbol bits 0..18 (stype0, parameter0, parameter1, stype1, cmd) as an unsigned
 *   19-bit integer, bit 0 most significant.
 * @returns the 5-bit CRC c[0:4], c0 most significant.
 * @throws RangeError if `bits19` is not an integer 0..0x7FFFF.
 * @example
 * ```ts
 * const body = 0;                            // packet-accepted, ackID 0, ...
 * const symbol = (body << 5) | crc5Cs24(body); // 0b01110 in bits 19..23
 * ```
 */
export function crc5Cs24(bits19: number): number {
  if (!Number.isInteger(bits19) || bits19 < 0 || bits19 > 0x7ffff) {
    throw new RangeError(`crc5Cs24: expected a 19-bit unsigned integer, got ${String(bits19)}`);
  }
  let r = 0x1f;
  for (let i = 18; i >= -1; i--) {
    const bit = i >= 0 ? (bits19 >>> i) & 1 : 0;
    const feedback = ((r >>> 4) ^ bit) & 1;
    r = (r << 1) & 0x1f;
    if (feedback !== 0) r ^= 0x15;
  }
  return r;
}
