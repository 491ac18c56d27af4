/**
 * `npm run bench` (after the SRIO benchmarks): wall-clock speed of the reference emulator
 * (issue 6, item 8) — the paper's demo system of `@rashpa/emulator` (`DefaultSystem`: full
 * frames to one receiver, a 128×128 ROI to another) running acquisitions one after another,
 * with frame verification off, so what is timed is the emulator itself: the DIU filling its
 * DDR ring, the data channels, ATU, BSU, CDMA, the PCIe link and switch, the timing model,
 * the event channel and the receiver hosts. The system (controller, DDR, receiver memories)
 * is built once per case, as the copy's buffers are, and each timed acquisition is started
 * through the registers and summarised on its own.
 *
 * - fast path: CDMA transfers in closed form, frame data moved by bulk copies, TLPs counted
 *   (goal: at least 0.5× a plain `Uint8Array.set` of the same bytes). Measured on the paper's
 *   512 × 512 16-bit frames and on the 8 MiB frames of a 4-megapixel detector (2048 × 2048);
 * - wire path: every MWr TLP is built, encoded, decoded and delivered with its byte enables
 *   (goal: at least 0.5 GB/s of frame data).
 *
 * The copy case copies the same bytes between buffers of the emulator's sizes (8 DDR frame
 * slots → 4 receiver frame buffers, and the ROI line by line from its place in the frame, as
 * the DDR holds it), frame by frame, in the same child process.
 *
 * @module
 */
import { DefaultSystem, runDefaultAcquisition } from "@rashpa/emulator";
import { compare, runAgainstCopy } from "./harness.js";
import type { BenchCase, Operation } from "./harness.js";

/** The default acquisition's ROI (`runDefaultAcquisition`: 128 × 128 at (192, 192)). */
const ROI = { x: 192, y: 192, width: 128, height: 128 };
const ROI_BYTES = ROI.width * ROI.height * 2;

interface Setup {
  readonly width: number;
  readonly frames: number;
  readonly speed: "fast" | "wire";
}

const SETUPS: Record<string, Setup> = {
  "fast, 512x512 (goal >= 0.5x)": { width: 512, frames: 256, speed: "fast" },
  "fast, 2048x2048 (goal >= 0.5x)": { width: 2048, frames: 512, speed: "fast" },
  "wire, 512x512 (goal >= 0.5 GB/s)": { width: 512, frames: 16, speed: "wire" },
};

function bytesOf(s: Setup): number {
  const check = runDefaultAcquisition({
    frames: 2,
    geometry: { width: s.width, height: s.width },
    speed: s.speed,
  });
  if (!check.verified)
    throw new Error(`the ${s.speed} path delivered a frame that does not verify`);
  return s.frames * (s.width * s.width * 2 + ROI_BYTES);
}

function copyCase(s: Setup): BenchCase {
  const frameBytes = s.width * s.width * 2;
  const lineBytes = s.width * 2;
  const roiLine = ROI.width * 2;
  const ddr = new Uint8Array(8 * frameBytes);
  for (let i = 0; i < ddr.length; i += 4096) ddr[i] = i & 0xff;
  const host = new Uint8Array(4 * frameBytes);
  const roiHost = new Uint8Array(4 * ROI_BYTES);
  return {
    name: "Uint8Array.set copy",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++)
        for (let f = 0; f < s.frames; f++) {
          const slot = (f & 7) * frameBytes;
          host.set(ddr.subarray(slot, slot + frameBytes), (f & 3) * frameBytes);
          // The ROI is 128 lines of 256 bytes at (192, 192), one copy per line as in DDR.
          for (let y = 0, at = (f & 3) * ROI_BYTES; y < ROI.height; y++, at += roiLine) {
            const from = slot + (ROI.y + y) * lineBytes + ROI.x * 2;
            roiHost.set(ddr.subarray(from, from + roiLine), at);
          }
          acc += host[f]!;
        }
      return acc;
    },
  };
}

function operations(): Record<string, Operation> {
  const out: Record<string, Operation> = {};
  for (const [name, s] of Object.entries(SETUPS)) {
    out[name] = () => {
      const system = new DefaultSystem({
        geometry: { width: s.width, height: s.width },
        speed: s.speed,
      });
      const path: BenchCase = {
        name: `${s.speed} path`,
        run: (batch) => {
          let acc = 0;
          for (let n = 0; n < batch; n++)
            acc += system.acquire({ frames: s.frames, verify: false }).tlps;
          return acc;
        },
      };
      return compare([path, copyCase(s)], { batch: 1, rounds: 5 });
    };
  }
  return out;
}

// Only the parent prints the byte counts; a child measures one operation.
const child = process.argv[2];
const bytes: Record<string, number> = {};
for (const [name, s] of Object.entries(SETUPS))
  bytes[name] = child === undefined ? bytesOf(s) : s.frames * (s.width * s.width * 2 + ROI_BYTES);

runAgainstCopy(
  import.meta.url,
  operations(),
  "emulator: the default system (full frames + a 128x128 ROI), acquisitions one after another, MB/s of frame data delivered, against a copy of the same bytes (DDR ring -> receiver buffers)",
  bytes,
);
