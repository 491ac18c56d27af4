/**
 * Requester-side reassembly of memory read completions with the checks a root complex makes
 * (shared PCIe reference `docs/reference/pcie.md` §4.4 Byte Count and Lower Address, §8.2, §3
 * completion status, §4.3 zero-length read): the completion must be a Cpl/CplD for an
 * outstanding tag of this requester, its Byte Count must equal the bytes still to return, its
 * Lower Address the address of the next byte, its Length must not run past the request, and a
 * non-final completion must end on a Read Completion Boundary. UR, CA and CRS statuses are typed
 * errors.
 *
 * Completion timeout is the caller's: the assembler keeps no clock. A caller that issued
 * requests starts its Completion Timeout (50 µs–50 ms by default, Device Control 2) and, when it
 * expires, reads {@link ReadAssembler.outstanding} and abandons or retries those tags.
 *
 * @module
 */
import type { Tlp } from "./gen/tlp.js";
import { fullTag } from "./request.js";

/**
 * A completion that breaks a rule: stable `name` `"CompletionError"`, message
 * `"<field>" expected X, got Y (tag T, byte offset O of the read)`.
 */
export class CompletionError extends Error {
  /** The completion field at fault. */
  readonly field: string;
  /** Tag of the completion. */
  readonly tag: number;
  /**
   * @param field - the completion field at fault
   * @param expected - what was expected
   * @param actual - what was received
   * @param tag - tag of the completion
   * @param offset - byte offset into the read of the next expected byte
   */
  constructor(field: string, expected: string, actual: string, tag: number, offset: number) {
    super(
      `"${field}" expected ${expected}, got ${actual} (tag ${tag}, byte offset ${offset} of the read)`,
    );
    this.name = "CompletionError";
    this.field = field;
    this.tag = tag;
  }
}

/** A completion with a status other than Successful Completion (§3). */
export class CompletionStatusError extends CompletionError {
  /** The completion status received. */
  readonly status: "ur" | "ca" | "crs";
  /**
   * @param status - status received
   * @param tag - tag of the completion
   * @param offset - byte offset into the read of the next expected byte
   */
  constructor(status: "ur" | "ca" | "crs", tag: number, offset: number) {
    super("status", '"sc"', `"${status}"`, tag, offset);
    this.name = "CompletionStatusError";
    this.status = status;
  }
}

/** Unsupported Request: the completer does not decode the address or type. Stable `name` `"UnsupportedRequestError"`. */
export class UnsupportedRequestError extends CompletionStatusError {
  /**
   * @param tag - tag of the completion
   * @param offset - byte offset into the read of the next expected byte
   */
  constructor(tag: number, offset: number) {
    super("ur", tag, offset);
    this.name = "UnsupportedRequestError";
  }
}

/** Completer Abort. Stable `name` `"CompleterAbortError"`. */
export class CompleterAbortError extends CompletionStatusError {
  /**
   * @param tag - tag of the completion
   * @param offset - byte offset into the read of the next expected byte
   */
  constructor(tag: number, offset: number) {
    super("ca", tag, offset);
    this.name = "CompleterAbortError";
  }
}

/** Configuration Request Retry Status (the caller may retry the request). Stable `name` `"ConfigRetryError"`. */
export class ConfigRetryError extends CompletionStatusError {
  /**
   * @param tag - tag of the completion
   * @param offset - byte offset into the read of the next expected byte
   */
  constructor(tag: number, offset: number) {
    super("crs", tag, offset);
    this.name = "ConfigRetryError";
  }
}

interface Pending {
  /** Offset of the request in the read result. */
  readonly base: number;
  readonly byteLength: number;
  /** Request address bits 6:0. */
  readonly a7: number;
  /** Bytes received so far. */
  received: number;
}

/** Options of {@link ReadAssembler}. */
export interface ReadAssemblerOptions {
  /**
   * Read Completion Boundary to check non-final completions against (64 or 128); 0 skips the check.
   * @defaultValue 64
   */
  readonly rcb?: number;
}

/**
 * Collects the completions of the read requests of one read into a result buffer. Register
 * each request with {@link ReadAssembler.expect} when it is sent; feed every completion to
 * {@link ReadAssembler.accept} in arrival order. Completions of different tags may interleave;
 * those of one request arrive in address order (as PCIe ordering requires).
 */
