/**
 * The packets of a planned stream write: each segment of a {@link SwriteStreamPlan} as an
 * {@link AnySrioPacket} value, and its wire bytes written straight into a caller's buffer
 * (docs/reference/srio.md §2, §3, §4; RapidIO 4.1 Part 1 §3.5, §4.1.7, §4.1.8, Table 4-4;
 * Part 6 §2.3–2.5, §6.6.2).
 *
 * - A double-word-aligned segment is an SWRITE (ftype 6, Part 1 §4.1.8) whose payload is a
 *   `subarray` view of the stream data: no byte is copied until the packet is encoded.
 * - A sub-double-word head or tail segment is an NWRITE (ftype 5, ttype 4, Part 1 §4.1.7) with
 *   the wrsize/wdptr of Part 1 Table 4-4 (from `size.ts`). Its payload is one double-word
 *   (Part 1 §3.5: data payloads are whole double-words, the size and wdptr name the lanes that
 *   count): the 1–7 stream bytes at their byte lanes, the other lanes 0, in an 8-byte slot the
 *   materialiser owns and refills from the data each time the packet is built.
 * - With `lastNwriteR` the last packet is an NWRITE_R (ttype 5) instead, so the target answers
 *   once the whole stream is written — what Linux calls `RIO_EXCHANGE_SWRITE_R` (SWRITEs with a
 *   final NWRITE_R). A whole-double-word last segment then gets the smallest Table 4-4 write
 *   maximum that holds it (`encodeWriteSize`, e.g. 232 bytes → wrsize 1111, wdptr 1).
 *
 * Every packet of a stream is in one transaction request flow (same sourceID, destinationID,
 * prio, CRF and VC bit; Part 6 §6.11), so a target applies them in order.
 *
 * {@link SwriteStreamPackets.encodePacketInto} and {@link SwriteStreamPackets.encodeInto} reuse
 * one value object per packet kind and write through {@link encodeSrioPacketInto}: per packet
 * they create one payload view and copy the payload bytes once, into the caller's buffer.
 *
 * The receiving side is {@link decodeSrioWrite}: the byte address and the bytes a decoded
 * NWRITE, NWRITE_R or SWRITE stores.
 *
 * @example
 * ```ts
 * import { planSwriteStream, swriteStreamPackets } from "@rashpa/srio";
 * const data = new Uint8Array(48);
 * const packets = swriteStreamPackets(planSwriteStream(0x1005n, 48), data, {
 *   tt: "dev8", destinationId: 2, sourceId: 1, prio: 0,
 * });
 * packets.packetAt(1).ftype; // "streaming-write": 40 bytes at 0x1008, a view of data[3..43)
 * const buffer = new Uint8Array(packets.byteLength);
 * packets.encodeInto(new DataView(buffer.buffer), 0); // 3 packets back to back
 * ```
 *
 * @module
 */
import { DecodeError, describeValue, fieldMessage } from "@rashpa/bits";
import { splitSrioAddress, srioByteAddress } from "./address.js";
import type { SrioAddressFields } from "./address.js";
import type { TransportType } from "./gen/packet.js";
import { encodeSrioPacketInto, srioHeaderBytes, srioPacketBytes } from "./packet.js";
import type { AnySrioPacket, SrioAddressSize, SrioPacketOf } from "./packet.js";
import { checkRequestPriority, priorityLevel } from "./priority.js";
import type { SrioPriorityOptions } from "./priority.js";
import { decodeWriteSize, encodeWriteSize } from "./size.js";
import { SrioStreamError, emptyStreamSegment } from "./swrite-stream.js";
import type { StreamSegment, SwriteStreamPlan } from "./swrite-stream.js";

