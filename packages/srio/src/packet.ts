/**
 * The whole LP-Serial physical packet: the CRC-free packet stream of `specs/srio/packet.yaml`
 * (physical header bits, transport IDs, logical fields, data payload) framed with its CRC-16
 * fields and pad — RapidIO 4.1 Part 6 §2.3 (packet format and 32-bit alignment), §2.4.1 (CRC
 * placement and the early CRC), §2.4.2 (the CRC-16 code) and §2.5 (maximum packet size);
 * digest in docs/reference/srio.md §4.
 *
 * Framing of a stream of S bytes (S is even, Part 6 §2.3):
 * - S ≤ 80: one CRC-16 over bytes 0…S−1 at bytes S, S+1 (a packet of exactly 80 bytes takes a
 *   single CRC, srio.md §13 item 1);
 * - S > 80: the early CRC over bytes 0…79 at bytes 80, 81, then the rest of the stream, then
 *   the final CRC, which continues the running CRC over the early CRC (not re-initialised);
 * - then 16 zero bits of pad if the packet does not end on a 32-bit boundary (not covered by
 *   the CRC). The 6 ackID bits count as 0 in the CRC.
 *
 * The pad and the final CRC cannot be told apart from the bytes alone (a CRC of 0x0000 looks
 * like a pad, and the residue is the same). A receiver knows where the logical fields end: data
 * payloads are whole double-words (Part 1 §3.5, §4.1.1), so the stream length is the header
 * length plus a multiple of 8. The decoder uses exactly that rule, and the encoder enforces it.
 *
 * The address size (34, 50 or 66 bits) is a system-wide setting that the packet does not carry
 * (Part 1 §4.1.1; srio.md §2.2): it is an option of {@link decodeSrioPacket} and
 * {@link encodeSrioPacket} (default 34), and each size has its own format record
 * (`srio.packet`, `srio.packet-50`, `srio.packet-66`).
 *
 * @module
 */
import {
  DecodeError,
  EncodeError,
  decodeFieldError,
  describeValue,
  encodeFieldError,
  hexNumber,
} from "@rashpa/bits";
import type { FormatInfo } from "@rashpa/bits";
import { srioCrc16Update } from "./crc.js";
import { STREAM_50_FORMAT, STREAM_66_FORMAT, STREAM_FORMAT, ftypeValue } from "./gen/packet.js";
import type { Stream, Stream50, Stream66 } from "./gen/packet.js";

/** Largest packet an LP-Serial port transmits, CRCs included (RapidIO 4.1 Part 6 §2.5, Table 2-4). */
export const SRIO_MAX_PACKET_BYTES = 284;
/** Largest data payload of any packet (RapidIO 4.1 Part 6 §2.5, Table 2-4; Part 1 Table 4-4). */
export const SRIO_MAX_PAYLOAD_BYTES = 256;
/** Largest data payload of a maintenance packet (RapidIO 4.1 Part 1 §4.1.10). */
export const SRIO_MAX_MAINTENANCE_PAYLOAD_BYTES = 64;
/** A stream longer than this many bytes gets the early CRC after them (RapidIO 4.1 Part 6 §2.4.1). */
export const SRIO_EARLY_CRC_BYTES = 80;

/** System address size in bits: 34 (no extended address), 50 or 66 (RapidIO 4.1 Part 1 §4.1.1, Table 4-2). */
export type SrioAddressSize = 34 | 50 | 66;

/** A packet of a system with 34-bit addresses (the CRC-free stream's value; RapidIO 4.1 Part 1 §4, Part 2 §4). */
export type SrioPacket = Stream;
/** A packet of a system with 50-bit addresses (16-bit extended address; RapidIO 4.1 Part 1 Table 4-2). */
export type SrioPacket50 = Stream50;
/** A packet of a system with 66-bit addresses (32-bit extended address; RapidIO 4.1 Part 1 Table 4-2). */
export type SrioPacket66 = Stream66;
/** The packet type of an address size. */
export type SrioPacketOf<A extends SrioAddressSize> = A extends 50
  ? SrioPacket50
  : A extends 66
    ? SrioPacket66
    : SrioPacket;
