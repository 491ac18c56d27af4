/**
 * A reliable connection (RC) carrying RDMA WRITEs over a {@link DatagramTransport}
 * (docs/reference/roce.md §3–§5):
 *
 * - {@link RcSender}, the requester: cuts each posted write into First/Middle/Last/Only packets
 *   (segment.ts), numbers them with consecutive PSNs modulo 2^24, keeps at most `window`
 *   packets unacknowledged, sets AckReq on the last packet of every message, every `ackEvery`
 *   packets and on the packet that fills the window (rxe `init_req_packet`), takes coalesced ACKs
 *   (an ACK's PSN acknowledges every packet up to it), and on a NAK "PSN sequence error" or a
 *   local ACK timeout goes back to the oldest unacknowledged packet and sends again from there
 *   (go-back-N); after `retryLimit` retries without progress the pending writes fail with
 *   {@link RetryExceededError}. Encoded packets stay in a ring of reused buffers until
 *   acknowledged, so a retransmission resends the same bytes.
 * - {@link RcReceiver}, the responder: drops datagrams whose ICRC does not check (rxe
 *   `rxe_icrc_check`), accepts packets only in PSN order — a duplicate is acknowledged again, a
 *   packet after a gap draws one NAK "PSN sequence error" (until the expected PSN arrives) —
 *   checks the R_Key and the bounds of the registered memory region (NAK "remote access
 *   error" otherwise), writes each payload into the region, acknowledges the packets that ask
 *   for it with the responder's MSN, and delivers the immediate data of Last/Only with
 *   Immediate as completions.
 *
 * The ICRC of every packet covers the IP and UDP headers of the connection's {@link RocePath}
 * (the data direction; ACKs use the reverse path).
 *
 * @module
 */
import { describeValue, encodeFieldError } from "@rashpa/bits";
import { systemClock } from "./clock.js";
import type { Clock, TimerHandle } from "./clock.js";
import { decodeRocePacket, encodeRocePacketInto } from "./datagram.js";
import type { RocePacket } from "./datagram.js";
import type { Aeth, Bth, Immdt, NakCode, Opcode, Reth } from "./gen/transport.js";
import { NAK_CODE_NAMES, nakCodeValue } from "./gen/transport.js";
import { reversePath } from "./icrc.js";
import type { RocePath } from "./icrc.js";
import { ICRC_BYTES, isPmtu, padBytes, rdmaWriteOpcode, rdmaWritePosition } from "./opcode.js";
import type { Pmtu } from "./opcode.js";
import { PSN_MASK, psnAdd, psnCompare } from "./psn.js";
import { MAX_PACKETS_PER_ACK, rdmaWritePacketCount } from "./segment.js";
import type { DatagramTransport } from "./transport.js";

/** Base class of the errors a reliable connection fails a write with. */
export class RcError extends Error {
  /** The PSN the error is about. */
  readonly psn: number;
  /**
   * @param message - the complete message
   * @param psn - the PSN concerned
   */
  constructor(message: string, psn: number) {
    super(message);
    this.name = "RcError";
    this.psn = psn;
  }
}

/** The retry limit was reached without progress (docs/reference/roce.md §4: go-back-N retries). */
export class RetryExceededError extends RcError {
  /** Always `"RetryExceededError"`. */
  override readonly name = "RetryExceededError";
  /** Retries made. */
  readonly retries: number;
  /**
   * @param psn - the oldest unacknowledged PSN
   * @param retries - retries made
   */
  constructor(psn: number, retries: number) {
    super(
      `"retries" expected at most ${retries - 1} without progress, got ${retries} at PSN ${psn}`,
      psn,
    );
    this.retries = retries;
  }
}

/** The responder answered with a NAK other than "PSN sequence error" (docs/reference/roce.md §2.2). */
export class RemoteNakError extends RcError {
  /** Always `"RemoteNakError"`. */
  override readonly name = "RemoteNakError";
  /** The NAK code. */
  readonly code: NakCode;
  /**
   * @param code - the NAK code
   * @param psn - the PSN of the NAK
   */
  constructor(code: NakCode, psn: number) {
    super(`"aeth.syndromeValue" expected an ACK, got NAK ${code} at PSN ${psn}`, psn);
    this.code = code;
  }
}

