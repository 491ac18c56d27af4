/**
 * Property tests of the simulation core: time never goes backwards, identical inputs give an
 * identical event order, a link never exceeds its rate, credits never go negative and are
 * conserved, FIFOs keep order, and with the drop policy every item is delivered or reported.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { BoundedFifo, BusyTime, CreditPool, SerialLink, Simulator } from "./index.js";
import type { Credits } from "./index.js";

const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 200);
const params = { seed, numRuns };

/** A scenario: top-level events, each of which may schedule children or cancel an earlier one. */
interface Op {
  readonly at: number;
  readonly children: readonly number[];
  readonly cancel: number | null;
}
const arbOps = fc.array(
  fc.record({
    at: fc.integer({ min: 0, max: 1000 }),
    children: fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3 }),
    cancel: fc.option(fc.nat(40)),
  }),
  { maxLength: 40 },
);

/** Runs a scenario and returns the log of (label, time) in execution order. */
function runScenario(ops: readonly Op[]): { log: string[]; times: number[]; scheduled: number[] } {
  const sim = new Simulator();
  const log: string[] = [];
  const times: number[] = [];
  const scheduled: number[] = [];
  const handles = ops.map((op, i) =>
    sim.schedule(op.at, (s) => {
      log.push(`op${i}`);
      times.push(s.now());
      scheduled.push(op.at);
      if (op.cancel !== null) {
        const h = handles[op.cancel % handles.length];
        if (h !== undefined) s.cancel(h);
      }
      op.children.forEach((d, j) =>
        s.scheduleAfter(d, (s2) => {
          log.push(`op${i}.${j}`);
          times.push(s2.now());
          scheduled.push(op.at + d);
        }),
      );
    }),
  );
  sim.run();
  expect(sim.pending).toBe(0);
  return { log, times, scheduled };
}

const arbCapacity = fc.integer({ min: 1, max: 8 });
/** FIFO operations: (time, true = offer the next number / false = take one). */
const arbFifoOps = fc.array(fc.tuple(fc.nat(1000), fc.boolean()), { maxLength: 80 });

/**
 * Offers 0, 1, 2… and takes at the given times, checks the capacity after each operation, then
 * drains the queue; returns what was delivered, in delivery order, and how many were offered.
 */
function driveFifo(
  sim: Simulator,
  fifo: BoundedFifo<number>,
  ops: readonly (readonly [number, boolean])[],
): { delivered: number[]; offered: number } {
  const delivered: number[] = [];
  let offered = 0;
  for (const [at, isOffer] of ops)
    sim.schedule(at, () => {
      if (isOffer) fifo.offer(offered++);
      else fifo.take((x) => delivered.push(x));
      expect(fifo.length).toBeLessThanOrEqual(fifo.capacity);
    });
  sim.run();
  while (fifo.length > 0) delivered.push(fifo.tryTake()!);
  return { delivered, offered };
}