/** A packet of any address size. */
export type AnySrioPacket = SrioPacket | SrioPacket50 | SrioPacket66;

/** Options of {@link decodeSrioPacket} and {@link encodeSrioPacket}. */
export interface SrioPacketOptions<A extends SrioAddressSize = SrioAddressSize> {
  /**
   * The system address size (RapidIO 4.1 Part 1 §4.1.1).
   * @defaultValue 34
   */
  readonly addressSize?: A;
}

/** Where the physical layer puts the CRCs and pad of a stream (RapidIO 4.1 Part 6 §2.4.1). */
export interface SrioFraming {
  /** Bytes of the CRC-free stream. */
  readonly streamBytes: number;
  /** Offset of the early CRC (80), or `undefined` when the stream is at most 80 bytes. */
  readonly earlyCrcOffset: number | undefined;
  /** Offset of the final CRC. */
  readonly crcOffset: number;
  /** Whether 2 zero bytes of pad end the packet. */
  readonly padded: boolean;
  /** Bytes on the wire: stream, CRCs and pad (a multiple of 4). */
  readonly packetBytes: number;
}

/**
 * Bytes of a packet on the wire for a CRC-free stream of `streamBytes` bytes: one CRC (2 bytes)
 * up to 80 bytes, two above, then a pad to a multiple of 4 (RapidIO 4.1 Part 6 §2.4.1).
 *
 * @example
 * ```ts
 * srioPacketBytes(80); // 84: single CRC + pad (Dev8 SWRITE of 72 bytes)
 * srioPacketBytes(82); // 88: early CRC + final CRC
 * ```
 */
export function srioPacketBytes(streamBytes: number): number {
  const crc = streamBytes > SRIO_EARLY_CRC_BYTES ? 4 : 2;
  return (streamBytes + crc + 3) & ~3;
}

/**
 * The framing of a CRC-free stream of `streamBytes` bytes (RapidIO 4.1 Part 6 §2.4.1,
 * Figures 2-4 to 2-7).
 *
 * @throws RangeError when `streamBytes` is not an even integer ≥ 2
 */
export function srioFraming(streamBytes: number): SrioFraming {
  if (!Number.isInteger(streamBytes) || streamBytes < 2 || streamBytes % 2 !== 0)
    throw new RangeError(`stream length must be an even integer >= 2, got ${String(streamBytes)}`);
  const early = streamBytes > SRIO_EARLY_CRC_BYTES;
  const crcOffset = early ? streamBytes + 2 : streamBytes;
  return {
    streamBytes,
    earlyCrcOffset: early ? SRIO_EARLY_CRC_BYTES : undefined,
    crcOffset,
    padded: (crcOffset + 2) % 4 !== 0,
    packetBytes: srioPacketBytes(streamBytes),
  };
}

// CRC state after the first byte with its 6 ackID bits taken as 0 (Part 6 §2.4, Figure 2-3),
// for each value of the 2 bits that remain (VC, CRF).
const FIRST_BYTE_STATE: readonly number[] = [0, 1, 2, 3].map((b) =>
  srioCrc16Update(0xffff, Uint8Array.of(b), 0, 1),
);

/** Bytes of the logical fields after the transport IDs, by ftype (34-bit addresses). */
const BODY_BYTES: readonly (number | undefined)[] = [
  undefined,
  undefined,
  6, // 2: ttype, rdsize, srcTID, address/wdptr/xamsbs (Part 1 Figure 4-1)
  undefined,
  undefined,
  6, // 5: ttype, wrsize, srcTID, address/wdptr/xamsbs (Part 1 Figure 4-2)
  4, // 6: address/rsrv/xamsbs (Part 1 Figure 4-3)
  undefined,
  6, // 8: ttype, size/status, TID, hop_count, offset/wdptr/rsrv or reserved (Part 1 Figures 4-4, 4-5)
  undefined,
  4, // 10: rsrv, srcTID, info (Part 2 Figure 4-1)
  2, // 11: msglen, ssize, letter, mbox, msgseg (Part 2 Figure 4-2)
  undefined,
  2, // 13: ttype, status, targetTID (Part 1 Figure 4-6)
];
const ID_BYTES: Readonly<Record<string, number>> = { dev8: 1, dev16: 2, dev32: 4 };
const EXTENSION_BYTES: Readonly<Record<number, number>> = { 34: 0, 50: 2, 66: 4 };

