/**
 * The bridge arbiter (srio.md §5, §6; Part 6 §6.11): examples and property tests of its policy.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  BridgeArbiter,
  SrioPriorityError,
  SrioStreamError,
  arbiterItemPacket,
  checkDeliveryOrder,
  decodeSrioPacket,
  decodeSrioWrite,
  encodeSrioPacketInto,
  planSwriteStream,
  priorityLevel,
  srioFlowPacket,
  srioPacketArbiter,
  srioPacketRequiresResponse,
  srioTransactionKind,
  swriteStreamPackets,
} from "./index.js";
import type { AnySrioPacket, ArbiterItem, SrioFlowPacket } from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

const label = (it: ArbiterItem<SrioFlowPacket> | undefined): string =>
  it === undefined
    ? "-"
    : it.source === "stream"
      ? `${it.segment.kind}${it.segment.index}`
      : `${it.packet.kind}@${it.packet.prio}`;

describe("examples", () => {
  it("a higher-priority DOORBELL goes after the SWRITE in flight; a completion DOORBELL after the stream", () => {
    const arb = new BridgeArbiter();
    const header = { kind: "swrite", srcId: 1, destId: 2, prio: 0 } as const;
    arb.enqueueStream(planSwriteStream(0x1000n, 1024), header);
    arb.enqueue({ kind: "doorbell", srcId: 1, destId: 2, prio: 0 }); // completion: same flow
    expect(arb.pending).toBe(5);
    const out = [label(arb.next())];
    arb.enqueue({ kind: "doorbell", srcId: 1, destId: 2, prio: 1 });
    arb.enqueue({ kind: "nread", srcId: 1, destId: 3, prio: 2 });
    for (let i = 0; i < 6; i++) out.push(label(arb.next()));
    expect(out).toEqual([
      "swrite0",
      "nread@2",
      "doorbell@1",
      "swrite1",
      "swrite2",
      "swrite3",
      "doorbell@0",
    ]);
    expect(arb.next()).toBeUndefined();
    expect(arb.pending).toBe(0);
  });

  it("equal-priority flows share the link packet by packet (round-robin)", () => {
    const arb = new BridgeArbiter();
    arb.enqueueStream(planSwriteStream(0n, 768), { kind: "swrite", srcId: 1, destId: 2, prio: 1 });
    arb.next();
    arb.enqueue({ kind: "nwrite", srcId: 1, destId: 9, prio: 1 });
    arb.enqueue({ kind: "nwrite", srcId: 1, destId: 9, prio: 1 });
    const out = [1, 2, 3, 4].map(() => label(arb.next()));
    // The nwrite flow was empty: it joins the round-robin behind the stream.
    expect(out).toEqual(["swrite1", "nwrite@1", "swrite2", "nwrite@1"]);
  });

  it("maintenance packets: FIFO per priority, higher first; request priority is checked", () => {
    const arb = new BridgeArbiter();
    arb.enqueue({ kind: "maintenance-read", srcId: 1, destId: 2, prio: 0 });
    arb.enqueue({ kind: "maintenance-write", srcId: 1, destId: 7, prio: 2 });
    arb.enqueue({ kind: "maintenance-read", srcId: 1, destId: 5, prio: 0 });
    expect([label(arb.next()), label(arb.next()), label(arb.next())]).toEqual([
      "maintenance-write@2",
      "maintenance-read@0",
      "maintenance-read@0",
    ]);
    expect(() => arb.enqueue({ kind: "nread", srcId: 1, destId: 2, prio: 3 })).toThrow(
      SrioPriorityError,
    );
    const loose = new BridgeArbiter({ checkPriority: false });
    expect(loose.enqueue({ kind: "nread", srcId: 1, destId: 2, prio: 3 })).toBe(0);
    expect(() => loose.enqueue({ kind: "nread", srcId: 1, destId: 2, prio: 4 })).toThrow(
      SrioPriorityError,
    );
  });
});

const arbPending = fc.record({
  slot: fc.integer({ min: 0, max: 40 }),
  kind: fc.constantFrom(
    "doorbell" as const,
    "nwrite-r" as const,
    "nread" as const,
    "nwrite" as const,
    "maintenance-read" as const,
  ),
  destId: fc.constantFrom(2, 3),
  prio: fc.integer({ min: 0, max: 2 }),
  crf: fc.integer({ min: 0, max: 1 }),
});

describe(`arbiter properties (seed ${seed})`, () => {
  it("each packet once, flows in order, stream whole and in order, higher priority waits ≤ 1 SWRITE", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 20n }),
        fc.integer({ min: 1, max: 6000 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(arbPending, { maxLength: 30 }),
        (address, len, streamPrio, pending) => {
          const arb = new BridgeArbiter();
          const plan = planSwriteStream(address, len);
          const header: SrioFlowPacket = { kind: "swrite", srcId: 1, destId: 2, prio: streamPrio };
          const streamLevel = priorityLevel(header);
          // Stand-ins for the stream's segments, so the order checker sees them as packets.
          const segs: SrioFlowPacket[] = Array.from({ length: plan.count }, () => ({ ...header }));
          const sent: SrioFlowPacket[] = [];
          const enqueuedAt = new Map<SrioFlowPacket, number>(); // stream packets emitted so far
          arb.enqueueStream(plan, header);
          sent.push(...segs);
          const packets = pending.map((p) => ({ ...p, srcId: 1 }));
          const forwarded: SrioFlowPacket[] = [];
          let streamSent = 0;
          let nextOffset = 0;
          const total = plan.count + packets.length;
          for (let slot = 0; forwarded.length < total; slot++) {
            packets.forEach((p, i) => {
              if (pending[i]!.slot === slot) {
                arb.enqueue(p);
                sent.push(p);
                enqueuedAt.set(p, streamSent);
              }
            });
            const it = arb.next();
            if (it === undefined) continue; // idle until the next arrival
            if (it.source === "stream") {
              expect(it.segment.index).toBe(streamSent); // the stream in order
              expect(it.segment.offset).toBe(nextOffset); // whole packets, none split
              nextOffset += it.segment.byteLength;
              forwarded.push(segs[streamSent]!);
              streamSent++;
            } else {
              forwarded.push(it.packet);
              // A packet of a higher level than the stream waits for no further stream packet
              // once pending: at most the one in flight when it arrived.
              if (priorityLevel(it.packet) > streamLevel)
                expect(streamSent).toBe(enqueuedAt.get(it.packet));
            }
          }
          expect(nextOffset).toBe(len);
          expect(arb.next()).toBeUndefined();
          expect(new Set(forwarded).size).toBe(total); // every packet exactly once
          checkDeliveryOrder(sent, forwarded);
        },
      ),
      { seed, numRuns: runs },
    );
  });
});

const common = { ackId: 0, vc: 0, tt: "dev16", sourceId: 1 } as const;

/** A pending request of the bridge, as a packet value with a unique srcTID. */
function request(
  kind: "doorbell" | "nwrite-r" | "nread",
  tid: number,
  destId: number,
  prio: number,
  crf: number,
): AnySrioPacket {
  const h = { ...common, crf, prio, destinationId: destId, srcTid: tid };
  if (kind === "doorbell") return { ...h, ftype: "doorbell", info: 0xbeef };
  const where = { address: 0x40 + tid, wdptr: 0, xamsbs: 0 };
  if (kind === "nread") return { ...h, ...where, ftype: "request", ttype: "nread", rdsize: 0b1011 };
  const payload = Uint8Array.of(tid, 1, 2, 3, 4, 5, 6, 7);
  return { ...h, ...where, ftype: "write", ttype: "nwrite-r", wrsize: 0b1011, payload };
}

