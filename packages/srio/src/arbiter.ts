/**
 * The bridge arbiter: the order in which one SRIO port sends a long SWRITE stream and the
 * DOORBELL, NWRITE_R, NREAD, maintenance and other packets that become pending meanwhile
 * (docs/reference/srio.md §5 "packets cannot be interrupted", §6; RapidIO 4.1 Part 6 §6.6.3,
 * §6.11, §6.12).
 *
 * Policy ({@link BridgeArbiter.next} is called each time the link finishes a packet, so a
 * packet is never split and nothing is inserted inside one — Part 6 §5.6 / srio.md §5):
 *
 * 1. **Strict priority by level** (Part 6 §6.6.3: prio, then CRF, then the VC bit with
 *    `vcPriority`): the head packet of the highest level goes first. This is what Part 6 §6.11
 *    transaction delivery rule 2 asks for packets with the same source and destination, and it
 *    lets a pending higher-priority packet go right after the SWRITE in flight: it waits for at
 *    most one SWRITE packet.
 * 2. **Round-robin within a level**: among flows of the same level, the least recently served
 *    goes first (a flow that was empty joins at the back; ties go to the older packet), so
 *    equal-priority flows share the link packet by packet.
 * 3. **FIFO within a flow** (Part 6 §6.11 delivery rule 1): each transaction request flow
 *    (srcID, destID, prio, CRF, VC) is a queue; a stream occupies its flow until its last
 *    segment, so a completion DOORBELL enqueued after the stream in the same flow follows the
 *    stream's last packet (srio.md §6). Maintenance packets (ftype 8, no flow) have one FIFO
 *    queue per priority level, which with rule 1 keeps Part 6 §6.11 rule 6 (no maintenance
 *    packet passes an earlier one of priority ≥ its own).
 *
 * Fairness limit: strict priority means a lower level waits as long as a higher one has
 * packets; the stream makes progress whenever no higher-priority packet is pending. Responses
 * the port must send are packets of a higher level than their requests (Part 6 §6.12), so they
 * are never held behind a stream of requests.
 *
 * Packets are described structurally ({@link SrioFlowPacket}) by default; a
 * {@link srioPacketArbiter} queues `SrioPacket` values instead (their flow from sourceID,
 * destinationID, prio, CRF and VC; their need of a response from ftype and ttype), with
 * materialised streams ({@link BridgeArbiter.enqueueStreamPackets}) whose packets
 * {@link arbiterItemPacket} or `SwriteStreamPackets.encodePacketInto` give.
 *
 * @example
 * ```ts
 * import { BridgeArbiter, planSwriteStream } from "@rashpa/srio";
 * const arb = new BridgeArbiter();
 * arb.enqueueStream(planSwriteStream(0n, 1024), { kind: "swrite", srcId: 1, destId: 2, prio: 0 });
 * arb.next(); // SWRITE 0
 * arb.enqueue({ kind: "doorbell", srcId: 1, destId: 2, prio: 1 });
 * arb.next(); // the DOORBELL, before SWRITE 1
 * ```
 *
 * @module
 */
import type { AnySrioPacket } from "./packet.js";
import { srioFlowPacket } from "./packet-flow.js";
import { checkRequestPriority, flowKey, priorityLevel } from "./priority.js";
import type { SrioFlowPacket, SrioPriorityOptions } from "./priority.js";
import type { SwriteStreamPackets } from "./swrite-packets.js";
import { SrioStreamError } from "./swrite-stream.js";
import type { StreamSegment, SwriteStreamPlan } from "./swrite-stream.js";

/** A stream given to {@link BridgeArbiter.enqueueStream}: its plan and the header of its flow. */
export interface ArbiterStream {
  /** The stream's packets. */
  readonly plan: SwriteStreamPlan;
  /** Source, destination and priority bits shared by every packet of the stream. */
  readonly header: SrioFlowPacket;
  /** Sequence number given at enqueue time. */
  readonly seq: number;
  /** The stream's packets, when it was queued with {@link BridgeArbiter.enqueueStreamPackets}. */
  readonly packets?: SwriteStreamPackets;
}

