import { lawSeed } from "@rashpa/laws";
import {
  decodeCs24Checked,
  decodeCs48Checked,
  decodeCs64Checked,
  decodeSrioPacket,
  encodeSrioPacket,
} from "@rashpa/srio";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Simulator } from "../sim/simulator.js";
import { SrioLink, SrioLinkError } from "./link-layer.js";
import type { SrioControlSymbolFormat, SrioLinkSpeed } from "./link-layer.js";

/** SWRITE number `i` (its double-word address is `i`), 8–256 bytes of payload. */
function packet(i: number, dws: number): Uint8Array {
  return encodeSrioPacket({
    ackId: 0,
    vc: 0,
    crf: 0,
    prio: 0,
    tt: "dev8",
    ftype: "streaming-write",
    destinationId: 1,
    sourceId: 2,
    address: i,
    xamsbs: 0,
    payload: new Uint8Array(dws * 8).fill(i & 0xff),
  });
}

interface Plan {
  readonly propagationPs?: number;
  readonly sizes: readonly number[];
  readonly gaps: readonly number[];
  readonly retries: readonly number[];
  readonly crcErrors: readonly number[];
}

interface Run {
  readonly delivered: number[];
  readonly times: number[];
  readonly accepted: number[];
  readonly counters: SrioLink["counters"];
  readonly end: number;
  readonly symbols: { stype0: string; p0: number; p1: number; stype1: string | number }[];
  readonly maxUnacked: number;
}

function run(cs: SrioControlSymbolFormat, speed: SrioLinkSpeed, plan: Plan): Run {
  const sim = new Simulator();
  const delivered: number[] = [];
  const times: number[] = [];
  const link = new SrioLink(sim, {
    name: "a→b",
    bitsPerSecond: 16e9,
    controlSymbol: cs,
    speed,
    propagationPs: plan.propagationPs ?? 0,
    deliver: (b) => {
      const p = decodeSrioPacket(b) as { address: number };
      delivered.push(p.address);
      times.push(sim.now());
    },
  });
  const accepted: number[] = [];
  let maxUnacked = 0;
  link.onAccepted = (tag) => accepted.push(tag);
  link.onTransmit = () => (maxUnacked = Math.max(maxUnacked, link.ackIdStatus().unacknowledged));
  const symbols: Run["symbols"] = [];
  link.onControlSymbol = (bytes) => {
    if (cs === 64) {
      const s = decodeCs64Checked(bytes);
      symbols.push({ stype0: s.stype0, p0: s.parameter0, p1: s.parameter1, stype1: s.stype1Low });
    } else {
      const s = cs === 24 ? decodeCs24Checked(bytes) : decodeCs48Checked(bytes);
      symbols.push({ stype0: s.stype0, p0: s.parameter0, p1: s.parameter1, stype1: s.stype1 });
    }
  };
  let at = 0;
  plan.sizes.forEach((dws, i) => {
    at += plan.gaps[i % plan.gaps.length]!;
    sim.schedule(at, () => {
      if (plan.retries.includes(i)) link.injectRetry();
      if (plan.crcErrors.includes(i)) link.injectCrcError();
      link.send(packet(i, dws), i);
    });
  });
  let steps = 0;
  while (sim.step())
    if (++steps > 200_000)
      throw new Error(
        `runaway ${JSON.stringify({ cs, speed, plan, c: link.counters, d: delivered.length })}`,
      );
  return {
    delivered,
    times,
    accepted,
    counters: { ...link.counters },
    end: sim.now(),
    symbols,
    maxUnacked,
  };
}

const planArb = fc.integer({ min: 1, max: 90 }).chain((n) =>
  fc.record({
    propagationPs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000_000 })),
    sizes: fc.array(fc.integer({ min: 1, max: 32 }), { minLength: n, maxLength: n }),
    gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400_000 })), {
      minLength: 1,
      maxLength: 8,
    }),
    retries: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }),
    crcErrors: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: 4 }),
  }),
);