/**
 * The header fields every packet of a stream shares, and how the packets vary.
 *
 * `ackId` policy: the LP-Serial transmitter gives each packet the next ackID when it sends it,
 * in transmission order and whatever its flow (Part 6 §6.6.2), so a stream that shares its link
 * with other packets cannot number itself. With `"fixed"` (the default) every packet carries
 * `ackId` and the link layer is expected to stamp the real one (byte 0, bits 0–5, outside the
 * CRC: Part 6 §2.4.1); `"sequential"` numbers packet i as `(ackId + i) mod 64` — the 6-bit
 * ackID of Control Symbol 48, or the low 6 bits of Control Symbol 64's — for a stream that has
 * the link to itself.
 */
export interface SwriteStreamHeader {
  /** Device ID size (Part 3 Table 2-1): `"dev8"`, `"dev16"` or `"dev32"`. */
  readonly tt: TransportType;
  /** destinationID: the target, an unsigned integer of the tt's width. */
  readonly destinationId: number;
  /** sourceID: this bridge, an unsigned integer of the tt's width. */
  readonly sourceId: number;
  /** prio, 0–3 (Part 6 Table 2-2); below 3 with `lastNwriteR` (Part 6 §6.12). */
  readonly prio: number;
  /**
   * CRF bit (Part 6 Table 2-1).
   * @defaultValue 0
   */
  readonly crf?: number;
  /**
   * VC bit (Part 6 Table 2-2): 0 for VC0; 1 selects VC1–8 (prio‖CRF is then the VC ID), or
   * is a VC0 priority bit with `vcPriority`.
   * @defaultValue 0
   */
  readonly vc?: number;
  /**
   * ackID of the first packet, 0–63 (see the policy above).
   * @defaultValue 0
   */
  readonly ackId?: number;
  /**
   * `"fixed"`: every packet carries `ackId`; `"sequential"`: packet i carries
   * `(ackId + i) mod 64`.
   * @defaultValue "fixed"
   */
  readonly ackIdPolicy?: "fixed" | "sequential";
  /**
   * srcTID of the NWRITE and NWRITE_R packets, 0–255 (SWRITE has none, Part 1 §4.1.8). An
   * NWRITE_R needs a response, so its TID must be one the requester has allocated
   * (`TransactionTable.issue`).
   * @defaultValue 0
   */
  readonly srcTid?: number;
  /**
   * Send the last packet as an NWRITE_R (Linux `RIO_EXCHANGE_SWRITE_R`).
   * @defaultValue false
   */
  readonly lastNwriteR?: boolean;
}

const ID_BITS: Readonly<Record<string, number>> = { dev8: 8, dev16: 16, dev32: 32 };
const TT_NUMBER: Readonly<Record<string, number>> = { dev8: 0, dev16: 1, dev32: 2 };
const TWO_32 = 2 ** 32;

function checkInteger(path: string, v: unknown, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max)
    throw new SrioStreamError(path, `an integer 0..${max}`, describeValue(v));
  return v;
}

/** One packet's fields; the value objects are built and reused through this shape. */
type MutablePacket = Record<string, unknown>;

/**
 * The packets of a planned stream (see the module comment). Build it with
 * {@link swriteStreamPackets}.
 */
export class SwriteStreamPackets {
  /** The plan the packets follow. */
  readonly plan: SwriteStreamPlan;
  /** The stream's bytes (`plan.byteLength` of them); SWRITE payloads are views of it. */
  readonly data: Uint8Array;
  /** The shared header fields. */
  readonly header: SwriteStreamHeader;
  /** The system address size (the plan's). */
  readonly addressSize: SrioAddressSize;
  /** Number of packets (the plan's segment count). */
  readonly count: number;
  /** Bytes of all the packets on the wire (CRCs and pads included). */
  readonly byteLength: number;
  private readonly segment: StreamSegment = emptyStreamSegment();
  private readonly lastNwriteR: boolean;
  private readonly ackId: number;
  private readonly sequential: boolean;
  private readonly srcTid: number;
  private readonly crf: number;
  private readonly vc: number;
  // Low 32 bits of the first byte address, its lane, and the fields above bit 31.
  private readonly baseLo: number;
  private readonly baseLane: number;
  private readonly xamsbs: number;
  private readonly extendedAddress: number;
  // One 8-byte slot per sub-double-word NWRITE (head pieces, then the tail).
  private readonly slots: readonly Uint8Array[];
  private readonly swriteValue: MutablePacket = {};
  private readonly nwriteValue: MutablePacket = {};

