/**
 * Request ⇄ response matching by transaction ID (docs/reference/srio.md §2, §2.1, §6;
 * RapidIO 4.1 Part 1 §3.1, §4.1.2, §4.2; Part 2 §4.3; Part 8 §2.5.3 Table 2-7).
 *
 * A {@link TransactionTable} is the requester side of a bridge: it allocates 8-bit transaction
 * IDs per destination, keeps the outstanding requests (NREAD, NWRITE_R, ATOMIC, DOORBELL,
 * maintenance read/write), matches each response to its request and expires requests whose
 * response did not come in time. Time is a number the caller supplies (a simulated clock, any
 * unit) — the table never reads a wall clock.
 *
 * - **TIDs** (Part 1 §3.1): "unique for each requestor and responder processing element pair";
 *   a TID is not reused to the same destination until its response has been received. Each
 *   destination has its own 256 TIDs, handed out round-robin so a TID that just completed or
 *   timed out is the last to be reused (a late or duplicated response is then recognised).
 *   Maintenance requests are keyed by destinationID too.
 * - **Matching**: a response matches the outstanding request with its targetTID whose
 *   destination is the response's sourceID, and must be addressed to this table's device ID.
 * - **Status** (Part 1 Table 4-9, Part 2 Table 4-6): DONE completes the request; ERROR completes
 *   it as failed (an ERROR response carries no data, with ttype 0 or 8 — Part 1 §4.2.3); RETRY
 *   (DOORBELL only) completes it with a "retry" event so the caller sends it again;
 *   0b1100–1111 are implementation-defined completions; other codes are reserved.
 * - **Faults** are returned as `fault` events carrying a {@link SrioTransactionError} whose
 *   `reason` names the fault and `csrBit` the Part 8 Logical/Transport Layer Error Detect CSR bit
 *   a device would set. A faulty response to an outstanding TID is dropped; the request stays
 *   outstanding and will time out (Part 8 "Packet Response Timeout").
 *
 * @example
 * ```ts
 * import { TransactionTable } from "@rashpa/srio";
 * const t = new TransactionTable({ localId: 1, timeout: 1000 });
 * const { tid } = t.issue({ kind: "nread", srcId: 1, destId: 5, prio: 0, byteLength: 256 }, 0);
 * t.accept({ kind: "response", srcId: 5, destId: 1, targetTid: tid, status: 0, prio: 1, dataBytes: 256 }, 10).type; // "done"
 * ```
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";
import { checkRequestPriority, checkResponsePriority, SrioPriorityError } from "./priority.js";
import type { SrioPriority, SrioPriorityOptions } from "./priority.js";

/** Response status codes (Part 1 Table 4-9, Part 2 Table 4-6). */
export const TRANSACTION_STATUS = {
  /** Requested transaction completed. */
  DONE: 0b0000,
  /** Not accepted; send the request again (MESSAGE and DOORBELL only). */
  RETRY: 0b0011,
  /** Unrecoverable error. */
  ERROR: 0b0111,
} as const;

/** Requests that take a transaction ID and a response. */
export type SrioRequestKind =
  "nread" | "nwrite-r" | "atomic" | "doorbell" | "maintenance-read" | "maintenance-write";

/** A request as the table sees it. */
export interface SrioRequestInfo extends SrioPriority {
  /** Request kind. */
  readonly kind: SrioRequestKind;
  /** sourceID (this device). */
  readonly srcId: number;
  /** destinationID. */
  readonly destId: number;
  /**
   * Bytes the response must carry with DONE: the read size of an NREAD or maintenance read
   * (Part 1 Table 4-3), 8 for an ATOMIC with data (Part 1 §4.1.5); ignored for the others.
   * @defaultValue 0
   */
  readonly byteLength?: number;
}

