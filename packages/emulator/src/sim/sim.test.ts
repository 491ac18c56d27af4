/**
 * Unit tests of the simulation core: time arithmetic, the event queue, and each resource on
 * hand-computed cases.
 */
import { fc, test } from "@fast-check/vitest";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  BoundedFifo,
  BusyTime,
  CreditError,
  CreditPool,
  DelayLine,
  LatencyHistogram,
  MAX_SIM_TIME_PS,
  SerialLink,
  SimTimeError,
  Simulator,
  ThroughputMeter,
  addSimTime,
  checkSimTime,
  creditLimitFromInitFc,
  cyclesToPs,
  nsToPs,
  readCompletionCredits,
  tlpCredits,
  transmissionTime,
} from "./index.js";
import type { FifoDropEvent } from "./index.js";

describe("simulated time", () => {
  it("accepts 0..2^53-1 ps and rejects everything else with SimTimeError", () => {
    expect(checkSimTime(0, "t")).toBe(0);
    expect(checkSimTime(MAX_SIM_TIME_PS, "t")).toBe(2 ** 53 - 1);
    for (const bad of [-1, 0.5, 2 ** 53, NaN, Infinity])
      expect(() => checkSimTime(bad, "t")).toThrow(SimTimeError);
    try {
      checkSimTime(-1, "at");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SimTimeError);
      expect((e as SimTimeError).name).toBe("SimTimeError");
      expect((e as SimTimeError).path).toBe("at");
      expect((e as Error).message).toMatch(/^"at" expected an integer number of picoseconds/);
    }
  });

  it("addSimTime throws past 2^53 - 1 ps (about 2.5 h)", () => {
    expect(addSimTime(MAX_SIM_TIME_PS - 1, 1)).toBe(MAX_SIM_TIME_PS);
    expect(() => addSimTime(MAX_SIM_TIME_PS, 1)).toThrow(SimTimeError);
  });

  it("bridge latency: 9 cycles at 150 MHz = 60 ns exactly (docs/system.md)", () => {
    expect(cyclesToPs(9, 150e6)).toBe(60_000);
    expect(cyclesToPs(1, 150e6)).toBe(6667); // 6666.67 rounded up
    expect(nsToPs(60)).toBe(60_000);
  });

  it("transmissionTime: exact, rounded up", () => {
    // 256 B MWr + 20 B (3-DW header + framing) on Gen2 x4 = 16 Gb/s (pcie.md §11.2)
    expect(transmissionTime(276, 16e9)).toBe(138_000);
    expect(transmissionTime(0, 16e9)).toBe(0);
    expect(transmissionTime(1, 3e9)).toBe(2667); // 2666.67 ps rounded up
    // Gen3 x1 after 128b/130b: 8e9 · 128/130 b/s as an exact fraction: 1000 B = 1015625 ps
    expect(transmissionTime(1000, { numerator: 8e9 * 128, denominator: 130 })).toBe(1_015_625);
    // the nearest double is slightly below the real rate, so the time rounds up one more ps
    expect(transmissionTime(1000, (8e9 * 128) / 130)).toBe(1_015_626);
    expect(transmissionTime(1, 0.5)).toBe(16e12);
    expect(() => transmissionTime(1, { numerator: 1, denominator: 0 })).toThrow(SimTimeError);
    expect(() => transmissionTime(1, 0)).toThrow(SimTimeError);
    expect(() => transmissionTime(-1, 1e9)).toThrow(SimTimeError);
    expect(() => transmissionTime(2 ** 52, 1)).toThrow(SimTimeError);
  });
});

