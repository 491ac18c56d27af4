/**
 * Control-symbol CRCs and stype1 helpers (RapidIO 4.1 Part 6 ch. 3; docs/reference/srio.md §5).
 *
 * The codecs generated from `specs/srio/control-symbol.yaml` (`encodeCs24`, `decodeCs48`, …)
 * treat the CRC as a plain field. The functions here compute it when encoding
 * (`encodeCs24WithCrc`, `withCs48Crc`, …) and verify it when decoding (`decodeCs24Checked`,
 * `checkCs64Crc`, …):
 *
 * - CS24: CRC-5 over bits 0–18 plus an appended 0 bit, preset 0b11111, in bits 19–23 (§3.6.1).
 * - CS48: CRC-13 over bits 0–34, preset 0, in bits 35–47 (§3.6.3).
 * - CS64: CRC-24 over bits 0–37 with the alignment bits 30–31 as 0, preset all ones, in bits
 *   38–61 (§3.6.5).
 *
 * @module
 */

import { crc13Cs48, crc24Cs64, crc5Cs24, decodeFieldError, describeValue } from "@rashpa/bits";
import {
  decodeCs24,
  decodeCs48,
  decodeCs64,
  encodeCs24,
  encodeCs48,
  encodeCs64,
  STYPE1_CS64_NAMES,
  stype1Cs64Value,
  type Cs24,
  type Cs48,
  type Cs64,
  type Stype1Cs64,
} from "./gen/control-symbol.js";

/** A Control Symbol 24 without its CRC, the input of {@link encodeCs24WithCrc}. */
export type Cs24Fields = Omit<Cs24, "crc">;
/** A Control Symbol 48 without its CRC, the input of {@link encodeCs48WithCrc}. */
export type Cs48Fields = Omit<Cs48, "crc">;
/** A Control Symbol 64 without its CRC, the input of {@link encodeCs64WithCrc}. */
export type Cs64Fields = Omit<Cs64, "crc">;

