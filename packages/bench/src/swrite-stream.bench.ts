/**
 * `npm run bench` (after `srio.bench.ts`): a 1 MiB stream written as 256-byte SWRITEs by the
 * stream packets of `@rashpa/srio` — `planSwriteStream`, `swriteStreamPackets`, the wire bytes
 * of its 4096 packets (Dev16 IDs, 34-bit addresses: 272 bytes each with early CRC, final CRC
 * and pad; RapidIO 4.1 Part 6 §2.4.1) — in MB/s of payload, each measured side by side with a
 * plain `Uint8Array.set` copy of the same 1 MiB (issue 4, item 6).
 *
 * - plan + packets + encodeInto: the bridge path — plan the stream, materialise it (SWRITE
 *   payloads are views of the data) and write every packet into one shared buffer with
 *   `SwriteStreamPackets.encodeInto`;
 * - packetAt + encodeSrioPacket: the same packets as new values, each encoded into a new array.
 *
 * @module
 */
import {
  decodeSrioPacket,
  decodeSrioWrite,
  encodeSrioPacket,
  planSwriteStream,
  swriteStreamPackets,
} from "@rashpa/srio";
import type { SwriteStreamHeader } from "@rashpa/srio";
import { compare, runAgainstCopy } from "./harness.js";
import type { BenchCase, Operation } from "./harness.js";

const STREAM = 1 << 20;
const ADDRESS = 0x1_0000_0000n; // a 34-bit address above 4 GiB
const HEADER: SwriteStreamHeader = {
  tt: "dev16",
  destinationId: 0x0102,
  sourceId: 0x0201,
  prio: 0,
};

function streamData(): Uint8Array {
  const data = new Uint8Array(STREAM);
  let seed = 0x2545f491;
  for (let k = 0; k < STREAM; k++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    data[k] = seed & 0xff;
  }
  return data;
}

/** Checks, before anything is timed, that the encoded stream decodes back to the data. */
function check(data: Uint8Array, wire: Uint8Array): void {
  const back = new Uint8Array(STREAM);
  for (let at = 0; at < wire.length; at += 272) {
    const w = decodeSrioWrite(decodeSrioPacket(wire.subarray(at, at + 272)));
    back.set(w.data, Number(w.address - ADDRESS));
  }
  for (let k = 0; k < STREAM; k++) if (back[k] !== data[k]) throw new Error(`byte ${k} differs`);
}

function operations(): Record<string, Operation> {
  const data = streamData();
  const first = swriteStreamPackets(planSwriteStream(ADDRESS, STREAM), data, HEADER);
  if (first.count !== 4096 || first.byteLength !== 4096 * 272)
    throw new Error("unexpected packet layout");
  const wire = new Uint8Array(first.byteLength);
  const view = new DataView(wire.buffer);
  first.encodeInto(view, 0);
  check(data, wire);
  const copyTarget = new Uint8Array(STREAM);
  const copy: BenchCase = {
    name: "Uint8Array.set copy",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        copyTarget.set(data);
        acc += copyTarget[n & 1023]!;
      }
      return acc;
    },
  };
  const encodeInto: BenchCase = {
    name: "plan + packets + encodeInto",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        const packets = swriteStreamPackets(planSwriteStream(ADDRESS, STREAM), data, HEADER);
        acc += packets.encodeInto(view, 0);
      }
      return acc;
    },
  };
  const encodeNew: BenchCase = {
    name: "packetAt + encodeSrioPacket",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++) {
        const packets = swriteStreamPackets(planSwriteStream(ADDRESS, STREAM), data, HEADER);
        for (let i = 0; i < packets.count; i++) acc += encodeSrioPacket(packets.packetAt(i))[9]!;
      }
      return acc;
    },
  };
  const options = { batch: 1 };
  return {
    "plan + packets + encodeInto": () => compare([encodeInto, copy], options),
    "packetAt + encodeSrioPacket": () => compare([encodeNew, copy], options),
  };
}

runAgainstCopy(
  import.meta.url,
  operations(),
  "swriteStreamPackets: a 1 MiB stream as 4096 256-byte SWRITEs (Dev16, 272 bytes each) against a plain copy of the 1 MiB",
  STREAM,
);
