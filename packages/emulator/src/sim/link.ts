/**
 * A serialising link or channel: one transmission at a time at a fixed line rate. A
 * transmission of `n` bytes occupies the link for {@link transmissionTime}(n + overhead)
 * (the per-item overhead models framing, e.g. PCIe's 8 bytes of STP, sequence number, LCRC and
 * END plus the 12/16-byte header of each TLP — docs/reference/pcie.md §7 and §11.2; or the
 * SRIO packet overhead of docs/reference/srio.md §10). Transmissions offered while the link is
 * busy queue back to back in offer order; the link records its busy intervals for statistics.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import type { Simulator } from "./simulator.js";
import { SimTimeError, addSimTime, transmissionTime } from "./time.js";
import type { Rate, SimTime } from "./time.js";
import { BusyTime } from "./stats.js";

/** Options of a {@link SerialLink}. */
export interface SerialLinkOptions {
  /** Name used in statistics and error messages. */
  readonly name: string;
  /** Line rate in bits per second after line coding (e.g. 16e9 for PCIe Gen2 x4, pcie.md §11.1). */
  readonly bitsPerSecond: Rate;
  /**
   * Bytes added to every transmission (framing, headers).
   *
   * @defaultValue 0
   */
  readonly overheadBytes?: number;
}

/** One scheduled transmission on a {@link SerialLink}. */
export interface Transmission {
  /** Payload bytes offered (without the per-item overhead). */
  readonly bytes: number;
  /** Bytes on the wire: `bytes + overheadBytes`. */
  readonly wireBytes: number;
  /** When the first bit goes out, in ps. */
  readonly start: SimTime;
  /** When the last bit has gone out, in ps. */
  readonly end: SimTime;
}

/**
 * A serialising link resource.
 *
 * @example
 * ```ts
 * const sim = new Simulator();
 * const gen2x4 = new SerialLink(sim, { name: "dm-bc", bitsPerSecond: 16e9, overheadBytes: 20 });
 * gen2x4.transmit(256, (t) => console.log(t.end)); // 138000 ps
 * sim.run();
 * ```
 */
export class SerialLink {
  /** The link's name. */
  readonly name: string;
  /** Line rate in bits per second. */
  readonly bitsPerSecond: Rate;
  /** Overhead bytes added to each transmission. */
  readonly overheadBytes: number;
  /** Busy intervals of the link (one per run of back-to-back transmissions). */
  readonly busy = new BusyTime();
  readonly #sim: Simulator;
  #busyUntil: SimTime = 0;
  #items = 0;
  #bytes = 0;
  #wireBytes = 0;
  #occBytes0 = -1;
  #occTime0: SimTime = 0;
  #occBytes1 = -1;
  #occTime1: SimTime = 0;

  /**
   * @param sim - the simulator providing time and events
   * @param options - name, rate and per-item overhead
   * @throws {@link SimTimeError} when the rate is not a finite positive number or the overhead
   *   is not a non-negative safe integer
   */
  constructor(sim: Simulator, options: SerialLinkOptions) {
    this.#sim = sim;
    this.name = options.name;
    this.bitsPerSecond = options.bitsPerSecond;
    this.overheadBytes = options.overheadBytes ?? 0;
    if (!Number.isSafeInteger(this.overheadBytes) || this.overheadBytes < 0)
      throw new SimTimeError(
        "overheadBytes",
        "a non-negative safe integer",
        describeValue(this.overheadBytes),
      );
    transmissionTime(1, this.bitsPerSecond); // validates the rate
  }

  /** Time at which the link finishes its last accepted transmission (≤ now when idle). */
  get busyUntil(): SimTime {
    return this.#busyUntil;
  }

  /** Transmissions accepted so far. */
  get items(): number {
    return this.#items;
  }

  /** Payload bytes accepted so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Wire bytes (payload + overhead) accepted so far. */
  get wireBytes(): number {
    return this.#wireBytes;
  }