/** The connection was closed with the write still pending. */
export class ConnectionClosedError extends RcError {
  /** Always `"ConnectionClosedError"`. */
  override readonly name = "ConnectionClosedError";
  /** @param psn - the oldest unacknowledged PSN */
  constructor(psn: number) {
    super(`"connection" expected open, got closed at PSN ${psn}`, psn);
  }
}

/** An RDMA WRITE to post on an {@link RcSender}. */
export interface RdmaWriteRequest {
  /** Remote virtual address (RETH VA). */
  readonly va: bigint;
  /** Remote key (RETH R_Key). */
  readonly rKey: number;
  /** The message; it must not change until the write completes. */
  readonly data: Uint8Array;
  /** Immediate data for the receiver's completion (Last/Only with Immediate). */
  readonly immediate?: number | undefined;
}

/** What an {@link RcSender} reports when a write is acknowledged. */
export interface RdmaWriteResult {
  /** PSN of the first packet. */
  readonly firstPsn: number;
  /** Packets of the write. */
  readonly packets: number;
}

/** Options of {@link RcSender}. */
export interface RcSenderOptions {
  /** Where packets go and ACKs come from. */
  readonly transport: DatagramTransport;
  /** IP/UDP header of the data direction (sender → receiver), covered by the ICRC. */
  readonly path: RocePath;
  /** This end's QP number (the destination QP of ACKs). */
  readonly localQp: number;
  /** The responder's QP number (BTH DestQP of the writes). */
  readonly remoteQp: number;
  /** Path MTU. */
  readonly pmtu: Pmtu;
  /**
   * PSN of the first packet (`sq_psn`).
   * @defaultValue 0
   */
  readonly startPsn?: number;
  /**
   * Most packets sent and not acknowledged.
   * @defaultValue 256
   */
  readonly window?: number;
  /**
   * AckReq at least every this many packets.
   * @defaultValue 64 ({@link MAX_PACKETS_PER_ACK})
   */
  readonly ackEvery?: number;
  /**
   * Milliseconds without progress before going back to the oldest unacknowledged packet.
   * @defaultValue 20
   */
  readonly timeoutMs?: number;
  /**
   * Retries without progress before failing with {@link RetryExceededError}.
   * @defaultValue 7
   */
  readonly retryLimit?: number;
  /**
   * Partition key.
   * @defaultValue 0xffff
   */
  readonly pKey?: number;
  /**
   * Timers.
   * @defaultValue {@link systemClock}
   */
  readonly clock?: Clock;
}

/** Counters of an {@link RcSender}. */
export interface RcSenderStats {
  /** Packets sent for the first time. */
  packets: number;
  /** Packets sent again (go-back-N). */
  retransmitted: number;
  /** ACKs taken. */
  acks: number;
  /** NAK "PSN sequence error" taken. */
  sequenceNaks: number;
  /** Local ACK timeouts. */
  timeouts: number;
  /** Datagrams dropped (bad ICRC, not an ACK, stale). */
  dropped: number;
}

interface SendWqe {
  readonly request: RdmaWriteRequest;
  /** Unwrapped sequence number of the first packet. */
  readonly firstSeq: number;
  readonly count: number;
  readonly resolve: (r: RdmaWriteResult) => void;
  readonly reject: (e: Error) => void;
}

interface MutablePacket {
  bth: Bth;
  reth: Reth | undefined;
  immdt: Immdt | undefined;
  payload: Uint8Array;
}

function checkInt(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw encodeFieldError(name, `an integer ${min}..${max}`, describeValue(v));
  return v;
}

