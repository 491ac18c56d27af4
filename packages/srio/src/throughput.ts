/**
 * Serial RapidIO link throughput model (docs/reference/srio.md §10, with the packet sizes of
 * §4; RapidIO 4.1 Part 6 §1.2–1.3, §2.4–2.5, §3, §5.6): the payload one direction of an LP-Serial
 * link of 1x–16x lanes carries with back-to-back packets of one type.
 *
 * First-order model (srio.md §10): every packet is preceded by one control symbol
 * (start-of-packet; end-of-packet is implied by the next start-of-packet), acknowledgements
 * and buffer status ride on the reverse direction, and
 *
 * ```
 * 8b/10b  (CS24, CS48): goodput = N · Baud · 8/10 · (1 − 4/5000) · P / (L + C),  C = 4 or 8
 * 64b/67b (CS64):       goodput = N · Baud · 64/67 · P / (L3 + 8),             L3 = roundup8(L + 4)
 * L = header + W + CRC (2 if header + W ≤ 80, else 4) + pad (to a multiple of 4)
 * ```
 *
 * with P the useful payload, W the payload on the wire (P rounded up to a double-word: a
 * sub-double-word write or read carries one padded double-word, Part 1 §3.3), 4/5000 the
 * clock-compensation share (one K,R,R,R sequence per 5000 characters per lane, Part 6 §4.7.1,
 * srio.md §5) and the 64b/67b link CRC-32 of Part 6 §5.6. The 64b/67b form ignores Skip,
 * Status/Control and Seed ordered sequences (< 1 %, srio.md §10).
 *
 * Not modelled (srio.md §10): responses in the reverse direction, ackID-window stalls on long
 * links, retries, VC arbitration, and packet-accepted control symbols in the data direction.
 *
 * Efficiency is `goodput / (N · Baud)`: the fraction of the line baud rate that is payload —
 * the column the srio.md §10 tables give.
 *
 * Monotonicity in the payload (within one packet type, ID size, address size and control
 * symbol): the efficiency strictly increases with the payload except across the early-CRC
 * step — between the largest payload with header + W ≤ 80 bytes and the next one, the second
 * CRC-16 and a re-appearing pad add up to 12 bytes for 8 payload bytes, and the efficiency can
 * fall (Dev16 SWRITE, CS24: 64 B → 0.6395, 72 B → 0.6256). Across the step the 64b/67b
 * round-up to 8 bytes can add 16 bytes. Sub-double-word payloads (1–7 bytes) all take one wire
 * double-word, so their efficiency grows with P as well.
 *
 * @example
 * ```ts
 * import { srioThroughput } from "@rashpa/srio";
 * const t = srioThroughput({ baudGbaud: 5, width: 4, controlSymbol: 24, packet: "swrite", payloadBytes: 256 });
 * t.packetBytes; // 268 (Dev8 SWRITE, srio.md §4)
 * t.efficiency; // 0.7523… (srio.md §10)
 * t.goodputGbps; // 15.05…
 * ```
 *
 * @module
 */
import { srioFraming, srioHeaderBytes } from "./packet.js";
import { encodeReadSize } from "./size.js";
import type { SrioAddressSize } from "./packet.js";
import type { SwriteStreamOptions, SwriteStreamPlan } from "./swrite-stream.js";
import { planSwriteStream } from "./swrite-stream.js";

/** Lane rates in Gbaud (Part 6 §1.2–1.3, srio.md §10). */
export const SRIO_BAUD_GBAUD: readonly number[] = [
  1.25, 2.5, 3.125, 5.0, 6.25, 10.3125, 12.5, 25.78125,
];

/** Link widths in lanes (Part 6 §1.2). */
export const SRIO_WIDTHS: readonly number[] = [1, 2, 4, 8, 16];

/** Control-symbol sizes in bits (Part 6 §3: CS24 with IDLE1, CS48 with IDLE2, CS64 with IDLE3). */
export type LinkControlSymbolBits = 24 | 48 | 64;

