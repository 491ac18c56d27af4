/**
 * A hand-written codec of the Block Transfer Descriptor (`rashpa.btd`, layout in
 * `specs/rashpa/descriptors.yaml`): the baseline the generated codec is measured against.
 * It checks what the generated codec checks (enum, reserved bits, field ranges) so the
 * comparison is like for like.
 *
 * @module
 */
import { DecodeError, EncodeError } from "@rashpa/bits";
import type { Btd, BtdKind } from "@rashpa/descriptors";

const KINDS: readonly BtdKind[] = ["image", "roi", "metadata", "inline"];
const BTD_BYTES = 32;

function kindValue(kind: unknown): number {
  switch (kind) {
    case "image":
      return 0;
    case "roi":
      return 1;
    case "metadata":
      return 2;
    case "inline":
      return 3;
    default:
      return -1;
  }
}

const u = (v: unknown, max: number, name: string): number => {
  if (typeof v !== "number" || v >>> 0 !== v || v > max)
    throw new EncodeError(`"${name}" out of range`);
  return v;
};
const big = (v: unknown, max: bigint, name: string): bigint => {
  if (typeof v !== "bigint" || v < 0n || v > max) throw new EncodeError(`"${name}" out of range`);
  return v;
};
const bool = (v: unknown, name: string): number => {
  if (typeof v !== "boolean") throw new EncodeError(`"${name}" not a boolean`);
  return v ? 1 : 0;
};

/** Decodes a BTD by hand. */
export function decodeBtdHand(bytes: Uint8Array, offset = 0): Btd {
  if (bytes.length - offset < BTD_BYTES) throw new DecodeError("truncated");
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = dv.getUint32(offset); // word 0: size
  const w1 = dv.getUint32(offset + 4); // word 1: flags
  const kindRaw = w1 >>> 28;
  const kind = KINDS[kindRaw];
  if (kind === undefined) throw new DecodeError("bad kind");
  if (((w1 >>> 16) & 0xf) !== 0) throw new DecodeError("reserved");
  const channel = (w1 >>> 24) & 0xf;
  const sof = ((w1 >>> 23) & 1) !== 0;
  const eof = ((w1 >>> 22) & 1) !== 0;
  const eoa = ((w1 >>> 21) & 1) !== 0;
  const notify = ((w1 >>> 20) & 1) !== 0;
  const block = w1 & 0xffff;
  const w6 = dv.getUint32(offset + 24); // atuIndex, offset high
  const atuIndex = w6 >>> 16;
  const off = BigInt((w6 & 0xffff) * 4294967296 + dv.getUint32(offset + 28));
  if (kindRaw === 1) {
    const a = dv.getUint32(offset + 8);
    const b = dv.getUint32(offset + 12);
    const c = dv.getUint32(offset + 16);
    const source = BigInt((a >>> 16) * 4294967296 + (a & 0xffff) * 65536 + (b >>> 16));
    const frame = (b & 0xffff) * 65536 + (c >>> 16);
    const pitch = dv.getUint32(offset + 20);
    return {
      size,
      kind,
      channel,
      sof,
      eof,
      eoa,
      notify,
      block,
      layout: "roi",
      source,
      frame,
      lineBytes: c & 0xffff,
      pitch,
      atuIndex,
      offset: off,
    };
  }
  if (kindRaw === 3) {
    const data = bytes.slice(offset + 8, offset + 24);
    return {
      size,
      kind,
      channel,
      sof,
      eof,
      eoa,
      notify,
      block,
      layout: "inline",
      data,
      atuIndex,
      offset: off,
    };
  }
  if (dv.getUint32(offset + 20) !== 0) throw new DecodeError("reserved");
  const source = dv.getBigUint64(offset + 8);
  const frame = dv.getUint32(offset + 16);
  return {
    size,
    kind,
    channel,
    sof,
    eof,
    eoa,
    notify,
    block,
    layout: "dma",
    source,
    frame,
    atuIndex,
    offset: off,
  };
}

/** Encodes a BTD by hand into `view` at `offset`. */
export function encodeBtdHandInto(view: DataView, offset: number, v: Btd): number {
  const size = u(v.size, 0xffffffff, "size");
  const kind = kindValue(v.kind);
  if (kind < 0) throw new EncodeError('"kind" bad');
  const channel = u(v.channel, 15, "channel");
  const flags =
    bool(v.sof, "sof") * 8 +
    bool(v.eof, "eof") * 4 +
    bool(v.eoa, "eoa") * 2 +
    bool(v.notify, "notify");
  const block = u(v.block, 0xffff, "block");
  const atu = u(v.atuIndex, 0xffff, "atuIndex");
  const off = big(v.offset, 0xffffffffffffn, "offset");
  if (offset + BTD_BYTES > view.byteLength) throw new EncodeError("view too small");
  if (v.layout === "roi") {
    const src = big(v.source, 0xffffffffffffn, "source");
    const frame = u(v.frame, 0xffffffff, "frame");
    const lineBytes = u(v.lineBytes, 0xffff, "lineBytes");
    const pitch = u(v.pitch, 0xffffffff, "pitch");
    const n = Number(src);
    const lo = n >>> 0;
    view.setUint32(offset + 8, (Math.floor(n / 4294967296) * 65536 + (lo >>> 16)) >>> 0);
    view.setUint32(offset + 12, ((lo & 0xffff) * 65536 + (frame >>> 16)) >>> 0);
    view.setUint32(offset + 16, ((frame & 0xffff) * 65536 + lineBytes) >>> 0);
    view.setUint32(offset + 20, pitch);
  } else if (v.layout === "inline") {
    if (!(v.data instanceof Uint8Array) || v.data.length !== 16)
      throw new EncodeError('"data" bad');
    for (let i = 0; i < 16; i++) view.setUint8(offset + 8 + i, v.data[i]!);
  } else {
    view.setBigUint64(offset + 8, big(v.source, 0xffffffffffffffffn, "source"));
    view.setUint32(offset + 16, u(v.frame, 0xffffffff, "frame"));
    view.setUint32(offset + 20, 0);
  }
  view.setUint32(offset, size);
  view.setUint32(offset + 4, ((kind << 28) | (channel << 24) | (flags << 20) | block) >>> 0);
  const o = Number(off);
  view.setUint32(offset + 24, ((atu << 16) | Math.floor(o / 4294967296)) >>> 0);
  view.setUint32(offset + 28, o >>> 0);
  return BTD_BYTES;
}

/** Encodes a BTD by hand into a new array. */
export function encodeBtdHand(v: Btd): Uint8Array {
  const bytes = new Uint8Array(BTD_BYTES);
  encodeBtdHandInto(new DataView(bytes.buffer), 0, v);
  return bytes;
}
