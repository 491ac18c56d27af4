/**
 * PCIe-style flow-control credit pools (docs/reference/pcie.md §4.5, §5 and §7).
 *
 * PCI Express keeps separate credit counts per flow-control class — posted (MWr, Msg),
 * non-posted (MRd, I/O, configuration, AtomicOp) and completions — each with **header credits**
 * (one per TLP) and **data credits** (one per 16 bytes of payload, ⌈payload DW / 4⌉), pcie.md
 * §4.5. The receiver advertises its buffer sizes in InitFC DLLPs, where a value of 0 means
 * *infinite* credits (pcie.md §5); a transmitter consumes credits when it sends a TLP and may
 * only send when enough are available; the receiver returns them in UpdateFC DLLPs, which
 * travel in the opposite direction after a latency (pcie.md §7, the cocotbext UpdateFC latency
 * timer).
 *
 * {@link readCompletionCredits} counts the completion credits a read may need (pcie.md §8.2).
 *
 * A {@link CreditPool} models one class at the transmitter: `acquire` consumes credits (or
 * queues the sender until they are available, strictly in request order so TLPs of one class
 * keep their order), `release` marks the receiver's buffer space free and returns the credits
 * to the pool after `returnLatency` ps. Credits never go negative and are conserved:
 * `available + outstanding + returning = limit` for every finite limit.
 *
 * @module
 */
import { CodecError, describeValue, fieldMessage } from "@rashpa/bits";
import type { Simulator } from "./simulator.js";
import { checkSimTime } from "./time.js";
import type { SimTime } from "./time.js";

/** Bytes of payload per PCIe data credit (pcie.md §4.5: one credit = 16 B = 4 DW). */
export const PCIE_DATA_CREDIT_BYTES = 16;

/** A number of header and data credits. */
export interface Credits {
  /** Header credits (one per TLP in PCIe). */
  readonly header: number;
  /** Data credits (one per 16 payload bytes in PCIe). */
  readonly data: number;
}

/**
 * Misuse of a {@link CreditPool}: a cost that can never be satisfied, a release of credits that
 * were not consumed, or an invalid count. `path` names the argument.
 */
export class CreditError extends CodecError {
  /** Always `"CreditError"`. */
  override readonly name = "CreditError";

  /**
   * @param path - the argument at fault (`"header"`, `"data"`, `"returnLatency"`…)
   * @param expected - what was expected
   * @param found - what was given
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}

/**
 * Credits one TLP consumes (pcie.md §4.5): 1 header credit, ⌈payload / 16⌉ data credits.
 *
 * @param payloadBytes - payload bytes of the TLP (0 for requests without data)
 * @returns the credit cost
 * @throws {@link CreditError} when `payloadBytes` is not a non-negative safe integer
 * @example
 * ```ts
 * tlpCredits(256); // { header: 1, data: 16 }
 * ```
 */
export function tlpCredits(payloadBytes: number): Credits {
  if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0)
    throw new CreditError(
      "payloadBytes",
      "a non-negative safe integer",
      describeValue(payloadBytes),
    );
  return { header: 1, data: Math.ceil(payloadBytes / PCIE_DATA_CREDIT_BYTES) };
}

/**
 * Completion credits a requester must reserve for one memory read (docs/reference/pcie.md
 * §8.2 and §11.2): endpoints advertise infinite completion credits, so a requester limits its
 * outstanding reads by its own completion buffer, counting for each request the CplH (one per
 * completion) and CplD (16-byte units per completion) it may receive. This counts the worst
 * case in which the completer returns one completion per read-completion-boundary block
 * (cocotbext `split_on_all_rcb`, as verilog-pcie's `req_cplh_fc_count`/`req_cpld_fc_count`
 * budget them): n = ⌈((A mod RCB) + L) / RCB⌉ completions, each carrying the whole DWs of its
 * block.
 *
 * @param address - the request's first byte address
 * @param byteLength - bytes requested, 1..4096
 * @param rcb - read completion boundary in bytes, 64 or 128
 * @returns header credits = completions, data credits = Σ ⌈completion payload / 16⌉
 * @throws {@link CreditError} for an out-of-range length or RCB
 * @example
 * ```ts
 * readCompletionCredits(0x1000n, 512, 64); // { header: 8, data: 32 }
 * ```
 */