  /**
   * @param plan - the segments
   * @param data - the stream's bytes, `plan.byteLength` of them
   * @param header - the shared header fields
   * @param options - how the VC bit ranks, for the NWRITE_R priority check
   * @throws {@link SrioStreamError} naming `data` or the header field out of range;
   *   {@link SrioPriorityError} for bad priority bits, or with `lastNwriteR` a priority that
   *   cannot have a response (Part 6 §6.12)
   */
  constructor(
    plan: SwriteStreamPlan,
    data: Uint8Array,
    header: SwriteStreamHeader,
    options: SrioPriorityOptions = {},
  ) {
    if (!(data instanceof Uint8Array) || data.length !== plan.byteLength)
      throw new SrioStreamError(
        "data",
        `a Uint8Array of the plan's ${plan.byteLength} bytes`,
        data instanceof Uint8Array ? `${data.length} bytes` : describeValue(data),
      );
    const idBits = ID_BITS[header.tt as string];
    if (idBits === undefined)
      throw new SrioStreamError("tt", "dev8, dev16 or dev32", describeValue(header.tt));
    const maxId = 2 ** idBits - 1;
    checkInteger("destinationId", header.destinationId, maxId);
    checkInteger("sourceId", header.sourceId, maxId);
    this.lastNwriteR = header.lastNwriteR === true;
    if (this.lastNwriteR) checkRequestPriority("nwrite-r", header, options);
    else priorityLevel(header, options);
    this.ackId = checkInteger("ackId", header.ackId ?? 0, 63);
    const policy = header.ackIdPolicy ?? "fixed";
    if (policy !== "fixed" && policy !== "sequential")
      throw new SrioStreamError("ackIdPolicy", `"fixed" or "sequential"`, describeValue(policy));
    this.sequential = policy === "sequential";
    this.srcTid = checkInteger("srcTid", header.srcTid ?? 0, 255);
    this.crf = header.crf ?? 0;
    this.vc = header.vc ?? 0;
    this.plan = plan;
    this.data = data;
    this.header = header;
    this.addressSize = plan.addressBits;
    this.count = plan.count;
    this.baseLo = Number(plan.address & 0xffffffffn);
    this.baseLane = this.baseLo & 7;
    // An empty stream may start at 2^addressBits itself (it writes nothing there).
    const high = splitSrioAddress(plan.count === 0 ? 0n : plan.address, plan.addressBits);
    this.xamsbs = high.xamsbs;
    this.extendedAddress = high.extendedAddress ?? 0;
    const scratch = new Uint8Array(8 * (plan.headCount + plan.tailCount));
    this.slots = Array.from({ length: plan.headCount + plan.tailCount }, (_, k) =>
      scratch.subarray(8 * k, 8 * k + 8),
    );
    let total = 0;
    for (let i = 0; i < this.count; i++) total += this.packetBytesAt(i);
    this.byteLength = total;
  }

  /** Whether packet `i` is sent as an NWRITE or NWRITE_R (ftype 5) rather than an SWRITE. */
  private isNwrite(i: number, s: StreamSegment): boolean {
    return s.kind === "nwrite" || (this.lastNwriteR && i === this.count - 1);
  }

  /**
   * Bytes of packet `i` on the wire: header, payload (one double-word for a sub-double-word
   * NWRITE), CRC(s) and pad (Part 6 §2.4.1).
   *
   * @throws {@link SrioStreamError} when `i` is not a packet index
   */
  packetBytesAt(i: number): number {
    const s = this.plan.segmentAt(i, this.segment);
    const nwrite = this.isNwrite(i, s);
    const header = srioHeaderBytes(TT_NUMBER[this.header.tt]!, nwrite ? 5 : 6, this.addressSize)!;
    return srioPacketBytes(header + (s.kind === "nwrite" ? 8 : s.byteLength));
  }

