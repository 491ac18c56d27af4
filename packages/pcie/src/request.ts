/**
 * Memory requests from a byte range: First/Last DW byte enables and DW Length of a memory read
 * or write (shared PCIe reference `docs/reference/pcie.md` §4.2 byte enables, §4.3 zero-length
 * read and write, §4.1 Length 0 = 1024 DW), and the MRd/MWr {@link Tlp} values built from them
 * with 3-DW addressing below 4 GiB and 4-DW addressing above (§1.2, §1.3).
 *
 * @module
 */
import type { Tlp, TlpMrd32ByteEnablesNoDigest, TlpMrd64ByteEnablesNoDigest } from "./gen/tlp.js";
import type { TlpMwr32NoDigest, TlpMwr64NoDigest } from "./gen/tlp.js";

/** Largest payload or read of one TLP: Length 1024 DW (§4.1). */
export const MAX_TLP_BYTES = 4096;

/** First byte address that needs the 4-DW (64-bit) header: 4 GiB. */
export const ADDRESS_4GIB = 0x1_0000_0000n;

const ADDRESS_LIMIT = 1n << 64n;

/**
 * A request argument out of range (address, length, tag, …). Stable `name`
 * `"PcieRequestError"`; the message reads `"<field>" expected X, got Y`.
 */
export class PcieRequestError extends Error {
  /** The argument at fault. */
  readonly field: string;
  /**
   * @param field - the argument at fault
   * @param expected - what was expected
   * @param actual - what was given
   */
  constructor(field: string, expected: string, actual: string) {
    super(`"${field}" expected ${expected}, got ${actual}`);
    this.name = "PcieRequestError";
    this.field = field;
  }
}

/** Byte enables and Length of one memory request (§4.2). */
export interface ByteEnables {
  /** First DW BE: bit i enables byte i of the first DW. */
  readonly firstBe: number;
  /** Last DW BE: bit i enables byte i of the last DW; 0 when Length is 1 DW. */
  readonly lastBe: number;
  /** Length in DW, 1–1024 (the Length field stores 1024 as 0). */
  readonly lengthDw: number;
}

/** Checks an address: a non-negative bigint below 2^64. */
export function checkAddress(address: bigint): void {
  if (typeof address !== "bigint" || address < 0n || address >= ADDRESS_LIMIT)
    throw new PcieRequestError("address", "a bigint in [0, 2^64)", String(address));
}

function checkLength(byteLength: number, max: number): void {
  if (!Number.isSafeInteger(byteLength) || byteLength < 0 || byteLength > max)
    throw new PcieRequestError("byteLength", `an integer in [0, ${max}]`, String(byteLength));
}

/**
 * DW Length and First/Last DW BE of the bytes `[offset, offset + byteLength)` of a DW, where
 * `offset` is the byte address modulo 4 (allocation-free core of {@link byteEnables}).
 *
 * Returns `lengthDw | firstBe << 11 | lastBe << 15`.
 */
export function packedByteEnables(offset: number, byteLength: number): number {
  if (byteLength === 0) return 1; // §4.3: Length 1, both BEs 0
  const end = offset + byteLength;
  const lengthDw = (end + 3) >>> 2;
  let firstBe = (0xf << offset) & 0xf;
  let lastBe = 0xf >>> (lengthDw * 4 - end);
  if (lengthDw === 1) {
    firstBe &= lastBe; // §4.2: a single-DW request has Last DW BE 0000b
    lastBe = 0;
  }
  return lengthDw | (firstBe << 11) | (lastBe << 15);
}

/**
 * First/Last DW byte enables and DW Length of a memory request for `byteLength` bytes at
 * `address` (§4.2): Length = DWs spanned; a single-DW request has Last DW BE 0 and First DW BE
 * masking both ends; a zero-length request (§4.3) is Length 1 with both BEs 0.
 *
 * @param address - byte address of the first byte
 * @param byteLength - 0–4096 bytes; the range must fit 1024 DW
 * @throws {@link PcieRequestError} when the address or length is out of range
 */
export function byteEnables(address: bigint, byteLength: number): ByteEnables {
  checkAddress(address);
  checkLength(byteLength, MAX_TLP_BYTES);
  const offset = Number(address & 3n);
  if (offset + byteLength > MAX_TLP_BYTES)
    throw new PcieRequestError(
      "byteLength",
      `at most ${MAX_TLP_BYTES - offset} at an address ≡ ${offset} mod 4 (1024 DW)`,
      String(byteLength),
    );
  const p = packedByteEnables(offset, byteLength);
  return { lengthDw: p & 0x7ff, firstBe: (p >>> 11) & 0xf, lastBe: (p >>> 15) & 0xf };
}

