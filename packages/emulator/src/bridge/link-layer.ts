/**
 * SRIO link-level flow control on one direction of an LP-Serial link (RapidIO 4.1 Part 6 ch. 6;
 * docs/reference/srio.md §5): the transmitter numbers its packets with ackIDs, keeps each one
 * until the link partner acknowledges it and never has more than 2^N − 1 unacknowledged
 * (Part 6 §6.6.2); the receiver accepts packets only in ackID order and answers each with a
 * control symbol:
 *
 * - **packet-accepted** (Part 6 §3.4.1): the packet is delivered; the transmitter releases it.
 * - **packet-retry** (§3.4.2, §6.9.1.3): no buffer. The receiver enters Input Retry-stopped and
 *   discards every packet until restart-from-retry (§6.9.1.4); the transmitter sends
 *   restart-from-retry, backs up to the retried packet and sends it and every later packet
 *   again with the same ackIDs (§6.9.1.5).
 * - **packet-not-accepted** (§3.4.3, §6.13.2.4): a packet with a bad CRC or an unexpected
 *   ackID. The receiver enters Input Error-stopped and discards every packet until
 *   link-request/port-status (§6.13.2.6); the transmitter enters Output Error-stopped, sends
 *   link-request/port-status, and on the link-response backs up to the ackID it carries (the
 *   ackID the receiver expects) and resumes (§6.13.2.7, §6.7).
 *
 * Timing: a packet occupies the forward {@link SerialLink} for its encoded length plus one
 * control symbol (the delimiter, srio.md §10); restart-from-retry and link-request take one
 * control symbol on the forward link. Acknowledgements, packet-retry, packet-not-accepted and
 * link-response ride in the reverse direction's delimiters and idle sequence (srio.md §10: "acks
 * and buf_status ride on the reverse direction's delimiters"), so they arrive one control-symbol
 * time after the event that caused them and take no packet bandwidth.
 *
 * Two speeds: on the wire path every packet is copied with its ackID in bits 0–5 of byte 0
 * (srio.md §1: CS24 5-bit ackID left-justified, CS48 6 bits, CS64 the low 6 bits of 12), the
 * receiver checks it with `decodeSrioPacket` (CRC-16, Part 6 §2.4.2) and reads the ackID back,
 * and every control symbol is encoded with `encodeCs24WithCrc` / `encodeCs48WithCrc` /
 * `encodeCs64WithCrc` and decoded with the checked decoders at the other end. The fast path
 * keeps the same state machine on numbers and passes the packet bytes unchanged; both give the
 * same deliveries, counters and simulated times.
 *
 * Not modelled: link timeouts (no control symbol is ever lost), corrupted control symbols,
 * transmitter-controlled flow control (§6.9.2), virtual channels other than VC0, and the
 * start-of-packet symbol of CS64 that carries the high six ackID bits.
 *
 * @module
 */
import { DecodeError } from "@rashpa/bits";
import {
  cs64Stype1,
  cs64Stype1Fields,
  decodeCs24Checked,
  decodeCs48Checked,
  decodeCs64Checked,
  decodeSrioPacket,
  encodeCs24WithCrc,
  encodeCs48WithCrc,
  encodeCs64WithCrc,
  stype0Value,
  stype1Cs64Value,
} from "@rashpa/srio";
import type { Stype0 } from "@rashpa/srio";
import { EmulatorFieldError } from "../field-error.js";
import { SerialLink } from "../sim/link.js";
import type { Simulator } from "../sim/simulator.js";
import { transmissionTime } from "../sim/time.js";
import type { Rate, SimTime } from "../sim/time.js";

/** Control-symbol format of a link: 24 (CS24, IDLE1), 48 (CS48, IDLE2) or 64 (CS64, IDLE3). */
export type SrioControlSymbolFormat = 24 | 48 | 64;

/** Which of the emulator's two speeds a link runs at (see the module comment). */
export type SrioLinkSpeed = "fast" | "wire";

/** A wrong link configuration or fault request. */
export class SrioLinkError extends EmulatorFieldError {
  /** Always `"SrioLinkError"`. */
  override readonly name = "SrioLinkError";
}

