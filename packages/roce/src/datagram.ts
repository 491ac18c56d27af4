/**
 * A RoCEv2 transport packet as one UDP datagram payload: BTH, the extension headers its opcode
 * calls for, payload, PadCnt zero bytes and the ICRC (docs/reference/roce.md §1–§3, §5). The
 * headers are written and read by the codecs generated from `specs/roce/transport.yaml`; the
 * pad and the ICRC are placed and checked here. Encoding writes into a caller's buffer and
 * decoding returns the payload as a view of the input, so a link can run without copying a
 * payload more than once.
 *
 * @module
 */
import {
  DecodeError,
  EncodeError,
  decodeFieldError,
  describeValue,
  encodeFieldError,
} from "@rashpa/bits";
import {
  BTH_BYTES,
  decodeAeth,
  decodeBth,
  decodeDeth,
  decodeImmdt,
  decodeReth,
  encodeAethInto,
  encodeBthInto,
  encodeDethInto,
  encodeImmdtInto,
  encodeRethInto,
} from "./gen/transport.js";
import type { Aeth, Bth, Deth, Immdt, Reth } from "./gen/transport.js";
import { computeRoceIcrc, readIcrc, writeIcrc } from "./icrc.js";
import type { RocePath } from "./icrc.js";
import { ICRC_BYTES, extensionHeaders, padBytes } from "./opcode.js";

/**
 * One RoCEv2 transport packet: the BTH, the extension headers its opcode calls for
 * (docs/reference/roce.md §3 table) and the payload without its pad.
 */
export interface RocePacket {
  /** Base Transport Header; `padCnt` must equal `(−payload.length) & 3`. */
  readonly bth: Bth;
  /** RETH, present exactly on RDMA WRITE First/Only and READ Request. */
  readonly reth?: Reth | undefined;
  /** ImmDt, present exactly on the "with Immediate" opcodes. */
  readonly immdt?: Immdt | undefined;
  /** AETH, present exactly on ACKNOWLEDGE and READ Response First/Last/Only. */
  readonly aeth?: Aeth | undefined;
  /** DETH, present exactly on UD SEND Only (with or without immediate). */
  readonly deth?: Deth | undefined;
  /** The payload (pad excluded). Decoded packets hold a view of the input bytes. */
  readonly payload: Uint8Array;
}

/** Bytes of `packet` as a UDP payload: headers, payload, pad and ICRC. */
export function rocePacketBytes(packet: RocePacket): number {
  const n = packet.payload.length;
  return BTH_BYTES + extensionHeaders(packet.bth.opcode).bytes + n + padBytes(n) + ICRC_BYTES;
}

let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView | undefined;

function viewOf(out: Uint8Array): DataView {
  if (lastBuffer !== out.buffer || lastView === undefined) {
    lastBuffer = out.buffer;
    lastView = new DataView(out.buffer);
  }
  return lastView;
}

function presence(name: string, want: boolean, value: unknown, opcode: string): void {
  if (want === (value !== undefined)) return;
  throw encodeFieldError(
    name,
    want ? `a header (opcode ${opcode} carries one)` : `undefined (opcode ${opcode} carries none)`,
    describeValue(value),
  );
}

/**
 * Encodes `packet` at `offset` of `out`, with its pad and the ICRC computed over the IP and UDP
 * headers of `path` (docs/reference/roce.md §1, §5); returns the bytes written. Reuses one
 * `DataView` per buffer, so encoding into the same buffer again allocates nothing.
 *
 * @throws EncodeError naming the field: a header missing or present against the opcode
 *   (`"reth"`, `"immdt"`, `"aeth"`, `"deth"`), `"bth.padCnt"` not matching the payload, a header
 *   field out of range, or `"packet"` when `out` is too small
 */
export function encodeRocePacketInto(
  out: Uint8Array,
  offset: number,
  packet: RocePacket,
  path: RocePath,
): number {
  const { bth, payload } = packet;
  const eh = extensionHeaders(bth.opcode);
  presence("reth", eh.reth, packet.reth, bth.opcode);
  presence("immdt", eh.immdt, packet.immdt, bth.opcode);
  presence("aeth", eh.aeth, packet.aeth, bth.opcode);
  presence("deth", eh.deth, packet.deth, bth.opcode);
  const pad = padBytes(payload.length);
  if (bth.padCnt !== pad)
    throw encodeFieldError(
      "bth.padCnt",
      `${pad} for a ${payload.length}-byte payload (docs/reference/roce.md §1)`,
      describeValue(bth.padCnt),
    );
  const total = BTH_BYTES + eh.bytes + payload.length + pad + ICRC_BYTES;
  if (!Number.isInteger(offset) || offset < 0 || offset + total > out.length)
    throw new EncodeError(
      `"packet" expected ${total} bytes at offset ${offset}, got a ${out.length}-byte buffer`,
      { path: "packet", offset },
    );
  const view = viewOf(out);
  const base = out.byteOffset;
  let o = offset;
  o += encodeBthInto(view, base + o, bth);
  // Extension header order: RETH or DETH, then ImmDt, or AETH (IBA order, roce.md §3).
  if (packet.reth !== undefined) o += encodeRethInto(view, base + o, packet.reth);
  if (packet.deth !== undefined) o += encodeDethInto(view, base + o, packet.deth);
  if (packet.immdt !== undefined) o += encodeImmdtInto(view, base + o, packet.immdt);
  if (packet.aeth !== undefined) o += encodeAethInto(view, base + o, packet.aeth);
  out.set(payload, o);
  o += payload.length;
  for (let i = 0; i < pad; i++) out[o++] = 0;
  writeIcrc(out, o, computeRoceIcrc(path, out, offset, o));
  return total;
}

