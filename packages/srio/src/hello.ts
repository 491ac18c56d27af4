/**
 * Pure helpers of the Xilinx SRIO Gen2 HELLO format (docs/reference/srio.md §7): the SIZE
 * encoding (payload bytes − 1), the tuser packing of the device IDs, the DOORBELL info ⇄ ADDRESS
 * mapping and the number of payload beats. The header beat itself is the `srio.hello` codec
 * generated from `specs/srio/hello.yaml`.
 *
 * @module
 */

import { decodeFieldError, describeValue, encodeFieldError } from "@rashpa/bits";

/** Largest HELLO payload in bytes: SIZE 0xFF (srio.md §7; RapidIO 4.1 Part 1 §3.5, 256 bytes). */
export const HELLO_MAX_BYTES = 256;

/** Bytes per HELLO payload beat: tdata is 64 bits wide (srio.md §7). */
export const HELLO_BEAT_BYTES = 8;

/**
 * The HELLO SIZE field of a transfer of `bytes` bytes: bytes − 1 (srio.md §7, "SIZE = payload
 * bytes − 1", 0xFF = 256).
 *
 * @param bytes - the transfer length, an integer 1..256.
 * @returns SIZE, 0..255.
 * @throws EncodeError with `path` `"bytes"` if `bytes` is not an integer 1..256.
 * @example
 * ```ts
 * helloSizeFromBytes(256); // 0xff
 * ```
 */
export function helloSizeFromBytes(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > HELLO_MAX_BYTES) {
    throw encodeFieldError("bytes", "an integer 1..256", describeValue(bytes));
  }
  return bytes - 1;
}

/**
 * The transfer length in bytes of a HELLO SIZE field: SIZE + 1 (srio.md §7).
 *
 * @param size - the SIZE field, an integer 0..255.
 * @returns the length, 1..256.
 * @throws DecodeError with `path` `"size"` (offset 2, the byte holding SIZE[7:4]) if `size` is
 *   not an integer 0..255.
 * @example
 * ```ts
 * helloBytesFromSize(7); // 8
 * ```
 */
export function helloBytesFromSize(size: number): number {
  if (!Number.isInteger(size) || size < 0 || size > 0xff) {
    throw decodeFieldError("size", "an integer 0..255", describeValue(size), 2);
  }
  return size + 1;
}

/**
 * Number of payload beats that follow a HELLO header with this SIZE: SIZE[7:3] + 1 (srio.md §7;
 * the example design's `number_of_data_beats = current_size[7:3]` counts them from 0).
 *
 * @param size - the SIZE field, an integer 0..255.
 * @returns 1..32 beats of 8 bytes.
 * @throws DecodeError with `path` `"size"` if `size` is not an integer 0..255.
 * @example
 * ```ts
 * helloDataBeats(0xff); // 32
 * ```
 */
export function helloDataBeats(size: number): number {
  helloBytesFromSize(size);
  return (size >>> 3) + 1;
}

/** The device IDs of a HELLO packet, carried in tuser on its header beat (srio.md §7). */
export interface HelloTuser {
  /** Source device ID, tuser[31:16]. */
  srcId: number;
  /** Destination device ID, tuser[15:0]. */
  destId: number;
}

function checkId(name: string, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw encodeFieldError(name, "an integer 0..0xffff", describeValue(id));
  }
}

/**
 * Packs the device IDs into tuser[31:0] = {srcID[15:0], destID[15:0]} (srio.md §7; the example
 * design's `val_ireq_tuser = {src_id, dest_id}`).
 *
 * @param ids - source and destination device IDs, 0..0xFFFF each.
 * @returns tuser as an unsigned 32-bit integer.
 * @throws EncodeError with `path` `"srcId"` or `"destId"` if an ID is out of range.
 * @example
 * ```ts
 * encodeHelloTuser({ srcId: 0x0013, destId: 0x00ff }); // 0x001300ff
 * ```
 */
export function encodeHelloTuser(ids: HelloTuser): number {
  checkId("srcId", ids.srcId);
  checkId("destId", ids.destId);
  return ((ids.srcId << 16) | ids.destId) >>> 0;
}

/**
 * Unpacks tuser[31:0] = {srcID[15:0], destID[15:0]} (srio.md §7).
 *
 * @param tuser - tuser as an unsigned 32-bit integer.
 * @returns the source and destination device IDs.
 * @throws DecodeError with `path` `"tuser"` if `tuser` is not an integer 0..0xFFFFFFFF.
 * @example
 * ```ts
 * decodeHelloTuser(0x001300ff); // { srcId: 0x13, destId: 0xff }
 * ```
 */
export function decodeHelloTuser(tuser: number): HelloTuser {
  if (!Number.isInteger(tuser) || tuser < 0 || tuser > 0xffffffff) {
    throw decodeFieldError("tuser", "an integer 0..0xffffffff", describeValue(tuser), 0);
  }
  return { srcId: Math.floor(tuser / 0x10000), destId: tuser & 0xffff };
}

/**
 * The HELLO ADDRESS of a DOORBELL: the 16-bit info in bits 31:16, every other bit 0 (srio.md §7;
 * `{…, 12'b0, doorbell_info, 16'b0}` in the independent doorbell engine, and the example design's
 * doorbell instructions).
 *
 * @param info - the doorbell information, 0..0xFFFF (info_msb ‖ info_lsb, RapidIO 4.1 Part 2).
 * @returns the 34-bit ADDRESS field.
 * @throws EncodeError with `path` `"info"` if `info` is out of range.
 * @example
 * ```ts
 * helloDoorbellAddress(0xdbdb); // 0xdbdb0000n
 * ```
 */
export function helloDoorbellAddress(info: number): bigint {
  if (!Number.isInteger(info) || info < 0 || info > 0xffff) {
    throw encodeFieldError("info", "an integer 0..0xffff", describeValue(info));
  }
  return BigInt(info) << 16n;
}

/**
 * The 16-bit DOORBELL info of a HELLO ADDRESS: bits 31:16 (srio.md §7). The other bits must be 0,
 * as every known HELLO producer sends them.
 *
 * @param address - the 34-bit ADDRESS field of a DOORBELL header.
 * @returns the doorbell information, 0..0xFFFF.
 * @throws DecodeError with `path` `"address"` (offset 3, where ADDRESS starts) if `address` is
 *   not a 34-bit value with bits 33:32 and 15:0 clear.
 * @example
 * ```ts
 * helloDoorbellInfo(0x44440000n); // 0x4444
 * ```
 */
export function helloDoorbellInfo(address: bigint): number {
  if (address < 0n || address > 0x3_ffff_ffffn || (address & ~0xffff_0000n) !== 0n) {
    throw decodeFieldError(
      "address",
      "info << 16 (bits 33:32 and 15:0 clear)",
      describeValue(address),
      3,
    );
  }
  return Number(address >> 16n);
}
