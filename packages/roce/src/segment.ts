/**
 * RDMA WRITE segmentation and reassembly (docs/reference/roce.md §3, §4; Linux rxe
 * `update_wqe_psn`, `init_req_packet`): a message of L bytes to (VA, R_Key) with path MTU P is
 * one Only packet when L ≤ P (L = 0 allowed), otherwise First (P bytes), Middle × k (P bytes
 * each) and Last (1 … P bytes) — max(1, ceil(L / P)) packets on consecutive PSNs modulo 2^24.
 * RETH (with the whole message length) rides on First/Only, ImmDt on Last/Only with Immediate,
 * and AckReq is set on the last packet and on every `ackEvery`-th packet of the message.
 *
 * @module
 */
import { DecodeError, describeValue, encodeFieldError } from "@rashpa/bits";
import type { Bth, Opcode, Reth } from "./gen/transport.js";
import { isPmtu, padBytes, rdmaWriteOpcode, rdmaWritePosition } from "./opcode.js";
import type { ConnectedService, Pmtu, RdmaWritePosition } from "./opcode.js";
import type { RocePacket } from "./datagram.js";
import { PSN_MASK, psnAdd } from "./psn.js";

/** rxe's `RXE_MAX_PKT_PER_ACK`: AckReq at least every 64 packets (docs/reference/roce.md §4). */
export const MAX_PACKETS_PER_ACK = 64;

/** An RDMA WRITE message: where it goes and how long it is. */
export interface RdmaWrite {
  /** Remote virtual address of the first byte (RETH VA). */
  readonly va: bigint;
  /** Remote key of the target memory region (RETH R_Key). */
  readonly rKey: number;
  /** Bytes of the message (RETH DMA Length), 0 … 2^31. */
  readonly length: number;
  /** Immediate data delivered with the last packet (Last/Only with Immediate), if any. */
  readonly immediate?: number | undefined;
}

/** Options of {@link segmentRdmaWrite}. */
export interface SegmentOptions {
  /** Path MTU: payload bytes of every packet but the last. */
  readonly pmtu: Pmtu;
  /** PSN of the first packet. */
  readonly firstPsn: number;
  /**
   * Set AckReq on every this-many-th packet as well as on the last one.
   * @defaultValue 64 ({@link MAX_PACKETS_PER_ACK})
   */
  readonly ackEvery?: number;
  /**
   * RC or UC opcodes.
   * @defaultValue "rc"
   */
  readonly service?: ConnectedService;
}

/** One packet of a segmented RDMA WRITE: its opcode, PSN and slice of the message. */
export interface RdmaWriteSegment {
  /** Index of the packet in the message, from 0. */
  readonly index: number;
  /** RDMA WRITE opcode (First/Middle/Last/Only, with immediate on Last/Only if any). */
  readonly opcode: Opcode;
  /** Position in the message. */
  readonly position: RdmaWritePosition;
  /** PSN, `firstPsn + index` modulo 2^24. */
  readonly psn: number;
  /** Offset of the payload in the message. */
  readonly offset: number;
  /** Payload bytes. */
  readonly length: number;
  /** PadCnt: `(−length) & 3`. */
  readonly padCnt: number;
  /** AckReq. */
  readonly ackReq: boolean;
  /** RETH on First/Only: the message's VA, R_Key and whole length. */
  readonly reth: Reth | undefined;
  /** ImmDt value on Last/Only with Immediate. */
  readonly immediate: number | undefined;
}

/**
 * Packets of an RDMA WRITE of `length` bytes at path MTU `pmtu`: max(1, ceil(L / P))
 * (docs/reference/roce.md §3).
 *
 * @example
 * ```ts
 * rdmaWritePacketCount(0, 1024); // 1
 * rdmaWritePacketCount(4097, 1024); // 5
 * ```
 */
export function rdmaWritePacketCount(length: number, pmtu: Pmtu): number {
  return Math.max(1, Math.ceil(length / pmtu));
}