/**
 * Encodes `packet` into a new array (see {@link encodeRocePacketInto}).
 *
 * @example
 * ```ts
 * const bytes = encodeRocePacket({ bth: { opcode: "rc-acknowledge", se: false, migReq: false,
 *   padCnt: 0, pKey: 0xffff, fecn: false, becn: false, destQp: 0x11, ackReq: false, psn: 7 },
 *   aeth: { syndromeType: "ack", syndromeValue: 0x1f, msn: 1 }, payload: new Uint8Array(0) }, path);
 * bytes.length; // 20: BTH 12, AETH 4, ICRC 4
 * ```
 */
export function encodeRocePacket(packet: RocePacket, path: RocePath): Uint8Array {
  const out = new Uint8Array(rocePacketBytes(packet));
  encodeRocePacketInto(out, 0, packet, path);
  return out;
}

/**
 * Decodes the transport packet `bytes[offset..end)` (one UDP payload). When `path` is given the
 * ICRC is checked first against the IP and UDP headers of `path` (docs/reference/roce.md §5);
 * `undefined` skips the check. The payload is a view of `bytes` (no copy); the pad must be
 * zeros.
 *
 * @throws DecodeError naming the field: `"icrc"` (mismatch), `"packet"` (shorter than its
 *   headers, pad and ICRC), `"pad"`, or a header field (unknown opcode, TVer ≠ 0, reserved AETH
 *   type)
 */
export function decodeRocePacket(
  bytes: Uint8Array,
  path: RocePath | undefined,
  offset = 0,
  end = bytes.length,
): RocePacket {
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(end) ||
    offset < 0 ||
    end > bytes.length ||
    offset > end
  )
    throw new DecodeError(
      `range [${offset}, ${end}) is outside the input (${bytes.length} bytes)`,
      {
        offset,
      },
    );
  const n = end - offset;
  if (n < BTH_BYTES + ICRC_BYTES)
    throw decodeFieldError(
      "packet",
      `at least ${BTH_BYTES + ICRC_BYTES} bytes (BTH and ICRC)`,
      `${n} bytes`,
      offset,
    );
  if (path !== undefined) {
    const want = computeRoceIcrc(path, bytes, offset, end - ICRC_BYTES);
    const got = readIcrc(bytes, end - ICRC_BYTES);
    if (want !== got) throw decodeFieldError("icrc", hex32(want), hex32(got), end - ICRC_BYTES);
  }
  const input = end === bytes.length ? bytes : bytes.subarray(0, end);
  const bth = decodeBth(input, offset);
  const eh = extensionHeaders(bth.opcode);
  const payloadStart = offset + BTH_BYTES + eh.bytes;
  const payloadEnd = end - ICRC_BYTES - bth.padCnt;
  if (payloadEnd < payloadStart)
    throw decodeFieldError(
      "packet",
      `at least ${payloadStart - offset + bth.padCnt + ICRC_BYTES} bytes for opcode ${bth.opcode} with PadCnt ${bth.padCnt}`,
      `${n} bytes`,
      offset,
    );
  for (let i = payloadEnd; i < end - ICRC_BYTES; i++)
    if (bytes[i] !== 0)
      throw decodeFieldError(
        "pad",
        "0x00 (docs/reference/roce.md §1)",
        `0x${bytes[i]!.toString(16).padStart(2, "0")}`,
        i,
      );
  let o = offset + BTH_BYTES;
  let reth: Reth | undefined;
  let deth: Deth | undefined;
  let immdt: Immdt | undefined;
  let aeth: Aeth | undefined;
  if (eh.reth) {
    reth = decodeReth(input, o);
    o += 16;
  }
  if (eh.deth) {
    deth = decodeDeth(input, o);
    o += 8;
  }
  if (eh.immdt) {
    immdt = decodeImmdt(input, o);
    o += 4;
  }
  if (eh.aeth) aeth = decodeAeth(input, o);
  return { bth, reth, immdt, aeth, deth, payload: bytes.subarray(payloadStart, payloadEnd) };
}

function hex32(v: number): string {
  return `0x${v.toString(16).padStart(8, "0")}`;
}