function hex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, "0")}`;
}

function checkLength(bytes: Uint8Array, offset: number, length: number, name: string): void {
  if (!Number.isInteger(offset) || offset < 0 || bytes.length - offset < length) {
    throw decodeFieldError(
      name,
      `${length} bytes`,
      `${Math.max(0, bytes.length - (Number.isInteger(offset) ? Math.max(offset, 0) : 0))} bytes`,
      Number.isInteger(offset) && offset >= 0 ? offset : 0,
    );
  }
}

/** Symbol bits 0–18 of the CS24 at `bytes[offset..offset+3)`, bit 0 most significant. */
function cs24Body(bytes: Uint8Array, o: number): number {
  return ((bytes[o]! << 16) | (bytes[o + 1]! << 8) | bytes[o + 2]!) >>> 5;
}

/** Symbol bits 0–34 of the CS48 at `bytes[offset..offset+6)`, bit 0 most significant. */
function cs48Body(bytes: Uint8Array, o: number): number {
  const hi =
    ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) >>> 0;
  return hi * 8 + (bytes[o + 4]! >>> 5);
}

/** Symbol bits 0–37 of the CS64 at `bytes[offset..offset+8)`, alignment bits 30–31 as 0. */
function cs64Body(bytes: Uint8Array, o: number): number {
  const hi =
    ((bytes[o]! << 24) | (bytes[o + 1]! << 16) | (bytes[o + 2]! << 8) | bytes[o + 3]!) & ~3;
  return (hi >>> 0) * 64 + (bytes[o + 4]! >>> 2);
}

/** What differs between the three control-symbol sizes; the operations below serve all three. */
interface SymbolKind<T extends { crc: number }> {
  /** Format name, for errors about missing bytes. */
  readonly name: string;
  /** Bytes of a symbol. */
  readonly bytes: number;
  /** Byte where the CRC starts, for errors. */
  readonly crcByte: number;
  /** Hex digits of the CRC, for errors. */
  readonly digits: number;
  /** The generated encoder and decoder. */
  readonly encode: (value: T) => Uint8Array;
  readonly decode: (bytes: Uint8Array, offset: number) => T;
  /** The CRC the symbol at `bytes[o..]` should carry. */
  readonly crcOf: (bytes: Uint8Array, o: number) => number;
  /** The CRC the symbol at `bytes[o..]` carries. */
  readonly crcIn: (bytes: Uint8Array, o: number) => number;
  /** Writes `crc` into the encoded symbol. */
  readonly writeCrc: (bytes: Uint8Array, crc: number) => void;
}

const word32 = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

const CS24: SymbolKind<Cs24> = {
  name: "cs24",
  bytes: 3,
  crcByte: 2,
  digits: 2,
  encode: encodeCs24,
  decode: decodeCs24,
  crcOf: (b, o) => crc5Cs24(cs24Body(b, o)),
  crcIn: (b, o) => b[o + 2]! & 0x1f,
  writeCrc: (b, crc) => {
    b[2] = (b[2]! & 0xe0) | crc;
  },
};

const CS48: SymbolKind<Cs48> = {
  name: "cs48",
  bytes: 6,
  crcByte: 4,
  digits: 4,
  encode: encodeCs48,
  decode: decodeCs48,
  crcOf: (b, o) => crc13Cs48(cs48Body(b, o)),
  crcIn: (b, o) => ((b[o + 4]! & 0x1f) << 8) | b[o + 5]!,
  writeCrc: (b, crc) => {
    b[4] = (b[4]! & 0xe0) | (crc >>> 8);
    b[5] = crc & 0xff;
  },
};

const CS64: SymbolKind<Cs64> = {
  name: "cs64",
  bytes: 8,
  crcByte: 4,
  digits: 6,
  encode: encodeCs64,
  decode: decodeCs64,
  crcOf: (b, o) => crc24Cs64(cs64Body(b, o)),
  crcIn: (b, o) => (word32(b, o + 4) >>> 2) & 0xffffff,
  // Bits 32–63: stype1[2:7] (32–37) ‖ CRC-24 (38–61) ‖ alignment 0b00 (62–63).
  writeCrc: (b, crc) =>
    new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(
      4,
      (((b[4]! & 0xfc) << 24) | (crc << 2)) >>> 0,
    ),
};

function computeCrc<T extends { crc: number }>(k: SymbolKind<T>, value: Omit<T, "crc">): number {
  return k.crcOf(k.encode({ ...value, crc: 0 } as T), 0);
}

function encodeWithCrc<T extends { crc: number }>(
  k: SymbolKind<T>,
  value: Omit<T, "crc">,
): Uint8Array {
  const bytes = k.encode({ ...value, crc: 0 } as T);
  k.writeCrc(bytes, k.crcOf(bytes, 0));
  return bytes;
}

function checkCrc<T extends { crc: number }>(
  k: SymbolKind<T>,
  bytes: Uint8Array,
  offset: number,
): void {
  checkLength(bytes, offset, k.bytes, k.name);
  const expected = k.crcOf(bytes, offset);
  const found = k.crcIn(bytes, offset);
  if (found !== expected)
    throw decodeFieldError(
      "crc",
      hex(expected, k.digits),
      hex(found, k.digits),
      offset + k.crcByte,
    );
}

function decodeChecked<T extends { crc: number }>(
  k: SymbolKind<T>,
  bytes: Uint8Array,
  offset: number,
): T {
  const value = k.decode(bytes, offset);
  checkCrc(k, bytes, offset);
  return value;
}

/**
 * Computes the CRC-5 of a Control Symbol 24 (RapidIO 4.1 Part 6 §3.6.1).
 *
 * @param value - the symbol fields (a `crc` field, if present, is ignored).
 * @returns the 5-bit CRC c[0:4], c0 most significant.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * computeCs24Crc({ stype0: "packet-accepted", parameter0: 0, parameter1: 0, stype1: "start-of-packet", cmd: 0 }); // 0b01110
 * ```
 */
export function computeCs24Crc(value: Cs24Fields): number {
  return computeCrc(CS24, value);
}

/**
 * Encodes a Control Symbol 24 with its CRC-5 (RapidIO 4.1 Part 6 §3.3 Figure 3-1, §3.6.1).
 *
 * @param value - the symbol fields (a `crc` field, if present, is replaced).
 * @returns the 3 bytes of the symbol, bit 0 = MSB of byte 0.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * encodeCs24WithCrc({ stype0: "status", parameter0: 3, parameter1: 31, stype1: "nop", cmd: 0 });
 * ```
 */
export function encodeCs24WithCrc(value: Cs24Fields): Uint8Array {
  return encodeWithCrc(CS24, value);
}

