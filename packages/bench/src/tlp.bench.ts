/**
 * `npm run bench` (after the BTD benchmark): the generated TLP codec of `@rashpa/pcie`
 * (`decodeTlp`, `encodeTlp`, `encodeTlpInto`, every non-flit TLP type) against a hand-written
 * codec of the one header it is measured on, the 3DW/4DW memory write (MWr) header, measured
 * side by side in one run. Goal (issue 3, item 9): generated ≥ 0.7× hand-written for decode and
 * encode.
 *
 * The hand-written codec checks what the generated one checks for MWr (enum names, booleans,
 * field ranges, variant tag, payload length, digest, truncation, target size) and handles the
 * payload the same way (a copy on decode, `set` on encode), so the comparison is like for like.
 * It is specialised to MWr (no Fmt/Type dispatch over the other TLP types): that is what a
 * hand-written baseline of this header would do.
 *
 * @module
 */
import { DecodeError, EncodeError } from "@rashpa/bits";
import { computeEcrc, decodeTlp, encodeTlp, encodeTlpInto } from "@rashpa/pcie";
import type {
  AddressType,
  ProcessingHint,
  TlpMwr32Digest,
  TlpMwr32NoDigest,
  TlpMwr64Digest,
  TlpMwr64NoDigest,
} from "@rashpa/pcie";
import { codecOperations, runSideBySide } from "./harness.js";

const GOAL = 0.7;
const POOL = 1024;
/** Bytes per pool entry in the shared target of `encodeInto`: 4DW header + 64 DW + ECRC ≤ 276. */
const STRIDE = 512;

/** The four MWr variants of the generated `Tlp` union (32/64-bit address, with/without ECRC). */
type Mwr = TlpMwr32Digest | TlpMwr32NoDigest | TlpMwr64Digest | TlpMwr64NoDigest;

// ---------------------------------------------------------------------------------------------
// Hand-written MWr codec (pcie.md §1.1 DW0, §1.2 Fmt/Type, §1.3 request header).
// ---------------------------------------------------------------------------------------------

/** AT, DW0 [11:10] (pcie.md §1.1). */
const AT_NAMES: readonly AddressType[] = [
  "untranslated",
  "translation-request",
  "translated",
  "reserved",
];
/** PH, last address DW [1:0] (pcie.md §1.3). */
const PH_NAMES: readonly ProcessingHint[] = [
  "bidirectional",
  "requester",
  "target",
  "target-priority",
];

function atValue(name: unknown): number {
  switch (name) {
    case "untranslated":
      return 0;
    case "translation-request":
      return 1;
    case "translated":
      return 2;
    case "reserved":
      return 3;
    default:
      return -1;
  }
}

function phValue(name: unknown): number {
  switch (name) {
    case "bidirectional":
      return 0;
    case "requester":
      return 1;
    case "target":
      return 2;
    case "target-priority":
      return 3;
    default:
      return -1;
  }
}

