/**
 * SWRITE segmentation of a byte stream (docs/reference/srio.md §2, §3; RapidIO 4.1 Part 1
 * §3.3.2, §3.5, §4.1.1, §4.1.7, §4.1.8).
 *
 * A stream of `byteLength` bytes at a byte `address` is cut into packets the way Part 1 §3.5
 * (Figure 3-9) asks of a requester that writes an unaligned block:
 *
 * - SWRITE carries whole double-words only (Part 1 §4.1.8: "the data payload always contains a
 *   minimum of one complete double-word"; "sub-double-word data payloads shall use the type 5
 *   NWRITE transaction"). The double-word-aligned body of the stream therefore goes as SWRITEs
 *   of at most `maxPayloadBytes` (256 by default, Part 1 Table 4-4) each.
 * - The bytes before the first double-word boundary (the *head*) and after the last one (the
 *   *tail*) go as NWRITE packets with a sub-double-word size/wdptr (Part 1 Table 4-4). A head
 *   always covers byte lanes k–7 and a tail lanes 0–k, which are single entries of Table 4-4,
 *   so each takes one packet. A stream that starts and ends inside one double-word without
 *   touching lane 0 or lane 7 (e.g. lanes 1–6) has no single Table 4-4 entry: it is sent as the
 *   fewest sub-double-word NWRITEs that cover it (at most 4, e.g. lanes 1 · 2–3 · 4–5 · 6).
 * - With `unaligned: "error"` a stream that is not double-word aligned at both ends is refused
 *   with a {@link SrioStreamError} instead (for a bridge configured to use SWRITE only).
 *
 * Segments are contiguous, in address order, cover the stream exactly, and none crosses the end
 * of the 34-, 50- or 66-bit address space (Part 1 §4.1.1, srio.md §2.2). With `boundaryBytes`
 * (a power of two, e.g. a 4 KiB window of the receiving memory) no segment crosses a multiple
 * of it either: the SWRITEs are then cut on multiples of the step, so every SWRITE after the
 * first starts step-aligned.
 *
 * The plan is closed-form: {@link SwriteStreamPlan} holds a few numbers and computes segment `i`
 * on demand ({@link SwriteStreamPlan.segmentAt} with a reusable {@link StreamSegment}, or
 * {@link SwriteStreamPlan.forEach} with plain numbers), so planning a 1 GiB stream allocates
 * nothing per packet; iterating the plan yields fresh segment objects.
 *
 * @example
 * ```ts
 * import { planSwriteStream } from "@rashpa/srio";
 * const plan = planSwriteStream(0x1005n, 48); // Part 1 Figure 3-9: 3 B head, 40 B body, 5 B tail
 * plan.count; // 3
 * [...plan].map((s) => `${s.kind} ${s.byteLength}`); // ["nwrite 3", "swrite 40", "nwrite 5"]
 * ```
 *
 * @module
 */
import { CodecError, fieldMessage } from "@rashpa/bits";
import type { SrioAddressSize } from "./packet.js";
import { subDoubleWordSizeCode } from "./size.js";

/** Largest data payload of an NWRITE or SWRITE packet in bytes (Part 1 Table 4-4, srio.md §3). */
export const SWRITE_STREAM_MAX_PAYLOAD_BYTES = 256;

/**
 * A stream could not be planned: `path` names the option, `expected`/`found` say why. The
 * message is `"<option>" expected X, got Y`.
 */
export class SrioStreamError extends CodecError {
  /** Always `"SrioStreamError"`. */
  override readonly name = "SrioStreamError";

  /**
   * @param path - the option at fault
   * @param expected - what was expected
   * @param found - what was given
   */
  constructor(path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
  }
}

/** Options of {@link planSwriteStream}. */
export interface SwriteStreamOptions {
  /**
   * Physical address size of the system (Part 1 §4.1.1): the stream must end at or below
   * 2^addressBits.
   * @defaultValue 34
   */
  readonly addressBits?: SrioAddressSize;
  /**
   * Largest SWRITE payload in bytes: a multiple of 8 in 8–256 (Part 1 Table 4-4).
   * @defaultValue 256
   */
  readonly maxPayloadBytes?: number;
  /**
   * A power of two ≥ 8 that no segment may cross (e.g. 4096 for a page-mapped target). When
   * `maxPayloadBytes` is smaller it must divide it.
   * @defaultValue undefined (only the end of the address space is a boundary)
   */
  readonly boundaryBytes?: number;
  /**
   * What to do with bytes outside the double-word-aligned body: `"nwrite"` sends them as
   * sub-double-word NWRITEs (Part 1 §3.5, §4.1.8); `"error"` refuses an unaligned stream.
   * @defaultValue "nwrite"
   */
  readonly unaligned?: "nwrite" | "error";
}

