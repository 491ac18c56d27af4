/**
 * Simulated time of the emulator's discrete-event timing model (docs/ARCHITECTURE.md, "Two
 * speeds in the emulator"): an integer number of **picoseconds**, never mixed with wall-clock
 * time.
 *
 * Range: a JavaScript number holds every integer exactly up to 2^53 − 1
 * (`Number.MAX_SAFE_INTEGER`), so simulated time runs from 0 to 9 007 199 254 740 991 ps
 * ≈ 9007 s ≈ 2.5 h. Every function here checks its inputs and throws {@link SimTimeError}
 * beyond that range instead of silently losing precision.
 *
 * Durations derived from rates (bytes on a link, clock cycles) are computed exactly with
 * bigint arithmetic on the exact rational value of the given `number`, then rounded **up** to
 * the next picosecond, so that a modelled resource is never faster than its rate.
 *
 * @module
 */
import { CodecError, describeValue, fieldMessage } from "@rashpa/bits";

/** A point in simulated time or a duration, in picoseconds (a safe non-negative integer). */
export type SimTime = number;

/** Largest representable simulated time: 2^53 − 1 ps ≈ 9007 s ≈ 2.5 h. */
export const MAX_SIM_TIME_PS: SimTime = Number.MAX_SAFE_INTEGER;

/** Picoseconds per nanosecond. */
export const PS_PER_NS = 1_000;
/** Picoseconds per microsecond. */
export const PS_PER_US = 1_000_000;
/** Picoseconds per millisecond. */
export const PS_PER_MS = 1_000_000_000;
/** Picoseconds per second. */
export const PS_PER_S = 1_000_000_000_000;

/**
 * A simulated time or duration that is not a safe non-negative integer number of picoseconds,
 * lies beyond {@link MAX_SIM_TIME_PS}, or lies before the simulator's current time. `path`
 * names the argument; the message is `"<path>" expected X, got Y`.
 */
export class SimTimeError extends CodecError {
  /** Always `"SimTimeError"`. */
  override readonly name = "SimTimeError";