/** Big-endian DW at `o` (TLP headers are sent most significant byte first). */
const dw = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Decodes a 3DW or 4DW MWr TLP by hand; the payload is copied. */
export function decodeMwrHand(bytes: Uint8Array, offset = 0): Mwr {
  const end = bytes.length;
  if (!Number.isInteger(offset) || offset < 0 || offset > end)
    throw new DecodeError("offset outside the input");
  if (end - offset < 4) throw new DecodeError("truncated DW0");
  const w0 = dw(bytes, offset); // DW0
  const fmt = w0 >>> 29; // DW0 [31:29] Fmt: 010 3DW with data, 011 4DW with data
  if (((w0 >>> 24) & 0x1f) !== 0 || (fmt !== 2 && fmt !== 3)) throw new DecodeError("not an MWr"); // [28:24] Type 0 0000
  const t9 = ((w0 >>> 23) & 1) !== 0; // DW0 [23] T9, tag bit 9
  const tc = (w0 >>> 20) & 7; // DW0 [22:20] TC
  const t8 = ((w0 >>> 19) & 1) !== 0; // DW0 [19] T8, tag bit 8
  const ido = ((w0 >>> 18) & 1) !== 0; // DW0 [18] Attr[2] IDO
  const ln = ((w0 >>> 17) & 1) !== 0; // DW0 [17] LN
  const th = ((w0 >>> 16) & 1) !== 0; // DW0 [16] TH
  const td = (w0 & 0x8000) !== 0; // DW0 [15] TD: ECRC after the payload
  const ep = ((w0 >>> 14) & 1) !== 0; // DW0 [14] EP
  const ro = ((w0 >>> 13) & 1) !== 0; // DW0 [13] Attr[1] RO
  const ns = ((w0 >>> 12) & 1) !== 0; // DW0 [12] Attr[0] NS
  const at = AT_NAMES[(w0 >>> 10) & 3]; // DW0 [11:10] AT
  if (at === undefined) throw new DecodeError("bad AT");
  const length = w0 & 0x3ff; // DW0 [9:0] Length in DW, 0 = 1024
  const bytesLen = (length === 0 ? 1024 : length) * 4;
  const hdr = fmt === 2 ? 12 : 16; // 3DW or 4DW header
  if (end - offset - hdr < bytesLen + (td ? 4 : 0)) throw new DecodeError("truncated");
  const w1 = dw(bytes, offset + 4); // DW1
  const requesterId = w1 >>> 16; // DW1 [31:16] Requester ID
  const tag = (w1 >>> 8) & 0xff; // DW1 [15:8] Tag[7:0]
  const lastBe = (w1 >>> 4) & 0xf; // DW1 [7:4] Last DW BE
  const firstBe = w1 & 0xf; // DW1 [3:0] First DW BE
  const wa = dw(bytes, offset + hdr - 4); // last header DW: Address[31:2] | PH
  const ph = PH_NAMES[wa & 3]; // [1:0] PH
  if (ph === undefined) throw new DecodeError("bad PH");
  const start = offset + hdr;
  const data = bytes.slice(start, start + bytesLen); // payload, a copy
  if (fmt === 2) {
    const address = wa >>> 2; // DW2 [31:2] Address[31:2]
    if (td) {
      const ecrc = dw(bytes, start + bytesLen); // ECRC DW, read big-endian as sent
      return {
        fmt: "data-3dw",
        type: "mem",
        t9,
        tc,
        t8,
        ido,
        ln,
        th,
        td,
        ep,
        ro,
        ns,
        at,
        length,
        tlpType: "mwr-32",
        requesterId,
        tag,
        lastBe,
        firstBe,
        address,
        ph,
        data,
        ecrc,
      };
    }
    return {
      fmt: "data-3dw",
      type: "mem",
      t9,
      tc,
      t8,
      ido,
      ln,
      th,
      td,
      ep,
      ro,
      ns,
      at,
      length,
      tlpType: "mwr-32",
      requesterId,
      tag,
      lastBe,
      firstBe,
      address,
      ph,
      data,
    };
  }
  // DW2 Address[63:32], DW3 [31:2] Address[31:2]: the field is Address[63:2] (62 bits).
  const hi = dw(bytes, offset + 8);
  const address = (BigInt(hi >>> 2) << 32n) | BigInt((hi & 3) * 0x40000000 + (wa >>> 2));
  if (td) {
    const ecrc = dw(bytes, start + bytesLen); // ECRC DW, read big-endian as sent
    return {
      fmt: "data-4dw",
      type: "mem",
      t9,
      tc,
      t8,
      ido,
      ln,
      th,
      td,
      ep,
      ro,
      ns,
      at,
      length,
      tlpType: "mwr-64",
      requesterId,
      tag,
      lastBe,
      firstBe,
      address,
      ph,
      data,
      ecrc,
    };
  }
  return {
    fmt: "data-4dw",
    type: "mem",
    t9,
    tc,
    t8,
    ido,
    ln,
    th,
    td,
    ep,
    ro,
    ns,
    at,
    length,
    tlpType: "mwr-64",
    requesterId,
    tag,
    lastBe,
    firstBe,
    address,
    ph,
    data,
  };
}

const u = (v: unknown, max: number, name: string): number => {
  if (typeof v !== "number" || v >>> 0 !== v || v > max)
    throw new EncodeError(`"${name}" out of range`);
  return v;
};
const bit = (v: unknown, name: string): number => {
  if (typeof v !== "boolean") throw new EncodeError(`"${name}" not a boolean`);
  return v ? 1 : 0;
};

/** Header fields checked and packed, shared by the two hand-written encoders. */
interface Packed {
  dw0: number;
  dw1: number;
  /** 4DW: Address[63:32] (DW2); 3DW: unused. */
  hi: number;
  /** Last header DW: Address[31:2] | PH. */
  lo: number;
  hdr: number;
  data: Uint8Array;
  /** ECRC DW, or -1 without a digest. */
  ecrc: number;
}
const packed: Packed = { dw0: 0, dw1: 0, hi: 0, lo: 0, hdr: 0, data: new Uint8Array(0), ecrc: -1 };

