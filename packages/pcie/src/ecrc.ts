/**
 * ECRC, the end-to-end TLP digest (docs/reference/pcie.md §6; TD bit §1.1, §4.5).
 *
 * When TD = 1 a 32-bit digest follows the payload. It is the standard reflected CRC-32
 * ({@link crc32}: init 0xFFFF_FFFF, final inversion) over the header and payload, with the
 * **variant bits forced to 1** — DW0 bit 24 (Type[0], byte 0 bit 0) and DW0 bit 14 (EP, byte 2
 * bit 6), i.e. `dw0 | 0x01004000` — and it is stored **little-endian** (low byte of the CRC
 * first). The TD bit itself is not a variant bit: the digest covers the header as sent, TD = 1.
 *
 * @module
 */
import { crc32, DecodeError, fieldMessage } from "@rashpa/bits";
import { decodeTlp, encodeTlp, type Tlp } from "./gen/tlp.js";

/** Size of the ECRC digest in bytes (pcie.md §6). */
export const ECRC_BYTES = 4;

/** DW0 mask of the bits treated as 1 by the ECRC (pcie.md §6): Type[0] (bit 24) and EP (bit 14). */
export const ECRC_VARIANT_MASK_DW0 = 0x01004000;

/** Byte 2 of the header, bit 7: TD (DW0 bit 15, pcie.md §1.1). */
const TD_BYTE = 2;
const TD_BIT = 0x80;

function hex32(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, "0")}`;
}

/**
 * Computes the ECRC of a TLP (pcie.md §6): CRC-32 over `tlp` (header and payload, no digest),
 * with DW0 bit 24 (Type[0]) and bit 14 (EP) treated as 1. The bytes are used as given, so the
 * header should already carry TD = 1 (as {@link appendEcrc} arranges). The input is not modified.
 *
 * @param tlp - the TLP header and payload, without a digest (at least 4 bytes).
 * @returns the CRC-32 value (unsigned); on the wire it is stored little-endian.
 * @throws DecodeError if fewer than 4 bytes are given.
 * @example
 * ```ts
 * const ecrc = computeEcrc(fromHex("400080020008003ffedc00401122334455667788"));
 * ecrc.toString(16); // "f24188bc" (sent as bc 88 41 f2)
 * ```
 */
export function computeEcrc(tlp: Uint8Array): number {
  if (tlp.length < 4)
    throw new DecodeError(fieldMessage("tlp", "at least 4 bytes", `${tlp.length} bytes`, 0), {
      path: "tlp",
      expected: "at least 4 bytes",
      found: `${tlp.length} bytes`,
      offset: 0,
    });
  const covered = tlp.slice();
  covered[0] = covered[0]! | 0x01; // DW0 bit 24: Type[0] forced to 1
  covered[2] = covered[2]! | 0x40; // DW0 bit 14: EP forced to 1
  return crc32.compute(covered);
}

/**
 * Returns a copy of `tlp` with TD set to 1 and the ECRC appended little-endian (pcie.md §6).
 *
 * @param tlp - the TLP header and payload without a digest.
 * @returns a new array, 4 bytes longer.
 * @throws DecodeError if fewer than 4 bytes are given.
 * @example
 * ```ts
 * toHex(appendEcrc(fromHex("400000020008003ffedc00401122334455667788")));
 * // "400080020008003ffedc00401122334455667788bc8841f2"
 * ```
 */
export function appendEcrc(tlp: Uint8Array): Uint8Array {
  const out = new Uint8Array(tlp.length + ECRC_BYTES);
  out.set(tlp, 0);
  if (tlp.length >= 4) out[TD_BYTE] = out[TD_BYTE]! | TD_BIT;
  const ecrc = computeEcrc(out.subarray(0, tlp.length));
  new DataView(out.buffer).setUint32(tlp.length, ecrc, true); // stored little-endian (§6)
  return out;
}

/**
 * Checks the ECRC of a TLP that carries one (TD = 1, digest in the last 4 bytes; pcie.md §6).
 *
 * @param tlp - header, payload and digest.
 * @throws DecodeError (`path` `"td"`) if TD is 0 or the TLP is too short for a digest, or
 *   (`path` `"ecrc"`) with the expected and found digest and the digest's byte offset when the
 *   digest does not match.
 * @example
 * ```ts
 * checkEcrc(fromHex("400080020008003ffedc00401122334455667788bc8841f2")); // passes
 * ```
 */
export function checkEcrc(tlp: Uint8Array): void {
  if (tlp.length < 4 + ECRC_BYTES)
    throw new DecodeError(
      fieldMessage("tlp", "at least 8 bytes (DW0 and a digest)", `${tlp.length} bytes`, 0),
      { path: "tlp", expected: "at least 8 bytes", found: `${tlp.length} bytes`, offset: 0 },
    );
  if ((tlp[TD_BYTE]! & TD_BIT) === 0)
    throw new DecodeError(fieldMessage("td", "1 (a digest present)", "0", TD_BYTE), {
      path: "td",
      expected: "1",
      found: "0",
      offset: TD_BYTE,
    });
  const at = tlp.length - ECRC_BYTES;
  const expected = computeEcrc(tlp.subarray(0, at));
  const found = new DataView(tlp.buffer, tlp.byteOffset, tlp.byteLength).getUint32(at, true);
  if (expected !== found) {
    const e = `${hex32(expected)} (stored little-endian)`;
    throw new DecodeError(fieldMessage("ecrc", e, hex32(found), at), {
      path: "ecrc",
      expected: hex32(expected),
      found: hex32(found),
      offset: at,
    });
  }
}

/**
 * Turns a TLP value into the same TLP with TD = 1 and a correct ECRC digest (pcie.md §6). A value
 * that already carries a digest gets it recomputed.
 *
 * @param value - any TLP value (TD 0 or 1).
 * @returns the decoded TLP with `td: true` and the `ecrc` field holding the correct digest.
 * @throws EncodeError if `value` cannot be encoded.
 * @example
 * ```ts
 * const tlp = withEcrc({ ...mwr, td: false });
 * tlp.td; // true
 * ```
 */
export function withEcrc(value: Tlp): Tlp {
  const bytes = encodeTlp({ ...value, td: false });
  return decodeTlp(appendEcrc(bytes));
}
