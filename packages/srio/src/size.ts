/**
 * Transfer sizes: rdsize/wrsize with wdptr ⇄ byte count and byte lanes, RapidIO 4.1 Part 1
 * §4.1.2 Tables 4-3 (reads) and 4-4 (writes), §3.5 (byte lanes); digest in
 * docs/reference/srio.md §3. Also the message segment size (ssize, Part 2 Table 4-4).
 *
 * Sub-double-word sizes (1–8 bytes) are the same for reads and writes and name exact byte
 * lanes; lane 0 is the most significant byte of the double-word (lowest address). Above one
 * double-word, a read size is exact and a write size is the maximum the payload may reach
 * (Part 1 Table 4-2, §4.1.7): 96, 160, 192 and 224 bytes exist for reads only, and their
 * write encodings are reserved.
 *
 * @module
 */
import { DecodeError, EncodeError, describeValue, fieldMessage } from "@rashpa/bits";

/** A transfer size as Tables 4-3 and 4-4 define it. */
export interface SrioTransferSize {
  /** Bytes read or written; for a multi-double-word write, the maximum. */
  readonly bytes: number;
  /** Whether {@link bytes} is a maximum (multi-double-word writes, Part 1 Table 4-4). */
  readonly maximum: boolean;
  /** First byte lane in the double-word (0 = most significant byte), 0 above 8 bytes. */
  readonly firstLane: number;
  /**
   * Byte lanes of the double-word, as in the tables: bit 7 (0x80) is lane 0. 0xff for 8 bytes
   * or more (every lane of every double-word).
   */
  readonly byteLanes: number;
}

/** An rdsize or wrsize code with its word pointer. */
export interface SrioSizeCode {
  /** rdsize or wrsize, 0..15. */
  readonly size: number;
  /** wdptr, 0 or 1. */
  readonly wdptr: number;
}

/** Sub-double-word rows of Tables 4-3/4-4, indexed by size × 2 + wdptr: [bytes, first lane]. */
const SUB_DOUBLE_WORD: readonly (readonly [number, number])[] = [
  [1, 0], [1, 4], // 0000
  [1, 1], [1, 5], // 0001
  [1, 2], [1, 6], // 0010
  [1, 3], [1, 7], // 0011
  [2, 0], [2, 4], // 0100
  [3, 0], [3, 5], // 0101
  [2, 2], [2, 6], // 0110
  [5, 0], [5, 3], // 0111
  [4, 0], [4, 4], // 1000
  [6, 0], [6, 2], // 1001
  [7, 0], [7, 1], // 1010
  [8, 0], // 1011, wdptr 0
]; // prettier-ignore

/** Multi-double-word read sizes (Table 4-3), indexed by size × 2 + wdptr − 23. */
const READ_MULTI: readonly number[] = [16, 32, 64, 96, 128, 160, 192, 224, 256];
/** Multi-double-word write maxima (Table 4-4), same index; 0 = reserved. */
const WRITE_MULTI: readonly number[] = [16, 32, 64, 0, 128, 0, 0, 0, 256];

function checkCode(name: string, size: unknown, wdptr: unknown): void {
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || size > 15)
    throw new DecodeError(fieldMessage(name, "an integer 0..15", describeValue(size)), {
      path: name,
      expected: "an integer 0..15",
      found: describeValue(size),
    });
  if (wdptr !== 0 && wdptr !== 1)
    throw new DecodeError(fieldMessage("wdptr", "0 or 1", describeValue(wdptr)), {
      path: "wdptr",
      expected: "0 or 1",
      found: describeValue(wdptr),
    });
}

function subDoubleWord(index: number): SrioTransferSize {
  const [bytes, firstLane] = SUB_DOUBLE_WORD[index]!;
  return { bytes, maximum: false, firstLane, byteLanes: ((0xff00 >>> bytes) & 0xff) >>> firstLane };
}

/**
 * The read size of an rdsize/wdptr pair (RapidIO 4.1 Part 1 Table 4-3). Every code is defined.
 *
 * @throws DecodeError when `rdsize` is not 0..15 or `wdptr` not 0/1
 * @example
 * ```ts
 * decodeReadSize(0b0101, 1); // { bytes: 3, maximum: false, firstLane: 5, byteLanes: 0b00000111 }
 * decodeReadSize(0b1101, 0); // { bytes: 96, maximum: false, firstLane: 0, byteLanes: 0xff }
 * ```
 */