/** Checks every field as the generated encoder does and packs the header DWs into `packed`. */
function pack(value: Mwr): Packed {
  const v = value as unknown as { readonly [key: string]: unknown };
  if (typeof v !== "object" || v === null) throw new EncodeError("not an object");
  const f = v.fmt;
  const fmt = f === "data-3dw" ? 2 : f === "data-4dw" ? 3 : -1; // DW0 [31:29] Fmt
  if (fmt < 0) throw new EncodeError('"fmt" not an MWr format');
  if (v.type !== "mem") throw new EncodeError('"type" not mem'); // DW0 [28:24] Type 0 0000
  const t9 = bit(v.t9, "t9"); // DW0 [23]
  const tc = u(v.tc, 7, "tc"); // DW0 [22:20]
  const t8 = bit(v.t8, "t8"); // DW0 [19]
  const ido = bit(v.ido, "ido"); // DW0 [18]
  const ln = bit(v.ln, "ln"); // DW0 [17]
  const th = bit(v.th, "th"); // DW0 [16]
  const td = bit(v.td, "td"); // DW0 [15]
  const ep = bit(v.ep, "ep"); // DW0 [14]
  const ro = bit(v.ro, "ro"); // DW0 [13]
  const ns = bit(v.ns, "ns"); // DW0 [12]
  const at = atValue(v.at); // DW0 [11:10]
  if (at < 0) throw new EncodeError('"at" not an address type');
  const length = u(v.length, 1023, "length"); // DW0 [9:0], 0 = 1024 DW
  if (v.tlpType !== (fmt === 2 ? "mwr-32" : "mwr-64")) throw new EncodeError('"tlpType" mismatch');
  const requesterId = u(v.requesterId, 0xffff, "requesterId"); // DW1 [31:16]
  const tag = u(v.tag, 0xff, "tag"); // DW1 [15:8]
  const lastBe = u(v.lastBe, 15, "lastBe"); // DW1 [7:4]
  const firstBe = u(v.firstBe, 15, "firstBe"); // DW1 [3:0]
  let hi = 0;
  let lo: number;
  if (fmt === 2) {
    lo = u(v.address, 0x3fffffff, "address"); // DW2 [31:2] Address[31:2]
  } else {
    const a = v.address; // Address[63:2]: DW2 = Address[63:32], DW3 [31:2] = Address[31:2]
    if (typeof a !== "bigint" || a < 0n || a > 0x3fffffffffffffffn)
      throw new EncodeError('"address" out of range');
    const h = Number(a >> 32n);
    const l = Number(a & 0xffffffffn);
    hi = ((h << 2) | (l >>> 30)) >>> 0;
    lo = l & 0x3fffffff;
  }
  const ph = phValue(v.ph); // last header DW [1:0]
  if (ph < 0) throw new EncodeError('"ph" not a processing hint');
  const data = v.data;
  if (!(data instanceof Uint8Array)) throw new EncodeError('"data" not a Uint8Array');
  if (data.length !== (length === 0 ? 1024 : length) * 4)
    throw new EncodeError('"data" not length × 4 bytes');
  let ecrc = -1;
  if (td === 1) ecrc = u(v.ecrc, 0xffffffff, "ecrc"); // digest DW after the payload
  packed.dw0 =
    ((fmt << 29) |
      (t9 << 23) |
      (tc << 20) |
      (t8 << 19) |
      (ido << 18) |
      (ln << 17) |
      (th << 16) |
      (td << 15) |
      (ep << 14) |
      (ro << 13) |
      (ns << 12) |
      (at << 10) |
      length) >>>
    0;
  packed.dw1 = ((requesterId << 16) | (tag << 8) | (lastBe << 4) | firstBe) >>> 0;
  packed.hi = hi;
  packed.lo = ((lo << 2) | ph) >>> 0;
  packed.hdr = fmt === 2 ? 12 : 16;
  packed.data = data;
  packed.ecrc = ecrc;
  return packed;
}

/** Big-endian DW store. */
function put(b: Uint8Array, o: number, w: number): void {
  b[o] = w >>> 24;
  b[o + 1] = w >>> 16;
  b[o + 2] = w >>> 8;
  b[o + 3] = w;
}