/** One packet chosen by {@link BridgeArbiter.next}. */
export type ArbiterItem<P = SrioFlowPacket> =
  | {
      /** A queued packet. */
      readonly source: "queue";
      /** The packet as enqueued. */
      readonly packet: P;
      /** Its sequence number. */
      readonly seq: number;
    }
  | {
      /** One packet of a stream. */
      readonly source: "stream";
      /** The stream. */
      readonly stream: ArbiterStream;
      /** The segment (SWRITE or sub-double-word NWRITE). */
      readonly segment: StreamSegment;
      /** The stream's sequence number. */
      readonly seq: number;
    };

/** Options of a {@link BridgeArbiter}. */
export interface BridgeArbiterOptions<P = SrioFlowPacket> extends SrioPriorityOptions {
  /**
   * How the arbiter sees a queued packet: its kind, IDs and priority bits. Required when the
   * packets are not {@link SrioFlowPacket} objects themselves; {@link srioFlowPacket} for
   * packet values ({@link srioPacketArbiter}).
   * @defaultValue the packet itself
   */
  readonly describe?: (packet: P) => SrioFlowPacket;
  /**
   * Check each enqueued request's priority (Part 6 §6.12: no request needing a response at the
   * highest priority).
   * @defaultValue true
   */
  readonly checkPriority?: boolean;
}

// `level` is the priority level, computed once at enqueue time.
type Entry<P> =
  | { seq: number; level: number; packet: P }
  | { seq: number; level: number; stream: ArbiterStream; next: number };

interface FlowQueue<P> {
  readonly entries: Entry<P>[];
  head: number;
  lastServed: number;
}

const MAINTENANCE = "maintenance";

/**
 * Chooses the next packet of a port among a stream of SWRITEs and pending packets (see the
 * module comment for the policy). Generic in the packet type: {@link SrioFlowPacket}
 * descriptions by default, packet values with {@link srioPacketArbiter} (or any type with a
 * `describe` option).
 */
export class BridgeArbiter<P = SrioFlowPacket> {
  private readonly options: BridgeArbiterOptions<P>;
  private readonly describe: (packet: P) => SrioFlowPacket;
  private readonly flows = new Map<string, FlowQueue<P>>();
  private seq = 0;
  private served = 0;
  private count = 0;

  /** @param options - priority interpretation and checking, how to see a packet */
  constructor(options: BridgeArbiterOptions<P> = {}) {
    this.options = options;
    this.describe = options.describe ?? ((packet: P) => packet as unknown as SrioFlowPacket);
  }

  /** Packets waiting (queued packets plus the unsent segments of streams). */
  get pending(): number {
    return this.count;
  }

  private queue(key: string): FlowQueue<P> {
    let q = this.flows.get(key);
    if (q === undefined) {
      // A flow that was empty joins the round-robin at the back (as if just served).
      q = { entries: [], head: 0, lastServed: this.served };
      this.flows.set(key, q);
    }
    return q;
  }

  /**
   * Queues a packet behind the earlier packets of its flow; returns its sequence number.
   *
   * @throws {@link SrioPriorityError} when the packet's priority is out of range or, with
   *   `checkPriority`, breaks Part 6 §6.12
   */
  enqueue(packet: P): number {
    const flow = this.describe(packet);
    if (this.options.checkPriority ?? true) checkRequestPriority(flow.kind, flow, this.options);
    const level = priorityLevel(flow, this.options);
    const seq = this.seq++;
    const key = flowKey(flow) ?? `${MAINTENANCE}:${level}`;
    this.queue(key).entries.push({ seq, level, packet });
    this.count++;
    return seq;
  }

  /**
   * Queues every packet of a stream in the flow of `header` (its kind is taken as SWRITE);
   * returns the stream's sequence number.
   *
   * @throws {@link SrioPriorityError} when the header's priority bits are out of range
   */
  enqueueStream(plan: SwriteStreamPlan, header: SrioFlowPacket): number {
    return this.addStream(plan, header, undefined);
  }

