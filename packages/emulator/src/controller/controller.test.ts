import { fc, test } from "@fast-check/vitest";
import { EVENT_BYTES, decodeEvent, encodeAtuEntry, decodeBtd } from "@rashpa/descriptors";
import { lawSeed } from "@rashpa/laws";
import { PAGE_BYTES, decodeTlp, encodeTlp, memoryWrite, type MemoryWriteTlp } from "@rashpa/pcie";
import { controllerRegisters } from "@rashpa/registers";
import { describe, expect, it } from "vitest";
import { gatherRoi, type PixelWindow } from "../blocks.js";
import { generateFrame, verifyFrame } from "../diu.js";
import { HostMemory, PcieSwitch } from "../host-memory.js";
import { ESRF_2013_GEN2X4 } from "../model/calibrations.js";
import { rashpaPcieModel } from "../model/pcie-path.js";
import {
  LINKTYPE_USER0,
  LINKTYPE_USER1,
  PcapWriter,
  decodePcieCaptureRecord,
  decodeRashpaCaptureRecord,
  readPcap,
} from "../pcap.js";
import {
  ReceiverHost,
  channelFigures,
  consumeEventRing,
  runDefaultAcquisition,
  DefaultSystem,
} from "./acquisition.js";
import {
  EVENT_STATUS,
  RashpaController,
  type ControllerCredits,
  type ControllerSpeed,
} from "./controller.js";

const GIB = 1n << 30n;

interface ChannelSpec {
  readonly mode: "image" | "roi";
  readonly roi?: PixelWindow;
  readonly blockSize: number;
  readonly receiver: 0 | 1;
  readonly buffers: number;
  readonly framesPerEntry: number;
  /** Byte misalignment of the first buffer in the receiver. */
  readonly skew: number;
  readonly decimation: number;
  /** Receiver-ring overflow policy: stall (true) or drop (default). */
  readonly backPressure?: boolean;
}

interface Setup {
  readonly width: number;
  readonly height: number;
  readonly depth: "bits8" | "bits16" | "bits32";
  readonly frames: number;
  readonly periodUs: number;
  readonly maxTransfer: number;
  readonly mps: 128 | 256 | 512;
  readonly high: boolean;
  readonly channels: readonly ChannelSpec[];
  readonly eventRing: number;
  readonly consume: boolean;
  readonly credits?: ControllerCredits | undefined;
}

interface Built {
  readonly controller: RashpaController;
  readonly receivers: readonly HostMemory[];
  /** Per channel: its buffer addresses. */
  readonly buffers: readonly bigint[][];
  readonly eventRing: bigint;
}

const BPP = { bits8: 1, bits16: 2, bits32: 4 } as const;

function windowBytes(s: Setup, c: ChannelSpec): number {
  const w = c.mode === "roi" ? c.roi! : { width: s.width, height: s.height };
  return w.width * w.height * BPP[s.depth];
}

/** Builds a controller and its receivers, configured through the software registers only. */
function build(
  s: Setup,
  speed: ControllerSpeed,
  extra: Partial<{
    tlp: PcapWriter;
    rec: PcapWriter;
    onTransfer: (address: bigint, bytes: number, at: number) => void;
  }> = {},
): Built {
  const bases = [s.high ? 5n * GIB : 0x10_0000n, s.high ? 9n * GIB : 0x4000_0000n];
  // Windows are whole double-words (a TLP's DW-aligned range must route): 4 bytes of slack each side.
  const used = [4, 4];
  const layout: { receiver: number; offset: number; size: number }[][] = s.channels.map((c) => {
    const size = windowBytes(s, c) * c.framesPerEntry;
    const out = [];
    used[c.receiver]! += c.skew;
    for (let i = 0; i < c.buffers; i++) {
      out.push({ receiver: c.receiver, offset: used[c.receiver]!, size });
      used[c.receiver]! += size;
    }
    return out;
  });
  const eventOffset = Math.ceil(used[0]! / 32) * 32;
  used[0] = eventOffset + s.eventRing * EVENT_BYTES;
  const receivers = [
    new HostMemory("detector-pc", bases[0]!, used[0] + 4),
    new HostMemory("industrial-pc", bases[1]!, used[1]! + 4),
  ];
  const pcieSwitch = new PcieSwitch(receivers.map((m) => ({ name: m.name, memory: m })));
  const params = { ...ESRF_2013_GEN2X4.parameters, maxPayloadSize: s.mps };
  const controller = new RashpaController({
    pcieSwitch,
    parameters: params,
    speed,
    ...(s.credits === undefined ? {} : { credits: s.credits }),
    ...(extra.tlp === undefined ? {} : { tlpCapture: extra.tlp }),
    ...(extra.rec === undefined ? {} : { recordCapture: extra.rec }),
    ...(extra.onTransfer === undefined ? {} : { onTransfer: extra.onTransfer }),
    ddrBytes: 1 << 22,
  });
  const sw = controllerRegisters(controller.registers);
  let atu = 0;
  const buffers: bigint[][] = [];
  s.channels.forEach((c, n) => {
    const first = atu;
    buffers.push([]);
    for (const b of layout[n]!) {
      const address = bases[b.receiver]! + BigInt(b.offset);
      buffers[n]!.push(address);
      sw.atu.entries.writeEntry(
        atu++,
        encodeAtuEntry({
          address,
          size: b.size,
          receiver: b.receiver,
          writable: true,
          valid: true,
        }),
      );
    }
    const ch = sw.bgu.channel[n]!;
    if (c.roi !== undefined) {
      ch.roiOrigin.writeFields({ x: c.roi.x, y: c.roi.y });
      ch.roiSize.writeFields({ width: c.roi.width, height: c.roi.height });
    }
    ch.blockSize.writeFields({ bytes: c.blockSize });
    ch.atuRange.writeFields({ first, count: c.buffers });
    ch.ring.writeFields({ framesPerEntry: c.framesPerEntry });
    ch.control.writeFields({
      enable: true,
      mode: c.mode,
      notify: true,
      decimation: c.decimation,
      backPressure: c.backPressure ?? false,
    });
  });
  const eventRing = bases[0]! + BigInt(eventOffset);
  const ringIndex = 1000;
  sw.atu.entries.writeEntry(
    ringIndex,
    encodeAtuEntry({
      address: eventRing,
      size: s.eventRing * EVENT_BYTES,
      receiver: 0,
      writable: true,
      valid: true,
    }),
  );
  sw.event.ring.writeFields({ atuIndex: ringIndex, size: s.eventRing });
  sw.event.control.writeFields({ enable: true });
  sw.diu.geometry.writeFields({ width: s.width, height: s.height });
  sw.diu.pixel.writeFields({ depth: s.depth });
  sw.diu.control.writeFields({ enable: true, source: "generator", testPattern: "ramp" });
  sw.diu.frameCount.writeFields({ value: s.frames });
  sw.diu.framePeriod.writeFields({ microseconds: s.periodUs });
  sw.diu.ringSlots.writeFields({ value: 4 });
  sw.bsu.maxTransfer.writeFields({ bytes: s.maxTransfer });
  sw.global.irqEnable.write(0xff);
  if (s.consume) consumeEventRing(controller);
  return { controller, receivers, buffers, eventRing };
}