  /**
   * @param path - the argument at fault, e.g. `"at"` or `"delay"`
   * @param expected - what was expected
   * @param found - what was given
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}

/**
 * Checks that `t` is a valid simulated time or duration (integer, 0 ≤ t ≤ 2^53 − 1 ps).
 *
 * @param t - the value to check
 * @param path - the argument name used in the error
 * @returns `t`
 * @throws {@link SimTimeError} otherwise
 * @example
 * ```ts
 * checkSimTime(60_000, "delay"); // 60000
 * ```
 */
export function checkSimTime(t: number, path: string): SimTime {
  if (!Number.isSafeInteger(t) || t < 0)
    throw new SimTimeError(
      path,
      `an integer number of picoseconds in 0..${MAX_SIM_TIME_PS}`,
      describeValue(t),
    );
  return t;
}

/**
 * Adds two simulated times, throwing when the sum leaves the exact range.
 *
 * @param a - a time or duration in ps
 * @param b - a duration in ps
 * @param path - the argument name used in the error
 * @returns `a + b`
 * @throws {@link SimTimeError} when either operand is invalid or the sum exceeds {@link MAX_SIM_TIME_PS}
 */
export function addSimTime(a: SimTime, b: SimTime, path = "time"): SimTime {
  checkSimTime(a, path);
  checkSimTime(b, path);
  const s = a + b;
  if (s > MAX_SIM_TIME_PS)
    throw new SimTimeError(
      path,
      `a sum of at most ${MAX_SIM_TIME_PS} ps (2^53 − 1, about 2.5 h)`,
      `${a} + ${b}`,
    );
  return s;
}

/**
 * A rate (bits per second, hertz): a finite positive `number`, taken at its exact binary value,
 * or an exact fraction `numerator / denominator` of two positive safe integers — use the
 * fraction for rates that no double holds exactly, e.g. PCIe Gen3 x1 after 128b/130b coding,
 * `{ numerator: 8e9 * 128, denominator: 130 }` b/s (pcie.md §11.1).
 */
export type Rate = number | RateFraction;

/** An exact rate `numerator / denominator` (see {@link Rate}). */
export interface RateFraction {
  /** Numerator, a positive safe integer. */
  readonly numerator: number;
  /** Denominator, a positive safe integer. */
  readonly denominator: number;
}

/**
 * The exact rational value of a rate as bigints `[numerator, denominator]` (every double is
 * m · 2^e exactly).
 */
function exactRational(rate: Rate, path: string): readonly [bigint, bigint] {
  if (typeof rate !== "number") {
    const { numerator: n, denominator: d } = rate;
    if (!Number.isSafeInteger(n) || n <= 0 || !Number.isSafeInteger(d) || d <= 0)
      throw new SimTimeError(
        path,
        "a fraction of two positive safe integers",
        `${describeValue(n)} / ${describeValue(d)}`,
      );
    return [BigInt(n), BigInt(d)];
  }
  const x = rate;
  if (!Number.isFinite(x) || x <= 0)
    throw new SimTimeError(path, "a finite positive number", describeValue(x));
  if (Number.isSafeInteger(x)) return [BigInt(x), 1n];
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  while (m > Number.MAX_SAFE_INTEGER) {
    m /= 2;
    e--;
  }
  return e >= 0 ? [BigInt(m), 1n << BigInt(e)] : [BigInt(m) << BigInt(-e), 1n];
}

function ceilToTime(num: bigint, den: bigint, path: string, what: string): SimTime {
  const q = (num + den - 1n) / den;
  if (q > BigInt(MAX_SIM_TIME_PS))
    throw new SimTimeError(path, `a duration of at most ${MAX_SIM_TIME_PS} ps`, `${q} ps ${what}`);
  return Number(q);
}

/** Picoseconds per unit (byte or cycle) at a rate, as the reduced fraction `p / q`. */
interface PerUnit {
  readonly p: bigint;
  readonly q: bigint;
  /** `p` and `q` as numbers when both are safe integers (the fast path of {@link scaledCeil}). */
  readonly pn: number;
  readonly qn: number;
}

/** Memoised {@link PerUnit} values of one unit: numeric rates by value, fractions by object. */
interface PerUnitCache {
  readonly psPerUnit: bigint;
  readonly byNumber: Map<number, PerUnit>;
  readonly byFraction: WeakMap<RateFraction, PerUnit>;
}

const newCache = (psPerUnit: bigint): PerUnitCache => ({
  psPerUnit,
  byNumber: new Map(),
  byFraction: new WeakMap(),
});
const PER_BYTE = newCache(8n * BigInt(PS_PER_S));
const PER_CYCLE = newCache(BigInt(PS_PER_S));

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * `psPerUnit · den / num` for a rate `num / den`, reduced, memoised by rate: a link or clock
 * has one rate, so the exact rational arithmetic runs once per rate, not once per packet.
 */
function perUnit(rate: Rate, path: string, cache: PerUnitCache): PerUnit {
  const hit = typeof rate === "number" ? cache.byNumber.get(rate) : cache.byFraction.get(rate);
  if (hit !== undefined) return hit;
  const [n, d] = exactRational(rate, path);
  let p = cache.psPerUnit * d;
  let q = n;
  const g = gcd(p, q);
  p /= g;
  q /= g;
  const safe = BigInt(Number.MAX_SAFE_INTEGER);
  const entry: PerUnit = { p, q, pn: p <= safe ? Number(p) : -1, qn: q <= safe ? Number(q) : -1 };
  if (typeof rate === "number") {
    if (cache.byNumber.size > 1024) cache.byNumber.clear();
    cache.byNumber.set(rate, entry);
  } else cache.byFraction.set(rate, entry);
  return entry;
}

/** ⌈count · p / q⌉ ps, exactly: in doubles when every intermediate is a safe integer, else in bigints. */
function scaledCeil(count: number, u: PerUnit, what: string): SimTime {
  if (u.pn >= 0 && u.qn >= 0 && (count === 0 || u.pn <= (Number.MAX_SAFE_INTEGER - u.qn) / count)) {
    const a = count * u.pn; // exact: a + q is a safe integer
    let k = Math.floor(a / u.qn);
    if (k * u.qn > a) k--;
    else if ((k + 1) * u.qn <= a) k++;
    return k * u.qn === a ? k : k + 1;
  }
  return ceilToTime(BigInt(count) * u.p, u.q, what, `for ${count} ${what}`);
}

/**
 * Time to serialise `bytes` at `bitsPerSecond`: ⌈bytes · 8 · 10^12 / rate⌉ ps, computed exactly
 * (see {@link Rate}).
 *
 * @param bytes - a non-negative safe integer
 * @param bitsPerSecond - the line rate after encoding, e.g. 16e9 for PCIe Gen2 x4 (pcie.md §11.1)
 * @returns the occupancy in ps (0 for 0 bytes)
 * @throws {@link SimTimeError} for a negative/non-integer byte count, a non-positive rate or a
 *   result beyond {@link MAX_SIM_TIME_PS}
 * @example
 * ```ts
 * transmissionTime(276, 16e9); // 138000 (a 256-byte MWr with 20 B overhead on Gen2 x4)
 * ```
 */
export function transmissionTime(bytes: number, bitsPerSecond: Rate): SimTime {
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new SimTimeError("bytes", "a non-negative safe integer", describeValue(bytes));
  return scaledCeil(bytes, perUnit(bitsPerSecond, "bitsPerSecond", PER_BYTE), "bytes");
}

/**
 * Duration of `cycles` clock cycles at `hertz`: ⌈cycles · 10^12 / f⌉ ps, computed exactly.
 * The PCIe–SRIO bridge's conversion latency, 9 cycles at 150 MHz, is exactly 60 ns
 * (docs/system.md, "PCIe–SRIO bridge").
 *
 * @param cycles - a non-negative safe integer
 * @param hertz - the clock frequency
 * @returns the duration in ps
 * @throws {@link SimTimeError} for invalid inputs or a result beyond {@link MAX_SIM_TIME_PS}
 * @example
 * ```ts
 * cyclesToPs(9, 150e6); // 60000
 * ```
 */
export function cyclesToPs(cycles: number, hertz: Rate): SimTime {
  if (!Number.isSafeInteger(cycles) || cycles < 0)
    throw new SimTimeError("cycles", "a non-negative safe integer", describeValue(cycles));
  return scaledCeil(cycles, perUnit(hertz, "hertz", PER_CYCLE), "cycles");
}

/**
 * The value of a {@link Rate} as a (possibly rounded) `number`, for reports.
 *
 * @param rate - the rate
 * @returns its value
 * @example
 * ```ts
 * rateValue({ numerator: 3, denominator: 2 }); // 1.5
 * ```
 */
export function rateValue(rate: Rate): number {
  return typeof rate === "number" ? rate : rate.numerator / rate.denominator;
}

/**
 * Converts nanoseconds (an integer) to picoseconds, checking the range.
 *
 * @param ns - a non-negative safe integer number of nanoseconds
 * @returns the same duration in ps
 * @throws {@link SimTimeError} when out of range
 * @example
 * ```ts
 * nsToPs(60); // 60000
 * ```
 */
export function nsToPs(ns: number): SimTime {
  if (!Number.isSafeInteger(ns) || ns < 0)
    throw new SimTimeError("ns", "a non-negative safe integer", describeValue(ns));
  return checkSimTime(ns * PS_PER_NS, "ns");
}