/** Device ID sizes in bits (Part 3 Table 2-1: Dev8, Dev16, Dev32). */
export type SrioIdBits = 8 | 16 | 32;

/**
 * Packet types of the model: the bridge's data packets and the overhead-only ones.
 * Data: `swrite` (ftype 6), `nwrite` / `nwrite-r` (ftype 5), `nread-response` (ftype 13 ttype 8),
 * `maintenance-write`, `maintenance-read-response` (ftype 8), `message` (ftype 11). No payload:
 * `nread` (ftype 2), `doorbell` (ftype 10), `response` (ftype 13 ttype 0),
 * `maintenance-read`, `maintenance-write-response`.
 */
export type ThroughputPacketType =
  | "swrite"
  | "nwrite"
  | "nwrite-r"
  | "nread"
  | "nread-response"
  | "doorbell"
  | "response"
  | "message"
  | "maintenance-read"
  | "maintenance-write"
  | "maintenance-read-response"
  | "maintenance-write-response";

/** Every {@link ThroughputPacketType}, in the order above. */
export const THROUGHPUT_PACKET_TYPES: readonly ThroughputPacketType[] = [
  "swrite",
  "nwrite",
  "nwrite-r",
  "nread",
  "nread-response",
  "doorbell",
  "response",
  "message",
  "maintenance-read",
  "maintenance-write",
  "maintenance-read-response",
  "maintenance-write-response",
];

/** The packet types that carry a data payload (the ones {@link srioThroughput} accepts). */
export const THROUGHPUT_DATA_PACKET_TYPES: readonly ThroughputPacketType[] = [
  "swrite",
  "nwrite",
  "nwrite-r",
  "nread-response",
  "message",
  "maintenance-write",
  "maintenance-read-response",
];

/** Clock-compensation share of 8b/10b lanes: one K,R,R,R per 5000 characters (Part 6 §4.7.1, srio.md §10). */
export const CLOCK_COMPENSATION_SHARE = 4 / 5000;

/** An option of the throughput model out of range or inconsistent: names the option. */
export class SrioThroughputError extends Error {
  /** The option at fault. */
  readonly option: string;
  /**
   * @param option - the option at fault
   * @param expected - what was expected
   * @param actual - what was given
   */
  constructor(option: string, expected: string, actual: string) {
    super(`"${option}" expected ${expected}, got ${actual}`);
    this.name = "SrioThroughputError";
    this.option = option;
  }
}

/**
 * Baud Rate Class of a lane rate (Part 6 §1.3): 1 for 1.25–5 Gbaud, 2 for 6.25 Gbaud, 3 for
 * 10.3125, 12.5 and 25.78125 Gbaud.
 *
 * @throws {@link SrioThroughputError} for a rate not in {@link SRIO_BAUD_GBAUD}
 */
export function srioBaudRateClass(baudGbaud: number): 1 | 2 | 3 {
  if (!SRIO_BAUD_GBAUD.includes(baudGbaud))
    throw new SrioThroughputError(
      "baudGbaud",
      `one of ${SRIO_BAUD_GBAUD.join(", ")}`,
      String(baudGbaud),
    );
  return baudGbaud <= 5 ? 1 : baudGbaud === 6.25 ? 2 : 3;
}

/**
 * Checks a control symbol against the Baud Rate Class (Part 6 Table 1-1): CS24 (IDLE1) only at
 * Class 1, CS48 (IDLE2) at Class 1 or 2, CS64 (IDLE3, 64b/67b) at every class; Class 3 lanes
 * need CS64.
 *
 * @throws {@link SrioThroughputError} naming `controlSymbol` when the pair is not allowed
 */