function start(b: Built): void {
  controllerRegisters(b.controller.registers).global.control.writeFields({ enable: true });
  b.controller.run();
}

/** Checks the last frame written into every buffer slot of every channel against the DIU. */
function checkReceived(s: Setup, b: Built): number {
  const diu = b.controller.diu!;
  let checked = 0;
  s.channels.forEach((c, n) => {
    const wb = windowBytes(s, c);
    const depth = c.buffers * c.framesPerEntry;
    const sent = b.controller.frames.filter(
      (f) => f.channel === n && f.faults === 0 && !f.linkLost && !f.poisoned,
    );
    for (const f of sent.slice(-depth)) {
      const k = f.frame / (c.decimation + 1);
      const addr =
        b.buffers[n]![Math.floor(k / c.framesPerEntry) % c.buffers]! +
        BigInt((k % c.framesPerEntry) * wb);
      const got = b.receivers[c.receiver]!.view(addr, wb);
      if (c.mode === "image")
        expect(verifyFrame(got, diu, f.frame)).toEqual({ ok: true, frame: f.frame });
      else {
        const want = new Uint8Array(wb);
        gatherRoi(generateFrame(diu, f.frame), diu, c.roi!, want);
        expect(Buffer.compare(got, want)).toBe(0);
      }
      checked++;
    }
  });
  return checked;
}