/** Attributes and routing of a request; every field is optional. */
export interface RequestOptions {
  /**
   * Requester ID: bus[15:8], device[7:3], function[2:0].
   * @defaultValue 0
   */
  readonly requesterId?: number;
  /**
   * Tag, 0–1023 (10-bit tags use T9/T8; tags below 256 leave them 0).
   * @defaultValue 0
   */
  readonly tag?: number;
  /**
   * Traffic class, 0–7.
   * @defaultValue 0
   */
  readonly tc?: number;
  /**
   * Attr[1], relaxed ordering.
   * @defaultValue false
   */
  readonly ro?: boolean;
  /**
   * Attr[0], no snoop.
   * @defaultValue false
   */
  readonly ns?: boolean;
  /**
   * Attr[2], ID-based ordering.
   * @defaultValue false
   */
  readonly ido?: boolean;
}

interface Common {
  t9: boolean;
  tc: number;
  t8: boolean;
  ido: boolean;
  ln: false;
  th: false;
  td: false;
  ep: false;
  ro: boolean;
  ns: boolean;
  at: "untranslated";
  requesterId: number;
  tag: number;
}

function intIn(field: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new PcieRequestError(field, `an integer in [0, ${max}]`, String(v));
  return v;
}

/** Checked DW0/DW1 fields shared by the requests built here. */
function common(o: RequestOptions): Common {
  const tag = intIn("tag", o.tag ?? 0, 1023);
  return {
    t9: (tag & 0x200) !== 0,
    tc: intIn("tc", o.tc ?? 0, 7),
    t8: (tag & 0x100) !== 0,
    ido: o.ido ?? false,
    ln: false,
    th: false,
    td: false,
    ep: false,
    ro: o.ro ?? false,
    ns: o.ns ?? false,
    at: "untranslated",
    requesterId: intIn("requesterId", o.requesterId ?? 0, 0xffff),
    tag: tag & 0xff,
  };
}

const DEFAULT_COMMON: Common = Object.freeze(common({}));

/** The 10-bit tag of a request or completion: T9, T8 and Tag[7:0]. */
export function fullTag(tlp: {
  readonly t9: boolean;
  readonly t8: boolean;
  readonly tag: number;
}): number {
  return (tlp.t9 ? 0x200 : 0) | (tlp.t8 ? 0x100 : 0) | tlp.tag;
}

/** A memory read request built by {@link memoryRead}. */
export type MemoryReadTlp = TlpMrd32ByteEnablesNoDigest | TlpMrd64ByteEnablesNoDigest;

/** A memory write request built by {@link memoryWrite}. */
export type MemoryWriteTlp = TlpMwr32NoDigest | TlpMwr64NoDigest;

/**
 * A memory read request (MRd) for `byteLength` bytes at `address`: 3-DW header below 4 GiB,
 * 4-DW above; byte enables and Length by {@link byteEnables} (Length 1024 is stored as 0).
 *
 * @throws {@link PcieRequestError} when an argument is out of range
 */
export function memoryRead(
  address: bigint,
  byteLength: number,
  options: RequestOptions = {},
): MemoryReadTlp {
  const be = byteEnables(address, byteLength);
  const c = common(options);
  const length = be.lengthDw & 0x3ff;
  if (address < ADDRESS_4GIB)
    return {
      fmt: "no-data-3dw",
      type: "mem",
      ...c,
      length,
      tlpType: "mrd-32",
      beField: "byte-enables",
      lastBe: be.lastBe,
      firstBe: be.firstBe,
      address: Number(address >> 2n),
      ph: "bidirectional",
    } satisfies Tlp;
  return {
    fmt: "no-data-4dw",
    type: "mem",
    ...c,
    length,
    tlpType: "mrd-64",
    beField: "byte-enables",
    lastBe: be.lastBe,
    firstBe: be.firstBe,
    address: address >> 2n,
    ph: "bidirectional",
  } satisfies Tlp;
}

/**
 * A memory write request (MWr) of `data` at `address`: the payload is Length DWs with the bytes
 * placed at their offset in the first DW (disabled bytes are 0). Empty `data` gives the
 * zero-length write of §4.3 (Length 1, both BEs 0, one DW of zero payload). When `data` already
 * is whole DWs at a DW-aligned address, the payload is `data` itself (a view, no copy: copy
 * `data` first if it will change while the TLP is in use).
 *
 * The address may also be given as a non-negative safe integer `number` (an address below
 * 2^53): the same TLP, built with no bigint arithmetic (the emulator's wire path builds one MWr
 * per TLP).
 *
 * @throws {@link PcieRequestError} when an argument is out of range
 */
export function memoryWrite(
  address: bigint | number,
  data: Uint8Array,
  options?: RequestOptions,
): MemoryWriteTlp {
  const c = options === undefined ? DEFAULT_COMMON : common(options);
  return fillMemoryWrite(emptyMemoryWrite(c), address, data) as MemoryWriteTlp;
}