describe(`simulation core laws (seed ${seed}; replay with FC_SEED=${seed})`, () => {
  it("prints its seed", () => {
    console.log(`[laws] emulator sim: seed=${seed} runs=${numRuns} (replay: FC_SEED=${seed})`);
    expect(Number.isInteger(seed)).toBe(true);
  });

  it("time never goes backwards and each event runs at its scheduled time", () => {
    fc.assert(
      fc.property(arbOps, (ops) => {
        const { times, scheduled } = runScenario(ops);
        for (let i = 1; i < times.length; i++)
          expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
        expect(times).toEqual(scheduled);
      }),
      params,
    );
  });

  it("the same inputs give the identical event order", () => {
    fc.assert(
      fc.property(arbOps, (ops) => {
        expect(runScenario(ops).log).toEqual(runScenario(ops).log);
      }),
      params,
    );
  });

  it("events run in (time, scheduling order), cancelled ones never", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 60 }),
        (items) => {
          const sim = new Simulator();
          const ran: number[] = [];
          items.forEach(([at, cancel], i) => {
            const h = sim.schedule(at, () => ran.push(i));
            if (cancel) sim.cancel(h);
          });
          sim.run();
          const expected = items
            .map(([at, cancel], i) => ({ at, cancel, i }))
            .filter((x) => !x.cancel)
            .sort((a, b) => a.at - b.at || a.i - b.i)
            .map((x) => x.i);
          expect(ran).toEqual(expected);
        },
      ),
      params,
    );
  });

  it("a link's throughput never exceeds its rate; transmissions never overlap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000_000, max: 100e9 }),
        fc.nat(64),
        fc.array(fc.tuple(fc.nat(100_000), fc.nat(4096)), { minLength: 1, maxLength: 30 }),
        (rate, overhead, offers) => {
          const sim = new Simulator();
          const link = new SerialLink(sim, {
            name: "l",
            bitsPerSecond: rate,
            overheadBytes: overhead,
          });
          const done: { offered: number; start: number; end: number; wire: number }[] = [];
          for (const [at, bytes] of offers)
            sim.schedule(at, (s) => {
              const offered = s.now();
              link.transmit(bytes, (t) =>
                done.push({ offered, start: t.start, end: t.end, wire: t.wireBytes }),
              );
            });
          sim.run();
          expect(done.length).toBe(offers.length);
          for (let i = 0; i < done.length; i++) {
            const d = done[i]!;
            expect(d.start).toBeGreaterThanOrEqual(d.offered);
            if (i > 0) expect(d.start).toBeGreaterThanOrEqual(done[i - 1]!.end);
            let bits = 0n;
            for (let j = i; j < done.length; j++) {
              bits += BigInt(done[j]!.wire) * 8n;
              // bits sent in [start_i, end_j] ≤ rate · (end_j − start_i), exactly
              expect(bits * 10n ** 12n <= BigInt(rate) * BigInt(done[j]!.end - d.start)).toBe(true);
            }
          }
          const last = done[done.length - 1]!;
          expect(link.busy.busyIn(0, last.end)).toBe(link.busy.total);
          expect(link.busy.total).toBeLessThanOrEqual(last.end);
        },
      ),
      params,
    );
  });

  it("credits never go negative and are conserved", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.nat(2000),
        fc.array(
          fc.tuple(
            fc.nat(5000),
            fc.oneof(
              fc.record({ kind: fc.constant("acquire" as const), payload: fc.nat(512) }),
              fc.record({ kind: fc.constant("release" as const), pick: fc.nat(100) }),
            ),
          ),
          { maxLength: 50 },
        ),
        (hLimit, dLimit, latency, ops) => {
          const sim = new Simulator();
          const pool = new CreditPool(sim, {
            name: "P",
            header: hLimit,
            data: dLimit,
            returnLatency: latency,
          });
          const held: Credits[] = [];
          let requested = 0;
          let granted = 0;
          const check = (): void => {
            const a = pool.available;
            const o = pool.outstanding;
            const r = pool.returning;
            for (const v of [a.header, a.data, o.header, o.data, r.header, r.data])
              expect(v).toBeGreaterThanOrEqual(0);
            expect(a.header + o.header + r.header).toBe(hLimit);
            expect(a.data + o.data + r.data).toBe(dLimit);
          };
          for (const [at, op] of ops)
            sim.schedule(at, () => {
              if (op.kind === "acquire") {
                const cost = { header: 1, data: Math.min(dLimit, Math.ceil(op.payload / 16)) };
                requested++;
                pool.acquire(cost, () => {
                  granted++;
                  held.push(cost);
                  check();
                });
              } else if (held.length > 0) {
                pool.release(held.splice(op.pick % held.length, 1)[0]!);
              }
              check();
            });
          while (sim.step()) check();
          // release everything still held; every waiting request is then granted
          for (let guard = 0; guard < 1000 && (held.length > 0 || pool.waiting > 0); guard++) {
            while (held.length > 0) pool.release(held.pop()!);
            while (sim.step()) check();
          }
          expect(granted).toBe(requested);
          expect(pool.granted).toBe(requested);
          expect(pool.available).toEqual({ header: hLimit, data: dLimit });
        },
      ),
      params,
    );
  });

  it("a blocking FIFO delivers every item in offer order and never exceeds its capacity", () => {
    fc.assert(
      fc.property(arbCapacity, arbFifoOps, (capacity, ops) => {
        const sim = new Simulator();
        const fifo = new BoundedFifo<number>(sim, { name: "f", capacity });
        const { delivered, offered } = driveFifo(sim, fifo, ops);
        // every offered item is eventually delivered, in order
        expect(delivered).toEqual(Array.from({ length: offered }, (_, i) => i));
        expect(fifo.blockedProducers).toBe(0);
        expect(fifo.dropped).toBe(0);
        expect(fifo.maxLength).toBeLessThanOrEqual(capacity);
      }),
      params,
    );
  });

  it("with the drop policy every offered item is delivered or reported dropped, once", () => {
    fc.assert(
      fc.property(arbCapacity, arbFifoOps, (capacity, ops) => {
        const sim = new Simulator();
        const dropped: number[] = [];
        const fifo = new BoundedFifo<number>(sim, {
          name: "f",
          capacity,
          policy: "drop",
          onDrop: (d) => {
            expect(d.length).toBe(capacity);
            expect(d.at).toBe(sim.now());
            dropped.push(d.item);
          },
        });
        const { delivered, offered } = driveFifo(sim, fifo, ops);
        const seen = [...delivered, ...dropped].sort((a, b) => a - b);
        expect(seen).toEqual(Array.from({ length: offered }, (_, i) => i));
        for (let i = 1; i < delivered.length; i++)
          expect(delivered[i]!).toBeGreaterThan(delivered[i - 1]!);
        expect(fifo.dropped).toBe(dropped.length);
        expect(fifo.offered).toBe(offered);
      }),
      params,
    );
  });

  it("BusyTime.addPeriodic equals one add per interval (total, intervals, busy time anywhere)", () => {
    const step = fc.oneof(
      fc.record({ gap: fc.integer({ min: 0, max: 50 }), length: fc.integer({ min: 0, max: 40 }) }),
      fc.record({
        gap: fc.integer({ min: 0, max: 50 }),
        length: fc.integer({ min: 0, max: 40 }),
        extra: fc.integer({ min: 0, max: 30 }),
        count: fc.integer({ min: 0, max: 6 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 12 }),
        fc.array(fc.nat(600), { maxLength: 8 }),
        (steps, probes) => {
          const runs = new BusyTime();
          const single = new BusyTime();
          let t = 0;
          let lastStart = 0;
          for (const st of steps) {
            // Starts never go back before the previous interval's start; they may overlap its end.
            const start = Math.max(lastStart, t - 20 + st.gap);
            if ("count" in st) {
              const period = st.length + st.extra;
              runs.addPeriodic(start, st.length, period, st.count);
              for (let k = 0; k < st.count; k++)
                single.add(start + k * period, start + k * period + st.length);
              if (st.count > 0) {
                lastStart = start + (st.count - 1) * period;
                t = Math.max(t, lastStart + st.length);
              }
            } else {
              runs.add(start, start + st.length);
              single.add(start, start + st.length);
              lastStart = start;
              t = Math.max(t, start + st.length);
            }
          }
          expect(runs.total).toBe(single.total);
          expect(runs.intervals).toBe(single.intervals);
          for (const p of probes) {
            expect(runs.busyIn(0, p)).toBe(single.busyIn(0, p));
            expect(runs.busyIn(p, p + 37)).toBe(single.busyIn(p, p + 37));
          }
        },
      ),
      params,
    );
  });
});