export function decodeReadSize(rdsize: number, wdptr: number): SrioTransferSize {
  checkCode("rdsize", rdsize, wdptr);
  const index = rdsize * 2 + wdptr;
  if (index < SUB_DOUBLE_WORD.length) return subDoubleWord(index);
  return { bytes: READ_MULTI[index - 23]!, maximum: false, firstLane: 0, byteLanes: 0xff };
}

/**
 * The write size of a wrsize/wdptr pair (RapidIO 4.1 Part 1 Table 4-4); above 8 bytes it is
 * the maximum payload.
 *
 * @throws DecodeError for the reserved codes 1101/0, 1110/0, 1110/1 and 1111/0 (path
 *   `"wrsize"`), or when `wrsize` is not 0..15 or `wdptr` not 0/1
 * @example
 * ```ts
 * decodeWriteSize(0b1101, 1); // { bytes: 128, maximum: true, firstLane: 0, byteLanes: 0xff }
 * ```
 */
export function decodeWriteSize(wrsize: number, wdptr: number): SrioTransferSize {
  checkCode("wrsize", wrsize, wdptr);
  const index = wrsize * 2 + wdptr;
  if (index < SUB_DOUBLE_WORD.length) return subDoubleWord(index);
  const bytes = WRITE_MULTI[index - 23]!;
  if (bytes === 0) {
    const expected = "a write size of RapidIO 4.1 Part 1 Table 4-4";
    const found = `wrsize 0b${wrsize.toString(2).padStart(4, "0")} with wdptr ${wdptr} (reserved)`;
    throw new DecodeError(fieldMessage("wrsize", expected, found), {
      path: "wrsize",
      expected,
      found,
    });
  }
  return { bytes, maximum: true, firstLane: 0, byteLanes: 0xff };
}

function sizeError(path: string, expected: string, found: unknown): EncodeError {
  const f = describeValue(found);
  return new EncodeError(fieldMessage(path, expected, f), { path, expected, found: f });
}

/** The size code of each sub-double-word row, shared (frozen) so a lookup allocates nothing. */
const SUB_DOUBLE_WORD_CODES: readonly SrioSizeCode[] = SUB_DOUBLE_WORD.map((_, i) =>
  Object.freeze({ size: i >>> 1, wdptr: i & 1 }),
);
/** `(firstLane << 3) | (bytes − 1)` → row of {@link SUB_DOUBLE_WORD}, or -1 when there is none. */
const SUB_DOUBLE_WORD_ROW = new Int8Array(64).fill(-1);
SUB_DOUBLE_WORD.forEach(([bytes, lane], i) => (SUB_DOUBLE_WORD_ROW[(lane << 3) | (bytes - 1)] = i));

/**
 * The rdsize/wrsize and wdptr of a sub-double-word transfer of `bytes` bytes (1–8) starting at
 * byte lane `firstLane` (0–7), or `undefined` when RapidIO 4.1 Part 1 Tables 4-3/4-4 have no
 * such row (e.g. 3 bytes at lane 1, or a run that crosses the double-word): the non-throwing
 * lookup behind {@link encodeReadSize} and {@link encodeWriteSize} for up to 8 bytes, for
 * callers that split an unaligned run into table rows (`planSwriteStream`). Sub-double-word
 * rows are the same for reads and writes. The result is a shared frozen object (no allocation).
 *
 * @example
 * ```ts
 * subDoubleWordSizeCode(3, 5); // { size: 0b0101, wdptr: 1 } (lanes 5–7)
 * subDoubleWordSizeCode(8, 0); // { size: 0b1011, wdptr: 0 }
 * subDoubleWordSizeCode(3, 1); // undefined
 * ```
 */
export function subDoubleWordSizeCode(bytes: number, firstLane: number): SrioSizeCode | undefined {
  if (!Number.isInteger(bytes) || !Number.isInteger(firstLane)) return undefined;
  if (bytes < 1 || firstLane < 0 || firstLane + bytes > 8) return undefined;
  const row = SUB_DOUBLE_WORD_ROW[(firstLane << 3) | (bytes - 1)]!;
  return row < 0 ? undefined : SUB_DOUBLE_WORD_CODES[row];
}

function encodeSubDoubleWord(bytes: number, firstLane: number): SrioSizeCode {
  const code = subDoubleWordSizeCode(bytes, firstLane);
  if (code !== undefined) return code;
  const lanes = SUB_DOUBLE_WORD.filter(([b]) => b === bytes).map(([, l]) => l);
  throw sizeError(
    "firstLane",
    `one of ${lanes.join(", ")} for ${bytes} bytes (RapidIO 4.1 Part 1 Tables 4-3, 4-4)`,
    firstLane,
  );
}