describe("packet values (srioFlowPacket, srioPacketArbiter)", () => {
  it("kind and response need from ftype/ttype; flow from the IDs and priority bits", () => {
    const nwriteR = request("nwrite-r", 3, 7, 1, 1);
    expect(srioFlowPacket(nwriteR)).toEqual({
      kind: "nwrite-r",
      srcId: 1,
      destId: 7,
      prio: 1,
      crf: 1,
      vc: 0,
    });
    expect(srioPacketRequiresResponse(nwriteR)).toBe(true);
    expect(srioTransactionKind(request("nread", 1, 2, 0, 0))).toBe("nread");
    expect(srioTransactionKind(request("doorbell", 1, 2, 0, 0))).toBe("doorbell");
    const nwrite = { ...nwriteR, ttype: "nwrite" } as AnySrioPacket;
    expect(srioPacketRequiresResponse(nwrite)).toBe(false);
    const swap = { ...nwriteR, ttype: "atomic-swap" } as AnySrioPacket;
    expect(srioTransactionKind(swap)).toBe("atomic");
    expect(() => srioTransactionKind({ ...nwriteR, ttype: "nwrite-x" } as never)).toThrow(
      /"ttype" expected a ttype of ftype write/,
    );
    expect(() => srioTransactionKind({ ...nwriteR, ftype: "type-9" } as never)).toThrow(
      /"ftype" expected/,
    );
    // The arbiter checks the request priority of packet values too (Part 6 §6.12).
    expect(() => srioPacketArbiter().enqueue(request("nread", 1, 2, 3, 0))).toThrow(
      SrioPriorityError,
    );
    // A stream queued as a plan only has no packets to give.
    const arb = srioPacketArbiter();
    arb.enqueueStream(planSwriteStream(0n, 8), { kind: "swrite", srcId: 1, destId: 2, prio: 0 });
    expect(() => arbiterItemPacket(arb.next()!)).toThrow(SrioStreamError);
  });
});

