/**
 * Transfer splitting (shared PCIe reference `docs/reference/pcie.md` §8): a memory write cut
 * into MWr TLPs by Max_Payload_Size and 4 KiB boundaries, a memory read cut into MRd requests by
 * Max_Read_Request_Size and 4 KiB boundaries (§8.1), and the completions of one read request
 * cut by MPS on Read Completion Boundaries with their Byte Count and Lower Address (§8.2, §4.4).
 *
 * Plans are closed-form: {@link TransferPlan} and {@link CompletionPlan} hold a few numbers and
 * compute the i-th TLP on demand ({@link TransferPlan.tlpAt}, {@link TransferPlan.forEach}), so
 * planning a 1 GiB transfer allocates nothing per TLP. The generators
 * ({@link writeTlps}, {@link readTlps}, {@link completionTlps}, {@link tlpBytes}) materialise TLP
 * values lazily for the wire path.
 *
 * @module
 */
import { encodeTlp } from "./gen/tlp.js";
import type { Tlp, TlpCpldNoDigest } from "./gen/tlp.js";
import {
  ADDRESS_4GIB,
  PcieRequestError,
  checkAddress,
  memoryRead,
  memoryWrite,
  packedByteEnables,
} from "./request.js";
import type { MemoryReadTlp, MemoryWriteTlp, RequestOptions } from "./request.js";

/** 2^53 − 1 as a bigint. */
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
/** 2^64: no transfer may end above it. */
const ADDRESS_END = 1n << 64n;

/** The 4 KiB boundary no memory request may cross (§8.1). */
export const PAGE_BYTES = 4096;

/** Legal Max_Payload_Size / Max_Read_Request_Size values in bytes: 128 << code, code 0–5. */
export const SIZE_BYTES: readonly number[] = [128, 256, 512, 1024, 2048, 4096];

/** Legal Read Completion Boundaries in bytes (Link Control bit 3, §8.2). */
export const RCB_BYTES: readonly number[] = [64, 128];

/** One TLP of a plan, as numbers (no bigint, no payload). Filled in place by `tlpAt`. */
export interface TlpSlice {
  /** Index of the TLP in its plan. */
  index: number;
  /** Offset of its first byte from the start of the transfer. */
  offset: number;
  /** Bytes it carries (or requests, or returns). */
  byteLength: number;
  /** Its Length in DW, 1–1024. */
  lengthDw: number;
  /** First DW BE (requests; 0 in completions, which have none). */
  firstBe: number;
  /** Last DW BE (requests; 0 in completions). */
  lastBe: number;
}

/** A fresh {@link TlpSlice} to pass to `tlpAt` and reuse. */
export function emptySlice(): TlpSlice {
  return { index: 0, offset: 0, byteLength: 0, lengthDw: 0, firstBe: 0, lastBe: 0 };
}

/** Callback of {@link TransferPlan.forEach}: plain numbers, nothing allocated per call. */
export type SliceCallback = (
  index: number,
  offset: number,
  byteLength: number,
  lengthDw: number,
  firstBe: number,
  lastBe: number,
) => void;

function checkSize(field: string, v: number, allowed: readonly number[]): void {
  if (!allowed.includes(v))
    throw new PcieRequestError(field, `one of ${allowed.join(", ")}`, String(v));
}

/**
 * The MWr or MRd TLPs of one memory transfer: `byteLength` bytes at `address`, each TLP carrying
 * `min(remaining, maxBytes − (addr mod 4), 4096 − (addr mod 4096))` bytes (§8.1, the rule of
 * cocotbext `MemoryTlpRegion`; the same rule with MRRS for reads). Only the first TLP may start
 * off a DW and, after the first 4 KiB boundary, every TLP starts on a multiple of `maxBytes`.
 * A zero-byte transfer has no TLPs (use {@link memoryWrite} / {@link memoryRead} for the
 * zero-length requests of §4.3).
 */
