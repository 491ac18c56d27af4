/**
 * Statistics of the timing model, all in simulated time ({@link SimTime}, ps): busy time of a
 * resource, throughput over an interval, and latency histograms with percentiles.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import { SimTimeError, checkSimTime, PS_PER_S } from "./time.js";
import type { SimTime } from "./time.js";

/** Index of the first element of the sorted `xs` greater than `x`. */
function upperBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element of the sorted `xs` not less than `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function checkInterval(from: SimTime, to: SimTime): void {
  checkSimTime(from, "from");
  checkSimTime(to, "to");
  if (to < from) throw new SimTimeError("to", `a time not before from (${from} ps)`, `${to} ps`);
}

/**
 * Busy intervals of a resource, added in non-decreasing start order; touching or overlapping
 * intervals are merged.
 *
 * @example
 * ```ts
 * const b = new BusyTime();
 * b.add(0, 10); b.add(10, 20); b.add(30, 40);
 * b.total; // 30
 * b.busyIn(5, 35); // 20
 * ```
 */
export class BusyTime {
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #cumulative: number[] = []; // busy time before interval i
  #total = 0;

  /** Total busy time in ps. */
  get total(): SimTime {
    return this.#total;
  }

  /** Number of merged busy intervals. */
  get intervals(): number {
    return this.#starts.length;
  }

  /**
   * Records that the resource is busy over [start, end).
   *
   * @param start - start time in ps, not before the start of the previous interval
   * @param end - end time in ps, not before `start`
   * @throws {@link SimTimeError} when the interval is invalid or out of order
   */
  add(start: SimTime, end: SimTime): void {
    checkInterval(start, end);
    const n = this.#starts.length;
    if (n > 0 && start < this.#starts[n - 1]!)
      throw new SimTimeError(
        "start",
        `a time not before the previous interval's start (${this.#starts[n - 1]!} ps)`,
        `${start} ps`,
      );
    if (n > 0 && start <= this.#ends[n - 1]!) {
      const prevEnd = this.#ends[n - 1]!;
      if (end > prevEnd) {
        this.#ends[n - 1] = end;
        this.#total += end - prevEnd;
      }
      return;
    }
    if (end === start) return;
    this.#starts.push(start);
    this.#ends.push(end);
    this.#cumulative.push(this.#total);
    this.#total += end - start;
  }

  /**
   * Busy time within [from, to).
   *
   * @param from - interval start in ps
   * @param to - interval end in ps (≥ from)
   * @returns the busy time in ps
   * @throws {@link SimTimeError} for an invalid interval
   */
  busyIn(from: SimTime, to: SimTime): SimTime {
    checkInterval(from, to);
    return this.#busyBefore(to) - this.#busyBefore(from);
  }

  /**
   * Fraction of [from, to) during which the resource was busy (0 for an empty interval).
   *
   * @param from - interval start in ps
   * @param to - interval end in ps
   * @returns a number in 0..1
   */
  utilisation(from: SimTime, to: SimTime): number {
    return to === from ? 0 : this.busyIn(from, to) / (to - from);
  }

  #busyBefore(t: SimTime): number {
    const i = upperBound(this.#starts, t) - 1;
    if (i < 0) return 0;
    return this.#cumulative[i]! + Math.min(t, this.#ends[i]!) - this.#starts[i]!;
  }
}

/**
 * Counts bytes delivered at points in simulated time (recorded in non-decreasing time order)
 * and reports throughput over any interval.
 *
 * @example
 * ```ts
 * const m = new ThroughputMeter();
 * m.record(1_000_000, 2000); // 2000 bytes delivered at 1 µs
 * m.bitsPerSecond(0, 1_000_000); // 16e9
 * ```
 */
export class ThroughputMeter {
  readonly #times: number[] = [];
  readonly #cumulative: number[] = []; // bytes up to and including sample i
  #total = 0;

  /** Total bytes recorded. */
  get totalBytes(): number {
    return this.#total;
  }

