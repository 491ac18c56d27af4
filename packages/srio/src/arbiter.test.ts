/**
 * The bridge arbiter (srio.md §5, §6; Part 6 §6.11): examples and property tests of its policy.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  BridgeArbiter,
  SrioPriorityError,
  checkDeliveryOrder,
  planSwriteStream,
  priorityLevel,
} from "./index.js";
import type { ArbiterItem, SrioFlowPacket } from "./index.js";

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
