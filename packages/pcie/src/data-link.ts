/**
 * Data-link layer wrapping of TLPs and the DLLP CRC-16 (docs/reference/pcie.md §5, §6, §7).
 *
 * - A TLP travels between two sequence bytes and an LCRC (§6): byte 0 = 4 reserved bits (0) and
 *   sequence number bits 11:8, byte 1 = sequence number bits 7:0; then the TLP (header, payload,
 *   ECRC if any); then the LCRC, the standard reflected CRC-32 ({@link crc32}) over the sequence
 *   bytes and the whole TLP, stored **little-endian**. Physical-layer framing (STP/END, Gen3
 *   tokens, §7) is not part of this image.
 * - A DLLP is 4 body bytes and a CRC-16 (§5): {@link crc16PcieDllp} (polynomial 0x100B reflected,
 *   init 0xFFFF, inverted) over the body, appended **low byte first**; the same CRC over all
 *   6 bytes leaves the residue 0x556F.
 *
 * @module
 */
import { crc16PcieDllp, crc32, DecodeError, fieldMessage } from "@rashpa/bits";
import { DLLP_BYTES, decodeDllp, encodeDllp, type Dllp } from "./gen/dllp.js";

/** Largest 12-bit sequence number (pcie.md §6). */
export const SEQUENCE_MAX = 0xfff;
/** Size of the LCRC in bytes (pcie.md §6). */
export const LCRC_BYTES = 4;
/** Size of the sequence-number field in bytes (pcie.md §6). */
export const SEQUENCE_BYTES = 2;
/** Register value left by the DLLP CRC-16 over a correct 6-byte DLLP (pcie.md §5). */
export const DLLP_CRC_RESIDUE = 0x556f;

/** A TLP taken out of its data-link wrapping by {@link unwrapTlp}. */
export interface WrappedTlp {
  /** The 12-bit sequence number (0..4095). */
  seq: number;
  /** The TLP bytes (header, payload and ECRC if any), a view into the input. */
  tlp: Uint8Array;
}

function hex(v: number, digits: number): string {
  return `0x${(v >>> 0).toString(16).padStart(digits, "0")}`;
}

function fail(path: string, expected: string, found: string, offset: number): DecodeError {
  return new DecodeError(fieldMessage(path, expected, found, offset), {
    path,
    expected,
    found,
    offset,
  });
}

/**
 * Computes the LCRC of a sequence-number field and TLP (pcie.md §6): CRC-32 over `bytes`.
 *
 * @param bytes - the 2 sequence bytes followed by the TLP.
 * @returns the CRC-32 (unsigned); on the wire it is stored little-endian.
 * @example
 * ```ts
 * computeLcrc(fromHex("0001000000010100050f12345678")).toString(16); // "6e2c6379"
 * ```
 */
export function computeLcrc(bytes: Uint8Array): number {
  return crc32.compute(bytes);
}

/**
 * Wraps a TLP for the data link (pcie.md §6): 2 sequence bytes (reserved bits 0), the TLP, and
 * the LCRC stored little-endian.
 *
 * @param seq - the sequence number, an integer 0..4095.
 * @param tlp - the TLP bytes (header, payload and ECRC if any).
 * @returns a new array of `tlp.length + 6` bytes.
 * @throws RangeError if `seq` is not an integer in 0..4095.
 * @example
 * ```ts
 * toHex(wrapTlp(1, fromHex("000000010100050f12345678"))); // "0001000000010100050f1234567879632c6e"
 * ```
 */
export function wrapTlp(seq: number, tlp: Uint8Array): Uint8Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > SEQUENCE_MAX)
    throw new RangeError(fieldMessage("seq", "an integer 0..4095", String(seq)));
  const out = new Uint8Array(SEQUENCE_BYTES + tlp.length + LCRC_BYTES);
  out[0] = seq >>> 8; // [7:4] reserved 0, [3:0] sequence number bits 11:8
  out[1] = seq & 0xff; // sequence number bits 7:0
  out.set(tlp, SEQUENCE_BYTES);
  const end = SEQUENCE_BYTES + tlp.length;
  new DataView(out.buffer).setUint32(end, computeLcrc(out.subarray(0, end)), true); // LCRC, LE
  return out;
}