/**
 * The requester side of a reliable connection: posts RDMA WRITEs and makes sure they arrive
 * (see the module description; docs/reference/roce.md §3, §4).
 *
 * @example
 * ```ts
 * const sender = new RcSender({ transport, path, localQp: 1, remoteQp: 2, pmtu: 4096 });
 * await sender.postWrite({ va: 0x1000n, rKey: 0x55, data: frame, immediate: 7 });
 * ```
 */
export class RcSender {
  /** Counters, updated as the connection runs. */
  readonly stats: RcSenderStats = {
    packets: 0,
    retransmitted: 0,
    acks: 0,
    sequenceNaks: 0,
    timeouts: 0,
    dropped: 0,
  };
  private readonly transport: DatagramTransport;
  private readonly path: RocePath;
  private readonly ackPath: RocePath;
  private readonly localQp: number;
  private readonly pmtu: Pmtu;
  private readonly startPsn: number;
  private readonly window: number;
  private readonly ackEvery: number;
  private readonly timeoutMs: number;
  private readonly retryLimit: number;
  private readonly clock: Clock;
  /** Encoded packets by `seq % window`, with their lengths. */
  private readonly ring: Uint8Array[];
  private readonly ringLength: Int32Array;
  private readonly wqes: SendWqe[] = [];
  /** Index in `wqes` of the WQE holding `sent`. */
  private sendWqe = 0;
  /** Unwrapped sequence numbers: oldest unacked, next to send fresh, next to resend, end of posted. */
  private acked = 0;
  private sent = 0;
  private resend = 0;
  private posted = 0;
  private lastAckReq = -1;
  private goBackFrom = -1;
  private retries = 0;
  private timer: TimerHandle | undefined;
  private failure: Error | undefined;
  private readonly packet: MutablePacket;
  private readonly reth: Reth = { va: 0n, rKey: 0, dmaLength: 0 };
  private readonly immdt: Immdt = { immediate: 0 };

  /** @throws EncodeError naming an option out of range */
  constructor(options: RcSenderOptions) {
    if (!isPmtu(options.pmtu))
      throw encodeFieldError("pmtu", "256, 512, 1024, 2048 or 4096", describeValue(options.pmtu));
    this.transport = options.transport;
    this.path = options.path;
    this.ackPath = reversePath(options.path);
    this.localQp = checkInt("localQp", options.localQp, 0, PSN_MASK);
    const remoteQp = checkInt("remoteQp", options.remoteQp, 0, PSN_MASK);
    this.pmtu = options.pmtu;
    this.startPsn = checkInt("startPsn", options.startPsn ?? 0, 0, PSN_MASK);
    this.window = checkInt("window", options.window ?? 256, 2, 1 << 22);
    this.ackEvery = checkInt("ackEvery", options.ackEvery ?? MAX_PACKETS_PER_ACK, 1, 1 << 22);
    this.timeoutMs = options.timeoutMs ?? 20;
    this.retryLimit = checkInt("retryLimit", options.retryLimit ?? 7, 0, 1 << 30);
    this.clock = options.clock ?? systemClock;
    const slot = 12 + 16 + 4 + this.pmtu + 3 + ICRC_BYTES;
    this.ring = Array.from({ length: this.window }, () => new Uint8Array(slot));
    this.ringLength = new Int32Array(this.window);
    this.packet = {
      bth: {
        opcode: "rc-rdma-write-only",
        se: false,
        migReq: false,
        padCnt: 0,
        pKey: checkInt("pKey", options.pKey ?? 0xffff, 0, 0xffff),
        fecn: false,
        becn: false,
        destQp: remoteQp,
        ackReq: false,
        psn: 0,
      },
      reth: undefined,
      immdt: undefined,
      payload: new Uint8Array(0),
    };
    this.transport.onDatagram((bytes) => this.onDatagram(bytes));
  }

  /** PSN of unwrapped sequence number `seq`. */
  private psnOf(seq: number): number {
    return psnAdd(this.startPsn, seq);
  }

  /** PSN the next posted write will start at. */
  get nextPsn(): number {
    return this.psnOf(this.posted);
  }

  /** Packets sent and not yet acknowledged. */
  get outstanding(): number {
    return this.sent - this.acked;
  }