/** Options of an {@link SrioLink}. */
export interface SrioLinkOptions {
  /** Name, for statistics. */
  readonly name: string;
  /** Coded bit rate of the link (after 8b/10b and clock compensation, srio.md §10). */
  readonly bitsPerSecond: Rate;
  /** Control-symbol format; sets the ackID width and the symbol's bytes on the wire (srio.md §5). */
  readonly controlSymbol: SrioControlSymbolFormat;
  /** Speed. @defaultValue `"fast"` */
  readonly speed?: SrioLinkSpeed;
  /** The receiver's side: called once with each packet it accepts, in ackID order. */
  readonly deliver: (bytes: Uint8Array) => void;
  /**
   * Time a bit takes from transmitter to receiver (cable, SerDes and receiver pipeline); packets
   * and control symbols both ways arrive this much later, so a long link needs the ackID window.
   * @defaultValue 0
   */
  readonly propagationPs?: SimTime;
}

/** What happened on one direction of a link (the transmitter's and the receiver's view). */
export interface SrioLinkCounters {
  /** Packets offered by the transmitter. */
  offered: number;
  /** Packet transmissions on the wire, retransmissions included. */
  transmissions: number;
  /** Packets the receiver accepted (delivered once each). */
  accepted: number;
  /** Packets the transmitter sent again after a back-up (Part 6 §6.9.1.5, §6.13.2.7). */
  retransmitted: number;
  /** packet-retry symbols: the receiver's sent, the transmitter's received (Part 6 §3.4.2). */
  packetRetries: number;
  /** packet-not-accepted symbols: sent by the receiver, received by the transmitter (§3.4.3). */
  notAccepted: number;
  /** link-request/port-status symbols the transmitter sent (§3.5.5). */
  linkRequests: number;
  /** Packets the receiver discarded while retry- or error-stopped (§6.9.1.4, §6.13.2.6). */
  discarded: number;
  /** Control symbols sent either way (acknowledgements, restart-from-retry, link-request, link-response). */
  controlSymbols: number;
  /** Times the transmitter waited because 2^N − 1 packets were unacknowledged (§6.6.2). */
  windowStalls: number;
}

/** The ackID state of a link (the fields of the Port n Local ackID CSR, Part 6 §7.6.7). */
export interface SrioAckIdStatus {
  /** The ackID the receiver expects in the next packet (Inbound_ackID). */
  readonly inbound: number;
  /** The ackID of the oldest unacknowledged packet (Outstanding_ackID). */
  readonly outstanding: number;
  /** The ackID the next packet transmitted gets (Outbound_ackID). */
  readonly outbound: number;
  /** Packets transmitted and not yet acknowledged. */
  readonly unacknowledged: number;
}

// Symbol kinds on the reverse direction (stype0 values, Part 6 Table 3-2).
const ACCEPTED = 0;
const RETRY = 1;
const NOT_ACCEPTED = 2;
const LINK_RESPONSE = 6;
// Forward symbols (stype1, Part 6 Table 3-17).
const RESTART_FROM_RETRY = 3;
const LINK_REQUEST = 4;
/** Port_status "OK" of a link-response (Part 6 Table 3-14: 0b10000). */
const PORT_OK = 0b10000;
/** packet-not-accepted causes (Part 6 Table 3-8). */
const CAUSE_UNEXPECTED_ACKID = 1;
const CAUSE_BAD_PACKET_CRC = 4;

/**
 * One direction of an SRIO link with its link-level flow control (see the module comment).
 * The transmitter side is {@link SrioLink.send}; the receiver side calls `options.deliver`.
 * Fault hooks: {@link SrioLink.injectRetry} (the receiver has no buffer for the next packets)
 * and {@link SrioLink.injectCrcError} (the next packets arrive with a bad CRC).
 */
