/**
 * `npm run bench` (after the emulator benchmarks): wall-clock speed of an acquisition run by
 * librashpa (issue 7, item 10) — `Acquisition` over `openEmulatedPcieLink`: the controller
 * emulator in a worker thread writing into `SharedArrayBuffer` receiver memory, register
 * accesses and MSIs as messages, every frame taken from the event stream in place and released
 * (not verified: what is timed is the library and the link), acquisitions one after another
 * on one open link, timed after a second of warm-up acquisitions. Beside it, in the same process
 * and interleaved rounds, a `Uint8Array.set` copy of the same bytes between buffers of the
 * same sizes (the ROI line by line, as it lies in the frame). Goal: at least 0.4× the copy.
 * The same copy into `SharedArrayBuffer`s (what receiver memory is) is printed beside it.
 *
 * @module
 */
import { Acquisition, openEmulatedPcieLink, resolveAcquisitionConfig } from "@rashpa/client";
import { DEFAULT_ACQUISITION, type AcquisitionConfig, type Link } from "@rashpa/client";

const ROUNDS = 7;
/** Receiver ring depth in frames: frames in flight between the device and the application. */
const RING = 16;

function configOf(width: number, frames: number): AcquisitionConfig {
  return resolveAcquisitionConfig({
    ...DEFAULT_ACQUISITION,
    receivers: DEFAULT_ACQUISITION.receivers.map((r, i) =>
      i === 0 ? { ...r, memory: RING * width * width * 2 + 65536 } : r,
    ),
    detector: { ...DEFAULT_ACQUISITION.detector, width, height: width, frames },
    channels: DEFAULT_ACQUISITION.channels.map((c) => ({ ...c, ringFrames: RING })),
  });
}

/** One acquisition on an open link (the worker, its modules and the arenas are set up once). */
async function acquisition(link: Link, config: AcquisitionConfig): Promise<number> {
  const acq = await Acquisition.start(link, config);
  let bytes = 0;
  for await (const e of acq) if (e.type === "frame" || e.type === "roi") bytes += e.bytes.length;
  acq.detach();
  return bytes;
}

/**
 * The copy baseline. `shared`: the destination in `SharedArrayBuffer`s, the kind of memory the
 * receivers are — shown for information (V8 copies into shared memory more slowly), the goal
 * is against ordinary buffers.
 */
function copier(config: AcquisitionConfig, shared = false): () => number {
  const d = config.detector;
  const frameBytes = d.width * d.height * 2;
  const roiBytes = 128 * 128 * 2;
  const ddr = new Uint8Array(8 * frameBytes);
  const buffer = (n: number): Uint8Array =>
    new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n));
  const host = buffer(RING * frameBytes);
  const roi = buffer(RING * roiBytes);
  return () => {
    let n = 0;
    for (let f = 0; f < d.frames; f++) {
      const slot = (f & 7) * frameBytes;
      host.set(ddr.subarray(slot, slot + frameBytes), (f % RING) * frameBytes);
      // The ROI (128 × 128 at (192, 192)) line by line, as it lies in the DDR frame.
      for (let y = 0, at = (f % RING) * roiBytes; y < 128; y++, at += 256) {
        const from = slot + (192 + y) * d.width * 2 + 192 * 2;
        roi.set(ddr.subarray(from, from + 256), at);
      }
      n += frameBytes + roiBytes;
    }
    return n;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

console.log(
  "librashpa acquisition over the emulated PCIe link (worker thread, shared memory), MB/s of frame data, against a copy of the same bytes",
);
console.log(`Node ${process.version}; figures are this machine's, only the ratios compare.`);
console.log("");
console.log(
  `${"case".padEnd(28)}${"librashpa".padStart(14)}${"Uint8Array.set".padStart(16)}${"ratio".padStart(9)}${"set into SAB".padStart(15)}${"ratio".padStart(9)}`,
);
for (const [name, width, frames] of [
  ["512x512, 256 frames", 512, 256],
  ["2048x2048, 64 frames", 2048, 64],
] as const) {
  const config = configOf(width, frames);
  const copy = copier(config);
  const copyShared = copier(config, true);
  const link = await openEmulatedPcieLink(config);
  // Warm-up: acquisitions for at least a second (and at least three), so that both threads
  // run compiled code and their heaps have grown to their working size before timing.
  for (let t = performance.now(), n = 0; n < 3 || performance.now() - t < 1000; n++)
    await acquisition(link, config);
  const a: number[] = [];
  const c: number[] = [];
  const cs: number[] = [];
  // Repeats a copy for at least 50 ms (one pass is too short to time); MB/s.
  const timeCopy = (f: () => number): number => {
    const t = performance.now();
    let copied = 0;
    do copied += f();
    while (performance.now() - t < 50);
    return copied / (performance.now() - t) / 1e3;
  };
  for (let r = 0; r < ROUNDS; r++) {
    // Acquisitions for at least 150 ms: one of 256 small frames lasts about 12 ms, and single
    // ones vary by up to 2× on a 2-core machine (both threads must be scheduled).
    const t = performance.now();
    let bytes = 0;
    do bytes += await acquisition(link, config);
    while (performance.now() - t < 150);
    a.push(bytes / (performance.now() - t) / 1e3);
    c.push(timeCopy(copy));
    cs.push(timeCopy(copyShared));
  }
  await link.close();
  const am = median(a);
  const cm = median(c);
  const csm = median(cs);
  console.log(
    `${name.padEnd(28)}${`${am.toFixed(0)} MB/s`.padStart(14)}${`${cm.toFixed(0)} MB/s`.padStart(16)}${`${(am / cm).toFixed(2)}x`.padStart(9)}${`${csm.toFixed(0)} MB/s`.padStart(15)}${`${(am / csm).toFixed(2)}x`.padStart(9)}`,
  );
}
console.log("");
console.log(
  "goal: librashpa >= 0.4x the copy into ordinary buffers (issue 7); the copy into SharedArrayBuffers, the receivers' kind of memory, is shown for information",
);