  /**
   * Posts an RDMA WRITE; the promise settles when every packet is acknowledged (or rejects
   * with an {@link RcError}).
   *
   * @throws EncodeError (synchronously) naming an invalid request field
   */
  postWrite(request: RdmaWriteRequest): Promise<RdmaWriteResult> {
    checkInt("rKey", request.rKey, 0, 0xffffffff);
    if (request.immediate !== undefined) checkInt("immediate", request.immediate, 0, 0xffffffff);
    if (typeof request.va !== "bigint" || request.va < 0n || request.va > 0xffffffffffffffffn)
      throw encodeFieldError("va", "a bigint 0..2^64 − 1", describeValue(request.va));
    if (!(request.data instanceof Uint8Array) || request.data.length > 0x80000000)
      throw encodeFieldError(
        "data",
        "a Uint8Array of at most 2^31 bytes",
        describeValue(request.data),
      );
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const count = rdmaWritePacketCount(request.data.length, this.pmtu);
    return new Promise<RdmaWriteResult>((resolve, reject) => {
      this.wqes.push({ request, firstSeq: this.posted, count, resolve, reject });
      this.posted += count;
      this.pump();
    });
  }

  /** Closes the transport; pending writes fail with {@link ConnectionClosedError}. */
  async close(): Promise<void> {
    this.fail(new ConnectionClosedError(this.psnOf(this.acked)));
    await this.transport.close();
  }

  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    this.timer?.cancel();
    this.timer = undefined;
    for (const w of this.wqes) w.reject(error);
    this.wqes.length = 0;
  }

  /** Sends what the window allows: retransmissions first, then fresh packets. */
  private pump(): void {
    if (this.failure !== undefined) return;
    while (this.resend < this.sent) {
      const slot = this.resend % this.window;
      this.transport.send(this.ring[slot]!, 0, this.ringLength[slot]);
      this.resend++;
      this.stats.retransmitted++;
    }
    while (this.sent < this.posted && this.sent - this.acked < this.window) {
      this.encodeFresh(this.sent);
      const slot = this.sent % this.window;
      this.transport.send(this.ring[slot]!, 0, this.ringLength[slot]);
      this.sent++;
      this.resend = this.sent;
      this.stats.packets++;
    }
    if (this.sent > this.acked && this.timer === undefined) this.armTimer();
  }

  private encodeFresh(seq: number): void {
    let w = this.wqes[this.sendWqe]!;
    while (seq >= w.firstSeq + w.count) w = this.wqes[++this.sendWqe]!;
    const index = seq - w.firstSeq;
    const { data, immediate } = w.request;
    const count = w.count;
    const position =
      count === 1 ? "only" : index === 0 ? "first" : index === count - 1 ? "last" : "middle";
    const offset = index * this.pmtu;
    const length = Math.min(this.pmtu, data.length - offset);
    const last = index === count - 1;
    const hasImm = last && immediate !== undefined;
    const p = this.packet;
    const bth = p.bth;
    bth.opcode = rdmaWriteOpcode(position, immediate !== undefined);
    bth.se = hasImm;
    bth.padCnt = padBytes(length);
    bth.psn = this.psnOf(seq);
    bth.ackReq =
      last ||
      (index + 1) % this.ackEvery === 0 ||
      seq - this.lastAckReq >= this.ackEvery ||
      seq - this.acked + 1 >= this.window;
    if (bth.ackReq) this.lastAckReq = seq;
    if (index === 0) {
      this.reth.va = w.request.va;
      this.reth.rKey = w.request.rKey;
      this.reth.dmaLength = data.length;
      p.reth = this.reth;
    } else p.reth = undefined;
    if (hasImm) {
      this.immdt.immediate = immediate;
      p.immdt = this.immdt;
    } else p.immdt = undefined;
    p.payload = data.subarray(offset, offset + length);
    const slot = seq % this.window;
    this.ringLength[slot] = encodeRocePacketInto(this.ring[slot]!, 0, p, this.path);
  }

  private armTimer(): void {
    this.timer?.cancel();
    this.timer = this.clock.setTimer(this.timeoutMs, () => {
      this.timer = undefined;
      this.onTimeout();
    });
  }

  private onTimeout(): void {
    if (this.failure !== undefined || this.sent === this.acked) return;
    this.stats.timeouts++;
    if (!this.retry()) return;
    this.resend = this.acked;
    this.goBackFrom = this.acked;
    this.pump();
  }

  /** Counts a retry; fails the connection and returns false past the limit. */
  private retry(): boolean {
    this.retries++;
    if (this.retries > this.retryLimit) {
      this.fail(new RetryExceededError(this.psnOf(this.acked), this.retries));
      return false;
    }
    return true;
  }

  /** Acknowledges every packet before unwrapped `seq`; completes the writes that are whole. */
  private ackBefore(seq: number): boolean {
    if (seq <= this.acked) return false;
    this.acked = seq;
    if (this.resend < seq) this.resend = seq;
    this.retries = 0;
    let done = 0;
    for (const w of this.wqes) {
      if (w.firstSeq + w.count > seq) break;
      done++;
      w.resolve({ firstPsn: this.psnOf(w.firstSeq), packets: w.count });
    }
    if (done > 0) {
      this.wqes.splice(0, done);
      // The WQE the next fresh packet comes from is at or after the first one left.
      this.sendWqe = Math.max(0, this.sendWqe - done);
    }
    this.timer?.cancel();
    this.timer = undefined;
    return true;
  }

  private onDatagram(bytes: Uint8Array): void {
    if (this.failure !== undefined) return;
    let packet: RocePacket;
    try {
      packet = decodeRocePacket(bytes, this.ackPath);
    } catch {
      this.stats.dropped++;
      return;
    }
    const { bth, aeth } = packet;
    if (bth.opcode !== "rc-acknowledge" || aeth === undefined || bth.destQp !== this.localQp) {
      this.stats.dropped++;
      return;
    }
    // Unwrapped sequence number of the ACK's PSN, relative to the oldest unacknowledged one.
    const seq = this.acked + psnCompare(bth.psn, this.psnOf(this.acked));
    if (aeth.syndromeType === "ack") {
      if (seq < this.acked - 1 || seq >= this.sent) {
        this.stats.dropped++;
        return;
      }
      this.stats.acks++;
      this.ackBefore(seq + 1);
    } else if (aeth.syndromeType === "nak") {
      const code = NAK_CODE_NAMES[aeth.syndromeValue];
      if (code === "psn-sequence-error") {
        // The NAK's PSN is the one the responder expects: everything before it arrived.
        if (seq < this.acked || seq > this.sent) {
          this.stats.dropped++;
          return;
        }
        this.stats.sequenceNaks++;
        const progress = this.ackBefore(seq);
        if (!progress && seq === this.goBackFrom) return; // already going back from there
        if (!progress && !this.retry()) return;
        this.goBackFrom = seq;
        this.resend = seq;
      } else {
        this.fail(new RemoteNakError(code ?? "invalid-request", bth.psn));
        return;
      }
    } else {
      this.stats.dropped++; // RNR NAK: RDMA WRITE consumes no receive WQE
      return;
    }
    this.pump();
  }
}