export function readCompletionCredits(address: bigint, byteLength: number, rcb: 64 | 128): Credits {
  if (!Number.isSafeInteger(byteLength) || byteLength < 1 || byteLength > 4096)
    throw new CreditError("byteLength", "1..4096", describeValue(byteLength));
  if (rcb !== 64 && rcb !== 128) throw new CreditError("rcb", "64 or 128", describeValue(rcb));
  if (address < 0n)
    throw new CreditError("address", "a non-negative address", describeValue(address));
  const first = Number(address % BigInt(rcb));
  const end = first + byteLength; // relative to the RCB block containing the first byte
  let header = 0;
  let data = 0;
  for (let block = 0; block < end; block += rcb) {
    const lo = Math.max(block, first) & ~3; // whole DWs
    const hi = (Math.min(block + rcb, end) + 3) & ~3;
    header++;
    data += Math.ceil((hi - lo) / PCIE_DATA_CREDIT_BYTES);
  }
  return { header, data };
}

/**
 * The credit limit an InitFC value advertises: 0 means infinite (pcie.md §5).
 *
 * @param value - the advertised HdrFC or DataFC value after scaling (a non-negative integer)
 * @returns `value`, or `Infinity` for 0
 * @throws {@link CreditError} for a negative or non-integer value
 * @example
 * ```ts
 * creditLimitFromInitFc(0); // Infinity
 * ```
 */
export function creditLimitFromInitFc(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new CreditError("value", "a non-negative safe integer", describeValue(value));
  return value === 0 ? Infinity : value;
}

/** Options of a {@link CreditPool}. */
export interface CreditPoolOptions {
  /** Name used in statistics. */
  readonly name: string;
  /** Header-credit limit: a positive integer, or `Infinity` (InitFC 0, pcie.md §5). */
  readonly header: number;
  /** Data-credit limit: a positive integer, or `Infinity`. */
  readonly data: number;
  /**
   * Delay in ps between {@link CreditPool.release} and the credits being available again at
   * the transmitter (the UpdateFC path, pcie.md §7).
   *
   * @defaultValue 0
   */
  readonly returnLatency?: SimTime;
}

interface Waiter {
  readonly cost: Credits;
  readonly onGranted: (at: SimTime) => void;
}

function checkLimit(v: number, path: string): void {
  if (v !== Infinity && (!Number.isSafeInteger(v) || v <= 0))
    throw new CreditError(path, "a positive safe integer or Infinity", describeValue(v));
}

function checkCount(v: number, path: string): void {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new CreditError(path, "a non-negative safe integer", describeValue(v));
}

/**
 * One flow-control class's header and data credits at a transmitter.
 *
 * @example
 * ```ts
 * const sim = new Simulator();
 * const posted = new CreditPool(sim, { name: "P", header: 32, data: 256, returnLatency: 500_000 });
 * posted.acquire(tlpCredits(256), (at) => console.log("send at", at));
 * ```
 */
export class CreditPool {
  /** The pool's name. */
  readonly name: string;
  /** The limits (receiver buffer sizes). */
  readonly limit: Credits;
  /** Delay between release and availability, in ps. */
  readonly returnLatency: SimTime;
  readonly #sim: Simulator;
  readonly #waiters: Waiter[] = [];
  #waitHead = 0;
  #availHeader: number;
  #availData: number;
  #outHeader = 0;
  #outData = 0;
  #retHeader = 0;
  #retData = 0;
  #granted = 0;
  #waited = 0;

