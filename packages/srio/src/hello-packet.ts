/**
 * Conversion between a Xilinx SRIO Gen2 HELLO packet (header beat, tuser and payload beats;
 * docs/reference/srio.md §7) and the logical packet value of the packet codec (packet.ts,
 * 34-bit addresses).
 *
 * HELLO carries a 34-bit byte address and SIZE = bytes − 1; the logical packet carries address
 * bits 33:3 (xamsbs ‖ address), wdptr and rdsize/wrsize (RapidIO 4.1 Part 1 §4.1.1–4.1.2,
 * Tables 4-3 and 4-4). The conversion goes through size.ts both ways: a read size is exact, a
 * multi-double-word write size is the smallest "maximum" that holds the payload (srio.md §3).
 *
 * The representable packets are NREAD, NWRITE, NWRITE_R, SWRITE, DOORBELL and the type 13
 * RESPONSE without and with data, with 8- or 16-bit device IDs (tuser holds 16 bits each),
 * VC 0 and 34-bit addresses. Decisions, for a lossless round trip both ways:
 * - HELLO has no ackID (the link assigns it): packets from HELLO have ackID 0, and the ackID of
 *   a packet is dropped.
 * - Payload beats are whole double-words, as the logical payload (srio.md §7: SIZE[7:3] + 1
 *   beats): a write of 1–8 bytes carries one double-word with its bytes in the lanes of its
 *   address (Part 1 §3.5), the same double-word in both forms.
 * - A DOORBELL header has SIZE 1 (the 2 info bytes, as the Xilinx example design sends it) and
 *   its info in ADDRESS bits 31:16.
 * - A RESPONSE header has SIZE 0 and ADDRESS 0 (the example design's; the data length comes
 *   from tlast, i.e. the payload), and status DONE or ERROR (ERROR bit 35). Other statuses are
 *   not in the verified HELLO mapping (srio.md §13 item 5).
 * - MESSAGE, message responses, ATOMICs, maintenance (its own AXI4-Lite port) and data
 *   streaming are rejected: their HELLO mapping is unverified (srio.md §7, §13 item 5).
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";
import type { Hello } from "./gen/hello.js";
import {
  decodeHelloTuser,
  encodeHelloTuser,
  HELLO_BEAT_BYTES,
  helloDataBeats,
  helloDoorbellAddress,
  helloDoorbellInfo,
} from "./hello.js";
import type { SrioPacket } from "./packet.js";
import { assertSrioPacketRules } from "./rules.js";
import { encodeReadSize, encodeWriteSize, decodeReadSize, decodeWriteSize } from "./size.js";
import type { SrioSizeCode } from "./size.js";
import { splitSrioAddress, srioByteAddress } from "./address.js";

/** A whole HELLO packet: header beat, tuser of the header beat and the payload beats (srio.md §7). */
export interface HelloPacket {
  /** The header beat. */
  readonly header: Hello;
  /** tuser[31:0] = {srcID, destID}. */
  readonly tuser: number;
  /** Payload beats, 8 bytes each, the lowest-address byte first; empty without data. */
  readonly payload: Uint8Array;
}

/** Options of {@link srioPacketFromHello}. */
export interface HelloToSrioOptions {
  /**
   * The device ID size of the system (RapidIO 4.1 Part 3 Table 2-1); HELLO's tuser carries
   * 16-bit IDs, which must fit.
   */
  readonly tt: "dev8" | "dev16";
}

/**
 * A HELLO packet or logical packet that has no counterpart in the other form: `path` names the
 * field, the message is `"<field>" expected X, got Y` and says why.
 *
 * @example
 * ```ts
 * try { helloFromSrioPacket(p); } catch (e) { if (e instanceof HelloConversionError) e.path; }
 * ```
 */
export class HelloConversionError extends CodecError {
  /** Always `"HelloConversionError"`. */
  override readonly name = "HelloConversionError";

  /**
   * @param path - the offending field.
   * @param expected - what the conversion needs.
   * @param found - what was found.
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}

const UNVERIFIED =
  "NREAD, NWRITE, NWRITE_R, SWRITE, DOORBELL or a RESPONSE (the other HELLO mappings are unverified, srio.md §13 item 5)";

/** Runs `f`, turning a codec error of a helper into a {@link HelloConversionError}. */
function convert<T>(path: string, expected: string, found: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CodecError) throw new HelloConversionError(path, expected, found);
    throw e;
  }
}

function hexAddress(a: bigint): string {
  return `0x${a.toString(16)}`;
}