/**
 * Bytes before the data payload (physical header, transport IDs, logical fields) of a packet of
 * format type `ftype` with transport type `tt` (RapidIO 4.1 Part 3 Figure 2-3, Part 1 §4, Part 2
 * §4), or `undefined` for a reserved tt or an ftype this codec does not know.
 *
 * @example
 * ```ts
 * srioHeaderBytes(0, 6, 34); // 8: Dev8 SWRITE
 * srioHeaderBytes(1, 5, 66); // 16: Dev16 NWRITE with a 32-bit extended address
 * ```
 */
export function srioHeaderBytes(
  tt: number,
  ftype: number,
  addressSize: SrioAddressSize = 34,
): number | undefined {
  const body = BODY_BYTES[ftype];
  if (body === undefined || tt < 0 || tt > 2) return undefined;
  const ext = ftype === 2 || ftype === 5 || ftype === 6 ? EXTENSION_BYTES[addressSize]! : 0;
  return 2 + 2 * (1 << tt) + body + ext;
}

/** Payload bounds [min, max] in bytes of a packet type; `undefined` when it carries no data. */
function payloadBounds(ftype: number, ttype: number): readonly [number, number] | undefined {
  switch (ftype) {
    case 5: // type 5 always has data (Part 1 §4.1.7)
    case 6: // at least one double-word (Part 1 §4.1.8)
    case 11: // type 11 always has data (Part 2 §4.2.5)
      return [8, SRIO_MAX_PAYLOAD_BYTES];
    case 8:
      if (ttype === 1 || ttype === 4) return [8, SRIO_MAX_MAINTENANCE_PAYLOAD_BYTES];
      if (ttype === 2) return [0, SRIO_MAX_MAINTENANCE_PAYLOAD_BYTES]; // none with ERROR (§4.1.10)
      return undefined;
    case 13:
      return ttype === 8 ? [0, SRIO_MAX_PAYLOAD_BYTES] : undefined; // none with ERROR (§4.2.3)
    default:
      return undefined;
  }
}

const TTYPE_NUMBER: Readonly<Record<string, number>> = {
  "read-request": 0,
  "write-request": 1,
  "read-response": 2,
  "write-response": 3,
  "port-write": 4,
  "no-data": 0,
  "message-response": 1,
  "with-data": 8,
};

/** The payload rule a value breaks, as an error message part, or `undefined`. */
function payloadProblem(value: AnySrioPacket): string | undefined {
  const v = value as unknown as Record<string, unknown>;
  const payload = v["payload"];
  if (!(payload instanceof Uint8Array)) return undefined;
  const ftype = ftypeValue(v["ftype"]);
  const bounds = payloadBounds(ftype, TTYPE_NUMBER[v["ttype"] as string] ?? -1);
  const n = payload.length;
  if (bounds === undefined) return undefined;
  if (n % 8 !== 0 || n < bounds[0] || n > bounds[1]) return payloadExpectation(bounds);
  return undefined;
}

/** Throws the `"payload"` EncodeError of {@link payloadProblem}, if any. */
function checkPayload(value: AnySrioPacket): void {
  const problem = payloadProblem(value);
  if (problem !== undefined)
    throw encodeFieldError(
      "payload",
      problem,
      describeValue((value as unknown as Record<string, unknown>)["payload"]),
    );
}

function payloadExpectation(bounds: readonly [number, number]): string {
  return `whole double-words, ${bounds[0]}..${bounds[1]} bytes (RapidIO 4.1 Part 1 §4.1.1, Part 6 §2.5)`;
}