/** A response as the table sees it. */
export interface SrioResponseInfo extends SrioPriority {
  /**
   * `"response"` (ftype 13) or a maintenance response (ftype 8, ttype 2 read / 3 write).
   */
  readonly kind: "response" | "maintenance-read-response" | "maintenance-write-response";
  /** sourceID (the responder). */
  readonly srcId: number;
  /** destinationID (the requester). */
  readonly destId: number;
  /** targetTID. */
  readonly targetTid: number;
  /** 4-bit status. */
  readonly status: number;
  /** Payload bytes (0 when none). */
  readonly dataBytes: number;
}

/** The faults a response or an operation can have. */
export type SrioTransactionFault =
  | "unexpected-response"
  | "duplicate-response"
  | "late-response"
  | "wrong-source"
  | "wrong-destination"
  | "wrong-type"
  | "wrong-length"
  | "data-with-error"
  | "retry-not-allowed"
  | "reserved-status"
  | "response-priority"
  | "tids-exhausted"
  | "clock"
  | "option";

/**
 * A transaction fault: `reason` names it, `path` the field, `csrBit` the Part 8 Logical/Transport
 * Layer Error Detect CSR bit (Table 2-7) a device would set, or `null`. The message is
 * `"<field>" expected X, got Y`.
 */
export class SrioTransactionError extends CodecError {
  /** Always `"SrioTransactionError"`. */
  override readonly name = "SrioTransactionError";
  /** The fault. */
  readonly reason: SrioTransactionFault;
  /** Part 8 Table 2-7 bit name, e.g. `"Unsolicited Response"`, or `null`. */
  readonly csrBit: string | null;
  /**
   * @param reason - the fault
   * @param path - the field at fault
   * @param expected - what was expected
   * @param found - what was found
   * @param csrBit - Part 8 Table 2-7 bit name, or `null`
   */
  constructor(
    reason: SrioTransactionFault,
    path: string,
    expected: string,
    found: string,
    csrBit: string | null,
  ) {
    super(fieldMessage(path, expected, found), { path, expected, found });
    this.reason = reason;
    this.csrBit = csrBit;
  }
}

/** What {@link TransactionTable.issue} returns. */
export interface IssuedRequest {
  /** The transaction ID to put in srcTID. */
  readonly tid: number;
  /** Time at which the request times out. */
  readonly deadline: number;
}

/**
 * A request answered: `done` (DONE), `error` (ERROR; Part 8 bit "IO error response"), `retry`
 * (RETRY to a DOORBELL: the TID is free again, send the request again) or
 * `implementation-defined` (status 0b1100–1111).
 */
export interface TransactionCompletion<R extends SrioRequestInfo = SrioRequestInfo> {
  /** How the request ended. */
  readonly type: "done" | "error" | "retry" | "implementation-defined";
  /** Its transaction ID. */
  readonly tid: number;
  /** The request as issued. */
  readonly request: R;
  /** The response. */
  readonly response: SrioResponseInfo;
}

/** A request without a response by its deadline (Part 8 bit "Packet Response Timeout"). */
export interface TransactionTimeout<R extends SrioRequestInfo = SrioRequestInfo> {
  /** Always `"timeout"`. */
  readonly type: "timeout";
  /** Its transaction ID (free again). */
  readonly tid: number;
  /** The request as issued. */
  readonly request: R;
}

/** A response that matches nothing or breaks a rule; it is dropped. */
export interface TransactionFault {
  /** Always `"fault"`. */
  readonly type: "fault";
  /** What is wrong. */
  readonly error: SrioTransactionError;
  /** The response. */
  readonly response: SrioResponseInfo;
}

/** What {@link TransactionTable.accept} and {@link TransactionTable.expire} report. */
export type TransactionEvent<R extends SrioRequestInfo = SrioRequestInfo> =
  TransactionCompletion<R> | TransactionTimeout<R> | TransactionFault;