  /**
   * Queues every packet of a materialised stream ({@link swriteStreamPackets}) in the flow of
   * its header (sourceID, destinationID, prio, CRF, VC); the items {@link next} returns for it
   * carry `stream.packets`, from which {@link arbiterItemPacket} or
   * `packets.encodePacketInto(segment.index, …)` give the packet. Returns the stream's
   * sequence number.
   *
   * @throws {@link SrioPriorityError} when the header's priority bits are out of range
   */
  enqueueStreamPackets(packets: SwriteStreamPackets): number {
    const h = packets.header;
    const header: SrioFlowPacket = {
      kind: "swrite",
      srcId: h.sourceId,
      destId: h.destinationId,
      prio: h.prio,
      crf: h.crf ?? 0,
      vc: h.vc ?? 0,
    };
    return this.addStream(packets.plan, header, packets);
  }

  private addStream(
    plan: SwriteStreamPlan,
    header: SrioFlowPacket,
    packets: SwriteStreamPackets | undefined,
  ): number {
    const h: SrioFlowPacket = { ...header, kind: "swrite" };
    const level = priorityLevel(h, this.options);
    const seq = this.seq++;
    if (plan.count === 0) return seq;
    const stream: ArbiterStream =
      packets === undefined ? { plan, header: h, seq } : { plan, header: h, seq, packets };
    this.queue(flowKey(h)!).entries.push({ seq, level, stream, next: 0 });
    this.count += plan.count;
    return seq;
  }

  /** The next packet to send, or `undefined` when nothing is pending. */
  next(): ArbiterItem<P> | undefined {
    let best: FlowQueue<P> | undefined;
    let bestKey = "";
    let bestLevel = -1;
    for (const [key, q] of this.flows) {
      const e = q.entries[q.head]!;
      const level = e.level;
      if (
        best === undefined ||
        level > bestLevel ||
        (level === bestLevel &&
          (q.lastServed < best.lastServed ||
            (q.lastServed === best.lastServed && e.seq < best.entries[best.head]!.seq)))
      ) {
        best = q;
        bestKey = key;
        bestLevel = level;
      }
    }
    if (best === undefined) return undefined;
    best.lastServed = ++this.served;
    this.count--;
    const e = best.entries[best.head]!;
    let item: ArbiterItem<P>;
    if ("packet" in e) {
      best.head++;
      item = { source: "queue", packet: e.packet, seq: e.seq };
    } else {
      const segment = e.stream.plan.segmentAt(e.next++);
      if (e.next === e.stream.plan.count) best.head++;
      item = { source: "stream", stream: e.stream, segment, seq: e.seq };
    }
    if (best.head === best.entries.length) this.flows.delete(bestKey);
    else if (best.head > 64 && best.head * 2 > best.entries.length) {
      best.entries.splice(0, best.head);
      best.head = 0;
    }
    return item;
  }
}

/**
 * A {@link BridgeArbiter} of packet values: each queued packet is seen through
 * {@link srioFlowPacket} (flow from its sourceID, destinationID, prio, CRF and VC bit; whether
 * it needs a response from its ftype and ttype — Part 6 §6.11, §6.12).
 *
 * @example
 * ```ts
 * const arb = srioPacketArbiter();
 * arb.enqueueStreamPackets(swriteStreamPackets(plan, data, header));
 * arb.enqueue(doorbell); // an SrioPacket value
 * const item = arb.next();
 * if (item !== undefined) encodeSrioPacket(arbiterItemPacket(item));
 * ```
 */
export function srioPacketArbiter(
  options: Omit<BridgeArbiterOptions<AnySrioPacket>, "describe"> = {},
): BridgeArbiter<AnySrioPacket> {
  return new BridgeArbiter<AnySrioPacket>({ ...options, describe: srioFlowPacket });
}

/**
 * The packet an item of a {@link srioPacketArbiter} stands for: the queued packet, or the
 * stream packet of its segment (a new value, {@link SwriteStreamPackets.packetAt}).
 *
 * @throws {@link SrioStreamError} (path `"stream"`) for a stream queued as a plan only
 *   ({@link BridgeArbiter.enqueueStream}), which has no packets
 */
export function arbiterItemPacket(item: ArbiterItem<AnySrioPacket>): AnySrioPacket {
  if (item.source === "queue") return item.packet;
  const packets = item.stream.packets;
  if (packets === undefined)
    throw new SrioStreamError(
      "stream",
      "a stream queued with its packets (enqueueStreamPackets)",
      "a plan only",
    );
  return packets.packetAt(item.segment.index);
}