/** A format record of the CRC-free stream, whatever its address size. */
type StreamFormat = FormatInfo<AnySrioPacket>;
const STREAMS: Readonly<Record<SrioAddressSize, StreamFormat>> = {
  34: STREAM_FORMAT,
  50: STREAM_50_FORMAT,
  66: STREAM_66_FORMAT,
};

function streamFormatOf(addressSize: SrioAddressSize | undefined): StreamFormat {
  const f = STREAMS[addressSize ?? 34] as StreamFormat | undefined;
  if (f === undefined)
    throw new RangeError(`addressSize must be 34, 50 or 66, got ${describeValue(addressSize)}`);
  return f;
}

/**
 * The stream length a packet of `n` bytes (a multiple of 4) with an `h`-byte header has: the
 * one of n − 2, n − 4, n − 6 whose framing gives n and whose payload is whole double-words, or
 * −1 when there is none.
 */
function streamLengthOf(n: number, h: number): number {
  for (const s of [n - 2, n - 4, n - 6])
    if (s >= h && (s - h) % 8 === 0 && srioPacketBytes(s) === n) return s;
  return -1;
}

function hex16(v: number): string {
  return `0x${v.toString(16).padStart(4, "0")}`;
}

/**
 * Decodes one physical packet: `bytes` from `offset` to the end are the packet (delimited by
 * the control symbols on the link). Checks, in this order, and throws a `DecodeError` naming
 * the field and its byte offset: the tt and ftype (`"tt"`, `"ftype"`), the length (`"packet"`:
 * truncated, longer than 284 bytes or not a multiple of 4), the payload size (`"payload"`:
 * whole double-words within the type's bounds — at most 256 bytes, 64 for maintenance), the
 * early CRC (`"earlyCrc"`, byte 80), the final CRC (`"crc"`), the pad (`"pad"`), then the
 * logical fields (reserved ttype and so on) through the generated stream decoder.
 * RapidIO 4.1 Part 6 §2.3–2.5.
 *
 * @example
 * ```ts
 * const p = decodeSrioPacket(fromHex("0006010200000100" + "11".repeat(8) + "0dc30000"));
 * p.ftype; // "streaming-write"
 * ```
 */