/** One packet of a stream. Filled in place by {@link SwriteStreamPlan.segmentAt}. */
export interface StreamSegment {
  /** Index of the segment in its plan. */
  index: number;
  /** `"swrite"` (ftype 6, whole double-words) or `"nwrite"` (ftype 5, one sub-double-word). */
  kind: "swrite" | "nwrite";
  /** Offset of its first byte from the start of the stream. */
  offset: number;
  /** Stream bytes it carries (1–7 for an NWRITE, a multiple of 8 for an SWRITE). */
  byteLength: number;
  /** NWRITE only: the 4-bit wrsize of Part 1 Table 4-4; `null` for SWRITE (no size field). */
  wrsize: number | null;
  /** NWRITE only: the wdptr bit of Part 1 Table 4-4; `null` for SWRITE. */
  wdptr: 0 | 1 | null;
}

/** A fresh {@link StreamSegment} to pass to `segmentAt` and reuse. */
export function emptyStreamSegment(): StreamSegment {
  return { index: 0, kind: "swrite", offset: 0, byteLength: 0, wrsize: null, wdptr: null };
}

/**
 * Callback of {@link SwriteStreamPlan.forEach}: plain numbers, nothing allocated per call.
 * `ftype` is 6 for SWRITE and 5 for NWRITE; `wrsize`/`wdptr` are -1 for SWRITE.
 */
export type StreamSegmentCallback = (
  index: number,
  ftype: 5 | 6,
  offset: number,
  byteLength: number,
  wrsize: number,
  wdptr: number,
) => void;

/**
 * The Table 4-4 code of each sub-double-word piece, packed as `wdptr << 4 | wrsize` and indexed
 * by `(lane << 3) | (bytes − 1)`, or -1 when the table has no entry; derived once from the one
 * size table of `size.ts` ({@link subDoubleWordSizeCode}).
 */
const SUB_DW_CODE = Int8Array.from({ length: 64 }, (_, key) => {
  const code = subDoubleWordSizeCode((key & 7) + 1, key >>> 3);
  return code === undefined || key === 7 ? -1 : (code.wdptr << 4) | code.size; // key 7: whole DW
});

/**
 * Fewest Table 4-4 entries covering lanes [a, b) of one double-word (0 ≤ a < b ≤ 8, not the
 * whole double-word), as packed `(lane << 3 | (bytes − 1))` pieces in lane order.
 * Computed once for the 36 ranges by dynamic programming over the end lane.
 */
const COVER: readonly (readonly number[])[] = (() => {
  const out: number[][] = [];
  for (let a = 0; a < 8; a++)
    for (let b = a + 1; b <= 8; b++) {
      // best[x] = fewest pieces covering [a, x), from[x] = the last piece.
      const best: number[] = new Array<number>(9).fill(Infinity);
      const from: number[] = new Array<number>(9).fill(-1);
      best[a] = 0;
      for (let x = a; x < b; x++) {
        if (best[x] === Infinity) continue;
        for (let n = 1; x + n <= b; n++) {
          const key = (x << 3) | (n - 1);
          if (SUB_DW_CODE[key] === -1) continue;
          if (best[x]! + 1 < best[x + n]!) {
            best[x + n] = best[x]! + 1;
            from[x + n] = key;
          }
        }
      }
      const pieces: number[] = [];
      for (let x = b; x > a; x -= (from[x]! & 7) + 1) pieces.unshift(from[x]!);
      out[a * 9 + b] = pieces;
    }
  return out;
})();

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/**
 * The packets of one stream write (see the module comment for the rules). Build it with
 * {@link planSwriteStream}.
 */