export class TransferPlan {
  /** Whether the TLPs are MWr (`"write"`) or MRd (`"read"`). */
  readonly kind: "write" | "read";
  /** Byte address of the first byte. */
  readonly address: bigint;
  /** Bytes transferred. */
  readonly byteLength: number;
  /** MPS (writes) or MRRS (reads) in bytes. */
  readonly maxBytes: number;
  /** Number of TLPs. */
  readonly count: number;
  /** Transfer bytes carried by (writes) or requested by (reads) the TLPs: `byteLength`. */
  readonly payloadBytes: number;
  /** Sum of the TLPs' Length × 4: the DW-padded payload on the wire (writes) or requested (reads). */
  readonly dataBytes: number;
  /** Sum of the TLP header sizes: 12 per TLP starting below 4 GiB, 16 above (no ECRC, no prefix). */
  readonly headerBytes: number;
  /** Address mod 4. */
  private readonly a4: number;
  /** Bytes before the first 4 KiB boundary (or the whole transfer). */
  private readonly n0: number;
  /** TLPs before the first 4 KiB boundary. */
  private readonly c0: number;
  /** The address as a number when the transfer ends below 2^53, else −1. */
  readonly #addressNumber: number;

  /**
   * @param kind - `"write"` (MWr, `maxBytes` = MPS) or `"read"` (MRd, `maxBytes` = MRRS)
   * @param address - byte address, below 2^64; the transfer must end at or below 2^64
   * @param byteLength - bytes to transfer, a safe integer ≥ 0
   * @param maxBytes - MPS or MRRS: 128, 256, 512, 1024, 2048 or 4096
   * @throws {@link PcieRequestError} when an argument is out of range
   */
  constructor(kind: "write" | "read", address: bigint, byteLength: number, maxBytes: number) {
    checkAddress(address);
    if (!Number.isSafeInteger(byteLength) || byteLength < 0)
      throw new PcieRequestError("byteLength", "a safe integer ≥ 0", String(byteLength));
    // Below 2^53 everything is worked out with numbers (one plan per DMA transfer on the
    // emulator's paths); bigints only for the addresses above.
    const small = address <= MAX_SAFE_BIG;
    const start = small ? Number(address) : -1;
    const safe = small && start + byteLength <= Number.MAX_SAFE_INTEGER;
    if (!safe && address + BigInt(byteLength) > ADDRESS_END)
      throw new PcieRequestError(
        "byteLength",
        "a transfer ending at or below 2^64",
        String(byteLength),
      );
    checkSize(kind === "write" ? "mps" : "mrrs", maxBytes, SIZE_BYTES);
    this.kind = kind;
    this.address = address;
    this.byteLength = byteLength;
    this.maxBytes = maxBytes;
    this.#addressNumber = safe ? start : -1;
    this.a4 = safe ? start % 4 : Number(address & 3n);
    const inPage = safe ? start % PAGE_BYTES : Number(address & 0xfffn);
    this.n0 = Math.min(byteLength, PAGE_BYTES - inPage);
    this.c0 = byteLength === 0 ? 0 : Math.ceil((this.a4 + this.n0) / maxBytes);
    this.count = this.c0 + Math.ceil((byteLength - this.n0) / maxBytes);
    this.payloadBytes = byteLength;
    // Every internal boundary is DW-aligned, so the TLPs span exactly the DWs of the transfer.
    this.dataBytes = byteLength === 0 ? 0 : Math.ceil((this.a4 + byteLength) / 4) * 4;
    let low = this.count; // TLPs starting below 4 GiB
    if (safe ? start >= 2 ** 32 : address >= ADDRESS_4GIB) low = 0;
    else if (safe ? start + byteLength > 2 ** 32 : address + BigInt(byteLength) > ADDRESS_4GIB)
      low = this.indexOf(Number(ADDRESS_4GIB - address)); // a 4 KiB boundary: a TLP starts there
    this.headerBytes = low * 12 + (this.count - low) * 16;
  }

  /** Index of the TLP that carries the byte at `offset` (0 ≤ offset < byteLength). */
  indexOf(offset: number): number {
    if (offset < this.n0) return Math.floor((offset + this.a4) / this.maxBytes);
    return this.c0 + Math.floor((offset - this.n0) / this.maxBytes);
  }

