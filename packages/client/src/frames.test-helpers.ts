/**
 * Test helpers shared by the acquisition and link tests: the frames the generator makes, and
 * an acquisition run to its end with every frame checked.
 */
import { gatherRoi, generateFrame, makeDiuConfig, verifyFrame } from "@rashpa/emulator";
import { expect } from "vitest";
import type { Acquisition, AcquisitionEvent, FrameEvent } from "./acquisition.js";
import type { AcquisitionConfig } from "./config.js";

/** The DIU configuration of an acquisition description. */
export function diuOf(config: AcquisitionConfig): ReturnType<typeof makeDiuConfig> {
  const d = config.detector;
  return makeDiuConfig({ width: d.width, height: d.height, depth: d.depth, pattern: d.pattern });
}

/** The bytes frame `frame` of channel `name` should hold (full frame or ROI). */
export function expectedFrame(config: AcquisitionConfig, name: string, frame: number): Uint8Array {
  const diu = diuOf(config);
  const roi = config.channels.find((c) => c.name === name)!.roi;
  const full = generateFrame(diu, frame);
  if (roi === undefined) return full;
  const out = new Uint8Array(roi.width * roi.height * diu.bytesPerPixel);
  gatherRoi(full, diu, roi, out);
  return out;
}

/** Whether a frame event's bytes are the generator's, bit for bit. */
export function intact(
  config: AcquisitionConfig,
  e: Pick<FrameEvent, "type" | "bytes" | "frame" | "name">,
): boolean {
  if (e.type === "frame") return verifyFrame(e.bytes, diuOf(config), e.frame).ok;
  const want = expectedFrame(config, e.name, e.frame);
  return Buffer.compare(Buffer.from(want), Buffer.from(e.bytes)) === 0;
}

/**
 * Iterates an acquisition to its end: every frame complete, in order per channel, a view of
 * shared receiver memory; returns the events and how many frames were not intact.
 */
export async function collectChecked(
  acq: Acquisition,
  config: AcquisitionConfig,
): Promise<{ events: AcquisitionEvent[]; bad: number }> {
  const events: AcquisitionEvent[] = [];
  const next = new Map<string, number>();
  let bad = 0;
  for await (const e of acq) {
    events.push(e);
    if (e.type === "frame" || e.type === "roi") {
      expect(e.status).toBe(0);
      expect(e.frame).toBe(next.get(e.name) ?? 0);
      next.set(e.name, e.frame + 1);
      if (!intact(config, e)) bad++;
      expect(e.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    }
  }
  return { events, bad };
}