export function decodeSrioPacket<A extends SrioAddressSize = 34>(
  bytes: Uint8Array,
  offset = 0,
  options: SrioPacketOptions<A> = {},
): SrioPacketOf<A> {
  const stream = streamFormatOf(options.addressSize);
  const end = bytes.length;
  if (!Number.isInteger(offset) || offset < 0 || offset > end)
    throw new DecodeError(`offset ${offset} is outside the input (${end} bytes)`, { offset });
  const n = end - offset;
  if (n < 2)
    throw decodeFieldError("packet", "at least 2 bytes (the packet header)", `${n} bytes`, end);
  const b1 = bytes[offset + 1]!;
  const tt = (b1 >>> 4) & 3;
  const ftype = b1 & 0xf;
  if (tt > 2)
    throw decodeFieldError(
      "tt",
      "dev8 (0), dev16 (1) or dev32 (2) (RapidIO 4.1 Part 3 Table 2-1)",
      `${hexNumber(tt, 2)} (reserved)`,
      offset + 1,
    );
  const h = srioHeaderBytes(tt, ftype, options.addressSize ?? 34);
  if (h === undefined)
    throw decodeFieldError(
      "ftype",
      "one of 2, 5, 6, 8, 10, 11, 13 (RapidIO 4.1 Part 1 Tables 4-1, 4-8; Part 2 Table 4-1)",
      hexNumber(ftype, 4),
      offset + 1,
    );
  if (n > SRIO_MAX_PACKET_BYTES)
    throw decodeFieldError(
      "packet",
      `at most ${SRIO_MAX_PACKET_BYTES} bytes (RapidIO 4.1 Part 6 §2.5)`,
      `${n} bytes`,
      offset + SRIO_MAX_PACKET_BYTES,
    );
  const least = srioPacketBytes(h);
  if (n < least)
    throw decodeFieldError(
      "packet",
      `at least ${least} bytes (${h}-byte header, CRC and pad)`,
      `${n} bytes`,
      end,
    );
  if (n % 4 !== 0)
    throw decodeFieldError(
      "packet",
      "a length that is a multiple of 4 bytes (RapidIO 4.1 Part 6 §2.3)",
      `${n} bytes`,
      end,
    );
  const s = streamLengthOf(n, h);
  // ttype is the high nibble of the first byte after the IDs (Part 1 Figures 4-2, 4-4, 4-6).
  const bounds = payloadBounds(ftype, bytes[offset + 2 + 2 * (1 << tt)]! >>> 4);
  if (s < 0 || (bounds === undefined ? s !== h : s - h < bounds[0] || s - h > bounds[1]))
    throw decodeFieldError(
      "payload",
      bounds === undefined ? "none (this packet type carries no data)" : payloadExpectation(bounds),
      `a ${n}-byte packet with a ${h}-byte header`,
      offset + h,
    );

  // CRCs (Part 6 §2.4.1): the running CRC, ackID bits as 0, continues over the early CRC.
  let crc = srioCrc16Update(
    FIRST_BYTE_STATE[bytes[offset]! & 3]!,
    bytes,
    offset + 1,
    offset + Math.min(s, SRIO_EARLY_CRC_BYTES),
  );
  let crcAt = offset + s;
  if (s > SRIO_EARLY_CRC_BYTES) {
    const at = offset + SRIO_EARLY_CRC_BYTES;
    const early = (bytes[at]! << 8) | bytes[at + 1]!;
    if (early !== crc) throw decodeFieldError("earlyCrc", hex16(crc), hex16(early), at);
    crc = srioCrc16Update(crc, bytes, at, offset + s + 2);
    crcAt = offset + s + 2;
  }
  const found = (bytes[crcAt]! << 8) | bytes[crcAt + 1]!;
  if (found !== crc) throw decodeFieldError("crc", hex16(crc), hex16(found), crcAt);
  if (crcAt + 2 < end) {
    const pad = (bytes[crcAt + 2]! << 8) | bytes[crcAt + 3]!;
    if (pad !== 0)
      throw decodeFieldError("pad", "0x0000 (RapidIO 4.1 Part 6 §2.4.1)", hex16(pad), crcAt + 2);
  }

  if (s <= SRIO_EARLY_CRC_BYTES)
    return stream.decode(bytes.subarray(0, offset + s), offset) as SrioPacketOf<A>;
  // The early CRC sits inside the payload: the generated decoder gives a view of the payload
  // with the early CRC in it; one copy of it is closed up in place (the input stays intact).
  const value = stream.decode(bytes.subarray(0, offset + s + 2), offset) as unknown as Record<
    string,
    unknown
  >;
  const gathered = (value["payload"] as Uint8Array).slice();
  gathered.copyWithin(SRIO_EARLY_CRC_BYTES - h, SRIO_EARLY_CRC_BYTES + 2 - h);
  value["payload"] = gathered.subarray(0, s - h);
  return value as unknown as SrioPacketOf<A>;
}

/** The stream length of a value from its tt, ftype and payload, or −1 if they are not valid. */
function streamLengthOfValue(value: AnySrioPacket, addressSize: SrioAddressSize): number {
  const v = value as unknown as Record<string, unknown>;
  const ids = ID_BYTES[v["tt"] as string];
  const ftype = ftypeValue(v["ftype"]);
  if (ids === undefined || ftype < 0) return -1;
  const h = srioHeaderBytes(ids >>> 1, ftype, addressSize)!;
  const payload = v["payload"];
  const carriesData = payloadBounds(ftype, TTYPE_NUMBER[v["ttype"] as string] ?? -1) !== undefined;
  return carriesData && payload instanceof Uint8Array ? h + payload.length : h;
}