  /**
   * The i-th TLP, computed on demand into `out` (allocation-free when `out` is reused).
   *
   * @throws {@link PcieRequestError} when `i` is not in `[0, count)`
   */
  tlpAt(i: number, out: TlpSlice = emptySlice()): TlpSlice {
    if (!Number.isInteger(i) || i < 0 || i >= this.count)
      throw new PcieRequestError("index", `an integer in [0, ${this.count})`, String(i));
    let start: number;
    let end: number;
    if (i < this.c0) {
      start = i === 0 ? 0 : i * this.maxBytes - this.a4;
      end = Math.min(this.n0, (i + 1) * this.maxBytes - this.a4);
    } else {
      start = this.n0 + (i - this.c0) * this.maxBytes;
      end = Math.min(this.byteLength, start + this.maxBytes);
    }
    const p = packedByteEnables(i === 0 ? this.a4 : 0, end - start);
    out.index = i;
    out.offset = start;
    out.byteLength = end - start;
    out.lengthDw = p & 0x7ff;
    out.firstBe = (p >>> 11) & 0xf;
    out.lastBe = (p >>> 15) & 0xf;
    return out;
  }

  /** Calls `fn` for every TLP in order, with plain numbers (no allocation per TLP). */
  forEach(fn: SliceCallback): void {
    const m = this.maxBytes;
    const full = packedByteEnables(0, m); // every TLP but the first and the last
    let start = 0;
    for (let i = 0; i < this.count; i++) {
      const end =
        i < this.c0
          ? Math.min(this.n0, (i + 1) * m - this.a4)
          : Math.min(this.byteLength, start + m);
      const p =
        i !== 0 && end - start === m ? full : packedByteEnables(i === 0 ? this.a4 : 0, end - start);
      fn(i, start, end - start, p & 0x7ff, (p >>> 11) & 0xf, (p >>> 15) & 0xf);
      start = end;
    }
  }

  /** Byte address of the TLP at `offset` bytes into the transfer. */
  addressAt(offset: number): bigint {
    return this.address + BigInt(offset);
  }

  /**
   * {@link TransferPlan.addressAt} as a `number`, when the whole transfer lies below 2^53
   * (no bigint per TLP); −1 otherwise.
   */
  addressNumberAt(offset: number): number {
    return this.#addressNumber < 0 ? -1 : this.#addressNumber + offset;
  }
}

/** A plan of MWr TLPs for a write of `byteLength` bytes at `address` with MPS `mps` (§8.1). */
export function planWrite(address: bigint, byteLength: number, mps: number): TransferPlan {
  return new TransferPlan("write", address, byteLength, mps);
}

/** A plan of MRd requests for a read of `byteLength` bytes at `address` with MRRS `mrrs` (§8.1). */
export function planRead(address: bigint, byteLength: number, mrrs: number): TransferPlan {
  return new TransferPlan("read", address, byteLength, mrrs);
}

/** Tag of request `i` of a read plan: `firstTag + i` modulo `tagCount`. */
function tagOf(options: ReadTlpOptions, i: number): number {
  return ((options.tag ?? 0) + i) % (options.tagCount ?? 256);
}

/**
 * The MWr TLPs of a write plan with their payload taken from `data` (`data.length` must be the
 * plan's `byteLength`), built one at a time.
 *
 * @throws {@link PcieRequestError} when `data` is not as long as the plan
 */
export function* writeTlps(
  plan: TransferPlan,
  data: Uint8Array,
  options: RequestOptions = {},
): Generator<MemoryWriteTlp, void, undefined> {
  if (plan.kind !== "write") throw new PcieRequestError("plan.kind", '"write"', `"${plan.kind}"`);
  if (data.length !== plan.byteLength)
    throw new PcieRequestError("data.length", String(plan.byteLength), String(data.length));
  const s = emptySlice();
  for (let i = 0; i < plan.count; i++) {
    plan.tlpAt(i, s);
    yield memoryWrite(
      plan.addressAt(s.offset),
      data.subarray(s.offset, s.offset + s.byteLength),
      options,
    );
  }
}