describe("Simulator", () => {
  it("runs events in time order, ties in scheduling order", () => {
    const sim = new Simulator();
    const log: string[] = [];
    sim.schedule(20, () => log.push("c@20"));
    sim.schedule(10, () => log.push("a@10"));
    sim.schedule(10, () => log.push("b@10"));
    sim.schedule(0, (s) => s.scheduleAfter(10, () => log.push("d@10")));
    expect(sim.pending).toBe(4);
    expect(sim.run()).toBe(5);
    expect(log).toEqual(["a@10", "b@10", "d@10", "c@20"]);
    expect(sim.now()).toBe(20);
    expect(sim.pending).toBe(0);
  });

  it("cancel removes a pending event once", () => {
    const sim = new Simulator();
    const log: number[] = [];
    const h = sim.schedule(5, () => log.push(5));
    sim.schedule(6, () => log.push(6));
    expect(sim.cancel(h)).toBe(true);
    expect(sim.cancel(h)).toBe(false);
    expect(sim.pending).toBe(1);
    expect(sim.peek()).toBe(6);
    sim.run();
    expect(log).toEqual([6]);
    expect(sim.cancel(h)).toBe(false);
  });

  it("run(until) stops after events at until and leaves the clock there", () => {
    const sim = new Simulator();
    const log: number[] = [];
    for (const t of [5, 10, 15]) sim.schedule(t, () => log.push(t));
    expect(sim.run(10)).toBe(2);
    expect(log).toEqual([5, 10]);
    expect(sim.now()).toBe(10);
    sim.run(12);
    expect(sim.now()).toBe(12);
    expect(sim.step()).toBe(true);
    expect(log).toEqual([5, 10, 15]);
    expect(sim.step()).toBe(false);
    expect(() => sim.run(3)).toThrow(SimTimeError);
  });

  it("refuses to schedule in the past or beyond the time range", () => {
    const sim = new Simulator();
    sim.schedule(100, () => undefined);
    sim.run();
    expect(() => sim.schedule(99, () => undefined)).toThrow(SimTimeError);
    expect(() => sim.scheduleAfter(MAX_SIM_TIME_PS, () => undefined)).toThrow(SimTimeError);
    expect(() => sim.scheduleAfter(-1, () => undefined)).toThrow(SimTimeError);
  });
});

describe("SerialLink", () => {
  it("queues back-to-back transmissions and records busy time", () => {
    const sim = new Simulator();
    const link = new SerialLink(sim, { name: "gen2x4", bitsPerSecond: 16e9, overheadBytes: 20 });
    const ends: number[] = [];
    const a = link.transmit(256, (t) => ends.push(t.end));
    const b = link.transmit(256, (t) => ends.push(t.end));
    expect(a).toEqual({ bytes: 256, wireBytes: 276, start: 0, end: 138_000 });
    expect(b.start).toBe(138_000);
    expect(b.end).toBe(276_000);
    expect(link.busyUntil).toBe(276_000);
    sim.run();
    expect(ends).toEqual([138_000, 276_000]);
    sim.schedule(1_000_000, () => link.transmit(0));
    sim.run();
    expect(link.busy.total).toBe(276_000 + 10_000);
    expect(link.busy.intervals).toBe(2);
    expect(link.items).toBe(3);
    expect(link.bytes).toBe(512);
    expect(link.wireBytes).toBe(572);
  });

  it("rejects a bad rate or overhead", () => {
    const sim = new Simulator();
    expect(() => new SerialLink(sim, { name: "x", bitsPerSecond: -1 })).toThrow(SimTimeError);
    expect(
      () => new SerialLink(sim, { name: "x", bitsPerSecond: 1e9, overheadBytes: 1.5 }),
    ).toThrow(SimTimeError);
  });
});