/**
 * Returns a copy of a Control Symbol 24 with the right CRC-5 (RapidIO 4.1 Part 6 §3.6.1).
 *
 * @param value - the symbol fields.
 * @returns the complete symbol.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * withCs24Crc({ stype0: "status", parameter0: 0, parameter1: 0, stype1: "nop", cmd: 0 }).crc;
 * ```
 */
export function withCs24Crc(value: Cs24Fields): Cs24 {
  return { ...value, crc: computeCrc(CS24, value) };
}

/**
 * Verifies the CRC-5 of the Control Symbol 24 at `bytes[offset..offset+3)` (RapidIO 4.1 Part 6
 * §3.6.1: generated by each transmitter and verified by each receiver).
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @throws DecodeError with `path` `"crc"` (offset of byte 2, `expected`/`found` in hexadecimal) if
 *   the CRC does not match, or `path` `"cs24"` if fewer than 3 bytes are available.
 * @example
 * ```ts
 * checkCs24Crc(Uint8Array.of(0x00, 0x00, 0x0e)); // packet-accepted + start-of-packet, all zero
 * ```
 */
export function checkCs24Crc(bytes: Uint8Array, offset = 0): void {
  checkCrc(CS24, bytes, offset);
}

/**
 * Decodes a Control Symbol 24 and verifies its CRC-5 (RapidIO 4.1 Part 6 §3.3, §3.6.1).
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @returns the decoded symbol.
 * @throws DecodeError if the bytes do not decode or the CRC does not match (`path` `"crc"`).
 * @example
 * ```ts
 * decodeCs24Checked(Uint8Array.of(0x00, 0x00, 0x0e)).stype0; // "packet-accepted"
 * ```
 */
export function decodeCs24Checked(bytes: Uint8Array, offset = 0): Cs24 {
  return decodeChecked(CS24, bytes, offset);
}

/**
 * Computes the CRC-13 of a Control Symbol 48 (RapidIO 4.1 Part 6 §3.6.3). The reserved bits
 * 21–34 are encoded as 0, as the transmitter sends them.
 *
 * @param value - the symbol fields (a `crc` field, if present, is ignored).
 * @returns the 13-bit CRC c[0:12], c0 most significant.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * computeCs48Crc({ stype0: "packet-accepted", parameter0: 0, parameter1: 0, stype1: "start-of-packet", cmd: 0 }); // 0
 * ```
 */
export function computeCs48Crc(value: Cs48Fields): number {
  return computeCrc(CS48, value);
}

/**
 * Encodes a Control Symbol 48 with its CRC-13 (RapidIO 4.1 Part 6 §3.3 Figure 3-2, §3.6.3).
 *
 * @param value - the symbol fields (a `crc` field, if present, is replaced).
 * @returns the 6 bytes of the symbol, bit 0 = MSB of byte 0.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * encodeCs48WithCrc({ stype0: "status", parameter0: 3, parameter1: 63, stype1: "nop", cmd: 0 });
 * ```
 */
export function encodeCs48WithCrc(value: Cs48Fields): Uint8Array {
  return encodeWithCrc(CS48, value);
}

/**
 * Returns a copy of a Control Symbol 48 with the right CRC-13 (RapidIO 4.1 Part 6 §3.6.3).
 *
 * @param value - the symbol fields.
 * @returns the complete symbol.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * withCs48Crc({ stype0: "status", parameter0: 0, parameter1: 0, stype1: "nop", cmd: 0 }).crc;
 * ```
 */
export function withCs48Crc(value: Cs48Fields): Cs48 {
  return { ...value, crc: computeCrc(CS48, value) };
}

/**
 * Verifies the CRC-13 of the Control Symbol 48 at `bytes[offset..offset+6)` (RapidIO 4.1 Part 6
 * §3.6.3). The CRC covers the reserved bits 21–34 as received.
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @throws DecodeError with `path` `"crc"` (offset of byte 4, where the CRC starts) if the CRC
 *   does not match, or `path` `"cs48"` if fewer than 6 bytes are available.
 * @example
 * ```ts
 * checkCs48Crc(new Uint8Array(6)); // an all-zero symbol has CRC 0
 * ```
 */
export function checkCs48Crc(bytes: Uint8Array, offset = 0): void {
  checkCrc(CS48, bytes, offset);
}