/** An MWr under construction: the fields {@link fillMemoryWrite} sets change, the rest are fixed. */
interface MutableMemoryWrite {
  fmt: "data-3dw" | "data-4dw";
  readonly type: "mem";
  readonly t9: boolean;
  readonly tc: number;
  readonly t8: boolean;
  readonly ido: boolean;
  readonly ln: false;
  readonly th: false;
  readonly td: false;
  readonly ep: false;
  readonly ro: boolean;
  readonly ns: boolean;
  readonly at: "untranslated";
  readonly requesterId: number;
  readonly tag: number;
  length: number;
  tlpType: "mwr-32" | "mwr-64";
  lastBe: number;
  firstBe: number;
  address: bigint | number;
  readonly ph: "bidirectional";
  data: Uint8Array;
}

/** A zero-length MWr at address 0 with the attributes `c`, to be filled (one object shape for every MWr). */
function emptyMemoryWrite(c: Common): MutableMemoryWrite {
  return {
    fmt: "data-3dw",
    type: "mem",
    t9: c.t9,
    tc: c.tc,
    t8: c.t8,
    ido: c.ido,
    ln: false,
    th: false,
    td: false,
    ep: false,
    ro: c.ro,
    ns: c.ns,
    at: "untranslated",
    requesterId: c.requesterId,
    tag: c.tag,
    length: 0,
    tlpType: "mwr-32",
    lastBe: 0,
    firstBe: 0,
    address: 0,
    ph: "bidirectional",
    data: EMPTY_DW,
  };
}

const EMPTY_DW = new Uint8Array(4);

/** Sets the address, payload, Length and byte enables of `t` for `data` at `address` (§4.2, §4.3). */
function fillMemoryWrite(
  t: MutableMemoryWrite,
  address: bigint | number,
  data: Uint8Array,
): MutableMemoryWrite {
  let offset: number;
  let high: boolean;
  let dwAddress: bigint | number;
  if (typeof address === "number") {
    if (!Number.isSafeInteger(address) || address < 0)
      throw new PcieRequestError("address", "a safe integer ≥ 0", String(address));
    offset = address % 4;
    high = address >= 2 ** 32;
    dwAddress = high ? BigInt((address - offset) / 4) : (address - offset) / 4;
  } else {
    checkAddress(address);
    offset = Number(address & 3n);
    high = address >= ADDRESS_4GIB;
    dwAddress = high ? address >> 2n : Number(address >> 2n);
  }
  checkLength(data.length, MAX_TLP_BYTES);
  if (offset + data.length > MAX_TLP_BYTES)
    throw new PcieRequestError(
      "byteLength",
      `at most ${MAX_TLP_BYTES - offset} at an address ≡ ${offset} mod 4 (1024 DW)`,
      String(data.length),
    );
  const be = packedByteEnables(offset, data.length);
  const lengthDw = be & 0x7ff;
  let payload = data;
  if (offset !== 0 || data.length % 4 !== 0 || data.length === 0) {
    payload = new Uint8Array(lengthDw * 4);
    payload.set(data, offset);
  }
  t.fmt = high ? "data-4dw" : "data-3dw";
  t.length = lengthDw & 0x3ff;
  t.tlpType = high ? "mwr-64" : "mwr-32";
  t.lastBe = (be >>> 15) & 0xf;
  t.firstBe = (be >>> 11) & 0xf;
  t.address = dwAddress;
  t.data = payload;
  return t;
}

/**
 * MWr TLPs built one after another into one object, for a stream of writes (a DMA engine's):
 * {@link MemoryWriteBuilder.next} returns what {@link memoryWrite} would, with no object per
 * TLP — the same object each time, changed by the next call, so encode it (or copy it) first.
 *
 * @example
 * ```ts
 * const mwr = new MemoryWriteBuilder();
 * for (const s of slices) encodeTlpInto(view, 0, mwr.next(address + s.offset, s.bytes));
 * ```
 */
export class MemoryWriteBuilder {
  readonly #tlp: MutableMemoryWrite;

  /**
   * @param options - the attributes of every TLP (requester, tag, TC, …)
   * @throws {@link PcieRequestError} when an option is out of range
   */
  constructor(options?: RequestOptions) {
    this.#tlp = emptyMemoryWrite(options === undefined ? DEFAULT_COMMON : common(options));
  }

  /**
   * The MWr of `data` at `address` (as {@link memoryWrite}), valid until the next call.
   *
   * @throws {@link PcieRequestError} when an argument is out of range
   */
  next(address: bigint | number, data: Uint8Array): MemoryWriteTlp {
    return fillMemoryWrite(this.#tlp, address, data) as MemoryWriteTlp;
  }
}