describe("CreditPool (pcie.md §4.5, §5, §7)", () => {
  it("costs one header credit per TLP and one data credit per 16 B; InitFC 0 is infinite", () => {
    expect(tlpCredits(0)).toEqual({ header: 1, data: 0 });
    expect(tlpCredits(4)).toEqual({ header: 1, data: 1 });
    expect(tlpCredits(256)).toEqual({ header: 1, data: 16 });
    expect(tlpCredits(257)).toEqual({ header: 1, data: 17 });
    expect(creditLimitFromInitFc(0)).toBe(Infinity);
    expect(creditLimitFromInitFc(64)).toBe(64);
    expect(() => tlpCredits(-4)).toThrow(CreditError);
  });

  it("completion credits of a read split at every RCB (pcie.md §8.2, §11.2)", () => {
    // aligned 512 B, RCB 64: 8 CplD of 64 B = 8 CplH, 8 × 4 CplD credits
    expect(readCompletionCredits(0x1000n, 512, 64)).toEqual({ header: 8, data: 32 });
    expect(readCompletionCredits(0x1000n, 512, 128)).toEqual({ header: 4, data: 32 });
    // 1000 B at 0x1000_0F80 (the §8.1 example address), RCB 128: n = ceil((0 + 1000) / 128) = 8
    expect(readCompletionCredits(0x1000_0f80n, 1000, 128).header).toBe(8);
    // 8 B at 0x3E, RCB 64: crosses one boundary → 2 completions: DWs 0x3C–0x3F and 0x40–0x47
    expect(readCompletionCredits(0x3en, 8, 64)).toEqual({ header: 2, data: 2 });
    // 1 B: one completion of one DW
    expect(readCompletionCredits(0x7n, 1, 128)).toEqual({ header: 1, data: 1 });
    expect(() => readCompletionCredits(0n, 0, 64)).toThrow(CreditError);
    expect(() => readCompletionCredits(0n, 4, 32 as 64)).toThrow(CreditError);
  });

  it("makes a sender wait until released credits come back after the latency", () => {
    const sim = new Simulator();
    const pool = new CreditPool(sim, { name: "P", header: 2, data: 32, returnLatency: 1000 });
    const grants: [string, number][] = [];
    expect(pool.acquire(tlpCredits(256), (at) => grants.push(["a", at]))).toBe(true);
    expect(pool.acquire(tlpCredits(256), (at) => grants.push(["b", at]))).toBe(true);
    expect(pool.acquire(tlpCredits(16), (at) => grants.push(["c", at]))).toBe(false);
    expect(pool.available).toEqual({ header: 0, data: 0 });
    expect(pool.waiting).toBe(1);
    sim.schedule(500, () => pool.release(tlpCredits(256)));
    sim.run(1499);
    expect(grants).toEqual([
      ["a", 0],
      ["b", 0],
    ]);
    expect(pool.returning).toEqual({ header: 1, data: 16 });
    sim.run();
    expect(grants[2]).toEqual(["c", 1500]);
    expect(pool.available).toEqual({ header: 0, data: 15 });
    expect(pool.outstanding).toEqual({ header: 2, data: 17 });
    expect(pool.waited).toBe(1);
  });

  it("keeps request order: a small request waits behind a blocked large one", () => {
    const sim = new Simulator();
    const pool = new CreditPool(sim, { name: "P", header: 8, data: 20 });
    const order: string[] = [];
    pool.acquire({ header: 1, data: 16 }, () => order.push("a"));
    pool.acquire({ header: 1, data: 16 }, () => order.push("big"));
    expect(pool.acquire({ header: 1, data: 1 }, () => order.push("small"))).toBe(false);
    pool.release({ header: 1, data: 16 });
    sim.run();
    expect(order).toEqual(["a", "big", "small"]);
  });

  it("rejects impossible costs and over-release", () => {
    const sim = new Simulator();
    const pool = new CreditPool(sim, { name: "NP", header: 4, data: Infinity });
    expect(() => pool.acquire({ header: 5, data: 0 }, () => undefined)).toThrow(CreditError);
    expect(() => pool.release({ header: 1, data: 0 })).toThrow(CreditError);
    expect(() => new CreditPool(sim, { name: "x", header: 0, data: 1 })).toThrow(CreditError);
    expect(pool.acquire({ header: 1, data: 1e6 }, () => undefined)).toBe(true);
  });
});

describe("BoundedFifo", () => {
  it("blocks a producer when full and admits it when a consumer takes", () => {
    const sim = new Simulator();
    const fifo = new BoundedFifo<number>(sim, { name: "btd", capacity: 2 });
    const accepted: number[] = [];
    expect(fifo.offer(1)).toBe(true);
    expect(fifo.offer(2)).toBe(true);
    expect(fifo.offer(3, () => accepted.push(3))).toBe(false);
    expect(fifo.blockedProducers).toBe(1);
    expect(fifo.tryTake()).toBe(1);
    expect(accepted).toEqual([3]);
    const got: number[] = [];
    fifo.take((x) => got.push(x));
    fifo.take((x) => got.push(x));
    fifo.take((x) => got.push(x));
    expect(fifo.waitingConsumers).toBe(1);
    fifo.offer(4);
    expect(got).toEqual([2, 3, 4]);
    expect(fifo.dropped).toBe(0);
    expect(fifo.maxLength).toBe(2);
  });

  it("drop policy reports every dropped item", () => {
    const sim = new Simulator();
    const drops: FifoDropEvent<string>[] = [];
    const fifo = new BoundedFifo<string>(sim, {
      name: "events",
      capacity: 1,
      policy: "drop",
      onDrop: (d) => drops.push(d),
    });
    sim.schedule(7, () => {
      fifo.offer("a");
      fifo.offer("b");
    });
    sim.run();
    expect(drops).toEqual([{ fifo: "events", item: "b", at: 7, length: 1 }]);
    expect(fifo.dropped).toBe(1);
    expect(fifo.offered).toBe(2);
    expect(() => new BoundedFifo(sim, { name: "x", capacity: 0 })).toThrow(RangeError);
  });
});