/**
 * Decodes a Control Symbol 48 and verifies its CRC-13 (RapidIO 4.1 Part 6 §3.3, §3.6.3).
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @returns the decoded symbol.
 * @throws DecodeError if the bytes do not decode or the CRC does not match (`path` `"crc"`).
 * @example
 * ```ts
 * decodeCs48Checked(new Uint8Array(6)).stype1; // "start-of-packet"
 * ```
 */
export function decodeCs48Checked(bytes: Uint8Array, offset = 0): Cs48 {
  return decodeChecked(CS48, bytes, offset);
}

/**
 * Computes the CRC-24 of a Control Symbol 64 (RapidIO 4.1 Part 6 §3.6.5; the alignment bits count
 * as 0).
 *
 * @param value - the symbol fields (a `crc` field, if present, is ignored).
 * @returns the 24-bit CRC c[0:23], c0 most significant.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * computeCs64Crc({ stype0: "packet-accepted", parameter0: 0, parameter1: 0, stype1High: 0, stype1Low: 0 }); // 0x1ec57e
 * ```
 */
export function computeCs64Crc(value: Cs64Fields): number {
  return computeCrc(CS64, value);
}

/**
 * Encodes a Control Symbol 64 with its CRC-24 (RapidIO 4.1 Part 6 §3.3 Figure 3-3, §3.6.5).
 *
 * @param value - the symbol fields (a `crc` field, if present, is replaced).
 * @returns the 8 bytes of the symbol, bit 0 = MSB of byte 0.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * encodeCs64WithCrc({ stype0: "status", parameter0: 0, parameter1: 0, ...cs64Stype1Fields(0x38) });
 * ```
 */
export function encodeCs64WithCrc(value: Cs64Fields): Uint8Array {
  return encodeWithCrc(CS64, value);
}

/**
 * Returns a copy of a Control Symbol 64 with the right CRC-24 (RapidIO 4.1 Part 6 §3.6.5).
 *
 * @param value - the symbol fields.
 * @returns the complete symbol.
 * @throws EncodeError if a field is out of range.
 * @example
 * ```ts
 * withCs64Crc({ stype0: "status", parameter0: 0, parameter1: 0, stype1High: 0, stype1Low: 0x38 }).crc;
 * ```
 */
export function withCs64Crc(value: Cs64Fields): Cs64 {
  return { ...value, crc: computeCrc(CS64, value) };
}

/**
 * Verifies the CRC-24 of the Control Symbol 64 at `bytes[offset..offset+8)` (RapidIO 4.1 Part 6
 * §3.6.5; the alignment bits count as 0).
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @throws DecodeError with `path` `"crc"` (offset of byte 4, where the CRC starts) if the CRC
 *   does not match, or `path` `"cs64"` if fewer than 8 bytes are available.
 * @example
 * ```ts
 * checkCs64Crc(encodeCs64WithCrc({ stype0: "status", parameter0: 0, parameter1: 0, stype1High: 0, stype1Low: 0x38 }));
 * ```
 */
export function checkCs64Crc(bytes: Uint8Array, offset = 0): void {
  checkCrc(CS64, bytes, offset);
}

/**
 * Decodes a Control Symbol 64 and verifies its CRC-24 (RapidIO 4.1 Part 6 §3.3, §3.6.5).
 *
 * @param bytes - the symbol bytes.
 * @param offset - byte offset of the symbol (default 0).
 * @returns the decoded symbol.
 * @throws DecodeError if the bytes do not decode (alignment bits not 0, …) or the CRC does not
 *   match (`path` `"crc"`).
 * @example
 * ```ts
 * decodeCs64Checked(bytes).stype0;
 * ```
 */
export function decodeCs64Checked(bytes: Uint8Array, offset = 0): Cs64 {
  return decodeChecked(CS64, bytes, offset);
}

/**
 * The 8-bit stype1 of a Control Symbol 64, joined from its two fields (RapidIO 4.1 Part 6
 * Figure 3-3: stype1[0:1] in bits 28–29, stype1[2:7] in bits 32–37).
 *
 * @param value - a symbol, or just its two stype1 fields.
 * @returns stype1 as an integer 0..255, stype1[0] most significant.
 * @example
 * ```ts
 * cs64Stype1({ stype1High: 0, stype1Low: 0x38 }); // 0x38, NOP
 * ```
 */
export function cs64Stype1(value: Pick<Cs64, "stype1High" | "stype1Low">): number {
  return ((value.stype1High & 3) << 6) | (value.stype1Low & 0x3f);
}