/**
 * Encodes a packet with its CRC(s) and pad at `offset` of `view`; returns the bytes written.
 * The stream is written by the generated encoder, the part after byte 80 moved up by 2 bytes
 * when the early CRC is needed, then the CRCs and pad are written (RapidIO 4.1 Part 6 §2.4.1).
 *
 * @throws EncodeError naming the field (`"payload"` for a payload that is not whole
 *   double-words within the type's bounds) or a too-small target, before writing anything
 */
export function encodeSrioPacketInto<A extends SrioAddressSize = 34>(
  view: DataView,
  offset: number,
  value: SrioPacketOf<A>,
  options: SrioPacketOptions<A> = {},
): number {
  return writePacket(view, undefined, offset, value, options.addressSize ?? 34);
}

/** The encoder behind {@link encodeSrioPacketInto}; `under`, if given, is a byte view of the same memory as `view`. */
function writePacket(
  view: DataView,
  under: Uint8Array | undefined,
  offset: number,
  value: AnySrioPacket,
  addressSize: SrioAddressSize,
): number {
  const stream = streamFormatOf(addressSize);
  let s = streamLengthOfValue(value, addressSize);
  if (s < 0) s = stream.byteLength(value); // throws the generated codec's error
  checkPayload(value);
  const n = srioPacketBytes(s);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > view.byteLength)
    throw new EncodeError(
      `"packet" expected room for ${n} bytes at offset ${offset}, got a ${view.byteLength}-byte target`,
      { path: "packet", expected: `${n} bytes`, found: `${view.byteLength - offset} bytes` },
    );
  const written = stream.encodeInto(view, offset, value);
  if (written !== s) throw encodeFieldError("packet", `a ${s}-byte stream`, `${written} bytes`);
  const bytes = under ?? new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let crc: number;
  let crcAt: number;
  if (s > SRIO_EARLY_CRC_BYTES) {
    const at = offset + SRIO_EARLY_CRC_BYTES;
    bytes.copyWithin(at + 2, at, offset + s);
    crc = srioCrc16Update(FIRST_BYTE_STATE[bytes[offset]! & 3]!, bytes, offset + 1, at);
    bytes[at] = crc >>> 8;
    bytes[at + 1] = crc & 0xff;
    crcAt = offset + s + 2;
    crc = srioCrc16Update(crc, bytes, at, crcAt);
  } else {
    crcAt = offset + s;
    crc = srioCrc16Update(FIRST_BYTE_STATE[bytes[offset]! & 3]!, bytes, offset + 1, crcAt);
  }
  bytes[crcAt] = crc >>> 8;
  bytes[crcAt + 1] = crc & 0xff;
  if (crcAt + 2 < offset + n) {
    bytes[crcAt + 2] = 0;
    bytes[crcAt + 3] = 0;
  }
  return n;
}

/**
 * Bytes {@link encodeSrioPacket} produces for `value`.
 *
 * @throws EncodeError like {@link encodeSrioPacketInto}
 */
export function srioPacketByteLength<A extends SrioAddressSize = 34>(
  value: SrioPacketOf<A>,
  options: SrioPacketOptions<A> = {},
): number {
  const addressSize = options.addressSize ?? 34;
  const s = streamFormatOf(addressSize).byteLength(value);
  checkPayload(value);
  return srioPacketBytes(s);
}

/**
 * Encodes a packet with its CRC(s) and pad into a new array (RapidIO 4.1 Part 6 §2.3–2.4).
 *
 * @throws EncodeError naming the offending field
 * @example
 * ```ts
 * toHex(encodeSrioPacket({ ackId: 0, vc: 0, crf: 0, prio: 1, tt: "dev8", ftype: "doorbell",
 *   destinationId: 1, sourceId: 2, srcTid: 3, info: 0x1234 })); // "004a01020003123454290000"
 * ```
 */
export function encodeSrioPacket<A extends SrioAddressSize = 34>(
  value: SrioPacketOf<A>,
  options: SrioPacketOptions<A> = {},
): Uint8Array {
  const addressSize = options.addressSize ?? 34;
  let s = streamLengthOfValue(value, addressSize);
  if (s < 0) s = streamFormatOf(addressSize).byteLength(value);
  const out = new Uint8Array(srioPacketBytes(s));
  writePacket(new DataView(out.buffer), out, 0, value, addressSize);
  return out;
}

