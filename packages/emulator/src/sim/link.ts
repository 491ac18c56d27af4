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
    return transmissionTime(bytes + this.overheadBytes, this.bitsPerSecond);
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
