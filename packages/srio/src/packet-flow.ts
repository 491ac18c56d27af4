/**
 * Packet values as the priority, flow and ordering rules see them: the transaction kind of a
 * decoded or built {@link AnySrioPacket} from its ftype and ttype (RapidIO 4.1 Part 1 Tables
 * 4-1, 4-5 to 4-9; Part 2 §4), and its {@link SrioFlowPacket} (sourceID, destinationID, prio,
 * CRF, VC — the transaction request flow of Part 6 §6.11), so that {@link BridgeArbiter},
 * {@link checkDeliveryOrder} and the other rules of `priority.ts` apply to real packets.
 *
 * @module
 */
import { EncodeError, describeValue, fieldMessage } from "@rashpa/bits";
import type { AnySrioPacket } from "./packet.js";
import { requiresResponse } from "./priority.js";
import type { SrioFlowPacket, SrioTransactionKind } from "./priority.js";

/** ttype → kind for ftype 2 (Part 1 Table 4-5), 5 (Table 4-6) and 8 (Table 4-7). */
const KIND_BY_TTYPE: Readonly<Record<string, Readonly<Record<string, SrioTransactionKind>>>> = {
  request: {
    nread: "nread",
    "atomic-inc": "atomic",
    "atomic-dec": "atomic",
    "atomic-set": "atomic",
    "atomic-clr": "atomic",
  },
  write: {
    nwrite: "nwrite",
    "nwrite-r": "nwrite-r",
    "atomic-swap": "atomic",
    "atomic-compare-and-swap": "atomic",
    "atomic-test-and-swap": "atomic",
  },
  maintenance: {
    "read-request": "maintenance-read",
    "write-request": "maintenance-write",
    "read-response": "maintenance-response",
    "write-response": "maintenance-response",
    "port-write": "port-write",
  },
};

/** Kinds of the ftypes whose kind does not depend on ttype (Part 1 Table 4-1, Part 2 §4). */
const KIND_BY_FTYPE: Readonly<Record<string, SrioTransactionKind>> = {
  "streaming-write": "swrite",
  doorbell: "doorbell",
  message: "message",
  response: "response",
};

/**
 * The transaction kind of a packet: ftype 2 → `nread` or `atomic`, 5 → `nwrite`, `nwrite-r` or
 * `atomic`, 6 → `swrite`, 8 → `maintenance-read`, `maintenance-write`, `maintenance-response` or
 * `port-write`, 10 → `doorbell`, 11 → `message`, 13 → `response` (RapidIO 4.1 Part 1 Tables 4-1,
 * 4-5 to 4-7; Part 2 §4).
 *
 * @throws EncodeError (path `"ftype"` or `"ttype"`) for a value that is not a packet of the codec
 * @example
 * ```ts
 * srioTransactionKind({ ...header, ftype: "write", ttype: "nwrite-r", … }); // "nwrite-r"
 * ```
 */
export function srioTransactionKind(packet: AnySrioPacket): SrioTransactionKind {
  const v = packet as unknown as Readonly<Record<string, unknown>>;
  const ftype = v["ftype"];
  const direct = typeof ftype === "string" ? KIND_BY_FTYPE[ftype] : undefined;
  if (direct !== undefined) return direct;
  const byTtype = typeof ftype === "string" ? KIND_BY_TTYPE[ftype] : undefined;
  if (byTtype === undefined) {
    const expected = "one of the packet codec's ftypes";
    const found = describeValue(ftype);
    throw new EncodeError(fieldMessage("ftype", expected, found), {
      path: "ftype",
      expected,
      found,
    });
  }
  const ttype = v["ttype"];
  const kind = typeof ttype === "string" ? byTtype[ttype] : undefined;
  if (kind === undefined) {
    const expected = `a ttype of ftype ${String(ftype)}`;
    const found = describeValue(ttype);
    throw new EncodeError(fieldMessage("ttype", expected, found), {
      path: "ttype",
      expected,
      found,
    });
  }
  return kind;
}

/**
 * Whether a packet is a request that needs a response (NREAD, NWRITE_R, ATOMIC, DOORBELL,
 * MESSAGE, maintenance read/write; RapidIO 4.1 Part 1 §3.3–3.4, Part 2 §3), from its ftype and
 * ttype.
 *
 * @throws EncodeError like {@link srioTransactionKind}
 */
export function srioPacketRequiresResponse(packet: AnySrioPacket): boolean {
  return requiresResponse(srioTransactionKind(packet));
}

/**
 * The packet as the flow and ordering rules see it: its kind ({@link srioTransactionKind}),
 * sourceID, destinationID, prio, CRF and VC bit (the transaction request flow of RapidIO 4.1
 * Part 6 §6.11). A fresh object on each call; pass it as `describe` to a {@link BridgeArbiter}
 * of packet values ({@link srioPacketArbiter}).
 *
 * @throws EncodeError like {@link srioTransactionKind}
 */
export function srioFlowPacket(packet: AnySrioPacket): SrioFlowPacket {
  return {
    kind: srioTransactionKind(packet),
    srcId: packet.sourceId,
    destId: packet.destinationId,
    prio: packet.prio,
    crf: packet.crf,
    vc: packet.vc,
  };
}