function checkWrite(write: RdmaWrite, options: SegmentOptions): void {
  if (!isPmtu(options.pmtu))
    throw encodeFieldError("pmtu", "256, 512, 1024, 2048 or 4096", describeValue(options.pmtu));
  if (!Number.isInteger(options.firstPsn) || options.firstPsn < 0 || options.firstPsn > PSN_MASK)
    throw encodeFieldError("firstPsn", "an integer 0..0xffffff", describeValue(options.firstPsn));
  const every = options.ackEvery ?? MAX_PACKETS_PER_ACK;
  if (!Number.isInteger(every) || every < 1)
    throw encodeFieldError("ackEvery", "an integer >= 1", describeValue(every));
  if (!Number.isInteger(write.length) || write.length < 0 || write.length > 0x80000000)
    throw encodeFieldError("length", "an integer 0..2^31", describeValue(write.length));
  if (typeof write.va !== "bigint" || write.va < 0n || write.va > 0xffffffffffffffffn)
    throw encodeFieldError("va", "a bigint 0..2^64 − 1", describeValue(write.va));
  if (!Number.isInteger(write.rKey) || write.rKey < 0 || write.rKey > 0xffffffff)
    throw encodeFieldError("rKey", "an integer 0..0xffffffff", describeValue(write.rKey));
  const imm = write.immediate;
  if (imm !== undefined && (!Number.isInteger(imm) || imm < 0 || imm > 0xffffffff))
    throw encodeFieldError("immediate", "an integer 0..0xffffffff", describeValue(imm));
}

/**
 * Packet `index` of an RDMA WRITE (docs/reference/roce.md §3, §4). The sender uses this to
 * (re)build any packet of a message without keeping the others.
 *
 * @throws EncodeError naming an invalid option or message field, or `"index"` out of range
 */
export function rdmaWriteSegment(
  write: RdmaWrite,
  options: SegmentOptions,
  index: number,
): RdmaWriteSegment {
  checkWrite(write, options);
  const { pmtu } = options;
  const count = rdmaWritePacketCount(write.length, pmtu);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw encodeFieldError("index", `an integer 0..${count - 1}`, describeValue(index));
  const position: RdmaWritePosition =
    count === 1 ? "only" : index === 0 ? "first" : index === count - 1 ? "last" : "middle";
  const offset = index * pmtu;
  const length = Math.min(pmtu, write.length - offset);
  const every = options.ackEvery ?? MAX_PACKETS_PER_ACK;
  const hasImm = write.immediate !== undefined;
  const last = index === count - 1;
  return {
    index,
    opcode: rdmaWriteOpcode(position, hasImm, options.service ?? "rc"),
    position,
    psn: psnAdd(options.firstPsn, index),
    offset,
    length,
    padCnt: padBytes(length),
    ackReq: last || (index + 1) % every === 0,
    reth: index === 0 ? { va: write.va, rKey: write.rKey, dmaLength: write.length } : undefined,
    immediate: last && hasImm ? write.immediate : undefined,
  };
}

/**
 * Every packet of an RDMA WRITE, in order (docs/reference/roce.md §3, §4).
 *
 * @throws EncodeError naming an invalid option or message field
 * @example
 * ```ts
 * const s = segmentRdmaWrite({ va: 0x1000n, rKey: 7, length: 2500, immediate: 3 },
 *   { pmtu: 1024, firstPsn: 0xfffffe });
 * s.map((p) => [p.opcode, p.psn, p.length]);
 * // [["rc-rdma-write-first", 0xfffffe, 1024], ["rc-rdma-write-middle", 0xffffff, 1024],
 * //  ["rc-rdma-write-last-with-immediate", 0, 452]]
 * ```
 */
export function segmentRdmaWrite(write: RdmaWrite, options: SegmentOptions): RdmaWriteSegment[] {
  const count = rdmaWritePacketCount(write.length, options.pmtu);
  const out: RdmaWriteSegment[] = [];
  for (let i = 0; i < count; i++) out.push(rdmaWriteSegment(write, options, i));
  return out;
}

/** Fields of the BTH that come from the connection rather than from a segment. */
export interface BthDefaults {
  /** Destination QP. */
  readonly destQp: number;
  /**
   * Partition key.
   * @defaultValue 0xffff
   */
  readonly pKey?: number;
}

