/**
 * The configuration programmed into the reference emulator: the paper's demo acquisition
 * (full frames to the detector PC, a region of interest to the industrial PC) with every frame
 * verified bit-exactly, and the same acquisition with the industrial PC's arena fragmented so
 * that the ROI channel's buffers are scattered over several ATU entries.
 */
import {
  ESRF_2013_GEN2X4,
  HostMemory,
  PcieSwitch,
  RashpaController,
  ReceiverHost,
  consumeEventRing,
  gatherRoi,
  generateFrame,
  verifyFrame,
} from "@rashpa/emulator";
import { decodeAtuEntry } from "@rashpa/descriptors";
import {
  CONTROLLER_MAP,
  RegisterFile,
  controllerRegisters,
  controllerRegistersAsync,
} from "@rashpa/registers";
import { describe, expect, it } from "vitest";
import { DEFAULT_ACQUISITION, resolveAcquisitionConfig, type AcquisitionConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { PhysicalAllocator } from "./physical.js";
import {
  frameAddress,
  planAcquisition,
  programController,
  programControllerAsync,
  releaseLayout,
  startAcquisition,
  type AcquisitionLayout,
} from "./program.js";

interface RunResult {
  readonly layout: AcquisitionLayout;
  readonly received: number[];
  readonly bad: string[];
  readonly controller: RashpaController;
}

/** Builds the receivers and the controller of a configuration, programs it and runs it. */
function run(config: AcquisitionConfig, layoutOf?: () => AcquisitionLayout): RunResult {
  const memories = config.receivers.map((r) => new HostMemory(r.name, r.base, r.memory));
  const pcieSwitch = new PcieSwitch(memories.map((memory) => ({ name: memory.name, memory })));
  const parameters = ESRF_2013_GEN2X4.parameters;
  const controller = new RashpaController({ pcieSwitch, parameters, link: config.link });
  const sw = controllerRegisters(controller.registers);
  const layout = programController(
    sw,
    config,
    layoutOf === undefined ? {} : { layout: layoutOf() },
  );
  const received = config.channels.map(() => 0);
  const bad: string[] = [];
  layout.channels.forEach((ch, n) => {
    const cfg = config.channels[n]!;
    const expected = new Uint8Array(ch.windowBytes);
    new ReceiverHost(controller, memories[ch.receiver]!, ch, parameters, (frame, bytes) => {
      received[n]!++;
      const diu = controller.diu!;
      // The host reads where frameAddress says the frame is.
      const at = memories[ch.receiver]!.view(frameAddress(ch, frame), ch.windowBytes);
      const ok =
        cfg.roi === undefined
          ? verifyFrame(bytes, diu, frame).ok
          : (gatherRoi(generateFrame(diu, frame), diu, cfg.roi, expected),
            bytes.every((b, i) => b === expected[i]));
      const same = at.every((b, i) => b === bytes[i]);
      if (!ok || !same) bad.push(`${cfg.name} frame ${frame}`);
      return ok;
    });
  });
  consumeEventRing(controller);
  startAcquisition(sw);
  controller.run();
  return { layout, received, bad, controller };
}

describe("programController on the emulator", () => {
  it("runs the paper's demo: every frame of both channels arrives bit-exactly", () => {
    const { layout, received, bad, controller } = run(DEFAULT_ACQUISITION);
    expect(bad).toEqual([]);
    expect(received).toEqual([32, 32]);
    expect(controller.counters.events).toBeGreaterThanOrEqual(64);
    // The layout of runDefaultAcquisition: 4 frame buffers, 2 ROI buffers of 2 ROIs each.
    expect(layout.channels.map((c) => [c.atuFirst, c.atuCount, c.framesPerEntry])).toEqual([
      [0, 4, 1],
      [4, 2, 2],
    ]);
    expect(layout.channels[0]!.buffers).toEqual([
      0x1_0000_0000n,
      0x1_0008_0000n,
      0x1_0010_0000n,
      0x1_0018_0000n,
    ]);
    expect(layout.events).toMatchObject({ atuIndex: 6, records: 128, address: 0x1_0020_0000n });
  });

  it("writes every register and ATU entry the layout names", () => {
    const memories = DEFAULT_ACQUISITION.receivers.map(
      (r) => new HostMemory(r.name, r.base, r.memory),
    );
    const controller = new RashpaController({
      pcieSwitch: new PcieSwitch(memories.map((memory) => ({ name: memory.name, memory }))),
    });
    const sw = controllerRegisters(controller.registers);
    const layout = programController(sw, DEFAULT_ACQUISITION);
    for (const { index, entry } of layout.atu)
      expect(decodeAtuEntry(sw.atu.entries.readEntry(index))).toEqual(entry);
    expect(decodeAtuEntry(sw.atu.entries.readEntry(7)).valid).toBe(false);
    expect(sw.diu.geometry.readFields()).toEqual({ width: 512, height: 512 });
    expect(sw.diu.control.readFields()).toMatchObject({
      enable: true,
      source: "generator",
      testPattern: "reference-image",
    });
    expect(sw.diu.frameCount.readFields().value).toBe(32);
    expect(sw.bsu.maxTransfer.readFields().bytes).toBe(4096);
    const ch1 = sw.bgu.channel[1]!;
    expect(ch1.roiOrigin.readFields()).toEqual({ x: 192, y: 192 });
    expect(ch1.roiSize.readFields()).toEqual({ width: 128, height: 128 });
    expect(ch1.blockSize.readFields().bytes).toBe(128 * 128 * 2);
    expect(ch1.atuRange.readFields()).toEqual({ first: 4, count: 2 });
    expect(ch1.control.readFields()).toMatchObject({
      enable: true,
      mode: "roi",
      notify: true,
      decimation: 0,
      backPressure: true, // overflow: back-pressure
    });
    expect(sw.bgu.channel[2]!.control.readFields().enable).toBe(false);
    expect(sw.event.ring.readFields()).toEqual({ atuIndex: 6, size: 128 });
    expect(sw.global.irqEnable.read()).toBe(0xff);
    expect(sw.global.control.readFields().enable).toBe(false);
  });

  it("programs through an asynchronous bus with the same accesses in the same order", async () => {
    const trace = (log: string[]) => (op: string, address: number, value?: number) =>
      log.push(`${op} 0x${address.toString(16)}${value === undefined ? "" : ` ${value}`}`);
    const syncLog: string[] = [];
    const syncFile = new RegisterFile(CONTROLLER_MAP);
    const syncRecord = trace(syncLog);
    const layout = programController(
      controllerRegisters({
        read32: (a) => {
          syncRecord("r", a);
          return syncFile.read32(a);
        },
        write32: (a, v) => {
          syncRecord("w", a, v);
          syncFile.write32(a, v);
        },
      }),
      DEFAULT_ACQUISITION,
      { start: true },
    );
    const asyncLog: string[] = [];
    const asyncFile = new RegisterFile(CONTROLLER_MAP);
    const asyncRecord = trace(asyncLog);
    const asyncLayout = await programControllerAsync(
      controllerRegistersAsync({
        read32: (a) => {
          asyncRecord("r", a);
          return Promise.resolve(asyncFile.read32(a));
        },
        write32: (a, v) => {
          asyncRecord("w", a, v);
          asyncFile.write32(a, v);
          return Promise.resolve();
        },
      }),
      DEFAULT_ACQUISITION,
      { start: true },
    );
    expect(asyncLog).toEqual(syncLog);
    expect(syncLog.filter((l) => l.startsWith("w")).length).toBeGreaterThan(7 * 4 + 20);
    expect(asyncLayout.atu).toEqual(layout.atu);
    expect(controllerRegisters(asyncFile).global.control.readFields().enable).toBe(true);
  });

  it("delivers intact frames into buffers scattered over a fragmented arena", () => {
    const config = resolveAcquisitionConfig({
      receivers: [
        { name: "detector-pc", memory: "4 MiB", base: "0x1_0000_0000" },
        { name: "industrial-pc", memory: "1 MiB", base: "0x2_0000_0000" },
      ],
      detector: {
        width: 512,
        height: 512,
        pattern: "reference-image",
        frames: 24,
        framePeriodUs: 0,
      },
      channels: [
        { name: "full", receiver: "detector-pc" },
        {
          name: "roi",
          receiver: "industrial-pc",
          roi: { x: 100, y: 60, width: 96, height: 80 },
          blockSize: 96 * 2 * 16,
          ringFrames: 6,
          framesPerBuffer: 2,
          decimation: 1,
        },
      ],
      events: { receiver: "detector-pc" },
    });
    // Fragment the industrial PC's arena: fill it with 32 KiB blocks, free every other one.
    const arena = new PhysicalAllocator({
      name: "industrial-pc",
      base: 0x2_0000_0000n,
      size: 1 << 20,
      fit: "best",
    });
    const blocks = Array.from({ length: 32 }, () => arena.allocate(32 * 1024));
    blocks.forEach((b, i) => {
      if (i % 2 === 0) arena.free(b);
    });
    expect(arena.stats().largestFree).toBe(32 * 1024);
    const { layout, received, bad } = run(config, () =>
      planAcquisition(config, { allocators: new Map([["industrial-pc", arena]]) }),
    );
    const roi = layout.channels[1]!;
    // 2 ROIs of 15 360 bytes per buffer: one 32 KiB hole each, none adjacent.
    expect(roi.atuCount).toBe(3);
    const gaps = roi.buffers.slice(1).map((a, i) => a - roi.buffers[i]!);
    expect(gaps.every((g) => g !== BigInt(roi.bufferStride))).toBe(true);
    expect(bad).toEqual([]);
    expect(received).toEqual([24, 12]);
    releaseLayout(layout);
    expect(arena.stats().free).toBe(16 * 32 * 1024);
  });

  it("refuses a layout the arena cannot hold, as a ConfigError on the receiver's memory", () => {
    const arena = new PhysicalAllocator({
      name: "detector-pc",
      base: 0x1_0000_0000n,
      size: 4 << 20,
    });
    arena.allocate(3 << 20);
    let error: unknown;
    try {
      planAcquisition(DEFAULT_ACQUISITION, { allocators: new Map([["detector-pc", arena]]) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]!.path).toBe("receivers[0].memory");
    expect((error as ConfigError).message).toMatch(/largest free block 1048576 bytes/);
    // Nothing stays allocated.
    expect(arena.stats().used).toBe(3 << 20);
  });
});