export class SrioLink {
  /** The forward serialisation (packets and forward control symbols). */
  readonly wire: SerialLink;
  /** Control-symbol format. */
  readonly controlSymbol: SrioControlSymbolFormat;
  /** Speed. */
  readonly speed: SrioLinkSpeed;
  /** Largest number of unacknowledged packets: 2^N − 1 for an N-bit ackID (Part 6 §6.6.2). */
  readonly window: number;
  /** Counters of both ends. */
  readonly counters: SrioLinkCounters = {
    offered: 0,
    transmissions: 0,
    accepted: 0,
    retransmitted: 0,
    packetRetries: 0,
    notAccepted: 0,
    linkRequests: 0,
    discarded: 0,
    controlSymbols: 0,
    windowStalls: 0,
  };
  /** Called at the end of every packet transmission with the bytes as sent (ackID included on the wire path). */
  onTransmit: ((bytes: Uint8Array, end: SimTime) => void) | undefined;
  /** Called at the transmitter when the packet sent with `tag` is acknowledged by packet-accepted. */
  onAccepted: ((tag: number) => void) | undefined;
  /** Wire path: called with every control symbol as encoded, and which way it went. */
  onControlSymbol: ((bytes: Uint8Array, at: SimTime, toTransmitter: boolean) => void) | undefined;
  readonly #sim: Simulator;
  readonly #deliver: (bytes: Uint8Array) => void;
  readonly #mask: number;
  readonly #symbolPs: SimTime;
  readonly #propagationPs: SimTime;
  // Transmitter: packets queued, then unacknowledged, as parallel arrays read from a head index
  // (nothing allocated per packet).
  #qBytes: Uint8Array[] = [];
  #qTags: number[] = [];
  #qHead = 0;
  #uBytes: Uint8Array[] = [];
  #uTags: number[] = [];
  #uAcks: number[] = [];
  #uHead = 0;
  #nextAckId = 0;
  #outStopped = false;
  #busy = false;
  #stalled = false;
  // Packets on the wire or propagating, in arrival order: bytes as sent and ackID.
  readonly #aBytes: Uint8Array[] = [];
  readonly #aAcks: number[] = [];
  #aHead = 0;
  // Receiver.
  #expected = 0;
  #inState: "ok" | "retry-stopped" | "error-stopped" = "ok";
  #retryFaults = 0;
  #crcFaults = 0;
  // Reverse symbols in flight, in arrival order (same delay each): kind·2^24 + p0·2^12 + p1.
  readonly #reverse: number[] = [];
  readonly #reverseBytes: Uint8Array[] = [];
  #reverseHead = 0;
  readonly #onPacketEnd = (): void => this.#packetEnd();
  readonly #onArrive = (): void => this.#arrive();
  readonly #onReverse = (): void => this.#reverseArrives();

  /** @param sim - the simulator; @param options - rate, control symbol, speed, receiver */
  constructor(sim: Simulator, options: SrioLinkOptions) {
    const cs = options.controlSymbol;
    if (cs !== 24 && cs !== 48 && cs !== 64)
      throw new SrioLinkError("controlSymbol", "24, 48 or 64", String(cs));
    const prop = options.propagationPs ?? 0;
    if (!Number.isSafeInteger(prop) || prop < 0)
      throw new SrioLinkError("propagationPs", "a safe integer ≥ 0", String(prop));
    this.#sim = sim;
    this.#deliver = options.deliver;
    this.controlSymbol = cs;
    this.speed = options.speed ?? "fast";
    const bits = cs === 24 ? 5 : cs === 48 ? 6 : 12;
    this.#mask = (1 << bits) - 1;
    this.window = this.#mask;
    const symbolBytes = cs === 24 ? 4 : 8; // srio.md §5: 4 characters (CS24), 8 (CS48, CS64)
    this.wire = new SerialLink(sim, {
      name: options.name,
      bitsPerSecond: options.bitsPerSecond,
      overheadBytes: symbolBytes,
    });
    this.#symbolPs = transmissionTime(symbolBytes, options.bitsPerSecond);
    this.#propagationPs = prop;
  }

  /** The ackID state of both ends (Part 6 §7.6.7). */
  ackIdStatus(): SrioAckIdStatus {
    const unacknowledged = this.#uAcks.length - this.#uHead;
    return {
      inbound: this.#expected,
      outstanding: unacknowledged === 0 ? this.#nextAckId : this.#uAcks[this.#uHead]!,
      outbound: this.#nextAckId,
      unacknowledged,
    };
  }

  /** Packets offered and not yet acknowledged (queued or unacknowledged). */
  get pending(): number {
    return this.#qBytes.length - this.#qHead + this.#uAcks.length - this.#uHead;
  }

  /**
   * Queues one encoded packet (`encodeSrioPacket`) for transmission; `tag` comes back through
   * {@link SrioLink.onAccepted}.
   */
  send(bytes: Uint8Array, tag = 0): void {
    this.counters.offered++;
    this.#qBytes.push(bytes);
    this.#qTags.push(tag);
    this.#pump();
  }

  /**
   * The receiver has no buffer for the next `count` packets it would accept: it answers each
   * packet-retry (Part 6 §6.9.1.3).
   *
   * @throws SrioLinkError when `count` is not an integer ≥ 1
   */
  injectRetry(count = 1): void {
    this.#retryFaults += checkCount(count);
  }