export function checkLinkControlSymbol(
  baudGbaud: number,
  controlSymbol: number,
): LinkControlSymbolBits {
  const cls = srioBaudRateClass(baudGbaud);
  if (controlSymbol !== 24 && controlSymbol !== 48 && controlSymbol !== 64)
    throw new SrioThroughputError("controlSymbol", "24, 48 or 64", String(controlSymbol));
  const allowed = cls === 1 ? [24, 48, 64] : cls === 2 ? [48, 64] : [64];
  if (!allowed.includes(controlSymbol))
    throw new SrioThroughputError(
      "controlSymbol",
      `${allowed.join(" or ")} at ${baudGbaud} Gbaud (Baud Rate Class ${cls}, Part 6 Table 1-1)`,
      String(controlSymbol),
    );
  return controlSymbol;
}

/** The ftype of each packet type of the model (Part 1 Table 4-1, Part 2 §4). */
const FTYPE_OF: Record<ThroughputPacketType, number> = {
  nread: 2,
  nwrite: 5,
  "nwrite-r": 5,
  swrite: 6,
  "maintenance-read": 8,
  "maintenance-write": 8,
  "maintenance-read-response": 8,
  "maintenance-write-response": 8,
  doorbell: 10,
  message: 11,
  response: 13,
  "nread-response": 13,
};

/**
 * Bytes of a packet before its payload, as the packet codec lays them out
 * ({@link srioHeaderBytes} of `packet.ts`): 2 bytes of ackID/VC/CRF/prio/tt/ftype (Part 6
 * §2.2), the destination and source IDs (2, 4 or 8 bytes, Part 3 Fig 2-3) and the logical
 * fields of Part 1 §4.1–4.2 / Part 2 §4; 50- and 66-bit addresses add 2 or 4 bytes to the
 * addressed types (srio.md §2.2, §4).
 */
export function throughputHeaderBytes(
  packet: ThroughputPacketType,
  idBits: SrioIdBits = 8,
  addressBits: SrioAddressSize = 34,
): number {
  return srioHeaderBytes(idBits === 8 ? 0 : idBits === 16 ? 1 : 2, FTYPE_OF[packet], addressBits)!;
}

/** Whether an NREAD of `p` bytes from lane 0 has a Table 4-3 size (1–8 or 16, 32, 64, 96, …, 256). */
function isReadSize(p: number): boolean {
  try {
    encodeReadSize(p);
    return true;
  } catch {
    return false;
  }
}

function checkPayload(packet: ThroughputPacketType, p: number): void {
  const dw = (lo: number, hi: number): boolean =>
    Number.isInteger(p) && p >= lo && p <= hi && p % 8 === 0;
  let ok: boolean;
  let expected: string;
  switch (packet) {
    case "swrite":
    case "message":
      ok = dw(8, 256);
      expected = "a multiple of 8 in [8, 256] (whole double-words, Part 1 §4.1.8, Part 2 §4.2.5)";
      break;
    case "nwrite":
    case "nwrite-r":
      ok = (Number.isInteger(p) && p >= 1 && p <= 8) || dw(8, 256);
      expected = "1–8 or a multiple of 8 up to 256 (Part 1 Table 4-4)";
      break;
    case "nread-response":
      ok = isReadSize(p);
      expected = "1–8, 16, 32, 64, 96, 128, 160, 192, 224 or 256 (Part 1 Table 4-3)";
      break;
    case "maintenance-write":
    case "maintenance-read-response":
      ok = p === 4 || dw(8, 64);
      expected = "4, 8 or a multiple of 8 up to 64 (Part 1 §3.4.1)";
      break;
    default:
      ok = p === 0;
      expected = "0 (no payload)";
  }
  if (!ok) throw new SrioThroughputError("payloadBytes", expected, String(p));
}

/** Byte sizes of one packet on the wire, without the control symbol before it. */
export interface SrioPacketSize {
  /** Header bytes before the payload ({@link throughputHeaderBytes}). */
  readonly headerBytes: number;
  /** Payload bytes on the wire: the useful payload rounded up to a double-word (0 if none). */
  readonly wirePayloadBytes: number;
  /** CRC-16 bytes: 2, or 4 with the early CRC when header + payload > 80 (Part 6 §2.4.1). */
  readonly crcBytes: number;
  /** Pad bytes (0 or 2) to a 32-bit boundary after the final CRC (Part 6 §2.4.1). */
  readonly padBytes: number;
  /** L = header + payload + CRC + pad: the packet on an 8b/10b link (srio.md §4). */
  readonly packetBytes: number;
  /**
   * L3 = roundup8(L + 4): the packet on a 64b/67b link, with the link CRC-32 and the zero fill
   * to a multiple of 8 bytes (Part 6 §5.6).
   */
  readonly packetBytes64b67b: number;
}