/** Options of {@link readTlps}: those of a request, `tag` being the first request's tag. */
export interface ReadTlpOptions extends RequestOptions {
  /**
   * Tags are `tag + i` modulo this (256 for 8-bit tags, 1024 for 10-bit tags).
   * @defaultValue 256
   */
  readonly tagCount?: number;
}

/** The MRd requests of a read plan, built one at a time; request i has tag `tag + i` (mod `tagCount`). */
export function* readTlps(
  plan: TransferPlan,
  options: ReadTlpOptions = {},
): Generator<MemoryReadTlp, void, undefined> {
  if (plan.kind !== "read") throw new PcieRequestError("plan.kind", '"read"', `"${plan.kind}"`);
  const s = emptySlice();
  for (let i = 0; i < plan.count; i++) {
    plan.tlpAt(i, s);
    yield memoryRead(plan.addressAt(s.offset), s.byteLength, {
      ...options,
      tag: tagOf(options, i),
    });
  }
}

/** The encoded bytes of each TLP, one array per TLP, encoded when asked for. */
export function* tlpBytes(tlps: Iterable<Tlp>): Generator<Uint8Array, void, undefined> {
  for (const t of tlps) yield encodeTlp(t);
}

/**
 * The completions with data (CplD) of one memory read request of `byteLength` bytes at `address`
 * (0–4096 bytes, not crossing 4 KiB), as a completer sends them (§8.2): completions end on
 * multiples of `completionBytes` (a multiple of the RCB, at most MPS), so every completion but
 * the last ends on an RCB boundary; there are `ceil(((address mod C) + L) / C)` of them. Each
 * carries Byte Count = bytes still to return including it (4096 stored as 0) and Lower Address =
 * bits 6:0 of the address of its first byte (§4.4). A zero-length read gets one completion of
 * Length 1 and Byte Count 1 (§4.3).
 */
export class CompletionPlan {
  /** Byte address of the request. */
  readonly address: bigint;
  /** Bytes requested. */
  readonly byteLength: number;
  /** Completion size in bytes: completions end on multiples of it (except the last). */
  readonly completionBytes: number;
  /** Number of completions. */
  readonly count: number;
  /** Address mod `completionBytes` (fits a number: `completionBytes` ≤ 4096). */
  private readonly aC: number;
  /** Address bits 6:0. */
  private readonly a7: number;

  /**
   * @param address - byte address of the request
   * @param byteLength - bytes requested, 0–4096, not crossing a 4 KiB boundary
   * @param options - MPS, RCB and completion size
   * @throws {@link PcieRequestError} when an argument is out of range
   */
  constructor(address: bigint, byteLength: number, options: CompletionOptions = {}) {
    checkAddress(address);
    const mps = options.mps ?? 256;
    const rcb = options.rcb ?? 64;
    checkSize("mps", mps, SIZE_BYTES);
    checkSize("rcb", rcb, RCB_BYTES);
    const c = options.completionBytes ?? mps;
    if (!Number.isInteger(c) || c < rcb || c > mps || c % rcb !== 0)
      throw new PcieRequestError(
        "completionBytes",
        `a multiple of ${rcb} (RCB) up to ${mps} (MPS)`,
        String(c),
      );
    const inPage = Number(address & 0xfffn);
    if (!Number.isInteger(byteLength) || byteLength < 0 || inPage + byteLength > PAGE_BYTES)
      throw new PcieRequestError(
        "byteLength",
        `an integer in [0, ${PAGE_BYTES - inPage}] (no 4 KiB crossing)`,
        String(byteLength),
      );
    this.address = address;
    this.byteLength = byteLength;
    this.completionBytes = c;
    this.aC = inPage % c;
    this.a7 = inPage & 0x7f;
    this.count = byteLength === 0 ? 1 : Math.ceil((this.aC + byteLength) / c);
  }