  /**
   * Fills `out` — by default the reused record of the packet's kind — with the fields of
   * packet `i` (see the module comment).
   */
  private fill(i: number, out?: MutablePacket): MutablePacket {
    const s = this.plan.segmentAt(i, this.segment);
    const nwrite = this.isNwrite(i, s);
    const v = out ?? (nwrite ? this.nwriteValue : this.swriteValue);
    v["ackId"] = this.sequential ? (this.ackId + i) & 63 : this.ackId;
    v["vc"] = this.vc;
    v["crf"] = this.crf;
    v["prio"] = this.header.prio;
    v["tt"] = this.header.tt;
    v["ftype"] = nwrite ? "write" : "streaming-write";
    v["destinationId"] = this.header.destinationId;
    v["sourceId"] = this.header.sourceId;
    // Address fields of the double-word holding the segment's first byte (Part 1 Table 4-2).
    const lo = this.baseLo + s.offset;
    if (lo < TWO_32) {
      v["address"] = Math.floor(lo / 8);
      v["xamsbs"] = this.xamsbs;
      if (this.addressSize !== 34) v["extendedAddress"] = this.extendedAddress;
    } else {
      const split = splitSrioAddress(this.plan.address + BigInt(s.offset), this.addressSize);
      v["address"] = split.address;
      v["xamsbs"] = split.xamsbs;
      if (this.addressSize !== 34) v["extendedAddress"] = split.extendedAddress;
    }
    if (!nwrite) {
      v["payload"] = this.data.subarray(s.offset, s.offset + s.byteLength);
      return v;
    }
    v["ttype"] = this.lastNwriteR && i === this.count - 1 ? "nwrite-r" : "nwrite";
    v["srcTid"] = this.srcTid;
    if (s.kind === "swrite") {
      // The last, whole-double-word segment as an NWRITE_R: a Table 4-4 maximum.
      const code = encodeWriteSize(s.byteLength, 0);
      v["wrsize"] = code.size;
      v["wdptr"] = code.wdptr;
      v["payload"] = this.data.subarray(s.offset, s.offset + s.byteLength);
      return v;
    }
    const slot = this.slots[i < this.plan.headCount ? i : this.plan.headCount]!;
    const lane = (this.baseLane + s.offset) & 7;
    slot.fill(0);
    for (let k = 0; k < s.byteLength; k++) slot[lane + k] = this.data[s.offset + k]!;
    v["wrsize"] = s.wrsize;
    v["wdptr"] = s.wdptr;
    v["payload"] = slot;
    return v;
  }

  /**
   * Packet `i` as a new value (its payload a view of the data, or the NWRITE's double-word
   * slot, refilled on each call).
   *
   * @throws {@link SrioStreamError} when `i` is not a packet index
   */
  packetAt(i: number): AnySrioPacket {
    return this.fill(i, {}) as unknown as AnySrioPacket;
  }

  /**
   * Writes packet `i` with its CRC(s) and pad at `offset` of `view` through
   * {@link encodeSrioPacketInto}, reusing this object's value records; returns the bytes
   * written ({@link packetBytesAt}).
   *
   * @throws {@link SrioStreamError} when `i` is not a packet index; EncodeError (path
   *   `"packet"`) when the packet does not fit the view
   */
  encodePacketInto(i: number, view: DataView, offset: number): number {
    const value = this.fill(i);
    return encodeSrioPacketInto(view, offset, value as unknown as SrioPacketOf<SrioAddressSize>, {
      addressSize: this.addressSize,
    });
  }