export class SwriteStreamPlan {
  /** Byte address of the first byte. */
  readonly address: bigint;
  /** Bytes in the stream. */
  readonly byteLength: number;
  /** Physical address size. */
  readonly addressBits: SrioAddressSize;
  /** Largest SWRITE payload. */
  readonly maxPayloadBytes: number;
  /** Boundary no segment crosses, or `null`. */
  readonly boundaryBytes: number | null;
  /** Number of packets. */
  readonly count: number;
  /** Sub-double-word NWRITE packets before the body (0–4). */
  readonly headCount: number;
  /** SWRITE packets. */
  readonly swriteCount: number;
  /** Sub-double-word NWRITE packets after the body (0 or 1). */
  readonly tailCount: number;
  /** Offset of the double-word-aligned body in the stream. */
  readonly bodyOffset: number;
  /** Bytes in the body (a multiple of 8). */
  readonly bodyBytes: number;
  /** Payload bytes on the wire: each NWRITE carries one padded double-word (Part 1 §3.3). */
  readonly wirePayloadBytes: number;
  // Packed head pieces (lane << 3 | bytes − 1), from COVER.
  private readonly head: readonly number[];
  // Step of the body cut and its phase (bytes of the first step already before the body).
  private readonly step: number;
  private readonly phase: number;

  /**
   * @param address - byte address of the first byte, ≥ 0
   * @param byteLength - bytes to write, a safe integer ≥ 0
   * @param options - address size, maximum payload, boundary, unaligned policy
   * @throws {@link SrioStreamError} when an argument is out of range or the stream is
   *   unaligned with `unaligned: "error"`
   */
  constructor(address: bigint, byteLength: number, options: SwriteStreamOptions = {}) {
    const addressBits = options.addressBits ?? 34;
    if (addressBits !== 34 && addressBits !== 50 && addressBits !== 66)
      throw new SrioStreamError("addressBits", "34, 50 or 66", String(addressBits));
    if (typeof address !== "bigint" || address < 0n)
      throw new SrioStreamError("address", "a bigint ≥ 0", String(address));
    if (!Number.isSafeInteger(byteLength) || byteLength < 0)
      throw new SrioStreamError("byteLength", "a safe integer ≥ 0", String(byteLength));
    if (address + BigInt(byteLength) > 1n << BigInt(addressBits))
      throw new SrioStreamError(
        "byteLength",
        `a stream ending at or below 2^${addressBits}`,
        `${byteLength} bytes at 0x${address.toString(16)}`,
      );
    const max = options.maxPayloadBytes ?? SWRITE_STREAM_MAX_PAYLOAD_BYTES;
    if (!Number.isInteger(max) || max < 8 || max > SWRITE_STREAM_MAX_PAYLOAD_BYTES || max % 8 !== 0)
      throw new SrioStreamError("maxPayloadBytes", "a multiple of 8 in [8, 256]", String(max));
    const boundary = options.boundaryBytes ?? null;
    if (boundary !== null && (!isPowerOfTwo(boundary) || boundary < 8))
      throw new SrioStreamError("boundaryBytes", "a power of two ≥ 8", String(boundary));
    if (boundary !== null && boundary > max && boundary % max !== 0)
      throw new SrioStreamError(
        "maxPayloadBytes",
        `a divisor of boundaryBytes ${boundary}`,
        String(max),
      );
    const unaligned = options.unaligned ?? "nwrite";
    if (unaligned !== "nwrite" && unaligned !== "error")
      throw new SrioStreamError("unaligned", `"nwrite" or "error"`, String(unaligned));
    const a8 = Number(address & 7n);
    if (unaligned === "error" && (a8 !== 0 || byteLength % 8 !== 0))
      throw new SrioStreamError(
        "address",
        "a double-word-aligned stream (SWRITE carries whole double-words, Part 1 §4.1.8)",
        `${byteLength} bytes at 0x${address.toString(16)}`,
      );
    this.address = address;
    this.byteLength = byteLength;
    this.addressBits = addressBits;
    this.maxPayloadBytes = max;
    this.boundaryBytes = boundary;

    let head: readonly number[] = [];
    let bodyOffset = 0;
    let bodyBytes = 0;
    let tail = 0;
    if (byteLength > 0) {
      const end = a8 + byteLength; // end lane counted from the first double-word
      if (end < 8 || (end === 8 && a8 !== 0)) {
        head = COVER[a8 * 9 + end]!; // inside one double-word, not all of it
        bodyOffset = byteLength;
      } else {
        if (a8 !== 0) head = COVER[a8 * 9 + 8]!; // lanes a8–7: one entry
        bodyOffset = a8 === 0 ? 0 : 8 - a8;
        bodyBytes = Math.floor((byteLength - bodyOffset) / 8) * 8;
        tail = byteLength - bodyOffset - bodyBytes > 0 ? 1 : 0; // lanes 0–k: one entry
      }
    }
    this.head = head;
    this.headCount = head.length;
    this.bodyOffset = bodyOffset;
    this.bodyBytes = bodyBytes;
    this.tailCount = tail;
    this.step = boundary === null ? max : Math.min(max, boundary);
    const bodyAddress = address + BigInt(bodyOffset);
    this.phase = boundary === null ? 0 : Number(bodyAddress % BigInt(this.step));
    this.swriteCount = bodyBytes === 0 ? 0 : Math.ceil((this.phase + bodyBytes) / this.step);
    this.count = this.headCount + this.swriteCount + this.tailCount;
    this.wirePayloadBytes = bodyBytes + 8 * (this.headCount + this.tailCount);
  }