const arbSetup: fc.Arbitrary<Setup> = fc
  .record({
    width: fc.integer({ min: 8, max: 48 }),
    height: fc.integer({ min: 2, max: 24 }),
    depth: fc.constantFrom("bits8" as const, "bits16" as const, "bits32" as const),
    frames: fc.integer({ min: 1, max: 6 }),
    periodUs: fc.constantFrom(0, 1, 3),
    maxTransfer: fc.constantFrom(8, 100, 512, 1000, 4096, 8192),
    mps: fc.constantFrom(128 as const, 256 as const, 512 as const),
    high: fc.boolean(),
    eventRing: fc.integer({ min: 2, max: 12 }),
    consume: fc.boolean(),
    credits: fc.option(
      fc.record({
        header: fc.integer({ min: 1, max: 8 }),
        data: fc.integer({ min: 32, max: 128 }),
        returnLatencyPs: fc.integer({ min: 0, max: 3_000_000 }),
      }),
      { nil: undefined },
    ),
    chans: fc.array(
      fc.record({
        roi: fc.boolean(),
        rx: fc.double({ min: 0, max: 0.99, noNaN: true }),
        ry: fc.double({ min: 0, max: 0.99, noNaN: true }),
        blockLines: fc.integer({ min: 1, max: 8 }),
        receiver: fc.constantFrom(0 as const, 1 as const),
        buffers: fc.integer({ min: 1, max: 3 }),
        framesPerEntry: fc.integer({ min: 1, max: 3 }),
        skew: fc.integer({ min: 0, max: 4095 }),
        decimation: fc.integer({ min: 0, max: 1 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  })
  .map((r) => ({
    ...r,
    channels: r.chans.map((c): ChannelSpec => {
      const bpp = BPP[r.depth];
      if (!c.roi)
        return {
          mode: "image",
          blockSize: c.blockLines * r.width * bpp + (c.skew % 7),
          receiver: c.receiver,
          buffers: c.buffers,
          framesPerEntry: c.framesPerEntry,
          skew: c.skew,
          decimation: c.decimation,
        };
      const x = Math.floor(c.rx * r.width);
      const y = Math.floor(c.ry * r.height);
      const roi = {
        x,
        y,
        width: 1 + ((c.skew >> 3) % (r.width - x)),
        height: 1 + ((c.skew >> 5) % (r.height - y)),
      };
      return {
        mode: "roi",
        roi,
        blockSize: c.blockLines * roi.width * bpp,
        receiver: c.receiver,
        buffers: c.buffers,
        framesPerEntry: c.framesPerEntry,
        skew: c.skew,
        decimation: c.decimation,
      };
    }),
  }));

/** Fast and wire runs of one setup: byte-identical receivers, same timing, events, counters. */
function expectPathsAgree(fast: Built, wire: Built): void {
  for (let p = 0; p < 2; p++)
    expect(Buffer.compare(fast.receivers[p]!.bytes, wire.receivers[p]!.bytes)).toBe(0);
  expect(wire.controller.frames).toEqual(fast.controller.frames);
  expect(wire.controller.notifications).toEqual(fast.controller.notifications);
  expect(wire.controller.counters).toEqual(fast.controller.counters);
  expect(wire.controller.sim.now()).toBe(fast.controller.sim.now());
  expect(wire.controller.link.busy.total).toBe(fast.controller.link.busy.total);
}

describe(`fast and wire paths agree (seed ${lawSeed()})`, () => {
  test.prop([arbSetup], { seed: lawSeed(), numRuns: 25 })(
    "byte-identical receiver memory, identical simulated timing, events and counters",
    (s) => {
      const fast = build(s, "fast");
      const wire = build(s, "wire");
      start(fast);
      start(wire);
      expectPathsAgree(fast, wire);
      // Frames that were not dropped are complete and correct in the receivers.
      checkReceived(s, fast);
      // The acquisition ended: every channel frame sent or reported dropped, never lost silently.
      const hw = controllerRegisters(fast.controller.registers); // software view
      for (let n = 0; n < s.channels.length; n++) {
        const every = s.channels[n]!.decimation + 1;
        const taken = Math.ceil(s.frames / every);
        const sent = hw.bgu.channel[n]!.framesSent.readFields().value;
        const dropped = hw.bgu.channel[n]!.framesDropped.readFields().value;
        expect(sent + dropped + hw.diu.framesDropped.readFields().value).toBeGreaterThanOrEqual(
          taken,
        );
      }
      expect(hw.global.irqRaw.readFields().acquisitionDone).toBe(true);
      expect(hw.global.status.readFields()).toMatchObject({ running: false, idle: true });
    },
  );
});

/** One full-frame channel with the calibration's geometry (512 × 512 × 16 bit, one block). */
function steadyState(link: string, frames: number): ReturnType<typeof channelFigures> {
  const p = ESRF_2013_GEN2X4.parameters;
  const frameBytes = p.frameBytes;
  const buffers = 4;
  const rx = new HostMemory("detector-pc", 4n * GIB, buffers * frameBytes + 64 * EVENT_BYTES);
  const controller = new RashpaController({
    pcieSwitch: new PcieSwitch([{ name: "detector-pc", memory: rx }]),
    link,
    parameters: p,
  });
  const sw = controllerRegisters(controller.registers);
  const addrs: bigint[] = [];
  for (let i = 0; i < buffers; i++) {
    const address = 4n * GIB + BigInt(i * frameBytes);
    addrs.push(address);
    sw.atu.entries.writeEntry(
      i,
      encodeAtuEntry({ address, size: frameBytes, receiver: 0, writable: true, valid: true }),
    );
  }
  sw.atu.entries.writeEntry(
    10,
    encodeAtuEntry({
      address: 4n * GIB + BigInt(buffers * frameBytes),
      size: 64 * EVENT_BYTES,
      receiver: 0,
      writable: true,
      valid: true,
    }),
  );
  sw.event.ring.writeFields({ atuIndex: 10, size: 64 });
  sw.event.control.writeFields({ enable: true });
  sw.diu.geometry.writeFields({ width: 512, height: 512 });
  sw.diu.pixel.writeFields({ depth: "bits16" });
  sw.diu.control.writeFields({ enable: true, source: "generator", testPattern: "frame-number" });
  sw.diu.frameCount.writeFields({ value: frames });
  sw.diu.framePeriod.writeFields({ microseconds: 0 });
  sw.bsu.maxTransfer.writeFields({ bytes: p.bsuMaxTransferBytes });
  const ch = sw.bgu.channel[0]!;
  ch.blockSize.writeFields({ bytes: p.blockBytes });
  ch.atuRange.writeFields({ first: 0, count: buffers });
  ch.control.writeFields({ enable: true, mode: "image", notify: true });
  let bad = 0;
  const host = new ReceiverHost(
    controller,
    rx,
    { channel: 0, buffers: addrs, framesPerEntry: 1, windowBytes: frameBytes, decimation: 0 },
    p,
    (f, bytes) => {
      const ok = verifyFrame(bytes, controller.diu!, f).ok;
      if (!ok) bad++;
      return ok;
    },
  );
  consumeEventRing(controller);
  sw.global.control.writeFields({ enable: true });
  controller.run();
  expect(bad).toBe(0);
  expect(host.frames.length).toBe(frames);
  expect(ch.framesDropped.readFields().value).toBe(0);
  return channelFigures(controller, 0, host);
}

/** Simulated and analytic fractions agree within this (absolute, i.e. 0.01 percentage points). */
const FRACTION_TOLERANCE = 0.0001;

describe("steady state agrees with the analytic model (one channel, calibration geometry)", () => {
  it.each([
    ["gen2x4", 24],
    ["gen1x1", 8],
  ])("%s", (link, frames) => {
    const sim = steadyState(link, frames);
    const model = rashpaPcieModel(link, ESRF_2013_GEN2X4.parameters);
    expect(sim.frames).toBe(frames);
    expect(sim.linkMaxGbps).toBe(model.linkMaxGbps);
    expect(Math.abs(sim.fpgaFraction - model.fpgaFraction)).toBeLessThan(FRACTION_TOLERANCE);
    expect(Math.abs(sim.applicationFraction - model.applicationFraction)).toBeLessThan(
      FRACTION_TOLERANCE,
    );
    // Latency per frame: the FPGA part is the model's exactly (whole ns per TLP on these links);
    // the application part adds the end-of-frame record's own TLP, (32 + 16 + 8) bytes on the link.
    expect(Math.abs(sim.fpgaLatencyUs * 1000 - model.fpgaFrameNs)).toBeLessThan(0.001);
    const eventTlpNs = ((EVENT_BYTES + 16 + 8) * 8) / model.linkMaxGbps;
    expect(
      Math.abs(sim.applicationLatencyUs * 1000 - model.applicationLatencyNs - eventTlpNs),
    ).toBeLessThan(1);
  });
});

/** A small single-channel setup for the behaviour tests. */
const SMALL: Setup = {
  width: 64,
  height: 16,
  depth: "bits16",
  frames: 3,
  periodUs: 0,
  maxTransfer: 4096,
  mps: 256,
  high: true,
  eventRing: 16,
  consume: true,
  channels: [
    {
      mode: "image",
      blockSize: 512,
      receiver: 0,
      buffers: 3,
      framesPerEntry: 1,
      skew: 0,
      decimation: 0,
    },
  ],
};

/** The event records in the ring, in slot order, up to the write index. */
function ringEvents(b: Built, count: number): ReturnType<typeof decodeEvent>[] {
  const out = [];
  for (let i = 0; i < count; i++)
    out.push(decodeEvent(b.receivers[0]!.view(b.eventRing + BigInt(i * EVENT_BYTES), EVENT_BYTES)));
  return out;
}

describe("BSU: transfers, ATU faults", () => {
  it("splits blocks into transfers of at most max-transfer that never cross a 4 KiB page", () => {
    const s: Setup = {
      ...SMALL,
      maxTransfer: 1000,
      channels: [{ ...SMALL.channels[0]!, blockSize: 1500, skew: 3000 }],
    };
    const sizes: [bigint, number][] = [];
    const b = build(s, "fast", { onTransfer: (address, n) => void sizes.push([address, n]) });
    start(b);
    const data = sizes;
    expect(data.length).toBe(b.controller.counters.transfers);
    for (const [a, n] of data) {
      expect(n).toBeLessThanOrEqual(1000);
      expect(Number(a % BigInt(PAGE_BYTES)) + n).toBeLessThanOrEqual(PAGE_BYTES);
    }
    expect(data.reduce((t, [, n]) => t + n, 0)).toBe(3 * 64 * 16 * 2);
    expect(checkReceived(s, b)).toBe(3);
    const sw = controllerRegisters(b.controller.registers);
    const hw = sw;
    const ns = sw.global.timeLo.read();
    expect(sw.global.timeHi.read()).toBe(0);
    expect(ns).toBe(Math.floor((b.controller.sim.now() - b.controller.startPs) / 1000));
    expect(sw.bsu.transfers.readFields().value).toBe(data.length);
    expect(sw.bsu.bytesLo.readFields().value).toBe(3 * 2048);
    expect(sw.bsu.status.readFields().transfersInFlight).toBe(0);
    expect(hw.bgu.channel[0]!.framesSent.readFields().value).toBe(3);
    expect(hw.bgu.channel[0]!.blocksSent.readFields().value).toBe(3 * 2);
    // Per frame: 1000 + 92 + 408 (block 0 cut at a page), 548 (block 1); frame 1's buffer starts
    // 1000 bytes further into its page: 1000 + 500, 548.
    expect(data.map(([, n]) => n)).toEqual([
      1000, 92, 408, 548, 1000, 500, 548, 1000, 92, 408, 548,
    ]);
    expect(hw.diu.framesAcquired.readFields().value).toBe(3);
  });

  it("reports an invalid ATU entry: atu.fault, irq, channel fault, error event; nothing written", () => {
    const b = build(SMALL, "fast");
    const sw = controllerRegisters(b.controller.registers);
    // Entry 1 (the buffer of frame 1) invalid, entry 2 too small for the last block of frame 2.
    sw.atu.entries.writeEntry(
      1,
      encodeAtuEntry({
        address: b.buffers[0]![1]!,
        size: 2048,
        receiver: 0,
        writable: true,
        valid: false,
      }),
    );
    sw.atu.entries.writeEntry(
      2,
      encodeAtuEntry({
        address: b.buffers[0]![2]!,
        size: 2000,
        receiver: 0,
        writable: true,
        valid: true,
      }),
    );
    const irqs: string[] = [];
    b.controller.onInterrupt((irq) => irqs.push(irq));
    start(b);
    const hw = controllerRegisters(b.controller.registers); // software view
    expect(hw.atu.fault.readFields()).toMatchObject({
      valid: true,
      index: 1,
      kind: "invalid-entry",
      channel: 0,
    });
    expect(hw.global.irqRaw.readFields().atuFault).toBe(true);
    expect(hw.global.irqStatus.readFields().atuFault).toBe(true);
    expect(irqs).toContain("atuFault");
    expect(hw.bgu.channel[0]!.status.readFields().fault).toBe(true);
    expect(hw.bgu.channel[0]!.framesSent.readFields().value).toBe(1);
    expect(b.controller.counters.atuFaults).toBe(4 + 1);
    // Nothing of frame 1 reached its buffer.
    expect(b.receivers[0]!.view(b.buffers[0]![1]!, 2048).every((x) => x === 0)).toBe(true);
    const events = ringEvents(b, b.controller.counters.events);
    const errors = events.filter((e) => e.type === "error");
    expect(errors.length).toBe(5);
    expect(errors[0]).toMatchObject({ channel: 0, frame: 1, status: EVENT_STATUS.atuInvalidEntry });
    expect(errors[4]).toMatchObject({
      frame: 2,
      status: EVENT_STATUS.atuOutOfBounds,
      info: b.buffers[0]![2]! + 1536n,
    });
    const eofs = events.filter((e) => e.type === "end-of-frame");
    expect(eofs.map((e) => [e.frame, e.status])).toEqual([
      [0, EVENT_STATUS.ok],
      [1, EVENT_STATUS.incompleteFrame],
      [2, EVENT_STATUS.incompleteFrame],
    ]);
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i));
    expect(events[events.length - 1]!.type).toBe("end-of-acquisition");
    // Software clears the capture and the interrupt.
    sw.atu.fault.writeFields({ valid: true });
    sw.global.irqRaw.writeFields({ atuFault: true });
    expect(hw.atu.fault.readFields().valid).toBe(false);
    expect(hw.global.irqStatus.readFields().atuFault).toBe(false);
  });
});

describe("successive acquisitions", () => {
  it("keeps the DDR between acquisitions and regenerates slots whose pattern changed", () => {
    const s: Setup = { ...SMALL, frames: 12 };
    const b = build(s, "fast");
    const sw = controllerRegisters(b.controller.registers);
    start(b);
    expect(checkReceived(s, b)).toBeGreaterThan(0);
    for (const pattern of ["reference-image", "ramp", "checkerboard"] as const) {
      sw.global.control.writeFields({ enable: false });
      sw.diu.control.modify({ testPattern: pattern });
      for (const c of sw.bgu.channel) c.framesReleased.write(0);
      sw.event.readIndex.write(sw.event.writeIndex.read());
      sw.global.control.writeFields({ enable: true });
      b.controller.run();
      expect(b.controller.diu!.pattern).toBe(pattern);
      // Every frame of this run verifies against this run's pattern.
      expect(checkReceived(s, b)).toBeGreaterThan(0);
    }
  });
});

describe("event channel and flow control", () => {
  it("writes a timer record every timer-period while the acquisition runs (mask bit 8)", () => {
    const s: Setup = { ...SMALL, frames: 4, periodUs: 100, eventRing: 64 };
    const b = build(s, "fast");
    const sw = controllerRegisters(b.controller.registers);
    sw.event.timerPeriod.writeFields({ microseconds: 30 });
    sw.event.mask.modify({ timer: true });
    start(b);
    const timers = b.controller.notifications.filter((n) => n.event.type === "timer");
    // Frames every 100 µs, 4 frames: about 300 µs; a tick every 30 µs up to the end, none after.
    const end = b.controller.notifications.find((n) => n.event.type === "end-of-acquisition")!;
    expect(timers.length).toBeGreaterThanOrEqual(9);
    expect(timers.at(-1)!.event.timestamp).toBeLessThanOrEqual(end.event.timestamp);
    expect(BigInt((timers.length + 1) * 30_000)).toBeGreaterThanOrEqual(end.event.timestamp);
    expect(timers.map((n) => Number(n.event.info))).toEqual(timers.map((_, i) => i + 1));
    expect(timers.map((n) => n.event.timestamp)).toEqual(
      timers.map((_, i) => BigInt((i + 1) * 30_000)),
    );
    for (const t of timers) expect(t.event.sequence).toBeLessThan(end.event.sequence);
    // Masked off (the reset value), no timer record is written.
    const quiet = build(s, "fast");
    controllerRegisters(quiet.controller.registers).event.timerPeriod.writeFields({
      microseconds: 30,
    });
    start(quiet);
    expect(quiet.controller.notifications.some((n) => n.event.type === "timer")).toBe(false);
  });

  it("a full event ring drops (counted, interrupt) and never overwrites unconsumed records", () => {
    const s: Setup = { ...SMALL, frames: 6, eventRing: 4, consume: false };
    const b = build(s, "fast");
    start(b);
    const hw = controllerRegisters(b.controller.registers); // software view
    // 6 end-of-frame + end-of-acquisition = 7 records; a ring of 4 holds 3 unconsumed.
    expect(b.controller.counters.events).toBe(3);
    expect(hw.event.dropped.readFields().value).toBe(4);
    expect(b.controller.counters.eventsDropped).toBe(4);
    expect(hw.global.irqRaw.readFields().eventRingFull).toBe(true);
    expect(ringEvents(b, 3).map((e) => [e.type, e.frame, e.sequence])).toEqual([
      ["end-of-frame", 0, 0],
      ["end-of-frame", 1, 1],
      ["end-of-frame", 2, 2],
    ]);
    expect(hw.event.writeIndex.readFields().value).toBe(3);
  });

  it("a full receiver ring drops whole frames, each reported by an overrun event", () => {
    const s: Setup = {
      ...SMALL,
      frames: 5,
      channels: [{ ...SMALL.channels[0]!, buffers: 2 }],
    };
    const b = build(s, "fast"); // no host: nothing is released
    start(b);
    const ch = controllerRegisters(b.controller.registers).bgu.channel[0]!;
    expect(ch.framesSent.readFields().value).toBe(2);
    expect(ch.framesDropped.readFields().value).toBe(3);
    expect(ch.ring.readFields().depth).toBe(2);
    const events = ringEvents(b, b.controller.counters.events);
    expect(
      events.filter((e) => e.type === "overrun").map((e) => [e.frame, Number(e.info)]),
    ).toEqual([
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    // Frames 0 and 1 are intact in the receiver: never overwritten.
    expect(checkReceived(s, b)).toBe(2);
  });

  it("credits slow the link down and leave the same memory", () => {
    const free = build(SMALL, "fast");
    const tight = build(
      { ...SMALL, credits: { header: 1, data: 16, returnLatencyPs: 1_000_000 } },
      "fast",
    );
    start(free);
    start(tight);
    // Same frames (the event records differ only in their timestamps).
    const frames = free.eventRing - free.receivers[0]!.base;
    expect(
      Buffer.compare(
        free.receivers[0]!.bytes.subarray(0, Number(frames)),
        tight.receivers[0]!.bytes.subarray(0, Number(frames)),
      ),
    ).toBe(0);
    expect(checkReceived(SMALL, tight)).toBe(3);
    expect(tight.controller.sim.now()).toBeGreaterThan(free.controller.sim.now());
    expect(tight.controller.credits!.limit).toEqual({ header: 1, data: 16 });
  });
});

describe("wire path captures", () => {
  it("writes every TLP (USER0) and every BTD and event (USER1), in simulated time order", () => {
    const tlpChunks: Uint8Array[] = [];
    const recChunks: Uint8Array[] = [];
    const tlp = new PcapWriter((c) => tlpChunks.push(c.slice()), { linkType: LINKTYPE_USER0 });
    const rec = new PcapWriter((c) => recChunks.push(c.slice()), { linkType: LINKTYPE_USER1 });
    const b = build(SMALL, "wire", { tlp, rec });
    start(b);
    const tlps = readPcap(Buffer.concat(tlpChunks)).records;
    expect(tlps.length).toBe(b.controller.counters.tlps);
    let last = 0;
    let payload = 0;
    for (const r of tlps) {
      const t = r.seconds * 1e9 + r.nanoseconds;
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
      const c = decodePcieCaptureRecord(r.data);
      expect(c.direction).toBe("upstream");
      const d = decodeTlp(c.tlp);
      expect(d.fmt).toBe("data-4dw"); // receivers above 4 GiB
      payload += c.tlp.length - 16;
    }
    expect(payload).toBe(3 * 2048 + b.controller.counters.events * EVENT_BYTES);
    const recs = readPcap(Buffer.concat(recChunks)).records.map((r) =>
      decodeRashpaCaptureRecord(r.data),
    );
    const btds = recs.filter((r) => r.kind === "btd").map((r) => decodeBtd(r.body));
    expect(btds.length).toBe(3 * 4);
    expect(btds[3]).toMatchObject({
      kind: "image",
      channel: 0,
      eof: true,
      notify: true,
      block: 3,
      frame: 0,
      atuIndex: 0,
      offset: 1536n,
      size: 512,
    });
    expect(btds[11]).toMatchObject({ eoa: true, frame: 2, atuIndex: 2 });
    expect(recs.filter((r) => r.kind === "event").length).toBe(b.controller.counters.events);
  });
});

describe("the paper's demo acquisition", () => {
  it("runs with another frame geometry, both speeds verified and equal in simulated time", () => {
    const geometry = { width: 1024, height: 768 };
    const fast = runDefaultAcquisition({ frames: 3, geometry });
    const wire = runDefaultAcquisition({ frames: 3, geometry, speed: "wire" });
    expect(fast.verified && wire.verified).toBe(true);
    expect(fast.bytes).toBe(3 * (1024 * 768 * 2 + 128 * 128 * 2));
    expect(wire.simulatedUs).toBe(fast.simulatedUs);
    expect(wire.tlps).toBe(fast.tlps);
  });

  it("full frames to detector-pc, ROI to industrial-pc, every frame verified", () => {
    const s = runDefaultAcquisition({ frames: 6 });
    expect(s.verified).toBe(true);
    expect(s.framesChecked).toBe(12);
    expect(s.frames).toBe(6);
    expect(s.bytes).toBe(6 * (512 * 512 * 2 + 128 * 128 * 2));
    expect(s.detectorPc.frames).toBe(6);
    expect(s.industrialPc.frames).toBe(6);
    expect(s.events).toBe(13);
    // One channel alone reaches the model's FPGA rate; the ROI channel shares the link.
    expect(s.detectorPc.fpgaFraction).toBeLessThan(s.model.fpgaFraction);
    expect(s.detectorPc.fpgaLatencyUs * 1000).toBeCloseTo(s.model.fpgaFrameNs, 0);
    expect(s.link).toBe("gen2x4");
    // Both channels together stay below the model's single-channel FPGA rate (more BTDs and
    // transfers per byte) but above 90 % of it.
    expect(s.fpgaFraction).toBeLessThan(s.model.fpgaFraction);
    expect(s.fpgaFraction).toBeGreaterThan(0.9 * s.model.fpgaFraction);
  });

  it("gives the same summary on the wire path", () => {
    const fast = runDefaultAcquisition({ frames: 2 });
    const wire = runDefaultAcquisition({ frames: 2, speed: "wire" });
    expect({ ...wire, speed: "fast" }).toEqual(fast);
  });

  it("gives the same summary on both paths with ECRC and MPS 128, slower than without ECRC", () => {
    const parameters = { ...ESRF_2013_GEN2X4.parameters, ecrc: true, maxPayloadSize: 128 };
    const fast = runDefaultAcquisition({ frames: 2, parameters });
    const wire = runDefaultAcquisition({ frames: 2, parameters, speed: "wire" });
    expect(wire.verified).toBe(true);
    expect({ ...wire, speed: "fast" }).toEqual(fast);
    const plain = runDefaultAcquisition({
      frames: 2,
      parameters: { ...parameters, ecrc: false },
    });
    expect(fast.tlps).toBe(plain.tlps);
    expect(fast.simulatedUs).toBeGreaterThan(plain.simulatedUs);
  });

  it("runs acquisitions one after another on one system, each summarised as if it ran alone", () => {
    for (const speed of ["fast", "wire"] as const) {
      const system = new DefaultSystem({ speed });
      const first = system.acquire({ frames: 5 });
      const second = system.acquire({ frames: 3 });
      const third = system.acquire({ frames: 5 });
      // The ring's frames-released start from 0 again and the DDR's slots are refilled:
      // every frame of every run verifies, and the figures are those of a fresh system.
      expect([first.verified, second.verified, third.verified]).toEqual([true, true, true]);
      expect(first).toEqual(runDefaultAcquisition({ frames: 5, speed }));
      expect(second).toEqual(runDefaultAcquisition({ frames: 3, speed }));
      expect(third).toEqual(first);
      // The controller keeps the records of the last acquisition only.
      expect(system.controller.frames.length).toBe(2 * 5);
      expect(system.controller.notifications.length).toBe(third.events);
    }
  });
});

describe("global control", () => {
  it("frame-count 0 runs until software clears enable, then ends with end-of-acquisition", () => {
    const s: Setup = {
      ...SMALL,
      frames: 0,
      periodUs: 10,
      channels: [{ ...SMALL.channels[0]!, framesPerEntry: 4 }],
    };
    const b = build(s, "fast");
    const sw = controllerRegisters(b.controller.registers);
    const irqs: string[] = [];
    b.controller.onInterrupt((irq) => irqs.push(irq));
    sw.global.control.writeFields({ enable: true });
    expect(sw.global.status.readFields()).toMatchObject({ running: true, activeChannels: 1 });
    b.controller.run(95_000_000); // 95 µs: frames 0 … 9 at 0, 10, …, 90 µs
    sw.global.control.writeFields({ enable: false });
    b.controller.run();
    const hw = controllerRegisters(b.controller.registers); // software view
    expect(hw.diu.framesAcquired.readFields().value).toBe(10);
    expect(b.controller.frames.map((f) => f.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sw.global.status.readFields()).toMatchObject({ running: false, idle: true });
    expect(irqs).toEqual(["frameDone", "acquisitionDone"]);
    const events = ringEvents(b, b.controller.counters.events);
    expect(events[events.length - 1]).toMatchObject({ type: "end-of-acquisition", frame: 9 });
  });
});

/** Frames whose end-of-frame record says complete (status 0), per channel. */
function reportedComplete(b: Built): { channel: number; frame: number }[] {
  return b.controller.notifications
    .map((n) => n.event)
    .filter((e) => (e.type === "end-of-frame" || e.type === "end-of-roi") && e.status === 0)
    .map((e) => ({ channel: e.channel, frame: e.frame }));
}

/** Every frame reported complete is intact in its receiver (verifyFrame / gatherRoi). */
function checkReportedComplete(s: Setup, b: Built): number {
  const diu = b.controller.diu!;
  let n = 0;
  for (const { channel, frame } of reportedComplete(b)) {
    const c = s.channels[channel]!;
    const wb = windowBytes(s, c);
    const k = frame / (c.decimation + 1);
    const addr =
      b.buffers[channel]![Math.floor(k / c.framesPerEntry) % c.buffers]! +
      BigInt((k % c.framesPerEntry) * wb);
    const got = b.receivers[c.receiver]!.view(addr, wb);
    if (c.mode === "image") expect(verifyFrame(got, diu, frame)).toEqual({ ok: true, frame });
    else {
      const want = new Uint8Array(wb);
      gatherRoi(generateFrame(diu, frame), diu, c.roi!, want);
      expect(Buffer.compare(got, want)).toBe(0);
    }
    n++;
  }
  return n;
}

describe("fault injection: link down/up mid-frame (DL_Down, pcie.md §6)", () => {
  for (const speed of ["fast", "wire"] as const)
    it(`${speed}: the frame that lost data is reported errored, never complete; the next frames follow`, () => {
      const s: Setup = { ...SMALL, frames: 4, channels: [{ ...SMALL.channels[0]!, buffers: 4 }] };
      const ref = build(s, speed);
      start(ref);
      const f1 = ref.controller.frames.find((f) => f.frame === 1)!;
      const b = build(s, speed);
      const irqs: string[] = [];
      b.controller.onInterrupt((irq) => irqs.push(irq));
      const downAt = Math.floor((f1.startPs + f1.donePs) / 2);
      b.controller.injectLinkDown(downAt, 2_000_000);
      start(b);
      const c = b.controller;
      const hw = controllerRegisters(c.registers); // software view
      expect(c.frames.map((f) => [f.frame, f.linkLost])).toEqual([
        [0, false],
        [1, true],
        [2, false],
        [3, false],
      ]);
      const events = c.notifications.map((n) => n.event);
      const error = events.find((e) => e.type === "error")!;
      expect(error).toMatchObject({ frame: 1, channel: 0, status: EVENT_STATUS.linkDown });
      expect(error.info).toBeGreaterThanOrEqual(b.buffers[0]![1]!);
      expect(error.info).toBeLessThan(b.buffers[0]![1]! + 2048n);
      expect(
        events.filter((e) => e.type === "end-of-frame").map((e) => [e.frame, e.status]),
      ).toEqual([
        [0, 0],
        [1, EVENT_STATUS.incompleteFrame],
        [2, 0],
        [3, 0],
      ]);
      // link-down, then link-up, both once the link is back; sequence numbers have no gap.
      const types = events.map((e) => e.type);
      expect(types.indexOf("link-down")).toBeLessThan(types.indexOf("link-up"));
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i));
      expect(c.notifications.every((n) => n.at >= downAt + 2_000_000 || n.at <= downAt)).toBe(true);
      expect(checkReportedComplete(s, b)).toBe(3);
      expect(c.counters.lostTlps).toBeGreaterThan(0);
      expect(hw.bsu.lostTlps.readFields().value).toBe(c.counters.lostTlps);
      expect(hw.global.linkDownCount.readFields().value).toBe(1);
      expect(hw.bgu.channel[0]!.framesErrored.readFields().value).toBe(1);
      expect(hw.bgu.channel[0]!.framesSent.readFields().value).toBe(3);
      expect(hw.global.irqRaw.readFields().linkDown).toBe(true);
      expect(irqs).toContain("linkDown");
      expect(hw.global.status.readFields()).toMatchObject({ linkUp: true, idle: true });
      expect(c.linkUp).toBe(true);
    });

  it("refuses a window in the past, an empty one or one overlapping another", () => {
    const b = build(SMALL, "fast");
    expect(() => b.controller.injectLinkDown(0, 0)).toThrow(/durationPs/);
    b.controller.injectLinkDown(1000, 1000);
    expect(() => b.controller.injectLinkDown(1500, 10)).toThrow(/not overlapping/);
    start(b);
    expect(() => b.controller.injectLinkDown(0, 10)).toThrow(/atPs/);
  });
});

describe("fault injection: poisoned TLP (EP = 1, pcie.md §2)", () => {
  for (const speed of ["fast", "wire"] as const)
    it(`${speed}: the receiver drops the poisoned data and the frame is reported errored`, () => {
      const s: Setup = { ...SMALL, frames: 3 };
      const b = build(s, speed);
      // SMALL: 2048-byte frames in 256-byte TLPs, 8 data TLPs per frame; TLP 10 is frame 1's third.
      b.controller.injectPoisonedTlp(10);
      start(b);
      const c = b.controller;
      const addr = b.buffers[0]![1]! + 512n;
      const ev = c.notifications.map((n) => n.event);
      expect(ev.find((e) => e.type === "error")).toMatchObject({
        frame: 1,
        status: EVENT_STATUS.poisonedTlp,
        info: addr,
      });
      expect(ev.filter((e) => e.type === "end-of-frame").map((e) => [e.frame, e.status])).toEqual([
        [0, 0],
        [1, EVENT_STATUS.incompleteFrame],
        [2, 0],
      ]);
      // The poisoned payload never reached memory: its 256 bytes are still zero.
      expect(b.receivers[0]!.view(addr, 256).every((x) => x === 0)).toBe(true);
      expect(verifyFrame(b.receivers[0]!.view(b.buffers[0]![1]!, 2048), c.diu!, 1).ok).toBe(false);
      expect(checkReportedComplete(s, b)).toBe(2);
      expect(c.counters.poisonedTlps).toBe(1);
      expect(c.hw.bsu.poisonedTlps.readFields().value).toBe(1);
      expect(c.hw.bgu.channel[0]!.framesErrored.readFields().value).toBe(1);
      expect(c.frames.map((f) => f.poisoned)).toEqual([false, true, false]);
    });

  it("PcieSwitch.deliver logs a TLP with EP = 1 and writes nothing", () => {
    const mem = new HostMemory("rx", 0x1000n, 64);
    const sw = new PcieSwitch([{ name: "rx", memory: mem }]);
    const data = new Uint8Array(8).fill(0xaa);
    const tlp = decodeTlp(encodeTlp({ ...memoryWrite(0x1002n, data.subarray(0, 6)), ep: true }));
    sw.deliver(tlp as MemoryWriteTlp);
    expect(sw.poisoned).toEqual([{ port: "rx", address: 0x1002n, length: 6 }]);
    expect(mem.bytes.every((x) => x === 0)).toBe(true);
    sw.writePoisoned(0x1002n, 6);
    expect(sw.poisoned[1]).toEqual(sw.poisoned[0]);
  });
});

describe("receiver-ring overflow: drop or back-pressure, per channel", () => {
  const base: Setup = {
    ...SMALL,
    frames: 5,
    channels: [{ ...SMALL.channels[0]!, buffers: 2 }],
  };

  it("drop policy: whole frames dropped and reported, no stall", () => {
    const b = build(base, "fast");
    start(b);
    const ch = controllerRegisters(b.controller.registers).bgu.channel[0]!;
    expect(ch.framesDropped.readFields().value).toBe(3);
    expect(ch.stalls.readFields().value).toBe(0);
    expect(b.controller.counters.stalls).toBe(0);
  });

  it("back-pressure: the channel stalls until frames-released, counted, nothing dropped or overwritten", () => {
    const s: Setup = { ...base, channels: [{ ...base.channels[0]!, backPressure: true }] };
    const b = build(s, "fast");
    const sw = controllerRegisters(b.controller.registers);
    const ch = sw.bgu.channel[0]!;
    start(b); // frames 0 and 1 fill the ring; frame 2 waits
    expect(ch.framesSent.readFields().value).toBe(2);
    expect(ch.status.readFields()).toMatchObject({ stalled: true, ringFull: true });
    expect(ch.stalls.readFields().value).toBe(1);
    expect(checkReportedComplete(s, b)).toBe(2); // nothing overwritten while stalled
    expect(sw.global.status.readFields()).toMatchObject({ running: true, idle: false });
    ch.framesReleased.write(2);
    b.controller.run();
    expect(ch.framesSent.readFields().value).toBe(4);
    expect(ch.stalls.readFields().value).toBe(2);
    ch.framesReleased.write(4);
    b.controller.run();
    expect(ch.framesSent.readFields().value).toBe(5);
    expect(ch.framesDropped.readFields().value).toBe(0);
    expect(ch.status.readFields()).toMatchObject({ stalled: false, ringFull: false });
    expect(b.controller.counters.stalls).toBe(2);
    expect(b.controller.notifications.some((n) => n.event.type === "overrun")).toBe(false);
    expect(sw.global.irqRaw.readFields().acquisitionDone).toBe(true);
  });

  it("back-pressure with a receiver host: every frame arrives and verifies", () => {
    const s: Setup = {
      ...base,
      frames: 8,
      channels: [{ ...base.channels[0]!, backPressure: true }],
    };
    const b = build(s, "fast");
    const host = new ReceiverHost(
      b.controller,
      b.receivers[0]!,
      { channel: 0, buffers: b.buffers[0]!, framesPerEntry: 1, windowBytes: 2048, decimation: 0 },
      ESRF_2013_GEN2X4.parameters,
      (f, bytes) => verifyFrame(bytes, b.controller.diu!, f).ok,
    );
    start(b);
    expect(host.frames.map((f) => [f.frame, f.ok, f.status])).toEqual(
      Array.from({ length: 8 }, (_, i) => [i, true, 0]),
    );
    expect(b.controller.hw.bgu.channel[0]!.stalls.readFields().value).toBeGreaterThan(0);
    expect(b.controller.hw.bgu.channel[0]!.framesDropped.readFields().value).toBe(0);
  });
});

const arbFaults = fc.record({
  downAt: fc.double({ min: 0, max: 1, noNaN: true }),
  duration: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
  poison: fc.option(fc.nat({ max: 200 }), { nil: undefined }),
});

describe(`fast and wire paths agree under a random link-down window and poisoned TLP (seed ${lawSeed()})`, () => {
  test.prop([arbSetup, arbFaults], { seed: lawSeed(), numRuns: 20 })(
    "same memory, timing, events and counters; every frame reported complete is intact",
    (s, f) => {
      const ref = build(s, "fast");
      start(ref);
      const end = ref.controller.sim.now();
      const at = Math.floor(f.downAt * end);
      const duration = Math.max(1, Math.floor(f.duration * end));
      const fast = build(s, "fast");
      const wire = build(s, "wire");
      for (const b of [fast, wire]) {
        b.controller.injectLinkDown(at, duration);
        if (f.poison !== undefined) b.controller.injectPoisonedTlp(f.poison);
        start(b);
      }
      expectPathsAgree(fast, wire);
      const c = fast.controller;
      checkReportedComplete(s, fast);
      // Every errored frame is counted and reported; none is reported complete.
      const errored = c.frames.filter((x) => x.faults > 0 || x.linkLost || x.poisoned);
      expect(c.counters.framesErrored).toBe(errored.length);
      const complete = new Set(reportedComplete(fast).map((x) => `${x.channel}/${x.frame}`));
      for (const x of errored) expect(complete.has(`${x.channel}/${x.frame}`)).toBe(false);
      // Records are never lost silently: written or counted as dropped, without sequence gaps.
      expect(c.notifications.length).toBe(c.counters.events);
      expect([...c.notifications.map((n) => n.event.sequence)].sort((a, b) => a - b)).toEqual(
        c.notifications.map((_, i) => i),
      );
      expect(c.counters.linkDowns).toBe(1);
      expect(controllerRegisters(c.registers).global.status.readFields().linkUp).toBe(true);
      expect(c.hw.global.irqRaw.readFields().acquisitionDone).toBe(true);
    },
  );
});