/** Writes a packed header, payload (`set`) and digest into `b` at `o`; returns the size. */
function write(b: Uint8Array, o: number, p: Packed): number {
  put(b, o, p.dw0); // DW0
  put(b, o + 4, p.dw1); // DW1: requester ID, tag, BEs
  if (p.hdr === 16) put(b, o + 8, p.hi); // 4DW: DW2 Address[63:32]
  put(b, o + p.hdr - 4, p.lo); // last header DW: Address[31:2] | PH
  b.set(p.data, o + p.hdr); // payload
  const end = o + p.hdr + p.data.length;
  if (p.ecrc < 0) return end - o;
  put(b, end, p.ecrc); // ECRC DW
  return end + 4 - o;
}

/** Encodes an MWr TLP by hand into a new array. */
export function encodeMwrHand(value: Mwr): Uint8Array {
  const p = pack(value);
  const out = new Uint8Array(p.hdr + p.data.length + (p.ecrc < 0 ? 0 : 4));
  write(out, 0, p);
  return out;
}

/** Encodes an MWr TLP by hand into `view` at `offset`; returns the number of bytes written. */
export function encodeMwrHandInto(view: DataView, offset: number, value: Mwr): number {
  const p = pack(value);
  const size = p.hdr + p.data.length + (p.ecrc < 0 ? 0 : 4);
  if (offset < 0 || offset + size > view.byteLength) throw new EncodeError("view too small");
  return write(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), offset, p);
}

// ---------------------------------------------------------------------------------------------
// Pool: deterministic MWr TLPs, object literals of one shape per variant.
// ---------------------------------------------------------------------------------------------

const PH_POOL: readonly ProcessingHint[] = PH_NAMES;

interface Common {
  t9: boolean;
  tc: number;
  t8: boolean;
  ido: boolean;
  ln: boolean;
  th: boolean;
  ep: boolean;
  ro: boolean;
  ns: boolean;
  at: AddressType;
  length: number;
  requesterId: number;
  tag: number;
  lastBe: number;
  firstBe: number;
  ph: ProcessingHint;
  data: Uint8Array;
}

const mwr32 = (c: Common, address: number): TlpMwr32NoDigest => ({
  fmt: "data-3dw",
  type: "mem",
  t9: c.t9,
  tc: c.tc,
  t8: c.t8,
  ido: c.ido,
  ln: c.ln,
  th: c.th,
  td: false,
  ep: c.ep,
  ro: c.ro,
  ns: c.ns,
  at: c.at,
  length: c.length,
  tlpType: "mwr-32",
  requesterId: c.requesterId,
  tag: c.tag,
  lastBe: c.lastBe,
  firstBe: c.firstBe,
  address,
  ph: c.ph,
  data: c.data,
});
const mwr32d = (c: Common, address: number, ecrc: number): TlpMwr32Digest => ({
  fmt: "data-3dw",
  type: "mem",
  t9: c.t9,
  tc: c.tc,
  t8: c.t8,
  ido: c.ido,
  ln: c.ln,
  th: c.th,
  td: true,
  ep: c.ep,
  ro: c.ro,
  ns: c.ns,
  at: c.at,
  length: c.length,
  tlpType: "mwr-32",
  requesterId: c.requesterId,
  tag: c.tag,
  lastBe: c.lastBe,
  firstBe: c.firstBe,
  address,
  ph: c.ph,
  data: c.data,
  ecrc,
});
const mwr64 = (c: Common, address: bigint): TlpMwr64NoDigest => ({
  fmt: "data-4dw",
  type: "mem",
  t9: c.t9,
  tc: c.tc,
  t8: c.t8,
  ido: c.ido,
  ln: c.ln,
  th: c.th,
  td: false,
  ep: c.ep,
  ro: c.ro,
  ns: c.ns,
  at: c.at,
  length: c.length,
  tlpType: "mwr-64",
  requesterId: c.requesterId,
  tag: c.tag,
  lastBe: c.lastBe,
  firstBe: c.firstBe,
  address,
  ph: c.ph,
  data: c.data,
});
const mwr64d = (c: Common, address: bigint, ecrc: number): TlpMwr64Digest => ({
  fmt: "data-4dw",
  type: "mem",
  t9: c.t9,
  tc: c.tc,
  t8: c.t8,
  ido: c.ido,
  ln: c.ln,
  th: c.th,
  td: true,
  ep: c.ep,
  ro: c.ro,
  ns: c.ns,
  at: c.at,
  length: c.length,
  tlpType: "mwr-64",
  requesterId: c.requesterId,
  tag: c.tag,
  lastBe: c.lastBe,
  firstBe: c.firstBe,
  address,
  ph: c.ph,
  data: c.data,
  ecrc,
});