const seed = lawSeed();
describe(`SRIO link-level flow control, RapidIO 4.1 Part 6 §6.8–§6.13 (seed ${seed})`, () => {
  it("delivers every packet exactly once and in order through packet-retry and packet-not-accepted, the same on both speeds", () => {
    fc.assert(
      fc.property(fc.constantFrom<SrioControlSymbolFormat>(24, 48, 64), planArb, (cs, plan) => {
        const fast = run(cs, "fast", plan);
        const wire = run(cs, "wire", plan);
        const n = plan.sizes.length;
        const order = Array.from({ length: n }, (_, i) => i);
        for (const r of [fast, wire]) {
          expect(r.delivered).toEqual(order);
          expect(r.accepted).toEqual(order);
          expect(r.counters.accepted).toBe(n);
          expect(r.counters.packetRetries).toBe(plan.retries.length);
          expect(r.counters.notAccepted).toBe(plan.crcErrors.length);
          expect(r.counters.linkRequests).toBe(plan.crcErrors.length);
          expect(r.counters.transmissions).toBe(n + r.counters.retransmitted);
          expect(r.counters.retransmitted).toBeGreaterThanOrEqual(
            plan.retries.length + plan.crcErrors.length,
          );
          expect(r.maxUnacked).toBeLessThanOrEqual(cs === 24 ? 31 : cs === 48 ? 63 : 4095);
        }
        expect(wire.times).toEqual(fast.times);
        expect(wire.counters).toEqual(fast.counters);
        expect(wire.end).toBe(fast.end);
        // The control symbols of the wire path, decoded with their CRCs checked.
        const count = (s0: string): number => wire.symbols.filter((s) => s.stype0 === s0).length;
        expect(count("packet-accepted")).toBe(n);
        expect(count("packet-retry")).toBe(plan.retries.length);
        expect(count("packet-not-accepted")).toBe(plan.crcErrors.length);
        expect(count("link-response")).toBe(plan.crcErrors.length);
        const mask = cs === 24 ? 31 : cs === 48 ? 63 : 4095;
        const acks = wire.symbols.filter((s) => s.stype0 === "packet-accepted").map((s) => s.p0);
        expect(acks).toEqual(order.map((i) => i & mask));
        for (const s of wire.symbols.filter((x) => x.stype0 === "packet-not-accepted"))
          expect(s.p1).toBe(4); // cause: bad packet CRC (Part 6 Table 3-8)
        const forward = wire.symbols.filter((s) => s.stype0 === "status");
        expect(forward.length).toBe(plan.retries.length + plan.crcErrors.length);
      }),
      { seed, numRuns: 60 },
    );
  });

  it("retries a packet on packet-retry: restart-from-retry, then the same ackID again (Figure 6-4)", () => {
    // Packets 0 and 1 at 0, 2 and 3 at 1 µs (after 0 and 1 were accepted); 2 is retried.
    const plan: Plan = {
      sizes: [32, 32, 32, 32],
      gaps: [0, 0, 1_000_000, 0],
      retries: [2],
      crcErrors: [],
    };
    const r = run(24, "wire", plan);
    expect(r.delivered).toEqual([0, 1, 2, 3]);
    const seq = r.symbols.map((s) => `${s.stype0}:${s.p0}:${String(s.stype1)}`);
    expect(seq).toEqual([
      "packet-accepted:0:nop",
      "packet-accepted:1:nop",
      "packet-retry:2:nop",
      "status:0:restart-from-retry",
      "packet-accepted:2:nop",
      "packet-accepted:3:nop",
    ]);
    // Packet 3 was on the wire when the retry arrived: discarded, then sent again.
    expect(r.counters.discarded).toBe(1);
    expect(r.counters.retransmitted).toBe(2);
  });

  it("recovers from a bad CRC: packet-not-accepted, link-request/port-status, link-response with the expected ackID", () => {
    const plan: Plan = { sizes: [4, 4, 4], gaps: [0, 1_000_000, 0], retries: [], crcErrors: [1] };
    const r = run(48, "wire", plan);
    expect(r.delivered).toEqual([0, 1, 2]);
    const seq = r.symbols.map((s) => `${s.stype0}:${s.p0}:${s.p1}:${String(s.stype1)}`);
    expect(seq).toEqual([
      "packet-accepted:0:63:nop",
      "packet-not-accepted:1:4:nop",
      "status:0:0:link-request",
      "link-response:1:16:nop", // ackID_status 1, port_status OK (Table 3-14)
      "packet-accepted:1:63:nop",
      "packet-accepted:2:63:nop",
    ]);
  });

  it("never has more than 2^N − 1 packets unacknowledged: a long link waits for its acknowledgements (§6.6.2)", () => {
    // 10 µs each way: the first acknowledgement is back after 20 µs and one packet time.
    const sizes = Array.from({ length: 100 }, () => 1);
    const plan: Plan = { propagationPs: 10_000_000, sizes, gaps: [0], retries: [], crcErrors: [] };
    for (const speed of ["fast", "wire"] as const) {
      const r = run(24, speed, plan);
      expect(r.delivered).toEqual(sizes.map((_, i) => i));
      expect(r.maxUnacked).toBe(31);
      expect(r.counters.windowStalls).toBeGreaterThanOrEqual(3);
      // Packet 31 waits for packet 0's acknowledgement: it arrives after two propagations.
      expect(r.times[31]! - r.times[0]!).toBeGreaterThan(20_000_000);
      expect(r.times[30]! - r.times[0]!).toBeLessThan(1_000_000);
    }
  });

  it("wraps the ackID modulo 2^N and refuses a wrong fault count", () => {
    const sizes = Array.from({ length: 40 }, () => 1);
    const r = run(24, "wire", { sizes, gaps: [0], retries: [], crcErrors: [] });
    expect(r.delivered.length).toBe(40);
    const acks = r.symbols.map((s) => s.p0);
    expect(acks.slice(30, 34)).toEqual([30, 31, 0, 1]);
    const link = new SrioLink(new Simulator(), {
      name: "x",
      bitsPerSecond: 1e9,
      controlSymbol: 24,
      deliver: () => undefined,
    });
    expect(() => link.injectRetry(0)).toThrow(SrioLinkError);
    expect(() => link.injectCrcError(1.5)).toThrow(SrioLinkError);
    expect(link.window).toBe(31);
    expect(
      () =>
        new SrioLink(new Simulator(), {
          name: "y",
          bitsPerSecond: 1e9,
          controlSymbol: 32 as 24,
          deliver: () => undefined,
        }),
    ).toThrow(SrioLinkError);
  });
});