/** A registered memory region of the receiver, the target of RDMA WRITEs. */
export interface MemoryRegion {
  /** Virtual address of `bytes[0]`. */
  readonly va: bigint;
  /** Remote key the writes must carry. */
  readonly rKey: number;
  /** The memory. */
  readonly bytes: Uint8Array;
}

/** What an {@link RcReceiver} delivers for a write with immediate data. */
export interface WriteCompletion {
  /** The immediate data. */
  readonly immediate: number;
  /** VA of the first byte of the message (RETH). */
  readonly va: bigint;
  /** Bytes of the message (RETH DMA Length). */
  readonly length: number;
  /** R_Key of the region written. */
  readonly rKey: number;
  /** PSN of the Last/Only packet. */
  readonly psn: number;
}

/** Options of {@link RcReceiver}. */
export interface RcReceiverOptions {
  /** Where packets come from and ACKs go. */
  readonly transport: DatagramTransport;
  /** IP/UDP header of the data direction (sender → receiver), as the sender has it. */
  readonly path: RocePath;
  /** This end's QP number (BTH DestQP of the writes). */
  readonly localQp: number;
  /** The requester's QP number (DestQP of ACKs). */
  readonly remoteQp: number;
  /** Path MTU. */
  readonly pmtu: Pmtu;
  /**
   * PSN expected first (`rq_psn`).
   * @defaultValue 0
   */
  readonly startPsn?: number;
  /** The registered memory regions. */
  readonly regions: readonly MemoryRegion[];
  /** Called once per write with immediate data, in order. */
  readonly onCompletion?: (completion: WriteCompletion) => void;
}