/** The correct digest field of a TD = 1 value: CRC-32 of §6, stored little-endian, read big-endian. */
function ecrcOf(v: Mwr): number {
  const b = encodeTlp(v);
  const crc = computeEcrc(b.subarray(0, b.length - 4));
  return ((crc << 24) | ((crc & 0xff00) << 8) | ((crc >>> 8) & 0xff00) | (crc >>> 24)) >>> 0;
}

/**
 * Deterministic MWr TLPs (xorshift PRNG, fixed seed): per 8, three 32-bit and one 32-bit with
 * TD/ECRC, then the same for 64-bit (addresses ≥ 4 GiB, as the 4DW form requires). Payloads of
 * 1..64 DW, one in 16 a zero-length write (Length 1, both BEs 0; a Length field of 0 would mean
 * 1024 DW); contiguous byte enables; no write crosses a 4 KiB boundary.
 */
function pool(): Mwr[] {
  let s = 0x6c8e9cf5;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const out: Mwr[] = [];
  for (let i = 0; i < POOL; i++) {
    const zero = next() % 16 === 0;
    const length = zero ? 1 : 1 + (next() % 64);
    let firstBe: number;
    let lastBe: number;
    if (zero) {
      firstBe = 0;
      lastBe = 0;
    } else if (length === 1) {
      firstBe = [0xf, 0x1, 0x3, 0x6, 0xc, 0x8, 0x7, 0xe][next() & 7]!;
      lastBe = 0;
    } else {
      firstBe = [0xf, 0xe, 0xc, 0x8][next() & 3]!;
      lastBe = [0xf, 0x7, 0x3, 0x1][next() & 3]!;
    }
    const th = (next() & 7) === 0;
    const data = Uint8Array.from({ length: length * 4 }, () => next() & 0xff);
    const c: Common = {
      t9: (next() & 3) === 0,
      tc: next() & 7,
      t8: (next() & 3) === 0,
      ido: (next() & 3) === 0,
      ln: (next() & 15) === 0,
      th,
      ep: (next() & 31) === 0,
      ro: (next() & 1) === 1,
      ns: (next() & 1) === 1,
      at: (next() & 7) === 0 ? "translated" : "untranslated",
      length,
      requesterId: next() & 0xffff,
      tag: next() & 0xff,
      lastBe,
      firstBe,
      ph: th ? PH_POOL[next() & 3]! : "bidirectional",
      data,
    };
    // DW offset in the 4 KiB page such that the write stays inside it.
    const pageDw = next() % (1024 - length + 1);
    const page = next() & 0xfffff; // Address[31:12]
    const lo30 = page * 1024 + pageDw; // Address[31:2]
    const k = i % 8;
    if (k < 3) out.push(mwr32(c, lo30));
    else if (k === 3) out.push(mwr32d(c, lo30, ecrcOf(mwr32d(c, lo30, 0))));
    else {
      const hi = 1 + (next() % 0xffffffff); // Address[63:32] ≠ 0
      const address = (BigInt(hi) << 30n) | BigInt(lo30); // Address[63:2]
      if (k < 7) out.push(mwr64(c, address));
      else out.push(mwr64d(c, address, ecrcOf(mwr64d(c, address, 0))));
    }
  }
  return out;
}

// Values are object literals of one shape per variant, as applications build them. (Objects
// built with spread syntax can fall into V8's dictionary mode, and a codec whose inline caches
// once saw them stays slow: that would measure property lookup, not the codec.)
const values = pool();
const images = values.map((v) => encodeTlp(v));
const target = new DataView(new ArrayBuffer(STRIDE * POOL));
const handTarget = new DataView(new ArrayBuffer(STRIDE * POOL));

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    typeof x === "bigint" ? x.toString() : x instanceof Uint8Array ? Array.from(x) : x,
  );
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, j) => x === b[j]);