/**
 * The logical packet of a HELLO packet (srio.md §7; RapidIO 4.1 Part 1 §4.1.1–4.1.8,
 * Part 2 §4.2.4, Part 1 §4.2.3). The ackID is 0, the VC bit 0.
 *
 * @param header - the HELLO header beat.
 * @param tuser - tuser of the header beat, {srcID, destID}.
 * @param payload - the payload beats (empty for NREAD, DOORBELL and responses without data).
 * @param options - the system's device ID size.
 * @returns a packet that passes {@link assertSrioPacketRules}.
 * @throws HelloConversionError naming the field when the HELLO packet has no logical
 *   counterpart: an unverified ftype/ttype (MESSAGE, ATOMIC, data streaming), a SIZE and
 *   address no rdsize/wrsize row expresses, a payload of the wrong length, an ID that does not
 *   fit `tt`.
 * @example
 * ```ts
 * srioPacketFromHello(decodeHello(fromHex("4024200000002307")), 0x001300ff, new Uint8Array(0),
 *   { tt: "dev8" }); // NREAD, rdsize 0b0011, wdptr 1, address 0x460
 * ```
 */
export function srioPacketFromHello(
  header: Hello,
  tuser: number,
  payload: Uint8Array,
  options: HelloToSrioOptions,
): SrioPacket {
  const ids = decodeHelloTuser(tuser);
  const tt = options.tt;
  if (tt === "dev8" && (ids.srcId > 0xff || ids.destId > 0xff))
    throw new HelloConversionError(
      "tuser",
      "8-bit source and destination IDs (tt dev8)",
      `0x${tuser.toString(16).padStart(8, "0")}`,
    );
  const base = {
    ackId: 0,
    vc: 0,
    crf: header.crf ? 1 : 0,
    prio: header.prio,
    tt,
    destinationId: ids.destId,
    sourceId: ids.srcId,
  } as const;
  const bytes = header.size + 1;
  const address = header.address;
  const key = `${header.ftype}/${header.ttype}`;
  const noPayload = (): void => {
    if (payload.length !== 0)
      throw new HelloConversionError("payload", "no payload beats", `${payload.length} bytes`);
  };
  const beats = (): void => {
    const want = helloDataBeats(header.size) * HELLO_BEAT_BYTES;
    if (payload.length !== want)
      throw new HelloConversionError(
        "payload",
        `${want} bytes (SIZE[7:3] + 1 beats)`,
        `${payload.length} bytes`,
      );
  };
  // address‖xamsbs, wdptr and rdsize/wrsize of the byte address and SIZE (Part 1 Tables 4-3, 4-4).
  const sized = (
    read: boolean,
  ): SrioSizeCode & { address: number; wdptr: number; xamsbs: number } => {
    const split = splitSrioAddress(address);
    const code = convert(
      "size",
      read
        ? "a read of RapidIO 4.1 Part 1 Table 4-3 at this address"
        : "a write of RapidIO 4.1 Part 1 Table 4-4 at this address (sub-double-word lanes, or whole double-words from a double-word address)",
      `${bytes} bytes at ${hexAddress(address)}`,
      () => (read ? encodeReadSize : encodeWriteSize)(bytes, split.firstLane),
    );
    return { size: code.size, address: split.address, wdptr: code.wdptr, xamsbs: split.xamsbs };
  };
  let packet: SrioPacket;
  switch (key) {
    case "request-class/4": {
      noPayload();
      const { size, ...fields } = sized(true);
      packet = {
        ...base,
        ftype: "request",
        ttype: "nread",
        rdsize: size,
        srcTid: header.tid,
        ...fields,
      };
      break;
    }
    case "write-class/4":
    case "write-class/5": {
      beats();
      const { size, ...fields } = sized(false);
      const ttype = header.ttype === 4 ? "nwrite" : "nwrite-r";
      const data = payload.slice();
      packet = {
        ...base,
        ftype: "write",
        ttype,
        wrsize: size,
        srcTid: header.tid,
        ...fields,
        payload: data,
      };
      break;
    }
    case "streaming-write/0": {
      beats();
      if ((address & 7n) !== 0n || bytes % 8 !== 0)
        throw new HelloConversionError(
          "size",
          "whole double-words from a double-word address (RapidIO 4.1 Part 1 §4.1.8)",
          `${bytes} bytes at ${hexAddress(address)}`,
        );
      const split = splitSrioAddress(address);
      packet = {
        ...base,
        ftype: "streaming-write",
        address: split.address,
        xamsbs: split.xamsbs,
        payload: payload.slice(),
      };
      break;
    }
    case "doorbell/0": {
      noPayload();
      if (header.size !== 1)
        throw new HelloConversionError("size", "1 (the 2 info bytes)", String(header.size));
      const info = convert(
        "address",
        "info << 16 (bits 33:32 and 15:0 clear)",
        hexAddress(address),
        () => helloDoorbellInfo(address),
      );
      packet = { ...base, ftype: "doorbell", srcTid: header.tid, info };
      break;
    }
    case "response/0":
    case "response/8": {
      if (header.size !== 0 || address !== 0n)
        throw new HelloConversionError(
          header.size !== 0 ? "size" : "address",
          "0 in a response header (the length comes from tlast)",
          header.size !== 0 ? String(header.size) : hexAddress(address),
        );
      const status = header.error ? 7 : 0;
      if (header.ttype === 0) {
        noPayload();
        packet = { ...base, ftype: "response", ttype: "no-data", status, targetTid: header.tid };
      } else {
        packet = {
          ...base,
          ftype: "response",
          ttype: "with-data",
          status,
          targetTid: header.tid,
          payload: payload.slice(),
        };
      }
      break;
    }
    default:
      throw new HelloConversionError(
        "ftype",
        UNVERIFIED,
        `ftype ${header.ftype}, ttype ${header.ttype}`,
      );
  }
  convert("packet", "a packet that keeps the rules of RapidIO 4.1 (rules.ts)", key, () =>
    assertSrioPacketRules(packet),
  );
  return packet;
}