  /**
   * Occupancy of one transmission of `bytes` payload bytes: ⌈(bytes + overhead) · 8 / rate⌉.
   *
   * @param bytes - payload bytes
   * @returns the time in ps
   */
  occupancy(bytes: number): SimTime {
    // Memoised for the two sizes seen last (full and last TLPs of a transfer repeat).
    if (bytes === this.#occBytes0) return this.#occTime0;
    if (bytes === this.#occBytes1) return this.#occTime1;
    const t = transmissionTime(bytes + this.overheadBytes, this.bitsPerSecond);
    this.#occBytes1 = this.#occBytes0;
    this.#occTime1 = this.#occTime0;
    this.#occBytes0 = bytes;
    this.#occTime0 = t;
    return t;
  }

  /**
   * Occupancy of a burst: `itemsA` transmissions of `bytesA` then `itemsB` of `bytesB`, back to
   * back.
   *
   * @param itemsA - transmissions of the first kind
   * @param bytesA - their payload bytes
   * @param itemsB - transmissions of the second kind
   * @param bytesB - their payload bytes
   * @returns the time in ps
   */
  burstTime(itemsA: number, bytesA: number, itemsB: number, bytesB: number): SimTime {
    return itemsA * this.occupancy(bytesA) + itemsB * this.occupancy(bytesB);
  }

  /**
   * Queues `count` bursts (see {@link SerialLink.burstTime}), the k-th offered at
   * `firstStart + k · period`: the link state `count` bursts of {@link SerialLink.transmit}
   * calls at those times would leave, in O(1). The link must be free at `firstStart`, and each
   * burst must end before the next starts.
   *
   * @param firstStart - offer time of the first burst, ≥ now and ≥ {@link SerialLink.busyUntil}
   * @param period - distance between offers, ≥ the burst's time
   * @param count - bursts, ≥ 0
   * @param itemsA - transmissions of the first kind per burst
   * @param bytesA - their payload bytes
   * @param itemsB - transmissions of the second kind per burst
   * @param bytesB - their payload bytes
   * @returns the end of the last burst
   * @throws {@link SimTimeError} when a precondition does not hold
   */
  transmitBursts(
    firstStart: SimTime,
    period: SimTime,
    count: number,
    itemsA: number,
    bytesA: number,
    itemsB: number,
    bytesB: number,
  ): SimTime {
    const burst = this.burstTime(itemsA, bytesA, itemsB, bytesB);
    if (firstStart < this.#sim.now() || firstStart < this.#busyUntil)
      throw new SimTimeError(
        "firstStart",
        `a time when the link is free (≥ ${Math.max(this.#sim.now(), this.#busyUntil)} ps)`,
        `${firstStart} ps`,
      );
    if (!Number.isSafeInteger(count) || count < 0 || !(period >= burst))
      throw new SimTimeError(
        "period",
        `a period ≥ the burst (${burst} ps) and a count ≥ 0`,
        `${describeValue(period)} ps × ${describeValue(count)}`,
      );
    if (count === 0) return firstStart;
    const end = addSimTime(firstStart + (count - 1) * period, burst, "period");
    const items = itemsA + itemsB;
    this.#busyUntil = end;
    this.#items += count * items;
    this.#bytes += count * (itemsA * bytesA + itemsB * bytesB);
    this.#wireBytes += count * (itemsA * bytesA + itemsB * bytesB + items * this.overheadBytes);
    this.busy.addPeriodic(firstStart, burst, period, count);
    return end;
  }

  /**
   * Queues `count` transmissions of `bytes` payload bytes each, back to back: the same link
   * state as `count` calls of {@link SerialLink.transmit} without callbacks (each item occupies
   * {@link SerialLink.occupancy}`(bytes)`), in O(1).
   *
   * @param bytes - payload bytes of each (a non-negative safe integer)
   * @param count - number of transmissions (a non-negative safe integer)
   * @returns the end of the last one (the link's busy-until; now or later when `count` is 0)
   * @throws {@link SimTimeError} for an invalid count or an end beyond the time range
   */
  transmitRepeated(bytes: number, count: number): SimTime {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new SimTimeError("count", "a non-negative safe integer", describeValue(count));
    const now = this.#sim.now();
    const start = this.#busyUntil > now ? this.#busyUntil : now;
    if (count === 0) return start;
    const end = addSimTime(start, this.occupancy(bytes) * count, "bytes");
    this.#busyUntil = end;
    this.#items += count;
    this.#bytes += bytes * count;
    this.#wireBytes += (bytes + this.overheadBytes) * count;
    this.busy.add(start, end);
    return end;
  }

  /**
   * Queues a transmission of `bytes` payload bytes: it starts when the link is free (now, or
   * when the previous transmission ends) and `onDone` runs at its end.
   *
   * @param bytes - payload bytes (a non-negative safe integer)
   * @param onDone - optional callback at the end of the transmission
   * @returns the transmission's start and end times
   * @throws {@link SimTimeError} for an invalid byte count or an end beyond the time range
   */
  transmit(bytes: number, onDone?: (t: Transmission) => void): Transmission {
    const now = this.#sim.now();
    const start = this.#busyUntil > now ? this.#busyUntil : now;
    const end = addSimTime(start, this.occupancy(bytes), "bytes");
    const t: Transmission = { bytes, wireBytes: bytes + this.overheadBytes, start, end };
    this.#busyUntil = end;
    this.#items++;
    this.#bytes += bytes;
    this.#wireBytes += t.wireBytes;
    this.busy.add(start, end);
    if (onDone !== undefined) this.#sim.schedule(end, () => onDone(t));
    return t;
  }
}
