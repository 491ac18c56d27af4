/**
 * `rashpa demo`: a short tour of the generated codecs (`rashpa emulate`, what `npm start` runs,
 * is the emulated acquisition itself) — one frame of the paper's
 * demonstration described with the generated codecs — ATU entries for two receivers, the
 * Block Transfer Descriptors a data channel would emit for a full 256×256 16-bit frame in
 * 4 KiB blocks plus one ROI block, the FIFO window words of the first BTD, and the
 * end-of-frame event — every structure encoded, decoded back and compared.
 *
 * @module
 */
import { toHex, valueToJson } from "@rashpa/bits";
import {
  btdFromWindowWords,
  btdToWindowWords,
  decodeAtuEntry,
  decodeBtd,
  decodeEvent,
  encodeAtuEntry,
  encodeBtd,
  encodeEvent,
} from "@rashpa/descriptors";
import type { AtuEntry, Btd, Event } from "@rashpa/descriptors";
import type { CliIo } from "./cli.js";
import { ALL_FORMATS } from "./registry.js";

const FRAME_WIDTH = 256;
const FRAME_HEIGHT = 256;
const PIXEL_BYTES = 2;
const BLOCK_BYTES = 4096;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(valueToJson(a)) === JSON.stringify(valueToJson(b));
}

/** Runs the demonstration, writing a short report to `io.stdout`. */
export function runDemo(io: CliIo): void {
  const out = (s = ""): void => io.stdout(`${s}\n`);
  out("rashpa demo: spec files -> generated codecs -> the rashpa command");
  out("(a tour of the descriptor codecs; `rashpa emulate` runs the emulated acquisition itself)");
  out();
  out(`${ALL_FORMATS.length} formats generated from specs/:`);
  for (const f of ALL_FORMATS)
    out(`  ${f.id.padEnd(24)} ${String(f.fixedBytes ?? "variable").padStart(8)} B  ${f.title}`);
  out();

  // Two receivers: the detector PC gets full frames, the industrial PC an ROI (SYSTEM.md §1 demo).
  const atu: AtuEntry[] = [
    { address: 0x1_0000_0000n, size: 64 << 20, receiver: 0, writable: true, valid: true },
    { address: 0x8000_0000n, size: 1 << 20, receiver: 1, writable: true, valid: true },
  ];
  let failures = 0;
  for (const e of atu) if (!same(decodeAtuEntry(encodeAtuEntry(e)), e)) failures++;
  out(
    `ATU: ${atu.length} entries (receiver 0: ${atu[0]!.size >> 20} MiB, receiver 1: ${atu[1]!.size >> 20} MiB)`,
  );

  const frameBytes = FRAME_WIDTH * FRAME_HEIGHT * PIXEL_BYTES;
  const frame = 7;
  const btds: Btd[] = [];
  for (let block = 0; block * BLOCK_BYTES < frameBytes; block++) {
    const size = Math.min(BLOCK_BYTES, frameBytes - block * BLOCK_BYTES);
    btds.push({
      size,
      kind: "image",
      channel: 0,
      sof: block === 0,
      eof: (block + 1) * BLOCK_BYTES >= frameBytes,
      eoa: false,
      notify: (block + 1) * BLOCK_BYTES >= frameBytes,
      block,
      layout: "dma",
      source: 0x4000_0000n + BigInt(block * BLOCK_BYTES),
      frame,
      atuIndex: 0,
      offset: BigInt(frame * frameBytes + block * BLOCK_BYTES),
    });
  }
  // A 64×64 ROI at (96, 96): 64 lines of 128 bytes, pitch = one frame line.
  const roiLine = 64 * PIXEL_BYTES;
  btds.push({
    size: 64 * roiLine,
    kind: "roi",
    channel: 1,
    sof: true,
    eof: true,
    eoa: false,
    notify: true,
    block: 0,
    layout: "roi",
    source: 0x4000_0000n + BigInt(96 * FRAME_WIDTH * PIXEL_BYTES + 96 * PIXEL_BYTES),
    frame,
    lineBytes: roiLine,
    pitch: FRAME_WIDTH * PIXEL_BYTES,
    atuIndex: 1,
    offset: 0n,
  });
  let descriptorBytes = 0;
  for (const b of btds) {
    const bytes = encodeBtd(b);
    descriptorBytes += bytes.length;
    if (!same(decodeBtd(bytes), b) || !same(btdFromWindowWords(btdToWindowWords(b)), b)) failures++;
  }
  out(
    `BTDs: ${btds.length - 1} image blocks of ${BLOCK_BYTES} B for a ${FRAME_WIDTH}x${FRAME_HEIGHT}x16-bit frame + 1 ROI block (${descriptorBytes} descriptor bytes)`,
  );

  const first = encodeBtd(btds[0]!);
  out();
  out("first BTD:");
  out(`  hex           ${toHex(first)}`);
  out(
    `  window words  ${[...btdToWindowWords(btds[0]!)].map((w, i) => `d${i + 1}=0x${w.toString(16).padStart(8, "0")}`).join(" ")}`,
  );
  out(`  decoded       ${JSON.stringify(valueToJson(decodeBtd(first)))}`);

  const eof: Event = {
    type: "end-of-frame",
    channel: 0,
    status: 0,
    frame,
    sequence: 1,
    timestamp: 1_250_000n,
    info: BigInt(frameBytes),
  };
  if (!same(decodeEvent(encodeEvent(eof)), eof)) failures++;
  out(`  end-of-frame  ${toHex(encodeEvent(eof))}`);
  out();
  out("the same from a shell:");
  out(`  rashpa decode rashpa.btd ${toHex(first)}`);
  out(`  rashpa encode rashpa.event '${JSON.stringify(valueToJson(eof))}'`);
  out();
  out(
    failures === 0
      ? `all ${atu.length + btds.length + 1} structures round-trip: ok`
      : `${failures} structures did not round-trip`,
  );
  if (failures > 0) throw new Error(`${failures} structures did not round-trip`);
}