/**
 * The transport packet of a segment: BTH (opcode, PSN, PadCnt, AckReq; SE on a packet with
 * immediate data), RETH, ImmDt and the payload as a view of `message` (docs/reference/roce.md
 * §2, §3).
 */
export function rdmaWriteSegmentPacket(
  segment: RdmaWriteSegment,
  message: Uint8Array,
  defaults: BthDefaults,
): RocePacket {
  const bth: Bth = {
    opcode: segment.opcode,
    se: segment.immediate !== undefined,
    migReq: false,
    padCnt: segment.padCnt,
    pKey: defaults.pKey ?? 0xffff,
    fecn: false,
    becn: false,
    destQp: defaults.destQp,
    ackReq: segment.ackReq,
    psn: segment.psn,
  };
  return {
    bth,
    reth: segment.reth,
    immdt: segment.immediate === undefined ? undefined : { immediate: segment.immediate },
    payload: message.subarray(segment.offset, segment.offset + segment.length),
  };
}

/** A message put back together by {@link reassembleRdmaWrite}. */
export interface ReassembledWrite {
  /** RETH VA of the first packet. */
  readonly va: bigint;
  /** RETH R_Key of the first packet. */
  readonly rKey: number;
  /** The message bytes. */
  readonly data: Uint8Array;
  /** The ImmDt of the last packet, if any. */
  readonly immediate: number | undefined;
  /** PSN of the first packet. */
  readonly firstPsn: number;
}

function reassemblyError(message: string, index: number): DecodeError {
  return new DecodeError(`packet ${index}: ${message}`, { path: "packets", offset: index });
}

/**
 * Puts the packets of one RDMA WRITE message back together, checking what a responder checks
 * (docs/reference/roce.md §3, §4): the opcode sequence First, Middle…, Last or a single Only;
 * consecutive PSNs modulo 2^24; full-PMTU First/Middle payloads; a Last of 1 … PMTU bytes; and
 * a total equal to the RETH DMA Length.
 *
 * @throws DecodeError naming the packet that breaks a rule
 */
export function reassembleRdmaWrite(packets: readonly RocePacket[], pmtu: Pmtu): ReassembledWrite {
  const first = packets[0];
  if (first === undefined) throw reassemblyError("expected at least one packet, got none", 0);
  const reth = first.reth;
  if (reth === undefined) throw reassemblyError("expected a RETH on the first packet", 0);
  const data = new Uint8Array(reth.dmaLength);
  let at = 0;
  let immediate: number | undefined;
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i]!;
    const info = rdmaWritePosition(p.bth.opcode);
    if (info === undefined)
      throw reassemblyError(`expected an RDMA WRITE opcode, got ${p.bth.opcode}`, i);
    const lastIndex = packets.length - 1;
    const want: RdmaWritePosition =
      packets.length === 1 ? "only" : i === 0 ? "first" : i === lastIndex ? "last" : "middle";
    if (info.position !== want)
      throw reassemblyError(`expected a ${want} packet, got ${p.bth.opcode}`, i);
    if (p.bth.psn !== psnAdd(first.bth.psn, i))
      throw reassemblyError(`expected PSN ${psnAdd(first.bth.psn, i)}, got ${p.bth.psn}`, i);
    const n = p.payload.length;
    const ok =
      want === "first" || want === "middle"
        ? n === pmtu
        : want === "last"
          ? n >= 1 && n <= pmtu
          : n <= pmtu;
    if (!ok)
      throw reassemblyError(
        `expected a ${want} payload within the PMTU ${pmtu}, got ${n} bytes`,
        i,
      );
    if (at + n > data.length)
      throw reassemblyError(`expected at most ${data.length} bytes (DMA Length), got ${at + n}`, i);
    data.set(p.payload, at);
    at += n;
    if (info.withImmediate) immediate = p.immdt?.immediate;
  }
  if (at !== data.length)
    throw reassemblyError(
      `expected ${data.length} bytes (DMA Length), got ${at}`,
      packets.length - 1,
    );
  return { va: reth.va, rKey: reth.rKey, data, immediate, firstPsn: first.bth.psn };
}