/**
 * The size of one packet (srio.md §4; Part 6 §2.4.1, §2.5, §5.6).
 *
 * @param payloadBytes - useful payload bytes (0 for the types without payload)
 * @throws {@link SrioThroughputError} when the payload does not fit the packet type
 */
export function srioPacketSize(
  packet: ThroughputPacketType,
  payloadBytes: number,
  idBits: SrioIdBits = 8,
  addressBits: SrioAddressSize = 34,
): SrioPacketSize {
  if (!THROUGHPUT_PACKET_TYPES.includes(packet))
    throw new SrioThroughputError(
      "packet",
      `one of ${THROUGHPUT_PACKET_TYPES.join(", ")}`,
      String(packet),
    );
  if (idBits !== 8 && idBits !== 16 && idBits !== 32)
    throw new SrioThroughputError("idBits", "8, 16 or 32", String(idBits));
  if (addressBits !== 34 && addressBits !== 50 && addressBits !== 66)
    throw new SrioThroughputError("addressBits", "34, 50 or 66", String(addressBits));
  checkPayload(packet, payloadBytes);
  const headerBytes = throughputHeaderBytes(packet, idBits, addressBits);
  const wirePayloadBytes = Math.ceil(payloadBytes / 8) * 8; // Part 1 §3.3: padded double-word
  const body = headerBytes + wirePayloadBytes;
  // Part 6 §2.4.1 (the packet codec's framing): one CRC-16 up to 80 bytes, an early CRC after
  // byte 80 otherwise, then 16 zero bits of pad when the packet does not end on a 32-bit boundary.
  const framing = srioFraming(body);
  const crcBytes = framing.earlyCrcOffset === undefined ? 2 : 4;
  const padBytes = framing.padded ? 2 : 0;
  const packetBytes = framing.packetBytes;
  // Part 6 §5.6: CRC-32 appended, then zero bytes to a multiple of 8.
  const packetBytes64b67b = Math.ceil((packetBytes + 4) / 8) * 8;
  return { headerBytes, wirePayloadBytes, crcBytes, padBytes, packetBytes, packetBytes64b67b };
}

/** Inputs of {@link srioThroughput}. */
export interface SrioThroughputOptions {
  /** Lane rate in Gbaud, one of {@link SRIO_BAUD_GBAUD}. */
  readonly baudGbaud: number;
  /** Lanes: 1, 2, 4, 8 or 16. */
  readonly width: number;
  /**
   * Control symbol: 24 (IDLE1) or 48 (IDLE2) on 8b/10b lanes, 64 (IDLE3) on 64b/67b lanes;
   * checked against the Baud Rate Class ({@link checkLinkControlSymbol}).
   * @defaultValue 24 at Class 1, 48 at Class 2, 64 at Class 3
   */
  readonly controlSymbol?: number;
  /**
   * Packet type carrying the data: one of {@link THROUGHPUT_DATA_PACKET_TYPES}.
   * @defaultValue "swrite"
   */
  readonly packet?: ThroughputPacketType;
  /**
   * Useful payload bytes per packet (must fit the packet type).
   * @defaultValue 256
   */
  readonly payloadBytes?: number;
  /**
   * Device ID size in bits (Part 3 Table 2-1).
   * @defaultValue 8
   */
  readonly idBits?: number;
  /**
   * Physical address size in bits (Part 1 §4.1.1).
   * @defaultValue 34
   */
  readonly addressBits?: number;
}

