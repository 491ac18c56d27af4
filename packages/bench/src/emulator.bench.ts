/**
 * `npm run bench` (after the SRIO benchmarks): wall-clock speed of the reference emulator
 * (issue 6, item 8) — the paper's demo acquisition (`runDefaultAcquisition` of
 * `@rashpa/emulator`: 512×512 16-bit frames to one receiver, a 128×128 ROI to another, 32
 * frames, 8.5 MiB delivered) with frame verification off, so what is timed is the emulator
 * itself: the DIU writing each frame into DDR, the data channels, ATU, BSU, CDMA, the PCIe link
 * and switch, the timing model and the event channel.
 *
 * - fast path: each CDMA transfer is one bulk copy into receiver memory, TLPs are counted
 *   (goal: at least 0.5× a plain `Uint8Array.set` of the same bytes);
 * - wire path: every MWr TLP is built, encoded, decoded and delivered with its byte enables
 *   (goal: at least 0.5 GB/s of frame data).
 *
 * Both are measured side by side with a `Uint8Array.set` copy of the delivered bytes (in
 * frame-sized pieces) in the same child process.
 *
 * @module
 */
import { runDefaultAcquisition } from "@rashpa/emulator";
import { compare, runAgainstCopy } from "./harness.js";
import type { BenchCase, Operation } from "./harness.js";

const FRAMES = 32;

function deliveredBytes(): number {
  const s = runDefaultAcquisition({ frames: 2, verify: false });
  if (s.detectorPc.frames !== 2 || s.industrialPc.frames !== 2)
    throw new Error("the demo acquisition did not deliver every frame");
  const check = runDefaultAcquisition({ frames: 2, speed: "wire" });
  if (!check.verified) throw new Error("the wire path delivered a frame that does not verify");
  return runDefaultAcquisition({ frames: FRAMES, verify: false }).bytes;
}

const BYTES = deliveredBytes();

function operations(): Record<string, Operation> {
  const frame = new Uint8Array(512 * 512 * 2);
  const roi = new Uint8Array(128 * 128 * 2);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 31) & 0xff;
  const target = new Uint8Array(4 * frame.length);
  const roiTarget = new Uint8Array(4 * roi.length);
  const copy: BenchCase = {
    name: "Uint8Array.set copy",
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++)
        for (let f = 0; f < FRAMES; f++) {
          target.set(frame, (f & 3) * frame.length);
          roiTarget.set(roi, (f & 3) * roi.length);
          acc += target[f]!;
        }
      return acc;
    },
  };
  const path = (speed: "fast" | "wire"): BenchCase => ({
    name: `${speed} path`,
    run: (batch) => {
      let acc = 0;
      for (let n = 0; n < batch; n++)
        acc += runDefaultAcquisition({ frames: FRAMES, speed, verify: false }).tlps;
      return acc;
    },
  });
  const options = { batch: 1 };
  return {
    "fast path (goal >= 0.5x)": () => compare([path("fast"), copy], options),
    "wire path (goal >= 0.5 GB/s)": () => compare([path("wire"), copy], options),
  };
}

runAgainstCopy(
  import.meta.url,
  operations(),
  `emulator: the paper's demo, ${FRAMES} frames, ${(BYTES / 2 ** 20).toFixed(2)} MiB of frame data delivered per run, against a copy of the same bytes`,
  BYTES,
);