  /**
   * The i-th completion into `out`: `offset`/`byteLength` of the bytes it returns, `lengthDw`;
   * BEs are 0 (completions have none). Byte Count and Lower Address are {@link byteCountAt}
   * and {@link lowerAddressAt}.
   *
   * @throws {@link PcieRequestError} when `i` is not in `[0, count)`
   */
  tlpAt(i: number, out: TlpSlice = emptySlice()): TlpSlice {
    if (!Number.isInteger(i) || i < 0 || i >= this.count)
      throw new PcieRequestError("index", `an integer in [0, ${this.count})`, String(i));
    const c = this.completionBytes;
    const start = i === 0 ? 0 : i * c - this.aC;
    const end = Math.min(this.byteLength, (i + 1) * c - this.aC);
    out.index = i;
    out.offset = start;
    out.byteLength = end - start;
    out.lengthDw =
      this.byteLength === 0 ? 1 : ((i === 0 ? this.a7 & 3 : 0) + end - start + 3) >>> 2;
    out.firstBe = 0;
    out.lastBe = 0;
    return out;
  }

  /** Byte Count of the completion returning bytes from `offset` on: the bytes left, 1 for a zero-length read (the field stores 4096 as 0). */
  byteCountAt(offset: number): number {
    return this.byteLength === 0 ? 1 : this.byteLength - offset;
  }

  /** Lower Address of the completion returning bytes from `offset` on: address bits 6:0 of that byte (00 in bits 1:0 for a zero-length read). */
  lowerAddressAt(offset: number): number {
    if (this.byteLength === 0) return this.a7 & 0x7c;
    return (this.a7 + offset) & 0x7f;
  }
}

/** Options of {@link CompletionPlan} and {@link completionTlps}. */
export interface CompletionOptions {
  /**
   * Max_Payload_Size of the completer in bytes.
   * @defaultValue 256
   */
  readonly mps?: number;
  /**
   * Read Completion Boundary in bytes, 64 or 128.
   * @defaultValue 64
   */
  readonly rcb?: number;
  /**
   * Completion size: a multiple of the RCB up to MPS; the RCB itself gives one completion per
   * RCB block (hosts that return 64-byte completions).
   * @defaultValue the MPS
   */
  readonly completionBytes?: number;
}

/** The request fields a completion copies (§1.4). */
export interface CompletionIds {
  /** Completer ID. */
  readonly completerId: number;
  /** Requester ID of the request. */
  readonly requesterId: number;
  /** 10-bit tag of the request. */
  readonly tag: number;
  /**
   * Traffic class of the request.
   * @defaultValue 0
   */
  readonly tc?: number;
}

/**
 * The CplD TLPs of a plan with their data from `data` (the `byteLength` bytes read; bytes
 * outside the range in the first and last DW are 0), built one at a time.
 *
 * @throws {@link PcieRequestError} when `data` is not as long as the plan
 */
export function* completionTlps(
  plan: CompletionPlan,
  data: Uint8Array,
  ids: CompletionIds,
): Generator<TlpCpldNoDigest, void, undefined> {
  if (data.length !== plan.byteLength)
    throw new PcieRequestError("data.length", String(plan.byteLength), String(data.length));
  const s = emptySlice();
  for (let i = 0; i < plan.count; i++) {
    plan.tlpAt(i, s);
    const la = plan.lowerAddressAt(s.offset);
    const payload = new Uint8Array(s.lengthDw * 4);
    payload.set(data.subarray(s.offset, s.offset + s.byteLength), la & 3);
    yield {
      fmt: "data-3dw",
      type: "cpl",
      t9: (ids.tag & 0x200) !== 0,
      tc: ids.tc ?? 0,
      t8: (ids.tag & 0x100) !== 0,
      ido: false,
      ln: false,
      th: false,
      td: false,
      ep: false,
      ro: false,
      ns: false,
      at: "untranslated",
      length: s.lengthDw & 0x3ff,
      tlpType: "cpld",
      completerId: ids.completerId,
      status: "sc",
      bcm: false,
      byteCount: plan.byteCountAt(s.offset) & 0xfff,
      requesterId: ids.requesterId,
      tag: ids.tag & 0xff,
      lowerAddress: la,
      data: payload,
    };
  }
}