/** {@link SrioThroughputOptions} with every default filled in. */
export interface ResolvedSrioThroughputOptions {
  /** Lane rate in Gbaud. */
  readonly baudGbaud: number;
  /** Lanes. */
  readonly width: number;
  /** Control-symbol size in bits. */
  readonly controlSymbol: LinkControlSymbolBits;
  /** Packet type. */
  readonly packet: ThroughputPacketType;
  /** Useful payload bytes per packet. */
  readonly payloadBytes: number;
  /** Device ID size in bits. */
  readonly idBits: SrioIdBits;
  /** Address size in bits. */
  readonly addressBits: SrioAddressSize;
}

/** Output of {@link srioThroughput}: rates in Gb/s (10^9 bit/s) unless named `GBps`. */
export interface SrioThroughput {
  /** The options with their defaults. */
  readonly options: ResolvedSrioThroughputOptions;
  /** Baud Rate Class of the lane rate (Part 6 §1.3). */
  readonly baudRateClass: 1 | 2 | 3;
  /** Line coding: `"8b/10b"` with CS24/CS48, `"64b/67b"` with CS64. */
  readonly encoding: "8b/10b" | "64b/67b";
  /** Raw rate N · Baud in Gbaud (= Gb/s on the line). */
  readonly rawGbps: number;
  /** Rate after line coding, N · Baud · 8/10 or · 64/67, in Gb/s. */
  readonly encodedGbps: number;
  /** Share of the coded rate left after clock compensation: 1 − 4/5000 (8b/10b) or 1. */
  readonly clockCompensationFactor: number;
  /** The packet's size ({@link srioPacketSize}). */
  readonly size: SrioPacketSize;
  /** Bytes per packet on the link: L (8b/10b) or L3 (64b/67b). */
  readonly packetBytes: number;
  /** Control-symbol bytes per packet: 4 (CS24), 8 (CS48) or 8 (CS64, one codeword). */
  readonly controlSymbolBytes: number;
  /** Payload share of the bytes one packet occupies: P / (L + C) or P / (L3 + 8). */
  readonly packetEfficiency: number;
  /** goodput / raw rate: the efficiency column of srio.md §10. */
  readonly efficiency: number;
  /** Payload the link carries, in Gb/s. */
  readonly goodputGbps: number;
  /** Payload in GB/s (10^9 byte/s). */
  readonly goodputGBps: number;
  /** Packets per second, in millions. */
  readonly packetsPerUs: number;
}

function oneOf(option: string, v: unknown, allowed: readonly number[]): number {
  if (typeof v !== "number" || !allowed.includes(v))
    throw new SrioThroughputError(option, `one of ${allowed.join(", ")}`, String(v));
  return v;
}

/**
 * The link options shared by {@link resolveSrioThroughputOptions} and
 * {@link srioStreamThroughput}, checked, with the control symbol's default for the Baud Rate
 * Class (24 at Class 1, 48 at Class 2, 64 at Class 3) and 8-bit IDs by default.
 */
function resolveLink(options: {
  readonly baudGbaud: number;
  readonly width: number;
  readonly controlSymbol?: number;
  readonly idBits?: number;
}): { baudGbaud: number; width: number; controlSymbol: LinkControlSymbolBits; idBits: SrioIdBits } {
  const baudGbaud = oneOf("baudGbaud", options.baudGbaud, SRIO_BAUD_GBAUD);
  const width = oneOf("width", options.width, SRIO_WIDTHS);
  const cls = srioBaudRateClass(baudGbaud);
  const controlSymbol = checkLinkControlSymbol(
    baudGbaud,
    options.controlSymbol ?? (cls === 1 ? 24 : cls === 2 ? 48 : 64),
  );
  const idBits = oneOf("idBits", options.idBits ?? 8, [8, 16, 32]) as SrioIdBits;
  return { baudGbaud, width, controlSymbol, idBits };
}

/**
 * Checks the options and fills in the defaults.
 *
 * @throws {@link SrioThroughputError} naming the first option out of range
 */