/**
 * Checks and removes the data-link wrapping of a TLP (pcie.md §6).
 *
 * @param bytes - sequence bytes, TLP and LCRC.
 * @returns the sequence number and a view of the TLP bytes.
 * @throws DecodeError with `path` `"bytes"` if the input is shorter than the 6 wrapping bytes plus
 *   one DW, `"reserved"` (offset 0) if the 4 reserved bits are not 0, or `"lcrc"` (with the
 *   expected and found LCRC and its offset) if the LCRC does not match.
 * @example
 * ```ts
 * const { seq, tlp } = unwrapTlp(wrapTlp(7, tlpBytes)); // seq === 7
 * ```
 */
export function unwrapTlp(bytes: Uint8Array): WrappedTlp {
  const min = SEQUENCE_BYTES + 4 + LCRC_BYTES;
  if (bytes.length < min)
    throw fail("bytes", `at least ${min} bytes`, `${bytes.length} bytes`, bytes.length);
  const end = bytes.length - LCRC_BYTES;
  const expected = computeLcrc(bytes.subarray(0, end));
  const found = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(end, true);
  if (expected !== found)
    throw fail("lcrc", `${hex(expected, 8)} (stored little-endian)`, hex(found, 8), end);
  const reserved = bytes[0]! >>> 4;
  if (reserved !== 0) throw fail("reserved", "0", hex(reserved, 1), 0);
  const seq = ((bytes[0]! & 0x0f) << 8) | bytes[1]!;
  return { seq, tlp: bytes.subarray(SEQUENCE_BYTES, end) };
}

/**
 * Computes the DLLP CRC-16 of a 4-byte DLLP body (pcie.md §5).
 *
 * @param first4 - the DLLP body; only its first 4 bytes are used.
 * @returns the 16-bit CRC; it is appended low byte first.
 * @throws DecodeError if fewer than 4 bytes are given.
 * @example
 * ```ts
 * computeDllpCrc(Uint8Array.of(0x00, 0x00, 0x00, 0x05)); // CRC of an Ack of sequence 5
 * ```
 */
export function computeDllpCrc(first4: Uint8Array): number {
  if (first4.length < 4) throw fail("dllp", "at least 4 bytes", `${first4.length} bytes`, 0);
  return crc16PcieDllp.compute(first4, 0, 4);
}

/**
 * Encodes a DLLP with a correct CRC-16 in bytes 4–5, whatever its `crc` field holds (pcie.md §5).
 *
 * @param value - the DLLP value.
 * @returns the 6 bytes as sent.
 * @throws EncodeError if the value cannot be encoded.
 * @example
 * ```ts
 * checkDllpCrc(encodeDllpWithCrc({ ...ack, crc: 0 })); // passes
 * ```
 */
export function encodeDllpWithCrc(value: Dllp): Uint8Array {
  const bytes = encodeDllp(value);
  const crc = computeDllpCrc(bytes);
  bytes[4] = crc & 0xff; // low byte first
  bytes[5] = crc >>> 8;
  return bytes;
}

/**
 * Returns `value` with its `crc` field set to the correct CRC-16 (bytes 4–5 as sent, pcie.md §5).
 *
 * @param value - the DLLP value.
 * @returns a new value with the right `crc`.
 * @throws EncodeError if the value cannot be encoded.
 * @example
 * ```ts
 * withDllpCrc({ ...ack, crc: 0 }).crc;
 * ```
 */
export function withDllpCrc(value: Dllp): Dllp {
  return decodeDllp(encodeDllpWithCrc(value));
}

/**
 * Checks the CRC-16 of a 6-byte DLLP: the CRC over all 6 bytes must leave the residue 0x556F
 * (pcie.md §5).
 *
 * @param bytes - the DLLP as sent (6 bytes).
 * @throws DecodeError with `path` `"dllp"` if not 6 bytes long, or `"crc"` (offset 4, with the
 *   expected and found CRC bytes read as sent) if the CRC does not match.
 * @example
 * ```ts
 * checkDllpCrc(fromHex("00000005" + "xxxx")); // throws unless the CRC is right
 * ```
 */
export function checkDllpCrc(bytes: Uint8Array): void {
  if (bytes.length !== DLLP_BYTES)
    throw fail("dllp", `${DLLP_BYTES} bytes`, `${bytes.length} bytes`, 0);
  if ((crc16PcieDllp.compute(bytes) ^ 0xffff) !== DLLP_CRC_RESIDUE) {
    const crc = computeDllpCrc(bytes);
    const expected = ((crc & 0xff) << 8) | (crc >>> 8); // bytes 4–5 as sent
    const found = (bytes[4]! << 8) | bytes[5]!;
    throw fail("crc", `${hex(expected, 4)} (bytes 4–5 as sent)`, hex(found, 4), 4);
  }
}