/** Counters of an {@link RcReceiver}. */
export interface RcReceiverStats {
  /** Packets accepted in order. */
  packets: number;
  /** Payload bytes written into regions. */
  bytes: number;
  /** Duplicates (PSN before the expected one), each acknowledged again. */
  duplicates: number;
  /** Packets after a gap (dropped). */
  outOfOrder: number;
  /** ACKs sent. */
  acks: number;
  /** NAKs sent. */
  naks: number;
  /** Datagrams dropped for a bad ICRC or header. */
  badPackets: number;
  /** Completions delivered. */
  completions: number;
}

/**
 * The responder side of a reliable connection: accepts RDMA WRITEs in PSN order into its memory
 * regions (see the module description; docs/reference/roce.md §3–§5).
 */
export class RcReceiver {
  /** Counters, updated as the connection runs. */
  readonly stats: RcReceiverStats = {
    packets: 0,
    bytes: 0,
    duplicates: 0,
    outOfOrder: 0,
    acks: 0,
    naks: 0,
    badPackets: 0,
    completions: 0,
  };
  private readonly transport: DatagramTransport;
  private readonly path: RocePath;
  private readonly ackPath: RocePath;
  private readonly localQp: number;
  private readonly pmtu: Pmtu;
  private readonly regions: ReadonlyMap<number, MemoryRegion>;
  private readonly onCompletion: ((c: WriteCompletion) => void) | undefined;
  private ePsn: number;
  private msn = 0;
  private nakSent = false;
  private closed = false;
  /** The message in progress: region, offset in it, bytes left, RETH. */
  private region: MemoryRegion | undefined;
  private offset = 0;
  private remaining = 0;
  private messageVa = 0n;
  private messageLength = 0;
  private readonly ackBth: Bth;
  private readonly aeth: Aeth = { syndromeType: "ack", syndromeValue: 0x1f, msn: 0 };
  private readonly empty = new Uint8Array(0);

  /** @throws EncodeError naming an option out of range */
  constructor(options: RcReceiverOptions) {
    if (!isPmtu(options.pmtu))
      throw encodeFieldError("pmtu", "256, 512, 1024, 2048 or 4096", describeValue(options.pmtu));
    this.transport = options.transport;
    this.path = options.path;
    this.ackPath = reversePath(options.path);
    this.localQp = checkInt("localQp", options.localQp, 0, PSN_MASK);
    this.pmtu = options.pmtu;
    this.ePsn = checkInt("startPsn", options.startPsn ?? 0, 0, PSN_MASK);
    const regions = new Map<number, MemoryRegion>();
    for (const r of options.regions) regions.set(r.rKey, r);
    this.regions = regions;
    this.onCompletion = options.onCompletion;
    this.ackBth = {
      opcode: "rc-acknowledge",
      se: false,
      migReq: false,
      padCnt: 0,
      pKey: 0xffff,
      fecn: false,
      becn: false,
      destQp: checkInt("remoteQp", options.remoteQp, 0, PSN_MASK),
      ackReq: false,
      psn: 0,
    };
    this.transport.onDatagram((bytes) => this.onDatagram(bytes));
  }