export function resolveSrioThroughputOptions(
  options: SrioThroughputOptions,
): ResolvedSrioThroughputOptions {
  const { baudGbaud, width, controlSymbol, idBits } = resolveLink(options);
  const packet = options.packet ?? "swrite";
  if (!THROUGHPUT_DATA_PACKET_TYPES.includes(packet))
    throw new SrioThroughputError(
      "packet",
      `one of ${THROUGHPUT_DATA_PACKET_TYPES.join(", ")}`,
      String(packet),
    );
  const addressBits = oneOf(
    "addressBits",
    options.addressBits ?? 34,
    [34, 50, 66],
  ) as SrioAddressSize;
  const payloadBytes = options.payloadBytes ?? 256;
  checkPayload(packet, payloadBytes);
  return { baudGbaud, width, controlSymbol, packet, payloadBytes, idBits, addressBits };
}

/** Coding constants of a link: coded bytes per second per Gbaud of raw rate, and C. */
interface LinkCoding {
  readonly encoding: "8b/10b" | "64b/67b";
  readonly codingEfficiency: number;
  readonly clockCompensationFactor: number;
  readonly controlSymbolBytes: number;
}

function coding(controlSymbol: LinkControlSymbolBits): LinkCoding {
  return controlSymbol === 64
    ? // Part 6 §5: 64 data bits per 67-bit codeword; a CS64 takes one codeword (srio.md §5).
      {
        encoding: "64b/67b",
        codingEfficiency: 64 / 67,
        clockCompensationFactor: 1,
        controlSymbolBytes: 8,
      }
    : // Part 6 §4: 8 data bits per 10-bit character; CS24 = 4 characters with its delimiter,
      // CS48 = 8 (srio.md §5); clock compensation 4 characters per 5000.
      {
        encoding: "8b/10b",
        codingEfficiency: 8 / 10,
        clockCompensationFactor: 1 - CLOCK_COMPENSATION_SHARE,
        controlSymbolBytes: controlSymbol === 24 ? 4 : 8,
      };
}

/**
 * The throughput of one direction of an SRIO link carrying back-to-back packets of one type
 * (srio.md §10; see the module comment for the formula and what it leaves out).
 *
 * @throws {@link SrioThroughputError} naming the option out of range
 */
export function srioThroughput(options: SrioThroughputOptions): SrioThroughput {
  const o = resolveSrioThroughputOptions(options);
  const c = coding(o.controlSymbol);
  const size = srioPacketSize(o.packet, o.payloadBytes, o.idBits, o.addressBits);
  // L (8b/10b) or L3 = roundup8(L + 4) (64b/67b), srio.md §10.
  const packetBytes = c.encoding === "64b/67b" ? size.packetBytes64b67b : size.packetBytes;
  const packetEfficiency = o.payloadBytes / (packetBytes + c.controlSymbolBytes);
  const rawGbps = o.width * o.baudGbaud; // N · Baud
  const encodedGbps = rawGbps * c.codingEfficiency; // · 8/10 or · 64/67
  const goodputGbps = encodedGbps * c.clockCompensationFactor * packetEfficiency;
  return {
    options: o,
    baudRateClass: srioBaudRateClass(o.baudGbaud),
    encoding: c.encoding,
    rawGbps,
    encodedGbps,
    clockCompensationFactor: c.clockCompensationFactor,
    size,
    packetBytes,
    controlSymbolBytes: c.controlSymbolBytes,
    packetEfficiency,
    efficiency: goodputGbps / rawGbps,
    goodputGbps,
    goodputGBps: goodputGbps / 8,
    packetsPerUs: (goodputGbps * 1e3) / (8 * o.payloadBytes),
  };
}