  /**
   * Writes every packet back to back from `offset` of `view`; returns the bytes written
   * ({@link byteLength}).
   *
   * @throws EncodeError (path `"packet"`) when the view is too small, before writing the
   *   packet that does not fit
   */
  encodeInto(view: DataView, offset: number): number {
    let at = offset;
    for (let i = 0; i < this.count; i++) at += this.encodePacketInto(i, view, at);
    return at - offset;
  }

  /** Every packet in order, as new values. */
  *[Symbol.iterator](): IterableIterator<AnySrioPacket> {
    for (let i = 0; i < this.count; i++) yield this.packetAt(i);
  }
}

/**
 * Materialises a plan: the packets that write `data` as `plan` cuts it (see the module
 * comment), sharing `header`.
 *
 * @throws like the {@link SwriteStreamPackets} constructor
 */
export function swriteStreamPackets(
  plan: SwriteStreamPlan,
  data: Uint8Array,
  header: SwriteStreamHeader,
  options: SrioPriorityOptions = {},
): SwriteStreamPackets {
  return new SwriteStreamPackets(plan, data, header, options);
}

/** What a write packet stores: its first byte address and the bytes. */
export interface SrioWriteData {
  /** Byte address of the first byte written. */
  readonly address: bigint;
  /** The bytes written (a view of the packet's payload). */
  readonly data: Uint8Array;
}

function writeError(path: string, expected: string, found: string): DecodeError {
  return new DecodeError(fieldMessage(path, expected, found), { path, expected, found });
}

/**
 * The bytes a decoded NWRITE, NWRITE_R or SWRITE stores and where: the double-word address of
 * its address fields (xamsbs, extended address, address; Part 1 Table 4-2), then for an NWRITE
 * of one double-word or less the byte lanes its wrsize/wdptr name (Part 1 Table 4-4, §3.5) —
 * the first lane added to the address, those lanes of the payload's double-word — and for an
 * SWRITE or a multi-double-word NWRITE the whole payload.
 *
 * @throws DecodeError naming `ftype`/`ttype` for a packet that is not such a write, `wrsize`
 *   for a reserved code, `payload` for a payload that does not match the size
 * @example
 * ```ts
 * decodeSrioWrite(nwrite); // wrsize 0101, wdptr 1 at 0x1000: { address: 0x1005n, data: payload[5..8) }
 * ```
 */
export function decodeSrioWrite(
  packet: AnySrioPacket,
  addressSize: SrioAddressSize = 34,
): SrioWriteData {
  const v = packet as unknown as Readonly<Record<string, unknown>>;
  const payload = v["payload"];
  if (v["ftype"] === "streaming-write" && payload instanceof Uint8Array)
    return {
      address: srioByteAddress(packet as unknown as SrioAddressFields, addressSize),
      data: payload,
    };
  if (v["ftype"] !== "write" || !(payload instanceof Uint8Array))
    throw writeError("ftype", "write or streaming-write", describeValue(v["ftype"]));
  if (v["ttype"] !== "nwrite" && v["ttype"] !== "nwrite-r")
    throw writeError("ttype", "nwrite or nwrite-r", describeValue(v["ttype"]));
  const size = decodeWriteSize(v["wrsize"] as number, v["wdptr"] as number);
  const base = srioByteAddress(packet as unknown as SrioAddressFields, addressSize);
  if (size.maximum) {
    if (payload.length > size.bytes || payload.length % 8 !== 0 || payload.length === 0)
      throw writeError(
        "payload",
        `whole double-words, at most the ${size.bytes}-byte write size (Part 1 Table 4-4)`,
        `${payload.length} bytes`,
      );
    return { address: base, data: payload };
  }
  if (payload.length !== 8)
    throw writeError(
      "payload",
      "one double-word for a write of 8 bytes or less (Part 1 §3.5)",
      `${payload.length} bytes`,
    );
  return {
    address: base + BigInt(size.firstLane),
    data: payload.subarray(size.firstLane, size.firstLane + size.bytes),
  };
}