  /**
   * Records `bytes` delivered at time `at`.
   *
   * @param at - time in ps, not before the previous sample
   * @param bytes - a non-negative safe integer
   * @throws {@link SimTimeError} when `at` goes backwards or `bytes` is invalid
   */
  record(at: SimTime, bytes: number): void {
    checkSimTime(at, "at");
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new SimTimeError("bytes", "a non-negative safe integer", describeValue(bytes));
    const n = this.#times.length;
    if (n > 0 && at < this.#times[n - 1]!)
      throw new SimTimeError("at", `a time not before ${this.#times[n - 1]!} ps`, `${at} ps`);
    this.#total += bytes;
    if (n > 0 && this.#times[n - 1] === at) this.#cumulative[n - 1] = this.#total;
    else {
      this.#times.push(at);
      this.#cumulative.push(this.#total);
    }
  }

  /**
   * Bytes recorded at times in (from, to].
   *
   * @param from - exclusive start in ps
   * @param to - inclusive end in ps
   * @returns the byte count
   */
  bytesIn(from: SimTime, to: SimTime): number {
    checkInterval(from, to);
    return this.#upTo(to) - this.#upTo(from);
  }

  /**
   * Throughput over (from, to] in bits per second of simulated time.
   *
   * @param from - exclusive start in ps
   * @param to - inclusive end in ps (> from)
   * @returns bits per second
   * @throws {@link SimTimeError} for an empty or invalid interval
   */
  bitsPerSecond(from: SimTime, to: SimTime): number {
    if (to <= from)
      throw new SimTimeError("to", `a time after from (${from} ps)`, describeValue(to));
    return (this.bytesIn(from, to) * 8 * PS_PER_S) / (to - from);
  }

  #upTo(t: SimTime): number {
    const i = upperBound(this.#times, t) - 1;
    return i < 0 ? 0 : this.#cumulative[i]!;
  }
}

/** Summary of a {@link LatencyHistogram}. */
export interface LatencySummary {
  /** Number of samples. */
  readonly count: number;
  /** Smallest sample in ps. */
  readonly min: SimTime;
  /** Largest sample in ps. */
  readonly max: SimTime;
  /** Arithmetic mean in ps (not necessarily an integer). */
  readonly mean: number;
  /** Median (nearest-rank 50th percentile) in ps. */
  readonly p50: SimTime;
  /** Nearest-rank 99th percentile in ps. */
  readonly p99: SimTime;
}

/**
 * Latency samples (durations in ps) with exact nearest-rank percentiles and histograms over
 * caller-chosen bucket edges. Every sample is kept (8 bytes each).
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * for (const x of [10, 20, 30, 40]) h.record(x);
 * h.percentile(50); // 20
 * h.histogram([0, 25, 50]); // [2, 2, 0]
 * ```
 */
export class LatencyHistogram {
  readonly #samples: number[] = [];
  #sorted = true;
  #sum = 0;

  /** Number of samples. */
  get count(): number {
    return this.#samples.length;
  }

  /**
   * Adds one latency sample.
   *
   * @param latency - a duration in ps
   * @throws {@link SimTimeError} when it is not a valid duration
   */
  record(latency: SimTime): void {
    checkSimTime(latency, "latency");
    const n = this.#samples.length;
    if (n > 0 && latency < this.#samples[n - 1]!) this.#sorted = false;
    this.#samples.push(latency);
    this.#sum += latency;
  }

  /**
   * Nearest-rank percentile: the smallest sample such that at least `p` % of the samples are
   * ≤ it (p = 0 gives the minimum).
   *
   * @param p - a percentage in 0..100
   * @returns the sample in ps
   * @throws RangeError when there is no sample or `p` is out of range
   */
  percentile(p: number): SimTime {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`"p" expected 0..100, got ${describeValue(p)}`);
    const s = this.#sortedSamples();
    if (s.length === 0) throw new RangeError(`"samples" expected at least one, got 0`);
    const rank = Math.max(1, Math.ceil((p / 100) * s.length));
    return s[rank - 1]!;
  }

  /**
   * Counts samples per bucket: bucket i holds samples in [edges[i], edges[i + 1]), the last
   * bucket everything ≥ its edge; samples below `edges[0]` are not counted.
   *
   * @param edges - strictly increasing bucket lower edges in ps
   * @returns one count per edge
   * @throws RangeError when `edges` is empty or not strictly increasing
   */
  histogram(edges: readonly SimTime[]): number[] {
    if (edges.length === 0) throw new RangeError(`"edges" expected at least one edge, got none`);
    for (let i = 1; i < edges.length; i++)
      if (!(edges[i]! > edges[i - 1]!))
        throw new RangeError(
          `"edges" expected strictly increasing values, got ${edges[i]!} after ${edges[i - 1]!} at index ${i}`,
        );
    const s = this.#sortedSamples();
    const counts: number[] = [];
    for (let i = 0; i < edges.length; i++) {
      const lo = lowerBound(s, edges[i]!);
      const hi = i + 1 < edges.length ? lowerBound(s, edges[i + 1]!) : s.length;
      counts.push(hi - lo);
    }
    return counts;
  }

  /**
   * Count, min, max, mean, median and 99th percentile.
   *
   * @returns the summary
   * @throws RangeError when there is no sample
   */
  summary(): LatencySummary {
    const s = this.#sortedSamples();
    if (s.length === 0) throw new RangeError(`"samples" expected at least one, got 0`);
    return {
      count: s.length,
      min: s[0]!,
      max: s[s.length - 1]!,
      mean: this.#sum / s.length,
      p50: this.percentile(50),
      p99: this.percentile(99),
    };
  }

  #sortedSamples(): number[] {
    if (!this.#sorted) {
      this.#samples.sort((a, b) => a - b);
      this.#sorted = true;
    }
    return this.#samples;
  }
}