export class ReadAssembler {
  /** The bytes read, filled as completions arrive. */
  readonly data: Uint8Array;
  /** Requester ID the completions must carry. */
  readonly requesterId: number;
  private readonly rcb: number;
  private readonly pending = new Map<number, Pending>();
  private done = 0;
  private expected = 0;

  /**
   * @param byteLength - bytes of the whole read
   * @param requesterId - Requester ID of the requests
   * @param options - checks
   */
  constructor(byteLength: number, requesterId: number, options: ReadAssemblerOptions = {}) {
    this.data = new Uint8Array(byteLength);
    this.requesterId = requesterId;
    this.rcb = options.rcb ?? 64;
  }

  /**
   * Registers a request sent with `tag` for `byteLength` bytes at `address`, to land at `offset`
   * of the result.
   *
   * @throws {@link CompletionError} (field `"tag"`) when the tag is already outstanding
   */
  expect(tag: number, address: bigint, byteLength: number, offset: number): void {
    if (this.pending.has(tag))
      throw new CompletionError("tag", "a tag not outstanding", String(tag), tag, offset);
    this.pending.set(tag, { base: offset, byteLength, a7: Number(address & 0x7fn), received: 0 });
    this.expected += Math.max(byteLength, 0);
  }

  /** Tags of the requests not yet fully completed (for the caller's completion timeout). */
  outstanding(): number[] {
    return [...this.pending.keys()];
  }

  /** True when every registered request has completed. */
  get complete(): boolean {
    return this.pending.size === 0;
  }

  /** Bytes received so far over all requests. */
  get receivedBytes(): number {
    return this.done;
  }

  /**
   * Checks one completion and copies its data into {@link ReadAssembler.data}.
   *
   * @returns true when this completion finished its request
   * @throws {@link CompletionError} when a rule is broken, or one of its status subclasses
   */
  accept(tlp: Tlp): boolean {
    if (tlp.tlpType !== "cpld" && tlp.tlpType !== "cpl")
      throw new CompletionError("tlpType", '"cpld" or "cpl"', `"${tlp.tlpType}"`, -1, this.done);
    const tag = fullTag(tlp);
    const p = this.pending.get(tag);
    if (p === undefined)
      throw new CompletionError("tag", "an outstanding tag", String(tag), tag, this.done);
    const at = p.base + p.received;
    if (tlp.requesterId !== this.requesterId)
      throw new CompletionError(
        "requesterId",
        String(this.requesterId),
        String(tlp.requesterId),
        tag,
        at,
      );
    if (tlp.status !== "sc") {
      this.pending.delete(tag); // a non-SC completion is the last one of its request (§4.4)
      if (tlp.status === "ur") throw new UnsupportedRequestError(tag, at);
      if (tlp.status === "ca") throw new CompleterAbortError(tag, at);
      throw new ConfigRetryError(tag, at);
    }
    if (tlp.tlpType !== "cpld") throw new CompletionError("tlpType", '"cpld"', '"cpl"', tag, at);
    const zero = p.byteLength === 0;
    const remaining = zero ? 1 : p.byteLength - p.received;
    const byteCount = tlp.byteCount === 0 ? 4096 : tlp.byteCount;
    if (byteCount !== remaining)
      throw new CompletionError("byteCount", String(remaining), String(byteCount), tag, at);
    const la = zero ? p.a7 & 0x7c : (p.a7 + p.received) & 0x7f;
    if (tlp.lowerAddress !== la)
      throw new CompletionError("lowerAddress", String(la), String(tlp.lowerAddress), tag, at);
    const lengthDw = tlp.length === 0 ? 1024 : tlp.length;
    const maxDw = Math.ceil(((la & 3) + remaining) / 4);
    if (lengthDw > maxDw)
      throw new CompletionError("length", `at most ${maxDw} DW`, `${lengthDw} DW`, tag, at);
    if (zero) {
      this.pending.delete(tag);
      return true;
    }
    const bytes = Math.min(remaining, lengthDw * 4 - (la & 3));
    const last = bytes === remaining;
    if (!last && this.rcb !== 0 && (la + bytes) % this.rcb !== 0)
      throw new CompletionError(
        "length",
        `a completion ending on a ${this.rcb}-byte RCB boundary`,
        `${lengthDw} DW ending at lower address ${(la + bytes) & 0x7f}`,
        tag,
        at,
      );
    this.data.set(tlp.data.subarray(la & 3, (la & 3) + bytes), at);
    p.received += bytes;
    this.done += bytes;
    if (last) this.pending.delete(tag);
    return last;
  }
}
