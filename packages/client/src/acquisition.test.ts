import { describe, expect, it } from "vitest";
import { Acquisition, type FrameEvent } from "./acquisition.js";
import { DEFAULT_ACQUISITION, resolveAcquisitionConfig } from "./config.js";
import { collectChecked, intact } from "./frames.test-helpers.js";
import { openEmulatedPcieLink } from "./links/pcie-emulator.js";

describe("the emulated PCIe link (worker thread, shared receiver memory) and the event model", () => {
  it("runs the paper's demo with back-pressure: every full frame and ROI arrives intact, in order per channel", async () => {
    // The emulated device runs far ahead of the consuming thread: with back-pressure it waits
    // for each release instead of dropping.
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      channels: DEFAULT_ACQUISITION.channels.map((c) => ({ ...c, overflow: "back-pressure" })),
    });
    const link = await openEmulatedPcieLink(config);
    const acq = await Acquisition.start(link, config);
    // Every frame is a view of the shared receiver memory (no copy), checked bit-exactly.
    const { events, bad } = await collectChecked(acq, config);
    await acq.close();
    expect(bad).toBe(0);
    expect(events[0]).toMatchObject({ type: "device-added" });
    expect(events.filter((e) => e.type === "frame")).toHaveLength(config.detector.frames);
    expect(events.filter((e) => e.type === "roi")).toHaveLength(config.detector.frames);
    expect(events.at(-1)).toMatchObject({ type: "end-of-acquisition" });
    expect(acq.tally.map((t) => t.frames)).toEqual([32, 32]);
    const seq = events.flatMap((e) => ("sequence" in e ? [e.sequence] : []));
    expect(seq).toEqual(seq.map((_, i) => i));
  });

  it("roles: a system manager and one data receiver per receiver, each at its own pace", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      detector: { ...DEFAULT_ACQUISITION.detector, frames: 12 },
    });
    const link = await openEmulatedPcieLink(config);
    const acq = await Acquisition.start(link, config);
    const consume = async (name: string, pauseMs: number): Promise<string[]> => {
      const got: string[] = [];
      for await (const f of acq.receiver(name)) {
        expect(intact(config, f)).toBe(true);
        got.push(`${f.name}/${f.frame}`);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs)); // a slow receiver
      }
      return got;
    };
    const detector = consume("detector-pc", 0);
    const industrial = consume("industrial-pc", 5);
    const manager: string[] = [];
    for await (const e of acq) manager.push(e.type);
    await acq.close();
    const frames = Array.from({ length: 12 }, (_, i) => i);
    expect(await detector).toEqual(frames.map((f) => `full-frames/${f}`));
    expect(await industrial).toEqual(frames.map((f) => `roi/${f}`));
    // The manager sees the rest: no frame events, the end of the acquisition.
    expect(manager).not.toContain("frame");
    expect(manager).not.toContain("roi");
    expect(manager.at(-1)).toBe("end-of-acquisition");
    expect(() => acq.receiver("nobody")).toThrow(/no receiver "nobody"/);
  });

  it("runs acquisitions one after another on one open link (detach)", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      detector: { ...DEFAULT_ACQUISITION.detector, frames: 6 },
    });
    const link = await openEmulatedPcieLink(config);
    try {
      for (let run = 0; run < 2; run++) {
        const acq = await Acquisition.start(link, config);
        let frames = 0;
        for await (const e of acq)
          if (e.type === "frame" || e.type === "roi") {
            expect(intact(config, e)).toBe(true);
            frames++;
          }
        acq.detach();
        expect(frames).toBe(12);
      }
    } finally {
      await link.close();
    }
  });

  it("a consumer that holds frames makes the controller drop later ones, each reported", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      detector: { ...DEFAULT_ACQUISITION.detector, frames: 24 },
      channels: [{ ...DEFAULT_ACQUISITION.channels[0]!, overflow: "drop" }],
    });
    const link = await openEmulatedPcieLink(config);
    const acq = await Acquisition.start(link, config);
    const held: FrameEvent[] = [];
    const types: string[] = [];
    let overruns = 0;
    // Nobody iterates: frames are never released, the ring (4 frames) fills.
    await new Promise<void>((resolve) =>
      acq.on((e) => {
        types.push(e.type);
        if (e.type === "frame") held.push(e);
        if (e.type === "overrun") overruns++;
        if (e.type === "end-of-acquisition") resolve();
      }),
    );
    expect(held).toHaveLength(4);
    expect(overruns).toBe(20);
    for (const f of held) expect(intact(config, f)).toBe(true);
    await acq.close();
    expect(types.at(-1)).toBe("device-removed");
  });
});