/** Options of a {@link TransactionTable}. */
export interface TransactionTableOptions extends SrioPriorityOptions {
  /** This device's ID: the destinationID of every response. */
  readonly localId: number;
  /** Time from issue to timeout, in the caller's clock unit (> 0); Part 6 Port Response Timeout CSR. */
  readonly timeout: number;
  /**
   * Outstanding requests allowed per destination, 1–256.
   * @defaultValue 256
   */
  readonly maxOutstanding?: number;
  /**
   * Check request and response priorities (Part 6 §6.12) on issue and accept.
   * @defaultValue true
   */
  readonly checkPriority?: boolean;
}

const FREE = 0;
const OUTSTANDING = 1;
const COMPLETED = 2;
const TIMED_OUT = 3;

interface Destination<R> {
  readonly state: Uint8Array; // per TID: FREE, OUTSTANDING, COMPLETED, TIMED_OUT
  readonly requests: (R | undefined)[];
  readonly generation: Uint32Array; // bumped on every issue, to skip stale timeout entries
  next: number; // round-robin pointer
  outstanding: number;
}

const EXPECTED_RESPONSE: Readonly<Record<SrioRequestKind, SrioResponseInfo["kind"]>> = {
  nread: "response",
  "nwrite-r": "response",
  atomic: "response",
  doorbell: "response",
  "maintenance-read": "maintenance-read-response",
  "maintenance-write": "maintenance-write-response",
};

const DATA_KINDS: readonly SrioRequestKind[] = ["nread", "atomic", "maintenance-read"];

/**
 * Outstanding requests of one requester, their TIDs, response matching and timeouts (see the
 * module comment). Generic in the request type so callers can keep their own packet objects.
 */
export class TransactionTable<R extends SrioRequestInfo = SrioRequestInfo> {
  /** The options. */
  readonly options: Readonly<Required<TransactionTableOptions>>;
  private readonly dests = new Map<number, Destination<R>>();
  // Timeout queue in issue order (one timeout for all, so deadlines are non-decreasing).
  private readonly queue: { destId: number; tid: number; generation: number; deadline: number }[] =
    [];
  private head = 0;
  private now = -Infinity;
  private count = 0;

  /**
   * @param options - local ID, timeout, per-destination limit, priority checking
   * @throws {@link SrioTransactionError} (`option`) for a timeout that is not a positive number,
   *   a bad local ID or limit
   */
  constructor(options: TransactionTableOptions) {
    const maxOutstanding = options.maxOutstanding ?? 256;
    if (!Number.isInteger(options.localId) || options.localId < 0)
      throw new SrioTransactionError(
        "option",
        "localId",
        "an integer ≥ 0",
        String(options.localId),
        null,
      );
    if (!(
      typeof options.timeout === "number" &&
      options.timeout > 0 &&
      Number.isFinite(options.timeout)
    ))
      throw new SrioTransactionError(
        "option",
        "timeout",
        "a finite number > 0",
        String(options.timeout),
        null,
      );
    if (!Number.isInteger(maxOutstanding) || maxOutstanding < 1 || maxOutstanding > 256)
      throw new SrioTransactionError(
        "option",
        "maxOutstanding",
        "an integer 1–256",
        String(maxOutstanding),
        null,
      );
    this.options = {
      localId: options.localId,
      timeout: options.timeout,
      maxOutstanding,
      checkPriority: options.checkPriority ?? true,
      vcPriority: options.vcPriority ?? false,
    };
  }

  private tick(now: number): void {
    if (typeof now !== "number" || Number.isNaN(now) || now < this.now)
      throw new SrioTransactionError(
        "clock",
        "now",
        `a time ≥ the last one (${this.now})`,
        String(now),
        null,
      );
    this.now = now;
  }

  private dest(destId: number): Destination<R> {
    let d = this.dests.get(destId);
    if (d === undefined) {
      d = {
        state: new Uint8Array(256),
        requests: new Array<R | undefined>(256),
        generation: new Uint32Array(256),
        next: 0,
        outstanding: 0,
      };
      this.dests.set(destId, d);
    }
    return d;
  }

  /** Requests outstanding, in all or to one destination. */
  outstanding(destId?: number): number {
    return destId === undefined ? this.count : (this.dests.get(destId)?.outstanding ?? 0);
  }