function checkRequest(bytes: number, firstLane: number): void {
  if (typeof bytes !== "number" || !Number.isInteger(bytes) || bytes < 1 || bytes > 256)
    throw sizeError("bytes", "an integer 1..256", bytes);
  if (
    typeof firstLane !== "number" ||
    !Number.isInteger(firstLane) ||
    firstLane < 0 ||
    firstLane > 7
  )
    throw sizeError("firstLane", "an integer 0..7", firstLane);
  if (bytes > 8 && firstLane !== 0)
    throw sizeError("firstLane", "0 for more than 8 bytes (double-word aligned)", firstLane);
  if (bytes > 8 && bytes % 8 !== 0)
    throw sizeError("bytes", "whole double-words above 8 bytes (RapidIO 4.1 Part 1 §3.5)", bytes);
}

/**
 * The rdsize/wdptr that reads exactly `bytes` bytes starting at byte lane `firstLane`
 * (RapidIO 4.1 Part 1 Table 4-3).
 *
 * @param bytes - 1..8 (a contiguous run within one double-word) or 16, 32, 64, 96, …, 256
 * @param firstLane - the byte address modulo 8 (0 above 8 bytes)
 * @throws EncodeError naming `bytes` or `firstLane` when Table 4-3 has no such read (a 3-byte
 *   read at lane 1, a 24-byte read: split or round up)
 * @example
 * ```ts
 * encodeReadSize(4, 4); // { size: 0b1000, wdptr: 1 }
 * ```
 */
export function encodeReadSize(bytes: number, firstLane = 0): SrioSizeCode {
  checkRequest(bytes, firstLane);
  if (bytes <= 8) return encodeSubDoubleWord(bytes, firstLane);
  const i = READ_MULTI.indexOf(bytes);
  if (i < 0)
    throw sizeError("bytes", `one of ${READ_MULTI.join(", ")} above 8 bytes (Table 4-3)`, bytes);
  return { size: (i + 23) >>> 1, wdptr: (i + 23) & 1 };
}

/**
 * The wrsize/wdptr of a write of `bytes` bytes starting at byte lane `firstLane` (RapidIO 4.1
 * Part 1 Table 4-4): the exact row up to 8 bytes, else the smallest defined maximum that holds
 * the payload (24 → 32, 72 or 96 → 128, 136–256 → 256; srio.md §3).
 *
 * @throws EncodeError naming `bytes` or `firstLane` when no row fits
 * @example
 * ```ts
 * encodeWriteSize(96); // { size: 0b1101, wdptr: 1 } (128 maximum; 1101/0 is reserved for writes)
 * ```
 */
export function encodeWriteSize(bytes: number, firstLane = 0): SrioSizeCode {
  checkRequest(bytes, firstLane);
  if (bytes <= 8) return encodeSubDoubleWord(bytes, firstLane);
  for (let i = 0; i < WRITE_MULTI.length; i++)
    if (WRITE_MULTI[i]! >= bytes) return { size: (i + 23) >>> 1, wdptr: (i + 23) & 1 };
  throw sizeError("bytes", "at most 256 bytes", bytes);
}

/**
 * Bytes of a message segment of standard size `ssize` (RapidIO 4.1 Part 2 Table 4-4):
 * 0b1001 = 8 … 0b1110 = 256.
 *
 * @throws DecodeError for the reserved codes 0–8 and 15
 */
export function decodeMessageSegmentSize(ssize: number): number {
  if (!Number.isInteger(ssize) || ssize < 9 || ssize > 14) {
    const expected = "9..14 (RapidIO 4.1 Part 2 Table 4-4; others reserved)";
    throw new DecodeError(fieldMessage("ssize", expected, describeValue(ssize)), {
      path: "ssize",
      expected,
      found: describeValue(ssize),
    });
  }
  return 8 << (ssize - 9);
}

/**
 * The ssize of a standard message segment of `bytes` bytes (RapidIO 4.1 Part 2 Table 4-4).
 *
 * @throws EncodeError unless `bytes` is 8, 16, 32, 64, 128 or 256
 */
export function encodeMessageSegmentSize(bytes: number): number {
  const i = [8, 16, 32, 64, 128, 256].indexOf(bytes);
  if (i < 0) throw sizeError("bytes", "one of 8, 16, 32, 64, 128, 256", bytes);
  return i + 9;
}