describe("DelayLine", () => {
  it("delivers each item exactly latency later, in order", () => {
    const sim = new Simulator();
    const out: [string, number][] = [];
    const bridge = new DelayLine<string>(sim, cyclesToPs(9, 150e6), (x, at) => out.push([x, at]));
    bridge.push("nread");
    sim.schedule(10, () => bridge.push("nwrite_r"));
    expect(bridge.inFlight).toBe(1);
    sim.run();
    expect(out).toEqual([
      ["nread", 60_000],
      ["nwrite_r", 60_010],
    ]);
    expect(bridge.latencies.summary().max).toBe(60_000);
  });
});

describe("statistics", () => {
  it("BusyTime merges intervals and measures busy time in a window", () => {
    const b = new BusyTime();
    b.add(0, 10);
    b.add(10, 20);
    b.add(15, 18);
    b.add(30, 40);
    expect(b.total).toBe(30);
    expect(b.intervals).toBe(2);
    expect(b.busyIn(5, 35)).toBe(20);
    expect(b.busyIn(20, 30)).toBe(0);
    expect(b.utilisation(0, 40)).toBe(0.75);
    expect(() => b.add(25, 50)).toThrow(SimTimeError);
  });

  it("ThroughputMeter counts bytes in (from, to]", () => {
    const m = new ThroughputMeter();
    m.record(1_000_000, 2000);
    m.record(1_000_000, 0);
    m.record(2_000_000, 1000);
    expect(m.bitsPerSecond(0, 1_000_000)).toBe(16e9);
    expect(m.bytesIn(1_000_000, 2_000_000)).toBe(1000);
    expect(m.totalBytes).toBe(3000);
    expect(() => m.record(0, 1)).toThrow(SimTimeError);
  });

  it("LatencyHistogram: nearest-rank percentiles and buckets", () => {
    const h = new LatencyHistogram();
    for (const x of [40, 10, 30, 20]) h.record(x);
    expect(h.percentile(0)).toBe(10);
    expect(h.percentile(50)).toBe(20);
    expect(h.percentile(75)).toBe(30);
    expect(h.percentile(100)).toBe(40);
    expect(h.histogram([0, 25, 50])).toEqual([2, 2, 0]);
    expect(h.summary()).toEqual({ count: 4, min: 10, max: 40, mean: 25, p50: 20, p99: 40 });
    expect(() => new LatencyHistogram().percentile(50)).toThrow(RangeError);
    expect(() => h.histogram([5, 5])).toThrow(RangeError);
  });
});

describe("README example", () => {
  it("one MWr on Gen2 x4 under posted credits ends at 138 ns, credits back 1 µs later", () => {
    const sim = new Simulator();
    const link = new SerialLink(sim, { name: "dm-bc", bitsPerSecond: 16e9, overheadBytes: 20 });
    const posted = new CreditPool(sim, {
      name: "P",
      header: 32,
      data: 512,
      returnLatency: 1_000_000,
    });
    const ends: number[] = [];
    posted.acquire(tlpCredits(256), () =>
      link.transmit(256, (t) => {
        ends.push(t.end);
        posted.release(tlpCredits(256));
      }),
    );
    expect(posted.available).toEqual({ header: 31, data: 496 });
    sim.run();
    expect(ends).toEqual([138_000]);
    expect(sim.now()).toBe(1_138_000);
    expect(posted.available).toEqual({ header: 32, data: 512 });
  });
});

describe(`transmissionTime and cyclesToPs against exact bigint arithmetic (seed ${lawSeed()})`, () => {
  /** ⌈count · unitPs · den / num⌉ for a rate given as an integer or a fraction. */
  const exact = (count: number, unitPs: bigint, num: bigint, den: bigint): number =>
    Number((BigInt(count) * unitPs * den + num - 1n) / num);
  test.prop(
    [
      fc.integer({ min: 0, max: 1 << 24 }),
      fc.oneof(
        fc.integer({ min: 1, max: 2 ** 40 }).map((n) => ({ n, d: 1 })),
        fc.record({
          n: fc.integer({ min: 1, max: 2 ** 45 }),
          d: fc.integer({ min: 1, max: 1000 }),
        }),
      ),
    ],
    { seed: lawSeed() },
  )("agree for every count and rate (the double fast path included)", (count, { n, d }) => {
    const rate = d === 1 ? n : { numerator: n, denominator: d };
    const bytes = exact(count, 8_000_000_000_000n, BigInt(n), BigInt(d));
    const cycles = exact(count, 1_000_000_000_000n, BigInt(n), BigInt(d));
    if (bytes <= MAX_SIM_TIME_PS) expect(transmissionTime(count, rate)).toBe(bytes);
    if (cycles <= MAX_SIM_TIME_PS) expect(cyclesToPs(count, rate)).toBe(cycles);
  });
});
