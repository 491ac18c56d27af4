import { fc, test } from "@fast-check/vitest";
import { EVENT_BYTES, decodeEvent, encodeAtuEntry, decodeBtd } from "@rashpa/descriptors";
import { lawSeed } from "@rashpa/laws";
import { PAGE_BYTES, decodeTlp } from "@rashpa/pcie";
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
  readonly credits?: ControllerCredits;
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
  extra: Partial<{ tlp: PcapWriter; rec: PcapWriter }> = {},
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
    new HostMemory("detector-pc", bases[0]!, used[0]! + 4),
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
    ch.control.writeFields({ enable: true, mode: c.mode, notify: true, decimation: c.decimation });
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
    const sent = b.controller.frames.filter((f) => f.channel === n && f.faults === 0);
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

describe(`fast and wire paths agree (seed ${lawSeed()})`, () => {
  test.prop([arbSetup], { seed: lawSeed(), numRuns: 25 })(
    "byte-identical receiver memory, identical simulated timing, events and counters",
    (s) => {
      const fast = build(s, "fast");
      const wire = build(s, "wire");
      start(fast);
      start(wire);
      for (let p = 0; p < 2; p++)
        expect(Buffer.compare(fast.receivers[p]!.bytes, wire.receivers[p]!.bytes)).toBe(0);
      expect(wire.controller.frames).toEqual(fast.controller.frames);
      expect(wire.controller.notifications).toEqual(fast.controller.notifications);
      expect(wire.controller.counters).toEqual(fast.controller.counters);
      expect(wire.controller.sim.now()).toBe(fast.controller.sim.now());
      expect(wire.controller.link.busy.total).toBe(fast.controller.link.busy.total);
      // Frames that were not dropped are complete and correct in the receivers.
      checkReceived(s, fast);
      // The acquisition ended: every channel frame sent or reported dropped, never lost silently.
      const hw = fast.controller.hw;
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