  /** The outstanding request with this TID to this destination, if any. */
  get(destId: number, tid: number): R | undefined {
    const d = this.dests.get(destId);
    return d !== undefined && d.state[tid] === OUTSTANDING ? d.requests[tid] : undefined;
  }

  /**
   * Allocates a TID for `request` at time `now` and records it as outstanding.
   *
   * @throws {@link SrioTransactionError} (`tids-exhausted` when the destination has
   *   `maxOutstanding` requests outstanding, `clock` when `now` goes back) or
   *   {@link SrioPriorityError} when the request's priority breaks Part 6 §6.12
   */
  issue(request: R, now: number): IssuedRequest {
    this.tick(now);
    if (this.options.checkPriority) checkRequestPriority(request.kind, request, this.options);
    const d = this.dest(request.destId);
    if (d.outstanding >= this.options.maxOutstanding)
      throw new SrioTransactionError(
        "tids-exhausted",
        "tid",
        `a free transaction ID to destination ${request.destId}`,
        `${d.outstanding} outstanding`,
        null,
      );
    // Round-robin from the pointer: the first TID that is not outstanding.
    let tid = d.next;
    while (d.state[tid] === OUTSTANDING) tid = (tid + 1) & 0xff;
    d.next = (tid + 1) & 0xff;
    d.state[tid] = OUTSTANDING;
    d.requests[tid] = request;
    const generation = (d.generation[tid]! + 1) >>> 0;
    d.generation[tid] = generation;
    d.outstanding++;
    this.count++;
    const deadline = now + this.options.timeout;
    this.queue.push({ destId: request.destId, tid, generation, deadline });
    return { tid, deadline };
  }

  private fault(
    response: SrioResponseInfo,
    reason: SrioTransactionFault,
    path: string,
    expected: string,
    found: string,
    csrBit: string | null,
  ): TransactionEvent<R> {
    return {
      type: "fault",
      error: new SrioTransactionError(reason, path, expected, found, csrBit),
      response,
    };
  }

  private complete(d: Destination<R>, tid: number, state: number): R {
    const request = d.requests[tid]!;
    d.state[tid] = state;
    d.outstanding--;
    this.count--;
    return request;
  }