  /**
   * Segment `i`, computed on demand into `out` (allocation-free when `out` is reused).
   *
   * @throws {@link SrioStreamError} when `i` is not an integer in `[0, count)`
   */
  segmentAt(i: number, out: StreamSegment = emptyStreamSegment()): StreamSegment {
    if (!Number.isInteger(i) || i < 0 || i >= this.count)
      throw new SrioStreamError("index", `an integer in [0, ${this.count})`, String(i));
    out.index = i;
    if (i < this.headCount || i >= this.headCount + this.swriteCount) {
      // A sub-double-word NWRITE: a head piece or the tail (lanes 0–k of the last double-word).
      const a8 = Number(this.address & 7n);
      let piece: number;
      let offset: number;
      if (i < this.headCount) {
        piece = this.head[i]!;
        offset = (piece >>> 3) - a8;
      } else {
        offset = this.bodyOffset + this.bodyBytes;
        piece = this.byteLength - offset - 1; // lane 0, bytes − 1
      }
      const code = SUB_DW_CODE[piece]!;
      out.kind = "nwrite";
      out.offset = offset;
      out.byteLength = (piece & 7) + 1;
      out.wrsize = code & 15;
      out.wdptr = code >>> 4 === 1 ? 1 : 0;
      return out;
    }
    const j = i - this.headCount;
    const start = j === 0 ? 0 : j * this.step - this.phase;
    const end = Math.min(this.bodyBytes, (j + 1) * this.step - this.phase);
    out.kind = "swrite";
    out.offset = this.bodyOffset + start;
    out.byteLength = end - start;
    out.wrsize = null;
    out.wdptr = null;
    return out;
  }

  /** Calls `fn` for every segment in order with plain numbers (no allocation per segment). */
  forEach(fn: StreamSegmentCallback): void {
    const s = emptyStreamSegment();
    for (let i = 0; i < this.headCount; i++) {
      this.segmentAt(i, s);
      fn(i, 5, s.offset, s.byteLength, s.wrsize!, s.wdptr!);
    }
    let start = this.bodyOffset;
    const bodyEnd = this.bodyOffset + this.bodyBytes;
    for (let j = 0; j < this.swriteCount; j++) {
      const end = Math.min(bodyEnd, this.bodyOffset + (j + 1) * this.step - this.phase);
      fn(this.headCount + j, 6, start, end - start, -1, -1);
      start = end;
    }
    if (this.tailCount === 1) {
      this.segmentAt(this.count - 1, s);
      fn(this.count - 1, 5, s.offset, s.byteLength, s.wrsize!, s.wdptr!);
    }
  }

  /** Byte address of the byte at `offset` in the stream (for a segment: its first byte). */
  addressAt(offset: number): bigint {
    return this.address + BigInt(offset);
  }

  /** Every segment in order, as fresh objects. */
  *[Symbol.iterator](): IterableIterator<StreamSegment> {
    for (let i = 0; i < this.count; i++) yield this.segmentAt(i);
  }
}

/**
 * Plans a stream write of `byteLength` bytes at `address` as SWRITEs with sub-double-word NWRITE
 * head/tail packets (Part 1 §3.5, §4.1.8; see the module comment).
 *
 * @throws {@link SrioStreamError} when an argument is out of range
 */
export function planSwriteStream(
  address: bigint,
  byteLength: number,
  options: SwriteStreamOptions = {},
): SwriteStreamPlan {
  return new SwriteStreamPlan(address, byteLength, options);
}
