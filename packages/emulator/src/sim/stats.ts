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
 * intervals are merged. A periodic series of equal intervals ({@link BusyTime.addPeriodic},
 * e.g. the TLP bursts of a run of equal DMA transfers) is stored as one run, in O(1).
 *
 * @example
 * ```ts
 * const b = new BusyTime();
 * b.add(0, 10); b.add(10, 20); b.add(30, 40);
 * b.total; // 30
 * b.busyIn(5, 35); // 20
 * b.addPeriodic(100, 5, 20, 3); // [100, 105), [120, 125), [140, 145)
 * b.intervals; // 5
 * ```
 */
export class BusyTime {
  // Runs of `count` intervals of `length`, one every `period` from `start` (period = length
  // for a single interval); `cumulative` is the busy time before the run.
  readonly #starts: number[] = [];
  readonly #lengths: number[] = [];
  readonly #periods: number[] = [];
  readonly #counts: number[] = [];
  readonly #cumulative: number[] = [];
  #total = 0;
  #intervals = 0;

  /** Total busy time in ps. */
  get total(): SimTime {
    return this.#total;
  }

  /** Number of merged busy intervals. */
  get intervals(): number {
    return this.#intervals;
  }

  /** Start of the last interval (−1 when none). */
  #lastStart(): number {
    const n = this.#starts.length;
    return n === 0 ? -1 : this.#starts[n - 1]! + (this.#counts[n - 1]! - 1) * this.#periods[n - 1]!;
  }

  /** End of the last interval (−1 when none). */
  #lastEnd(): number {
    const n = this.#starts.length;
    return n === 0 ? -1 : this.#lastStart() + this.#lengths[n - 1]!;
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
    const lastStart = this.#lastStart();
    if (start < lastStart)
      throw new SimTimeError(
        "start",
        `a time not before the previous interval's start (${lastStart} ps)`,
        `${start} ps`,
      );
    const prevEnd = this.#lastEnd();
    if (lastStart >= 0 && start <= prevEnd) {
      if (end > prevEnd) {
        const n = this.#starts.length - 1;
        if (this.#counts[n]! > 1) {
          // Take the run's last interval out as a single interval, then lengthen it.
          this.#counts[n]!--;
          const length = prevEnd - lastStart;
          this.#push(lastStart, length, length, 1, this.#total - length);
          this.#intervals--;
        }
        const m = this.#starts.length - 1;
        this.#lengths[m] = end - lastStart;
        this.#periods[m] = end - lastStart;
        this.#total += end - prevEnd;
      }
      return;
    }
    if (end === start) return;
    this.#push(start, end - start, end - start, 1, this.#total);
    this.#total += end - start;
  }

  /**
   * Records `count` busy intervals of `length` ps, one every `period` ps from `start` — the same
   * as `count` calls of {@link BusyTime.add}, in O(1) once past the previous interval.
   *
   * @param start - start of the first, not before the start of the previous interval
   * @param length - length of each, ≥ 0
   * @param period - distance between starts, ≥ length
   * @param count - number of intervals, ≥ 0
   * @throws {@link SimTimeError} for invalid arguments
   */
  addPeriodic(start: SimTime, length: SimTime, period: SimTime, count: number): void {
    checkSimTime(start, "start");
    checkSimTime(length, "length");
    checkSimTime(period, "period");
    if (!Number.isSafeInteger(count) || count < 0)
      throw new SimTimeError("count", "a non-negative safe integer", describeValue(count));
    if (period < length)
      throw new SimTimeError(
        "period",
        `a duration of at least length (${length} ps)`,
        `${period} ps`,
      );
    checkSimTime(start + (count > 0 ? count - 1 : 0) * period + length, "end");
    if (length === 0 || count === 0) {
      if (count > 0) this.add(start, start); // checks the order
      return;
    }
    if (length === period) {
      this.add(start, start + count * period); // back to back: one interval
      return;
    }
    // Intervals touching or overlapping the previous one merge with it, one by one.
    let k = 0;
    while (k < count && start + k * period <= this.#lastEnd()) {
      this.add(start + k * period, start + k * period + length);
      k++;
    }
    if (k === count) return;
    const first = start + k * period;
    if (first < this.#lastStart())
      throw new SimTimeError(
        "start",
        `a time not before the previous interval's start (${this.#lastStart()} ps)`,
        `${first} ps`,
      );
    const left = count - k;
    this.#push(first, length, period, left, this.#total);
    this.#total += left * length;
    this.#intervals += left - 1;
  }

  #push(start: number, length: number, period: number, count: number, cumulative: number): void {
    this.#starts.push(start);
    this.#lengths.push(length);
    this.#periods.push(period);
    this.#counts.push(count);
    this.#cumulative.push(cumulative);
    this.#intervals++;
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
    const elapsed = t - this.#starts[i]!;
    const length = this.#lengths[i]!;
    const count = this.#counts[i]!;
    const k = Math.min(count, Math.floor(elapsed / this.#periods[i]!));
    const partial = k < count ? Math.min(length, elapsed - k * this.#periods[i]!) : 0;
    return this.#cumulative[i]! + k * length + partial;
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