  /**
   * Matches a response received at time `now` (see the module comment for the rules).
   *
   * @throws {@link SrioTransactionError} (`clock`) when `now` goes back
   */
  accept(response: SrioResponseInfo, now: number): TransactionEvent<R> {
    this.tick(now);
    const tid = response.targetTid;
    const UNSOLICITED = "Unsolicited Response";
    const ILLEGAL = "Illegal transaction decode";
    if (!Number.isInteger(tid) || tid < 0 || tid > 255)
      return this.fault(
        response,
        "unexpected-response",
        "targetTID",
        "0–255",
        String(tid),
        ILLEGAL,
      );
    if (response.destId !== this.options.localId)
      return this.fault(
        response,
        "wrong-destination",
        "destinationID",
        String(this.options.localId),
        String(response.destId),
        "Illegal transaction target error",
      );
    const d = this.dests.get(response.srcId);
    const state = d?.state[tid] ?? FREE;
    if (state !== OUTSTANDING) {
      // Outstanding to someone else?
      for (const [destId, other] of this.dests)
        if (other.state[tid] === OUTSTANDING)
          return this.fault(
            response,
            "wrong-source",
            "sourceID",
            `${destId} (TID ${tid} is outstanding to it)`,
            String(response.srcId),
            UNSOLICITED,
          );
      if (state === COMPLETED)
        return this.fault(
          response,
          "duplicate-response",
          "targetTID",
          `an outstanding TID to ${response.srcId}`,
          `${tid} (already answered)`,
          UNSOLICITED,
        );
      if (state === TIMED_OUT)
        return this.fault(
          response,
          "late-response",
          "targetTID",
          `an outstanding TID to ${response.srcId}`,
          `${tid} (timed out)`,
          UNSOLICITED,
        );
      return this.fault(
        response,
        "unexpected-response",
        "targetTID",
        `an outstanding TID to ${response.srcId}`,
        String(tid),
        UNSOLICITED,
      );
    }
    const dd = d!;
    const request = dd.requests[tid]!;
    const expectedKind = EXPECTED_RESPONSE[request.kind];
    if (response.kind !== expectedKind)
      return this.fault(
        response,
        "wrong-type",
        "kind",
        `${expectedKind} to a ${request.kind}`,
        response.kind,
        ILLEGAL,
      );
    if (this.options.checkPriority) {
      try {
        checkResponsePriority(request, response, this.options);
      } catch (e) {
        if (!(e instanceof SrioPriorityError)) throw e;
        return this.fault(
          response,
          "response-priority",
          e.path ?? "prio",
          e.expected ?? "",
          e.found ?? "",
          ILLEGAL,
        );
      }
    }
    const s = response.status;
    if (s === TRANSACTION_STATUS.DONE) {
      const want = DATA_KINDS.includes(request.kind) ? (request.byteLength ?? 0) : 0;
      // A sub-double-word read returns one double-word (Part 1 §3.3); a 4-byte maintenance read too.
      const wire = want > 0 && want < 8 ? 8 : want;
      if (response.dataBytes !== wire)
        return this.fault(
          response,
          "wrong-length",
          "dataBytes",
          `${wire} for a ${request.kind} of ${want} B`,
          String(response.dataBytes),
          ILLEGAL,
        );
      this.complete(dd, tid, COMPLETED);
      return { type: "done", tid, request, response };
    }
    if (s === TRANSACTION_STATUS.ERROR) {
      if (response.dataBytes !== 0)
        return this.fault(
          response,
          "data-with-error",
          "dataBytes",
          "0 with ERROR (Part 1 §4.2.3)",
          String(response.dataBytes),
          ILLEGAL,
        );
      this.complete(dd, tid, COMPLETED);
      return { type: "error", tid, request, response };
    }
    if (s === TRANSACTION_STATUS.RETRY) {
      if (request.kind !== "doorbell")
        return this.fault(
          response,
          "retry-not-allowed",
          "status",
          "DONE or ERROR (RETRY is for DOORBELL and MESSAGE, Part 2 Table 4-6)",
          "RETRY",
          ILLEGAL,
        );
      this.complete(dd, tid, COMPLETED);
      return { type: "retry", tid, request, response };
    }
    if (Number.isInteger(s) && s >= 0b1100 && s <= 0b1111) {
      this.complete(dd, tid, COMPLETED);
      return { type: "implementation-defined", tid, request, response };
    }
    return this.fault(
      response,
      "reserved-status",
      "status",
      "DONE, RETRY, ERROR or 0b1100–1111",
      String(s),
      ILLEGAL,
    );
  }

  /**
   * Expires every request whose deadline is ≤ `now`, in issue order, freeing its TID.
   *
   * @throws {@link SrioTransactionError} (`clock`) when `now` goes back
   */
  expire(now: number): TransactionEvent<R>[] {
    this.tick(now);
    const out: TransactionEvent<R>[] = [];
    while (this.head < this.queue.length && this.queue[this.head]!.deadline <= now) {
      const e = this.queue[this.head++]!;
      const d = this.dests.get(e.destId)!;
      if (d.state[e.tid] === OUTSTANDING && d.generation[e.tid] === e.generation)
        out.push({ type: "timeout", tid: e.tid, request: this.complete(d, e.tid, TIMED_OUT) });
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return out;
  }

  /** The earliest deadline among outstanding requests, or `null` when none. */
  nextDeadline(): number | null {
    for (let i = this.head; i < this.queue.length; i++) {
      const e = this.queue[i]!;
      const d = this.dests.get(e.destId)!;
      if (d.state[e.tid] === OUTSTANDING && d.generation[e.tid] === e.generation) return e.deadline;
    }
    return null;
  }
}