  /**
   * @param sim - the simulator
   * @param options - name, limits and return latency
   * @throws {@link CreditError} for invalid limits; SimTimeError for an invalid latency
   */
  constructor(sim: Simulator, options: CreditPoolOptions) {
    checkLimit(options.header, "header");
    checkLimit(options.data, "data");
    this.#sim = sim;
    this.name = options.name;
    this.limit = { header: options.header, data: options.data };
    this.returnLatency = checkSimTime(options.returnLatency ?? 0, "returnLatency");
    this.#availHeader = options.header;
    this.#availData = options.data;
  }

  /** Credits available now. */
  get available(): Credits {
    return { header: this.#availHeader, data: this.#availData };
  }

  /** Credits consumed by granted senders and not yet released. */
  get outstanding(): Credits {
    return { header: this.#outHeader, data: this.#outData };
  }

  /** Credits released and on their way back (within `returnLatency`). */
  get returning(): Credits {
    return { header: this.#retHeader, data: this.#retData };
  }

  /** Senders waiting for credits. */
  get waiting(): number {
    return this.#waiters.length - this.#waitHead;
  }

  /** Grants so far. */
  get granted(): number {
    return this.#granted;
  }

  /** Grants that had to wait for credits. */
  get waited(): number {
    return this.#waited;
  }

  /**
   * Consumes `cost` credits for one sender. When they are available and nobody waits ahead,
   * they are consumed at once and `onGranted(now)` runs synchronously; otherwise the sender
   * queues and `onGranted(t)` runs inside the event that returns enough credits.
   *
   * @param cost - header and data credits (e.g. {@link tlpCredits})
   * @param onGranted - called with the grant time
   * @returns `true` when granted immediately
   * @throws {@link CreditError} when a count is invalid or exceeds the pool's limit (it could
   *   never be granted)
   */
  acquire(cost: Credits, onGranted: (at: SimTime) => void): boolean {
    checkCount(cost.header, "header");
    checkCount(cost.data, "data");
    if (cost.header > this.limit.header)
      throw new CreditError("header", `at most the limit ${this.limit.header}`, `${cost.header}`);
    if (cost.data > this.limit.data)
      throw new CreditError("data", `at most the limit ${this.limit.data}`, `${cost.data}`);
    if (this.waiting === 0 && this.#fits(cost)) {
      this.#take(cost);
      onGranted(this.#sim.now());
      return true;
    }
    this.#waiters.push({ cost, onGranted });
    return false;
  }

  /**
   * Frees `cost` credits (the receiver has drained the TLP); they become available again
   * `returnLatency` ps later.
   *
   * @param cost - credits previously granted
   * @throws {@link CreditError} when more credits are released than are outstanding
   */
  release(cost: Credits): void {
    checkCount(cost.header, "header");
    checkCount(cost.data, "data");
    if (cost.header > this.#outHeader)
      throw new CreditError("header", `at most ${this.#outHeader} outstanding`, `${cost.header}`);
    if (cost.data > this.#outData)
      throw new CreditError("data", `at most ${this.#outData} outstanding`, `${cost.data}`);
    this.#outHeader -= cost.header;
    this.#outData -= cost.data;
    this.#retHeader += cost.header;
    this.#retData += cost.data;
    this.#sim.scheduleAfter(this.returnLatency, () => {
      this.#retHeader -= cost.header;
      this.#retData -= cost.data;
      this.#availHeader += cost.header;
      this.#availData += cost.data;
      this.#serve();
    });
  }

  #fits(cost: Credits): boolean {
    return cost.header <= this.#availHeader && cost.data <= this.#availData;
  }

  #take(cost: Credits): void {
    this.#availHeader -= cost.header;
    this.#availData -= cost.data;
    this.#outHeader += cost.header;
    this.#outData += cost.data;
    this.#granted++;
  }

  #serve(): void {
    while (this.#waitHead < this.#waiters.length) {
      const w = this.#waiters[this.#waitHead]!;
      if (!this.#fits(w.cost)) break;
      this.#waitHead++;
      this.#take(w.cost);
      this.#waited++;
      w.onGranted(this.#sim.now());
    }
    if (this.#waitHead > 1024 && this.#waitHead * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#waitHead);
      this.#waitHead = 0;
    }
  }
}