// Both codecs must agree on every pool entry before their speed means anything: decode
// (generated, hand-written and the value itself), encode, and encodeInto.
for (let i = 0; i < POOL; i++) {
  const image = images[i]!;
  const expected = show(values[i]);
  const size = image.length;
  if (
    show(decodeTlp(image)) !== expected ||
    show(decodeMwrHand(image)) !== expected ||
    !sameBytes(encodeMwrHand(values[i]!), image) ||
    encodeTlpInto(target, i * STRIDE, values[i]!) !== size ||
    encodeMwrHandInto(handTarget, i * STRIDE, values[i]!) !== size ||
    !sameBytes(new Uint8Array(target.buffer, i * STRIDE, size), image) ||
    !sameBytes(new Uint8Array(handTarget.buffer, i * STRIDE, size), image)
  )
    throw new Error(`codecs disagree on TLP ${i}`);
}

const OPERATIONS = codecOperations(
  { values, images, target, stride: STRIDE, checksum: (v) => v.length },
  { decode: (b) => decodeTlp(b) as Mwr, encode: encodeTlp, encodeInto: encodeTlpInto },
  { decode: (b) => decodeMwrHand(b), encode: encodeMwrHand, encodeInto: encodeMwrHandInto },
);

/** Values each codec must reject, one broken field at a time (built without spread). */
function rejected(): Mwr[] {
  const c = (i: number): Common => {
    const v = values[i]!;
    return {
      t9: v.t9,
      tc: v.tc,
      t8: v.t8,
      ido: v.ido,
      ln: v.ln,
      th: v.th,
      ep: v.ep,
      ro: v.ro,
      ns: v.ns,
      at: v.at,
      length: v.length,
      requesterId: v.requesterId,
      tag: v.tag,
      lastBe: v.lastBe,
      firstBe: v.firstBe,
      ph: v.ph,
      data: v.data,
    };
  };
  const out: Mwr[] = [];
  const bad = (f: (x: Common) => void): Common => {
    const x = c(0);
    f(x);
    return x;
  };
  const broken: ((x: Common) => void)[] = [
    (x) => (x.tc = 8),
    (x) => (x.tag = 256),
    (x) => (x.requesterId = 0x10000),
    (x) => (x.firstBe = 16),
    (x) => (x.lastBe = -1),
    (x) => (x.length = 1024),
    (x) => (x.length = x.length + 1), // data no longer length × 4 bytes
    (x) => (x.at = "none" as AddressType),
    (x) => (x.ph = "none" as ProcessingHint),
    (x) => (x.ep = 1 as unknown as boolean),
  ];
  for (const f of broken) {
    out.push(mwr32(bad(f), 0));
    out.push(mwr64(bad(f), 1n << 30n));
  }
  out.push(mwr32(c(0), 0x40000000)); // 30-bit address field overflow
  out.push(mwr64(c(0), 1n << 62n)); // 62-bit address field overflow
  out.push(mwr32d(c(0), 0, 0x1_0000_0000)); // ECRC over 32 bits
  const wrongTag = mwr32(c(0), 0) as unknown as { tlpType: string };
  wrongTag.tlpType = "mwr-64"; // variant tag not selected by Fmt/Type
  out.push(wrongTag as unknown as Mwr);
  return out;
}

const throws = (f: () => unknown, kind: typeof DecodeError | typeof EncodeError): boolean => {
  try {
    f();
    return false;
  } catch (e) {
    return e instanceof kind;
  }
};

// Same validation: both reject the same broken values and truncated images. (Checked in the
// parent only, so that no timed process has fed odd values to either codec.)
function checkSameRejections(): void {
  rejected().forEach((v, i) => {
    if (!throws(() => encodeTlp(v), EncodeError) || !throws(() => encodeMwrHand(v), EncodeError))
      throw new Error(`codecs do not both reject broken value ${i}`);
  });
  if (
    !throws(() => encodeTlpInto(target, STRIDE * POOL - 8, values[0]!), EncodeError) ||
    !throws(() => encodeMwrHandInto(handTarget, STRIDE * POOL - 8, values[0]!), EncodeError)
  )
    throw new Error("codecs do not both reject a too-small target");
  images.forEach((image, i) => {
    const cut = image.subarray(0, image.length - 1 - (i % image.length));
    if (
      !throws(() => decodeTlp(cut), DecodeError) ||
      !throws(() => decodeMwrHand(cut), DecodeError)
    )
      throw new Error(`codecs do not both reject truncated TLP ${i}`);
  });
  console.log("");
}

runSideBySide(
  import.meta.url,
  OPERATIONS,
  `pcie.tlp MWr, ${POOL} TLPs (3DW and 4DW, 1..64 DW payloads and zero-length, ${values.filter((v) => v.td).length} with ECRC), ` +
    "median of 7 interleaved rounds",
  GOAL,
  checkSameRejections,
);
