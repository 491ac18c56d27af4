/**
 * A fixed-latency pipeline element: every item pushed in comes out exactly `latency` ps later,
 * in push order, without limiting throughput (a fully pipelined stage). The PCIe–SRIO bridge's
 * instruction-to-packet conversion is such a stage: 9 clock cycles at 150 MHz = 60 ns
 * (docs/system.md, "PCIe–SRIO bridge"; see `cyclesToPs`).
 *
 * @module
 */
import type { Simulator } from "./simulator.js";
import { addSimTime, checkSimTime } from "./time.js";
import type { SimTime } from "./time.js";
import { LatencyHistogram } from "./stats.js";

/**
 * A fixed-delay element.
 *
 * @example
 * ```ts
 * const sim = new Simulator();
 * const bridge = new DelayLine<string>(sim, cyclesToPs(9, 150e6), (p, at) => console.log(p, at));
 * bridge.push("NWRITE_R"); // printed at 60000 ps
 * sim.run();
 * ```
 */
export class DelayLine<T> {
  /** The delay in ps. */
  readonly latency: SimTime;
  /** Observed in-to-out latencies (all equal to `latency`; kept for uniform statistics). */
  readonly latencies = new LatencyHistogram();
  readonly #sim: Simulator;
  readonly #sink: (item: T, at: SimTime) => void;
  #inFlight = 0;

  /**
   * @param sim - the simulator
   * @param latency - the delay in ps
   * @param sink - receives each item and its exit time
   * @throws SimTimeError when `latency` is not a valid duration
   */
  constructor(sim: Simulator, latency: SimTime, sink: (item: T, at: SimTime) => void) {
    this.#sim = sim;
    this.latency = checkSimTime(latency, "latency");
    this.#sink = sink;
  }

  /** Items pushed and not yet delivered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Pushes an item; the sink receives it `latency` ps later.
   *
   * @param item - the item
   * @returns the exit time in ps
   * @throws SimTimeError when the exit time exceeds the simulated-time range
   */
  push(item: T): SimTime {
    const enter = this.#sim.now();
    const exit = addSimTime(enter, this.latency, "latency");
    this.#inFlight++;
    this.#sim.schedule(exit, (s) => {
      this.#inFlight--;
      this.latencies.record(s.now() - enter);
      this.#sink(item, s.now());
    });
    return exit;
  }
}