/**
 * Adds the CRC(s) and pad to a CRC-free stream of any even length (RapidIO 4.1 Part 6 §2.4.1):
 * the framing alone, without looking at the logical fields — for tests and tools that build
 * streams by hand.
 *
 * @throws RangeError when the stream length is odd or 0
 */
export function frameSrioStream(stream: Uint8Array): Uint8Array {
  const f = srioFraming(stream.length);
  const out = new Uint8Array(f.packetBytes);
  const early = f.earlyCrcOffset !== undefined;
  out.set(early ? stream.subarray(0, SRIO_EARLY_CRC_BYTES) : stream);
  if (early) out.set(stream.subarray(SRIO_EARLY_CRC_BYTES), SRIO_EARLY_CRC_BYTES + 2);
  let crc = srioCrc16Update(
    FIRST_BYTE_STATE[out[0]! & 3]!,
    out,
    1,
    early ? SRIO_EARLY_CRC_BYTES : f.crcOffset,
  );
  if (early) {
    out[SRIO_EARLY_CRC_BYTES] = crc >>> 8;
    out[SRIO_EARLY_CRC_BYTES + 1] = crc & 0xff;
    crc = srioCrc16Update(crc, out, SRIO_EARLY_CRC_BYTES, f.crcOffset);
  }
  out[f.crcOffset] = crc >>> 8;
  out[f.crcOffset + 1] = crc & 0xff;
  return out;
}

function physicalFormat<A extends SrioAddressSize>(
  addressSize: A,
  id: string,
  title: string,
): FormatInfo<SrioPacketOf<A>> {
  const stream = streamFormatOf(addressSize) as unknown as FormatInfo<SrioPacketOf<A>>;
  const options = { addressSize };
  return {
    id,
    title,
    doc:
      `One LP-Serial packet of a system with ${addressSize}-bit addresses, as sent between the ` +
      "start and end control symbols: the fields of " +
      `\`${stream.id}\`, the early CRC-16 after 80 bytes when the stream is longer, the final ` +
      "CRC-16 and a 16-bit zero pad to a 32-bit boundary (RapidIO 4.1 Part 6 §2.3–2.5). Data " +
      "payloads are whole double-words, at most 256 bytes (64 for maintenance).",
    spec: "specs/srio/packet.yaml",
    fixedBytes: undefined,
    variants: stream.variants,
    decode: (bytes, offset = 0) => decodeSrioPacket(bytes, offset, options),
    encode: (value) => encodeSrioPacket(value, options),
    encodeInto: (view, offset, value) => encodeSrioPacketInto(view, offset, value, options),
    byteLength: (value) => srioPacketByteLength(value, options),
    is: (value): value is SrioPacketOf<A> =>
      stream.is(value) && payloadProblem(value) === undefined,
    fromJson: (json) => stream.fromJson(json),
    variantOf: (value) => stream.variantOf(value),
  };
}

/** `srio.packet`: the physical packet of a system with 34-bit addresses (RapidIO 4.1 Part 6 §2.3–2.5). */
export const SRIO_PACKET_FORMAT: FormatInfo<SrioPacket> = physicalFormat(
  34,
  "srio.packet",
  "Serial RapidIO packet with CRCs and pad (34-bit addresses)",
);
/** `srio.packet-50`: the physical packet of a system with 50-bit addresses. */
export const SRIO_PACKET_50_FORMAT: FormatInfo<SrioPacket50> = physicalFormat(
  50,
  "srio.packet-50",
  "Serial RapidIO packet with CRCs and pad (50-bit addresses)",
);
/** `srio.packet-66`: the physical packet of a system with 66-bit addresses. */
export const SRIO_PACKET_66_FORMAT: FormatInfo<SrioPacket66> = physicalFormat(
  66,
  "srio.packet-66",
  "Serial RapidIO packet with CRCs and pad (66-bit addresses)",
);