/**
 * Splits an 8-bit Control Symbol 64 stype1 into its two fields (RapidIO 4.1 Part 6 Figure 3-3).
 *
 * @param stype1 - stype1 as an integer 0..255 (see {@link cs64Stype1}).
 * @returns `stype1High` = stype1[0:1] and `stype1Low` = stype1[2:7].
 * @throws RangeError if `stype1` is not an integer 0..255.
 * @example
 * ```ts
 * cs64Stype1Fields(0x11); // { stype1High: 0, stype1Low: 0x11 }: end-of-packet-padded
 * ```
 */
export function cs64Stype1Fields(stype1: number): Pick<Cs64, "stype1High" | "stype1Low"> {
  if (!Number.isInteger(stype1) || stype1 < 0 || stype1 > 0xff) {
    throw new RangeError(`"stype1" expected an integer 0..255, got ${describeValue(stype1)}`);
  }
  return { stype1High: stype1 >>> 6, stype1Low: stype1 & 0x3f };
}

/**
 * The function of a Control Symbol 64 stype1 (RapidIO 4.1 Part 6 Table 3-18): a named
 * {@link Stype1Cs64} function, a start-of-packet carrying the high six bits of the 12-bit ackID
 * (0b10 ‖ ackID[0:5] unpadded, 0b11 ‖ ackID[0:5] padded), or a reserved code.
 */
export type Cs64Stype1Function =
  | {
      /** A named function of Table 3-18 (stomp, end-of-packet, link-request, NOP, …). */
      readonly function: Stype1Cs64;
    }
  | {
      /** Start-of-packet (0b10 ‖ ackID[0:5] unpadded, 0b11 ‖ ackID[0:5] padded). */
      readonly function: "start-of-packet";
      /** Whether the packet that follows is padded (stype1[1] = 1). */
      readonly padded: boolean;
      /** ackID[0:5], the most significant six bits of the packet's 12-bit ackID (Part 6 Table 2-1). */
      readonly ackIdHigh: number;
    }
  | {
      /** A reserved stype1 code. */
      readonly function: "reserved";
      /** The reserved stype1 value, 0..255. */
      readonly value: number;
    };

/**
 * Interprets an 8-bit Control Symbol 64 stype1 (RapidIO 4.1 Part 6 Table 3-18).
 *
 * @param stype1 - stype1 as an integer 0..255 (see {@link cs64Stype1}).
 * @returns the function it encodes.
 * @throws RangeError if `stype1` is not an integer 0..255.
 * @example
 * ```ts
 * cs64Stype1Function(0xc5); // { function: "start-of-packet", padded: true, ackIdHigh: 5 }
 * ```
 */
export function cs64Stype1Function(stype1: number): Cs64Stype1Function {
  const { stype1High } = cs64Stype1Fields(stype1);
  if (stype1High >= 2) {
    return { function: "start-of-packet", padded: stype1High === 3, ackIdHigh: stype1 & 0x3f };
  }
  const name = STYPE1_CS64_NAMES[stype1];
  return name === undefined ? { function: "reserved", value: stype1 } : { function: name };
}

/**
 * The 8-bit Control Symbol 64 stype1 of a function (RapidIO 4.1 Part 6 Table 3-18), the inverse
 * of {@link cs64Stype1Function}.
 *
 * @param fn - a named function, or a start-of-packet with its padding flag and ackID[0:5].
 * @returns stype1 as an integer 0..255.
 * @throws RangeError if the name is not a {@link Stype1Cs64} member or `ackIdHigh` is not 0..63.
 * @example
 * ```ts
 * cs64Stype1Of({ function: "start-of-packet", padded: false, ackIdHigh: 1 }); // 0x81
 * ```
 */
export function cs64Stype1Of(fn: Cs64Stype1Function): number {
  if (fn.function === "start-of-packet") {
    const a = fn.ackIdHigh;
    if (!Number.isInteger(a) || a < 0 || a > 0x3f) {
      throw new RangeError(`"ackIdHigh" expected an integer 0..63, got ${describeValue(a)}`);
    }
    return (fn.padded ? 0xc0 : 0x80) | a;
  }
  if (fn.function === "reserved") {
    cs64Stype1Fields(fn.value);
    return fn.value;
  }
  const v = stype1Cs64Value(fn.function);
  if (v < 0) {
    throw new RangeError(
      `"function" expected a Stype1Cs64 name, got ${describeValue(fn.function)}`,
    );
  }
  return v;
}
