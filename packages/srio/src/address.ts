/**
 * Addresses carried by packets: the 34-, 50- or 66-bit double-word address of request, write
 * and streaming-write packets (RapidIO 4.1 Part 1 §4.1.1, Table 4-2; srio.md §2.2), the
 * CAR/CSR byte offset of maintenance packets (Part 1 §4.1.10; srio.md §2.3) and the mailbox of
 * a message (Part 2 Table 4-4).
 *
 * @module
 */
import { EncodeError, describeValue, fieldMessage } from "@rashpa/bits";
import type { SrioAddressSize } from "./packet.js";

/** The address fields of a request, write or streaming-write packet. */
export interface SrioAddressFields {
  /** Bits [0-28] of byte address [0-31]: bits 31..3 of the byte address. */
  readonly address: number;
  /** The two most significant address bits. */
  readonly xamsbs: number;
  /** The extended address (16 bits with 50-bit, 32 bits with 66-bit addresses; absent with 34). */
  readonly extendedAddress?: number;
}

/** The address fields of a byte address and the byte lane it starts at. */
export interface SrioAddressSplit extends SrioAddressFields {
  /** The 3 low bits of the byte address: the first byte lane, given by size and wdptr. */
  readonly firstLane: number;
}

/** The CAR/CSR offset fields of a maintenance request (RapidIO 4.1 Part 1 Figure 4-4). */
export interface MaintenanceOffsetFields {
  /** config_offset: bits [23:3] of the byte offset. */
  readonly configOffset: number;
  /** wdptr: bit 2 of the byte offset, the word of the double-word. */
  readonly wdptr: number;
}

function addressError(path: string, expected: string, found: unknown): EncodeError {
  const f = describeValue(found);
  return new EncodeError(fieldMessage(path, expected, f), { path, expected, found: f });
}

/**
 * The double-word-aligned byte address of a packet's address fields: xamsbs, then the
 * extended address, then address, then 3 zero bits (RapidIO 4.1 Part 1 Table 4-2, §4.1.1).
 *
 * @example
 * ```ts
 * srioByteAddress({ address: 0x2468acf, xamsbs: 1 }); // 0x112345678n
 * srioByteAddress({ address: 0, xamsbs: 0, extendedAddress: 0xabcd }, 50); // 0xabcd00000000n
 * ```
 */
export function srioByteAddress(
  fields: SrioAddressFields,
  addressSize: SrioAddressSize = 34,
): bigint {
  const extBits = addressSize === 34 ? 0 : addressSize === 50 ? 16 : 32;
  const ext = BigInt(extBits === 0 ? 0 : (fields.extendedAddress ?? 0));
  return (
    (BigInt(fields.xamsbs) << BigInt(32 + extBits)) | (ext << 32n) | (BigInt(fields.address) << 3n)
  );
}

/**
 * Splits a byte address into the address fields of a packet and the byte lane it starts at
 * (the 3 low bits, which the size and wdptr express; RapidIO 4.1 Part 1 §4.1.1).
 *
 * @throws EncodeError (path `"address"`) when the address does not fit `addressSize` bits
 * @example
 * ```ts
 * splitSrioAddress(0x112345679n); // { address: 0x2468acf, xamsbs: 1, firstLane: 1 }
 * ```
 */
export function splitSrioAddress(
  byteAddress: bigint,
  addressSize: SrioAddressSize = 34,
): SrioAddressSplit {
  if (
    typeof byteAddress !== "bigint" ||
    byteAddress < 0n ||
    byteAddress >> BigInt(addressSize) !== 0n
  )
    throw addressError("address", `a ${addressSize}-bit byte address`, byteAddress);
  const firstLane = Number(byteAddress & 7n);
  const address = Number((byteAddress >> 3n) & 0x1fffffffn);
  const xamsbs = Number(byteAddress >> BigInt(addressSize - 2));
  if (addressSize === 34) return { address, xamsbs, firstLane };
  const extBits = addressSize === 50 ? 16n : 32n;
  const extendedAddress = Number((byteAddress >> 32n) & ((1n << extBits) - 1n));
  return { address, xamsbs, extendedAddress, firstLane };
}

/**
 * The CAR/CSR byte offset of a maintenance request: config_offset × 8 + wdptr × 4
 * (RapidIO 4.1 Part 1 §4.1.10, Figure 4-4; srio.md §2.3).
 *
 * @example
 * ```ts
 * maintenanceByteOffset({ configOffset: 0x1b, wdptr: 1 }); // 0xdc
 * ```
 */
export function maintenanceByteOffset(fields: MaintenanceOffsetFields): number {
  return fields.configOffset * 8 + fields.wdptr * 4;
}

/**
 * The config_offset and wdptr of a word-aligned CAR/CSR byte offset below 16 MiB
 * (RapidIO 4.1 Part 1 §4.1.10; srio.md §2.3).
 *
 * @throws EncodeError (path `"offset"`) for an offset that is not a multiple of 4 or ≥ 2^24
 */
export function splitMaintenanceOffset(byteOffset: number): MaintenanceOffsetFields {
  if (
    !Number.isInteger(byteOffset) ||
    byteOffset < 0 ||
    byteOffset >= 1 << 24 ||
    byteOffset % 4 !== 0
  )
    throw addressError("offset", "a multiple of 4 in 0..0xfffffc", byteOffset);
  return { configOffset: byteOffset >>> 3, wdptr: (byteOffset >>> 2) & 1 };
}

/**
 * The mailbox (0–63) a message packet targets: xmbox‖mbox for a single-packet message
 * (msglen 0, where msgseg carries xmbox), else mbox (RapidIO 4.1 Part 2 Table 4-4).
 */
export function messageMailbox(fields: {
  readonly msglen: number;
  readonly mbox: number;
  readonly msgseg: number;
}): number {
  return fields.msglen === 0 ? (fields.msgseg << 2) | fields.mbox : fields.mbox;
}