  /**
   * The next `count` packets the receiver examines (not discarded while it is stopped) arrive
   * with a bit error, so their CRC-16 does not match (Part 6 §2.4.2) and the receiver answers
   * packet-not-accepted (§6.13.2.4).
   *
   * @throws SrioLinkError when `count` is not an integer ≥ 1
   */
  injectCrcError(count = 1): void {
    this.#crcFaults += checkCount(count);
  }

  #pump(): void {
    if (this.#busy || this.#outStopped) return;
    if (this.#qHead >= this.#qBytes.length) return;
    if (this.#uAcks.length - this.#uHead >= this.window) {
      if (!this.#stalled) this.counters.windowStalls++;
      this.#stalled = true;
      return;
    }
    this.#stalled = false;
    const i = this.#qHead++;
    const packet = this.#qBytes[i]!;
    const tag = this.#qTags[i]!;
    if (
      this.#qHead === this.#qBytes.length ||
      (this.#qHead > 1024 && this.#qHead * 2 > this.#qBytes.length)
    ) {
      compact(this.#qBytes, this.#qHead);
      compact(this.#qTags, this.#qHead);
      this.#qHead = 0;
    }
    const ackId = this.#nextAckId;
    this.#nextAckId = (ackId + 1) & this.#mask;
    this.#uBytes.push(packet);
    this.#uTags.push(tag);
    this.#uAcks.push(ackId);
    let bytes = packet;
    if (this.speed === "wire") {
      bytes = packet.slice();
      const field = this.controlSymbol === 24 ? (ackId << 1) & 0x3e : ackId & 0x3f;
      bytes[0] = (field << 2) | (bytes[0]! & 3);
    }
    this.#busy = true;
    this.#aBytes.push(bytes);
    this.#aAcks.push(ackId);
    this.counters.transmissions++;
    this.wire.transmit(bytes.length, this.#onPacketEnd);
  }

  /** A packet's last byte leaves the transmitter (Part 6 §6.8). */
  #packetEnd(): void {
    this.#busy = false;
    const bytes = this.#aBytes[this.#aBytes.length - 1]!;
    this.onTransmit?.(bytes, this.#sim.now());
    if (this.#propagationPs === 0) this.#arrive();
    else this.#sim.scheduleAfter(this.#propagationPs, this.#onArrive);
    this.#pump();
  }

  /** The oldest packet on its way reaches the receiver. */
  #arrive(): void {
    const i = this.#aHead++;
    const bytes = this.#aBytes[i]!;
    const ackId = this.#aAcks[i]!;
    if (this.#aHead === this.#aBytes.length) {
      this.#aBytes.length = 0;
      this.#aAcks.length = 0;
      this.#aHead = 0;
    }
    this.#receive(ackId, bytes);
  }

  #receive(sentAckId: number, bytes: Uint8Array): void {
    if (this.#inState !== "ok") {
      this.counters.discarded++;
      return;
    }
    let bad = this.#crcFaults > 0;
    if (bad) {
      this.#crcFaults--;
      // A bit error on the line: the CRC-16 (or the early CRC) no longer matches.
      if (this.speed === "wire") bytes[3] = bytes[3]! ^ 1;
    }
    let ackId = sentAckId;
    if (this.speed === "wire") {
      bad = false;
      try {
        decodeSrioPacket(bytes);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        bad = true;
      }
      const field = bytes[0]! >>> 2;
      ackId = this.controlSymbol === 24 ? field >>> 1 : field;
    }
    // CS64 packets carry the low six bits of the 12-bit ackID (srio.md §1).
    const expected =
      this.speed === "wire" && this.controlSymbol === 64 ? this.#expected & 0x3f : this.#expected;
    if (bad || ackId !== expected) {
      this.#inState = "error-stopped";
      this.counters.notAccepted++;
      this.#toTransmitter(
        NOT_ACCEPTED,
        this.#expected,
        bad ? CAUSE_BAD_PACKET_CRC : CAUSE_UNEXPECTED_ACKID,
      );
      return;
    }
    if (this.#retryFaults > 0) {
      this.#retryFaults--;
      this.#inState = "retry-stopped";
      this.counters.packetRetries++;
      this.#toTransmitter(RETRY, this.#expected, 0);
      return;
    }
    this.#expected = (this.#expected + 1) & this.#mask;
    this.counters.accepted++;
    this.#toTransmitter(ACCEPTED, sentAckId, this.#paramMask());
    this.#deliver(bytes);
  }

  /** Largest parameter value: buf_status "that many or more free buffers". */
  #paramMask(): number {
    return this.controlSymbol === 24 ? 0x1f : this.controlSymbol === 48 ? 0x3f : 0xfff;
  }

  /** A symbol from the receiver to the transmitter, one control-symbol time (and the propagation) later. */
  #toTransmitter(kind: number, p0: number, p1: number): void {
    this.counters.controlSymbols++;
    this.#reverse.push(kind * 2 ** 24 + p0 * 2 ** 12 + p1);
    const delay = this.#symbolPs + this.#propagationPs;
    if (this.speed === "wire") {
      const bytes = this.#encodeSymbol(kind, p0, p1, 7, 0);
      this.#reverseBytes.push(bytes);
      this.onControlSymbol?.(bytes, this.#sim.now() + delay, true);
    }
    this.#sim.scheduleAfter(delay, this.#onReverse);
  }

  #reverseArrives(): void {
    const i = this.#reverseHead++;
    let v = this.#reverse[i]!;
    if (this.speed === "wire") {
      const s = this.#decodeSymbol(this.#reverseBytes[i]!);
      v = s.stype0 * 2 ** 24 + s.parameter0 * 2 ** 12 + s.parameter1;
    }
    if (this.#reverseHead === this.#reverse.length) {
      this.#reverse.length = 0;
      this.#reverseBytes.length = 0;
      this.#reverseHead = 0;
    }
    const kind = Math.floor(v / 2 ** 24);
    const p0 = Math.floor(v / 2 ** 12) & 0xfff;
    switch (kind) {
      case ACCEPTED: {
        // Acknowledgements come in ackID order (Part 6 §6.8).
        const head = this.#uHead < this.#uAcks.length ? this.#uAcks[this.#uHead] : undefined;
        if (head !== p0)
          throw new SrioLinkError(
            "packet_ackID",
            head === undefined ? "no packet-accepted" : String(head),
            String(p0),
          );
        this.#release();
        this.#pump();
        return;
      }
      case RETRY:
        // Output Retry-stopped (Part 6 §6.9.1.5): restart-from-retry, back up, resume.
        this.#toReceiver(RESTART_FROM_RETRY);
        this.#backUp(p0);
        this.#pump();
        return;
      case NOT_ACCEPTED:
        // Output Error-stopped (§6.13.2.7): link-request/port-status, wait for link-response.
        this.#outStopped = true;
        this.counters.linkRequests++;
        this.#toReceiver(LINK_REQUEST);
        return;
      case LINK_RESPONSE:
        this.#backUp(p0);
        this.#outStopped = false;
        this.#pump();
        return;
      default:
        throw new SrioLinkError("stype0", "an acknowledgement or link-response", String(kind));
    }
  }

  /** The oldest unacknowledged packet is accepted: release it. */
  #release(): void {
    const i = this.#uHead++;
    const tag = this.#uTags[i]!;
    this.#uBytes[i] = EMPTY;
    if (
      this.#uHead === this.#uAcks.length ||
      (this.#uHead > 1024 && this.#uHead * 2 > this.#uAcks.length)
    ) {
      compact(this.#uBytes, this.#uHead);
      compact(this.#uTags, this.#uHead);
      compact(this.#uAcks, this.#uHead);
      this.#uHead = 0;
    }
    this.onAccepted?.(tag);
  }

  /** Puts every unacknowledged packet from `ackId` on back at the head of the queue. */
  #backUp(ackId: number): void {
    // Packets before ackId were accepted (their acknowledgements may have been lost: §6.13.2.7).
    while (this.#uHead < this.#uAcks.length && this.#uAcks[this.#uHead] !== ackId) this.#release();
    const n = this.#uAcks.length - this.#uHead;
    this.counters.retransmitted += n;
    if (n > 0) {
      this.#qBytes = this.#uBytes.slice(this.#uHead).concat(this.#qBytes.slice(this.#qHead));
      this.#qTags = this.#uTags.slice(this.#uHead).concat(this.#qTags.slice(this.#qHead));
      this.#qHead = 0;
      this.#uBytes = [];
      this.#uTags = [];
      this.#uAcks = [];
      this.#uHead = 0;
    }
    this.#nextAckId = ackId;
  }

  /** A control symbol on the forward link (restart-from-retry or link-request/port-status). */
  #toReceiver(stype1: number): void {
    this.counters.controlSymbols++;
    let bytes: Uint8Array | undefined;
    if (this.speed === "wire") bytes = this.#encodeSymbol(4, 0, 0, stype1, stype1 === 4 ? 4 : 0);
    const arrive = (): void => {
      let st1 = stype1;
      if (bytes !== undefined) {
        this.onControlSymbol?.(bytes, this.#sim.now(), false);
        st1 = this.#decodeSymbol(bytes).stype1;
      }
      if (st1 === RESTART_FROM_RETRY) {
        // Input Retry-stopped ends (Part 6 §6.9.1.4).
        if (this.#inState === "retry-stopped") this.#inState = "ok";
        return;
      }
      // Input Error-stopped ends with a link-response carrying the expected ackID (§6.13.2.6).
      this.#inState = "ok";
      this.#toTransmitter(LINK_RESPONSE, this.#expected, PORT_OK);
    };
    this.wire.transmit(0, () =>
      this.#propagationPs === 0 ? arrive() : this.#sim.scheduleAfter(this.#propagationPs, arrive),
    );
  }

  /**
   * Encodes a control symbol (srio.md §5): stype0 with its two parameters, stype1 and cmd. A
   * forward symbol carries stype0 status (4) with ackID_status 0; a reverse one stype1 NOP.
   */
  #encodeSymbol(stype0: number, p0: number, p1: number, stype1: number, cmd: number): Uint8Array {
    const s0 = STYPE0[stype0]!;
    if (this.controlSymbol === 24)
      return encodeCs24WithCrc({
        stype0: s0,
        parameter0: p0,
        parameter1: p1,
        stype1: STYPE1[stype1]!,
        cmd,
      });
    if (this.controlSymbol === 48)
      return encodeCs48WithCrc({
        stype0: s0,
        parameter0: p0,
        parameter1: p1,
        stype1: STYPE1[stype1]!,
        cmd,
      });
    // CS64 stype1 (Part 6 Table 3-18): NOP 0x38, restart-from-retry 0x18, link-request/port-status 0x24.
    const cs64 =
      stype1 === 7
        ? stype1Cs64Value("nop")
        : stype1 === RESTART_FROM_RETRY
          ? stype1Cs64Value("restart-from-retry")
          : stype1Cs64Value("link-request-port-status");
    return encodeCs64WithCrc({
      stype0: s0,
      parameter0: p0,
      parameter1: p1,
      ...cs64Stype1Fields(cs64),
    });
  }

  /** Decodes and checks a control symbol; stype1 in the CS24/CS48 numbering. */
  #decodeSymbol(bytes: Uint8Array): {
    stype0: number;
    parameter0: number;
    parameter1: number;
    stype1: number;
  } {
    if (this.controlSymbol === 64) {
      const s = decodeCs64Checked(bytes);
      const st1 = cs64Stype1(s);
      return {
        stype0: stype0Value(s.stype0),
        parameter0: s.parameter0,
        parameter1: s.parameter1,
        stype1:
          st1 === stype1Cs64Value("restart-from-retry")
            ? RESTART_FROM_RETRY
            : st1 === stype1Cs64Value("link-request-port-status")
              ? LINK_REQUEST
              : 7,
      };
    }
    const s = this.controlSymbol === 24 ? decodeCs24Checked(bytes) : decodeCs48Checked(bytes);
    return {
      stype0: stype0Value(s.stype0),
      parameter0: s.parameter0,
      parameter1: s.parameter1,
      stype1: STYPE1.indexOf(s.stype1),
    };
  }
}

const STYPE0: readonly Stype0[] = [
  "packet-accepted",
  "packet-retry",
  "packet-not-accepted",
  "timestamp",
  "status",
  "vc-status",
  "link-response",
  "implementation-defined",
];

const STYPE1 = [
  "start-of-packet",
  "stomp",
  "end-of-packet",
  "restart-from-retry",
  "link-request",
  "timing",
  "reserved",
  "nop",
] as const;

const EMPTY = new Uint8Array(0);

/** Drops the first `n` elements of `a` in place. */
function compact<T>(a: T[], n: number): void {
  a.copyWithin(0, n);
  a.length -= n;
}

function checkCount(count: number): number {
  if (!Number.isInteger(count) || count < 1)
    throw new SrioLinkError("count", "an integer ≥ 1", String(count));
  return count;
}