const arbRequest = fc.record({
  slot: fc.integer({ min: 0, max: 30 }),
  kind: fc.constantFrom("doorbell" as const, "nwrite-r" as const, "nread" as const),
  destId: fc.constantFrom(2, 3),
  prio: fc.integer({ min: 1, max: 2 }),
  crf: fc.integer({ min: 0, max: 1 }),
});

describe(`arbiter over packet values, on the wire (seed ${seed})`, () => {
  it("256-byte SWRITEs with DOORBELL/NWRITE_R/NREAD at higher priority: whole packets, once each, flows in order, stream rebuilt", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.array(arbRequest, { maxLength: 24 }),
        fc.boolean(),
        fc.integer(),
        (swrites, pending, completion, dataSeed) => {
          const base = 0x2_0000_0000n - 0x800n; // the stream crosses bit 32 of the address
          const data = Uint8Array.from(
            { length: swrites * 256 },
            (_, k) => (k * 13 + dataSeed) >>> 3,
          );
          const header = { tt: "dev16", destinationId: 2, sourceId: 1, prio: 0 } as const;
          const stream = swriteStreamPackets(planSwriteStream(base, data.length), data, header);
          const arb = srioPacketArbiter();
          arb.enqueueStreamPackets(stream);
          const streamFlows = Array.from({ length: stream.count }, () =>
            srioFlowPacket(stream.packetAt(0)),
          );
          const sent: SrioFlowPacket[] = [...streamFlows];
          const byTid = new Map<
            number,
            { packet: AnySrioPacket; flow: SrioFlowPacket; arrived: number }
          >();
          const total = stream.count + pending.length + (completion ? 1 : 0);
          if (completion) {
            // The completion DOORBELL: same flow as the stream, so after its last packet (srio.md §6).
            const doorbell = { ...request("doorbell", 255, 2, 0, 0), info: 0xd0e };
            const flow = srioFlowPacket(doorbell);
            arb.enqueue(doorbell);
            sent.push(flow);
            byTid.set(255, { packet: doorbell, flow, arrived: 0 });
          }
          const wire = new Uint8Array(total * 284);
          const view = new DataView(wire.buffer);
          const lengths: number[] = [];
          let at = 0;
          let streamSent = 0;
          for (let slot = 0; lengths.length < total; slot++) {
            pending.forEach((r, tid) => {
              if (r.slot !== slot) return;
              const packet = request(r.kind, tid, r.destId, r.prio, r.crf);
              const flow = srioFlowPacket(packet);
              arb.enqueue(packet);
              sent.push(flow);
              byTid.set(tid, { packet, flow, arrived: streamSent });
            });
            const item = arb.next();
            if (item === undefined) continue;
            let n: number;
            if (item.source === "stream") {
              // The allocation-free path of a bridge model.
              n = item.stream.packets!.encodePacketInto(item.segment.index, view, at);
              streamSent++;
            } else n = encodeSrioPacketInto(view, at, arbiterItemPacket(item) as never);
            lengths.push(n);
            at += n;
          }
          expect(arb.next()).toBeUndefined();

          // The receiving side: decode the sequence packet by packet.
          const rebuilt = new Uint8Array(data.length);
          const forwarded: SrioFlowPacket[] = [];
          let offset = 0;
          let swritesSeen = 0;
          for (const n of lengths) {
            const p = decodeSrioPacket(wire.subarray(offset, offset + n));
            offset += n;
            if (p.ftype === "streaming-write") {
              const w = decodeSrioWrite(p);
              const index = Number(w.address - base) / 256;
              expect(index).toBe(swritesSeen); // the stream in order, whole packets
              rebuilt.set(w.data, index * 256);
              forwarded.push(streamFlows[index]!);
              swritesSeen++;
              continue;
            }
            const tid = (p as { srcTid: number }).srcTid;
            const original = byTid.get(tid)!;
            expect(p).toEqual(original.packet); // exactly as queued
            forwarded.push(original.flow);
            // A pending request of higher priority waits at most for the SWRITE in flight.
            if (priorityLevel(original.flow) > 0) expect(swritesSeen).toBe(original.arrived);
          }
          expect(offset).toBe(at);
          expect(swritesSeen).toBe(swrites);
          expect(new Set(forwarded).size).toBe(total); // every packet exactly once
          checkDeliveryOrder(sent, forwarded); // flows in order (Part 6 §6.11)
          if (completion)
            expect(forwarded.indexOf(byTid.get(255)!.flow)).toBeGreaterThan(
              forwarded.indexOf(streamFlows[swrites - 1]!),
            );
          expect(rebuilt).toEqual(data);
        },
      ),
      { seed, numRuns: runs },
    );
  });
});