/** Inputs of {@link srioStreamThroughput}: a link and a stream. */
export interface SrioStreamThroughputOptions {
  /** Lane rate in Gbaud. */
  readonly baudGbaud: number;
  /** Lanes. */
  readonly width: number;
  /**
   * Control symbol (see {@link SrioThroughputOptions.controlSymbol}).
   * @defaultValue by Baud Rate Class
   */
  readonly controlSymbol?: number;
  /**
   * Device ID size in bits.
   * @defaultValue 8
   */
  readonly idBits?: number;
  /**
   * Segmentation options ({@link SwriteStreamOptions}); `addressBits` also sets the header size.
   * @defaultValue 34-bit addresses, 256-byte SWRITEs, head/tail as NWRITE
   */
  readonly stream?: SwriteStreamOptions;
}

/** Output of {@link srioStreamThroughput}. */
export interface SrioStreamThroughput {
  /** The segmentation plan. */
  readonly plan: SwriteStreamPlan;
  /** Packets sent (SWRITEs and sub-double-word NWRITEs). */
  readonly packets: number;
  /** Bytes on the link including one control symbol per packet (coded bytes, before 8b/10b or 64b/67b). */
  readonly linkBytes: number;
  /** Time to send the stream in nanoseconds, from the first control symbol to the last byte. */
  readonly timeNs: number;
  /** Stream bytes over the time, in Gb/s. */
  readonly goodputGbps: number;
  /** goodput / raw rate. */
  readonly efficiency: number;
}

/**
 * Time and goodput of one stream write of `byteLength` bytes at `address`, sent as planned by
 * {@link planSwriteStream} (256-byte SWRITEs plus any NWRITE head/tail), each packet sized by
 * {@link srioPacketSize} and preceded by one control symbol, on the link of the options
 * (srio.md §10 model). Closed form: the full-size SWRITEs are counted, not visited.
 *
 * @throws {@link SrioThroughputError} for a bad link option, {@link SrioStreamError} for a bad
 *   stream
 */
export function srioStreamThroughput(
  address: bigint,
  byteLength: number,
  options: SrioStreamThroughputOptions,
): SrioStreamThroughput {
  const { baudGbaud, width, controlSymbol: cs, idBits } = resolveLink(options);
  const plan = planSwriteStream(address, byteLength, options.stream ?? {});
  const c = coding(cs);
  const bytesOf = (packet: ThroughputPacketType, p: number): number => {
    const s = srioPacketSize(packet, p, idBits, plan.addressBits);
    return (c.encoding === "64b/67b" ? s.packetBytes64b67b : s.packetBytes) + c.controlSymbolBytes;
  };
  let linkBytes = 0;
  const seg = plan.count > 0 ? plan.segmentAt(0) : null;
  // Head and tail NWRITEs (at most 5 packets) one by one.
  for (let i = 0; i < plan.headCount; i++)
    linkBytes += bytesOf("nwrite", plan.segmentAt(i, seg!).byteLength);
  if (plan.tailCount === 1)
    linkBytes += bytesOf("nwrite", plan.segmentAt(plan.count - 1, seg!).byteLength);
  // SWRITEs: the first and last may be short, the others all carry the step.
  const n = plan.swriteCount;
  if (n > 0) {
    const first = plan.segmentAt(plan.headCount, seg!).byteLength;
    linkBytes += bytesOf("swrite", first);
    if (n > 1) {
      const last = plan.segmentAt(plan.headCount + n - 1, seg!).byteLength;
      linkBytes += bytesOf("swrite", last);
      if (n > 2) {
        const full = plan.segmentAt(plan.headCount + 1, seg!).byteLength;
        linkBytes += (n - 2) * bytesOf("swrite", full);
      }
    }
  }
  // Coded bytes per ns = N · Baud · (8/10 or 64/67) / 8 · clock-compensation factor.
  const rawGbps = width * baudGbaud;
  const bytesPerNs = (rawGbps * c.codingEfficiency * c.clockCompensationFactor) / 8;
  const timeNs = linkBytes / bytesPerNs;
  const goodputGbps = timeNs === 0 ? 0 : (byteLength * 8) / timeNs;
  return {
    plan,
    packets: plan.count,
    linkBytes,
    timeNs,
    goodputGbps,
    efficiency: goodputGbps / rawGbps,
  };
}