  /** The PSN expected next. */
  get expectedPsn(): number {
    return this.ePsn;
  }

  /** Closes the transport. */
  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }

  private send(psn: number, type: "ack" | "nak", value: number): void {
    if (this.closed) return;
    this.ackBth.psn = psn;
    this.aeth.syndromeType = type;
    this.aeth.syndromeValue = value;
    this.aeth.msn = this.msn;
    // A fresh buffer per ACK: a socket may still hold the previous one.
    const out = new Uint8Array(20);
    encodeRocePacketInto(
      out,
      0,
      { bth: this.ackBth, aeth: this.aeth, payload: this.empty },
      this.ackPath,
    );
    this.transport.send(out);
    if (type === "ack") this.stats.acks++;
    else this.stats.naks++;
  }

  private nak(code: NakCode): void {
    this.send(this.ePsn, "nak", nakCodeValue(code));
  }

  private onDatagram(bytes: Uint8Array): void {
    if (this.closed) return;
    let packet: RocePacket;
    try {
      packet = decodeRocePacket(bytes, this.path);
    } catch {
      this.stats.badPackets++;
      return;
    }
    const { bth } = packet;
    if (bth.destQp !== this.localQp || bth.opcode.startsWith("rc-") === false) {
      this.stats.badPackets++;
      return;
    }
    const d = psnCompare(bth.psn, this.ePsn);
    if (d < 0) {
      this.stats.duplicates++;
      this.send(psnAdd(this.ePsn, -1), "ack", 0x1f);
      return;
    }
    if (d > 0) {
      this.stats.outOfOrder++;
      if (!this.nakSent) {
        this.nakSent = true;
        this.nak("psn-sequence-error");
      }
      return;
    }
    this.nakSent = false;
    this.accept(packet, bth.opcode);
  }

  private accept(packet: RocePacket, opcode: Opcode): void {
    const info = rdmaWritePosition(opcode);
    if (info === undefined) {
      this.nak("invalid-request");
      return;
    }
    const n = packet.payload.length;
    const starts = info.position === "first" || info.position === "only";
    if (starts) {
      const reth = packet.reth!;
      const region = this.regions.get(reth.rKey);
      const start = region === undefined ? -1n : reth.va - region.va;
      if (
        region === undefined ||
        start < 0n ||
        start + BigInt(reth.dmaLength) > BigInt(region.bytes.length)
      ) {
        this.nak("remote-access-error");
        return;
      }
      if (this.region !== undefined) {
        this.nak("invalid-request"); // a new message before the last one ended
        return;
      }
      this.region = region;
      this.offset = Number(start);
      this.remaining = reth.dmaLength;
      this.messageVa = reth.va;
      this.messageLength = reth.dmaLength;
    } else if (this.region === undefined) {
      this.nak("invalid-request"); // Middle or Last without a First
      return;
    }
    const ends = info.position === "last" || info.position === "only";
    const sizeOk =
      n <= this.remaining &&
      (info.position === "first" || info.position === "middle"
        ? n === this.pmtu
        : n <= this.pmtu && n === this.remaining && (info.position === "only" || n >= 1));
    if (!sizeOk) {
      this.region = undefined;
      this.nak("invalid-request");
      return;
    }
    const region = this.region;
    region.bytes.set(packet.payload, this.offset);
    this.offset += n;
    this.remaining -= n;
    this.stats.packets++;
    this.stats.bytes += n;
    const psn = packet.bth.psn;
    this.ePsn = psnAdd(this.ePsn, 1);
    if (ends) {
      this.region = undefined;
      this.msn = psnAdd(this.msn, 1);
      if (info.withImmediate && packet.immdt !== undefined) {
        this.stats.completions++;
        this.onCompletion?.({
          immediate: packet.immdt.immediate,
          va: this.messageVa,
          length: this.messageLength,
          rKey: region.rKey,
          psn,
        });
      }
    }
    if (packet.bth.ackReq) this.send(psn, "ack", 0x1f);
  }
}
