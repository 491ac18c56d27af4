/**
 * `npm run bench` (after the PCIe benchmarks): the physical SRIO packet codec of `@rashpa/srio`
 * on 256-byte SWRITEs (Dev16 IDs, 34-bit addresses: 266-byte stream, early CRC, final CRC and
 * pad = 272 bytes; RapidIO 4.1 Part 6 §2.4.1), in MB/s of payload, each measured side by side
 * with a plain `Uint8Array.set` copy of the same 256 bytes — the limit no codec can pass,
 * since encoding and decoding both copy the payload once (issue 4, item 10).
 *
 * - encode: `encodeSrioPacketInto` into a shared buffer (generated stream encoder, the move of
 *   the bytes after byte 80, both CRC-16s, the pad);
 * - encode (new array): `encodeSrioPacket`, one allocation per packet;
 * - decode: `decodeSrioPacket` (both CRCs and the pad checked, header decoded by the generated
 *   stream decoder, payload gathered around the early CRC into a new array);
 * - CRC-16 only: `srioCrc16Update` over the 269 bytes both CRCs of such a packet cover, the
 *   share of the work no layout change can remove; and the same CRC with the byte-at-a-time
 *   engine of `@rashpa/bits` (`crc16RapidIO.update`), for comparison.
 *
 * @module
 */
import { crc16RapidIO } from "@rashpa/bits";
import {
  decodeSrioPacket,
  encodeSrioPacket,
  encodeSrioPacketInto,
  srioCrc16Update,
} from "@rashpa/srio";
import type { SrioPacket, StreamDev16StreamingWrite } from "@rashpa/srio";
import { compare, runAgainstCopy } from "./harness.js";
import type { BenchCase, Operation } from "./harness.js";

/** The variant measured: an SWRITE with 16-bit device IDs. */
type Swrite = StreamDev16StreamingWrite;

const POOL = 1024;
const PAYLOAD = 256;
const STRIDE = 288;

function pool(): { values: SrioPacket[]; images: Uint8Array[] } {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const values: SrioPacket[] = [];
  for (let i = 0; i < POOL; i++) {
    const payload = new Uint8Array(PAYLOAD);
    for (let k = 0; k < PAYLOAD; k++) payload[k] = next() & 0xff;
    values.push({
      ackId: i & 63,
      vc: 0,
      crf: 0,
      prio: 1,
      tt: "dev16",
      ftype: "streaming-write",
      destinationId: next() & 0xffff,
      sourceId: next() & 0xffff,
      address: next() & 0x1fffffe0,
      xamsbs: 0,
      payload,
    });
  }
  return { values, images: values.map((v) => encodeSrioPacket(v)) };
}

/** Checks that the codec round-trips the pool before anything is timed. */
function check(values: readonly SrioPacket[], images: readonly Uint8Array[]): void {
  for (let i = 0; i < values.length; i++) {
    const back = decodeSrioPacket(images[i]!) as Swrite;
    const v = values[i]! as Swrite;
    if (back.ftype !== "streaming-write") throw new Error("pool packet is not an SWRITE");
    if (images[i]!.length !== 272 || back.address !== v.address) throw new Error("mismatch");
    for (let k = 0; k < PAYLOAD; k++)
      if (back.payload[k] !== v.payload[k]) throw new Error(`payload mismatch in packet ${i}`);
  }
}

function operations(): Record<string, Operation> {
  const { values, images } = pool();
  check(values, images);
  const target = new Uint8Array(STRIDE * POOL);
  const view = new DataView(target.buffer);
  const copyTarget = new Uint8Array(STRIDE * POOL);
  const mask = POOL - 1;
  let cursor = 0;
  const copy: BenchCase = {
    name: "Uint8Array.set copy",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        copyTarget.set((values[cursor] as Swrite).payload, cursor * STRIDE + 10);
        acc += copyTarget[cursor * STRIDE + 10]!;
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  const encodeInto: BenchCase = {
    name: "encodeSrioPacketInto",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += encodeSrioPacketInto(view, cursor * STRIDE, values[cursor]!);
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  const encodeNew: BenchCase = {
    name: "encodeSrioPacket",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += encodeSrioPacket(values[cursor]!)[100]!;
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  const decode: BenchCase = {
    name: "decodeSrioPacket",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += (decodeSrioPacket(images[cursor]!) as Swrite).payload[7]!;
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  const crcOnly: BenchCase = {
    name: "srioCrc16Update",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += srioCrc16Update(0xffff, images[cursor]!, 1, 270);
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  const crcBytewise: BenchCase = {
    name: "crc16RapidIO.update",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        acc += crc16RapidIO.update(0xffff, images[cursor]!, 1, 270);
        cursor = (cursor + 1) & mask;
      }
      return acc;
    },
  };
  return {
    "CRC-16 only (269 B)": () => compare([crcOnly, copy]),
    "CRC-16 byte at a time": () => compare([crcBytewise, copy]),
    "encode (encodeInto)": () => compare([encodeInto, copy]),
    "encode (new array)": () => compare([encodeNew, copy]),
    "decode (CRCs checked)": () => compare([decode, copy]),
  };
}

runAgainstCopy(
  import.meta.url,
  operations(),
  "srio.packet: 256-byte SWRITE (Dev16, 272 bytes with early CRC, CRC and pad) against a plain copy of the payload",
  PAYLOAD,
);