/**
 * The HELLO packet of a logical packet (srio.md §7): the inverse of
 * {@link srioPacketFromHello} on the representable packets (see the module documentation). The
 * ackID is dropped; a multi-double-word write's SIZE is its payload length − 1, whatever the
 * maximum its wrsize gives.
 *
 * @param packet - a packet of a 34-bit-address system.
 * @returns the header beat, tuser and payload beats.
 * @throws SrioRuleError when the packet breaks a rule of rules.ts
 * @throws HelloConversionError naming the field when the packet has no HELLO counterpart:
 *   MESSAGE, ATOMIC, maintenance, a message response (unverified mappings, srio.md §13 item 5),
 *   Dev32 IDs, VC 1, a response status other than DONE or ERROR.
 * @example
 * ```ts
 * helloFromSrioPacket(doorbell).header.address; // info << 16
 * ```
 */
export function helloFromSrioPacket(packet: SrioPacket): HelloPacket {
  assertSrioPacketRules(packet);
  const p = packet as unknown as PacketView;
  if (p.tt === "dev32")
    throw new HelloConversionError("tt", "dev8 or dev16 (tuser carries 16-bit IDs)", "dev32");
  if (p.vc !== 0) throw new HelloConversionError("vc", "0 (HELLO has no VC field)", String(p.vc));
  const tuser = encodeHelloTuser({ srcId: p.sourceId, destId: p.destinationId });
  const none = new Uint8Array(0);
  const data = p.payload === undefined ? none : p.payload.slice();
  const hello = (
    tid: number,
    ftype: Hello["ftype"],
    ttype: number,
    size: number,
    address: bigint,
    error = false,
  ): HelloPacket => ({
    header: { tid, ftype, ttype, prio: p.prio, crf: p.crf === 1, size, error, address },
    tuser,
    payload: data,
  });
  const tid = p.srcTid ?? 0;
  const wdptr = p.wdptr ?? 0;
  if (p.ftype === "request" && p.ttype === "nread") {
    const size = decodeReadSize(p.rdsize ?? 0, wdptr);
    const address = srioByteAddress(p) + BigInt(size.firstLane);
    return hello(tid, "request-class", 4, size.bytes - 1, address);
  }
  if (p.ftype === "write" && (p.ttype === "nwrite" || p.ttype === "nwrite-r")) {
    const size = decodeWriteSize(p.wrsize ?? 0, wdptr);
    const bytes = size.maximum ? data.length : size.bytes;
    const address = srioByteAddress(p) + BigInt(size.firstLane);
    return hello(tid, "write-class", p.ttype === "nwrite" ? 4 : 5, bytes - 1, address);
  }
  if (p.ftype === "streaming-write")
    return hello(0, "streaming-write", 0, data.length - 1, srioByteAddress(p));
  if (p.ftype === "doorbell")
    return hello(tid, "doorbell", 0, 1, helloDoorbellAddress(p.info ?? 0));
  if (p.ftype === "response" && p.ttype !== "message-response") {
    const status = p.status ?? 0;
    if (status !== 0 && status !== 7)
      throw new HelloConversionError(
        "status",
        "DONE (0) or ERROR (7): the ERROR bit is the only status HELLO carries (srio.md §13 item 5)",
        String(status),
      );
    const ttype = p.ttype === "no-data" ? 0 : 8;
    return hello(p.targetTid ?? 0, "response", ttype, 0, 0n, status === 7);
  }
  throw new HelloConversionError(
    "ftype",
    UNVERIFIED,
    `${p.ftype}${p.ttype === undefined ? "" : ` ${p.ttype}`}`,
  );
}

/** The fields of a packet the conversion reads, whatever the variant. */
interface PacketView {
  readonly ftype: string;
  readonly ttype?: string;
  readonly tt: string;
  readonly vc: number;
  readonly crf: number;
  readonly prio: number;
  readonly destinationId: number;
  readonly sourceId: number;
  readonly srcTid?: number;
  readonly targetTid?: number;
  readonly rdsize?: number;
  readonly wrsize?: number;
  readonly wdptr?: number;
  readonly address: number;
  readonly xamsbs: number;
  readonly info?: number;
  readonly status?: number;
  readonly payload?: Uint8Array;
}
