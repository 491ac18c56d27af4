/**
 * Block plans of the BGU data channels: extents cover the channel's window exactly, in order,
 * each at most the block size (whole ROI lines in roi mode, register `block-size`); gathering
 * equals a naive pixel-by-pixel copy; the channel registers read through a RegisterFile.
 */
import { lawSeed } from "@rashpa/laws";
import {
  CONTROLLER_MAP,
  RegisterFile,
  controllerRegisters,
  controllerRegistersHardware,
} from "@rashpa/registers";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  BlockPlanError,
  blockExtent,
  channelPlanFromRegisters,
  gatherBlock,
  gatherRoi,
  planBlocks,
  type BlockExtent,
  type FrameLayout,
  type PixelWindow,
} from "./blocks.js";
import { generateFrame, makeDiuConfig } from "./diu.js";

const seed = lawSeed();

function layoutOf(width: number, height: number, bytesPerPixel: number): FrameLayout {
  return {
    width,
    height,
    bytesPerPixel,
    lineBytes: width * bytesPerPixel,
    frameBytes: width * height * bytesPerPixel,
  };
}

const arbLayout = fc
  .record({
    width: fc.integer({ min: 1, max: 48 }),
    height: fc.integer({ min: 1, max: 32 }),
    bpp: fc.constantFrom(1, 2, 4),
  })
  .map(({ width, height, bpp }) => layoutOf(width, height, bpp));

const arbLayoutWindow = arbLayout.chain((l) =>
  fc
    .record({ x: fc.nat({ max: l.width - 1 }), y: fc.nat({ max: l.height - 1 }) })
    .chain(({ x, y }) =>
      fc
        .record({
          width: fc.integer({ min: 1, max: l.width - x }),
          height: fc.integer({ min: 1, max: l.height - y }),
        })
        .map((s): [FrameLayout, PixelWindow] => [l, { x, y, ...s }]),
    ),
);

/** Frame byte offsets of a window, in the order a receiver expects them (naive). */
function windowOffsets(l: FrameLayout, w: PixelWindow | undefined): number[] {
  if (w === undefined) return Array.from({ length: l.frameBytes }, (_, i) => i);
  const out: number[] = [];
  for (let y = w.y; y < w.y + w.height; y++)
    for (let x = w.x; x < w.x + w.width; x++)
      for (let b = 0; b < l.bytesPerPixel; b++) out.push(y * l.lineBytes + x * l.bytesPerPixel + b);
  return out;
}

/** Frame byte offsets an extent reads, in order. */
function extentOffsets(e: BlockExtent): number[] {
  const out: number[] = [];
  for (let j = 0; j < e.lines; j++)
    for (let b = 0; b < e.lineBytes; b++) out.push(e.offset + j * e.pitch + b);
  return out;
}

function randomFrame(l: FrameLayout): Uint8Array {
  return new Uint8Array(l.frameBytes).map((_, i) => (i * 131 + 7) & 0xff);
}

describe(`block plans (seed ${seed})`, () => {
  test.prop([arbLayoutWindow, fc.boolean(), fc.integer({ min: 1, max: 600 })], {
    seed,
    numRuns: 300,
  })(
    "extents cover the window exactly, in order, each at most the block size",
    ([layout, roi], useRoi, blockSize) => {
      const window = useRoi ? roi : undefined;
      const lineBytes = roi.width * layout.bytesPerPixel;
      fc.pre(!useRoi || blockSize >= lineBytes);
      const plan = planBlocks(layout, window, blockSize);
      const covered: number[] = [];
      const e = blockExtent(plan, 0);
      let dest = 0;
      for (let i = 0; i < plan.count; i++) {
        expect(blockExtent(plan, i, e)).toBe(e);
        expect(e.length).toBeGreaterThan(0);
        expect(e.length).toBeLessThanOrEqual(blockSize);
        expect(e.length).toBe(e.lines * e.lineBytes);
        expect(e.destOffset).toBe(dest);
        if (i < plan.count - 1) expect(e.length).toBe(plan.blockBytes);
        if (useRoi) {
          expect(e.lineBytes).toBe(lineBytes);
          expect(e.pitch).toBe(layout.lineBytes);
        } else expect(e.lines).toBe(1);
        dest += e.length;
        covered.push(...extentOffsets(e));
      }
      expect(dest).toBe(plan.windowBytes);
      expect(covered).toEqual(windowOffsets(layout, window));
    },
  );

  test.prop([arbLayoutWindow, fc.integer({ min: 0, max: 3 })], { seed, numRuns: 200 })(
    "ROI gather, whole or block by block, equals a naive pixel-by-pixel copy",
    ([layout, w], extraLines) => {
      const frame = randomFrame(layout);
      const naive = new Uint8Array(windowOffsets(layout, w).map((o) => frame[o]!));
      const dest = new Uint8Array(naive.length + 5).fill(0xee);
      expect(gatherRoi(frame, layout, w, dest, 2)).toBe(naive.length);
      expect(dest.subarray(2, 2 + naive.length)).toEqual(naive);
      expect([dest[0], dest[1], dest[2 + naive.length]]).toEqual([0xee, 0xee, 0xee]);
      const plan = planBlocks(layout, w, (1 + extraLines) * w.width * layout.bytesPerPixel);
      const byBlocks = new Uint8Array(plan.windowBytes);
      const e = blockExtent(plan, 0);
      for (let i = 0; i < plan.count; i++)
        gatherBlock(frame, blockExtent(plan, i, e), byBlocks, e.destOffset);
      expect(byBlocks).toEqual(naive);
    },
  );
});

describe(`block gather at any alignment (seed ${seed})`, () => {
  // Lines under 16 bytes are copied byte by byte, longer ones with set(), or with copyWithin
  // when the frame and the destination share one buffer (the DDR and its gather area).
  const arbCase = fc.record({
    shared: fc.boolean(),
    srcShift: fc.nat({ max: 7 }),
    destShift: fc.nat({ max: 7 }),
    offset: fc.nat({ max: 9 }),
    lineBytes: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 300 })),
    gap: fc.nat({ max: 9 }),
    lines: fc.integer({ min: 0, max: 6 }),
  });
  test.prop([arbCase], { seed, numRuns: 300 })(
    "equals a naive byte copy and writes nothing else",
    ({ shared, srcShift, destShift, offset, lineBytes, gap, lines }) => {
      const pitch = lineBytes + gap;
      const frameBytes = offset + lines * pitch + 3;
      const length = lines * lineBytes;
      const destBytes = destShift + length + 8;
      const all = new Uint8Array(srcShift + frameBytes + (shared ? destBytes : 0));
      const backing = all.subarray(0, srcShift + frameBytes);
      for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + 7) & 0xff;
      const frame = backing.subarray(srcShift);
      const destBacking = (shared ? all.subarray(backing.length) : new Uint8Array(destBytes)).fill(
        0xee,
      );
      const dest = destBacking.subarray(destShift);
      const extent: BlockExtent = { offset, length, lines, lineBytes, pitch, destOffset: 0 };
      expect(gatherBlock(frame, extent, dest, 4)).toBe(length);
      const naive: number[] = [];
      for (let j = 0; j < lines; j++)
        for (let k = 0; k < lineBytes; k++) naive.push(frame[offset + j * pitch + k]!);
      expect([...dest.subarray(4, 4 + length)]).toEqual(naive);
      expect([...dest.subarray(0, 4), ...dest.subarray(4 + length)].every((b) => b === 0xee)).toBe(
        true,
      );
      // The frame is left as it was.
      expect(frame.every((b, i) => b === ((srcShift + i) * 131 + 7) % 256)).toBe(true);
    },
  );

  it("refuses a destination too short for the block", () => {
    const extent: BlockExtent = {
      offset: 0,
      length: 64,
      lines: 2,
      lineBytes: 32,
      pitch: 40,
      destOffset: 0,
    };
    expect(() => gatherBlock(new Uint8Array(100), extent, new Uint8Array(60), 0)).toThrow(
      RangeError,
    );
  });
});

describe("block plans: examples and limits", () => {
  const chip = makeDiuConfig({ width: 256, height: 256, depth: "bits16", ddrBytes: 1 << 20 });

  it("cuts a 128 KiB frame into 64 KiB blocks; the last block is shorter when it does not divide", () => {
    expect(planBlocks(chip, undefined, 65536).count).toBe(2);
    const plan = planBlocks(chip, undefined, 50_000);
    expect(plan.count).toBe(3);
    expect(blockExtent(plan, 2)).toEqual({
      offset: 100_000,
      length: 31_072,
      lines: 1,
      lineBytes: 31_072,
      pitch: chip.frameBytes,
      destOffset: 100_000,
    });
  });

  it("rounds the block size down to whole ROI lines", () => {
    // ROI 100 × 10 at (20, 30): lines of 200 bytes every 512 bytes; 1000 bytes → 5 lines.
    const plan = planBlocks(chip, { x: 20, y: 30, width: 100, height: 10 }, 1000);
    expect(plan).toMatchObject({ mode: "roi", count: 2, blockBytes: 1000, linesPerBlock: 5 });
    expect(blockExtent(plan, 1)).toEqual({
      offset: (30 + 5) * 512 + 20 * 2,
      length: 1000,
      lines: 5,
      lineBytes: 200,
      pitch: 512,
      destOffset: 1000,
    });
    expect(planBlocks(chip, { x: 20, y: 30, width: 100, height: 10 }, 1199).blockBytes).toBe(1000);
  });

  it("gathers an ROI of a generated frame", () => {
    const c = makeDiuConfig({ width: 64, height: 32, pattern: "ramp", ddrBytes: 1 << 20 });
    const frame = generateFrame(c, 0);
    const dest = new Uint8Array(4 * 3 * 2);
    gatherRoi(frame, c, { x: 10, y: 20, width: 4, height: 3 }, dest);
    const view = new DataView(dest.buffer);
    // Ramp pixel (x, y) = x + y: the first ROI line is 30..33, the last 32..35.
    expect([0, 3, 8, 11].map((i) => view.getUint16(2 * i, true))).toEqual([30, 33, 32, 35]);
  });

  it("names the register field of an impossible window or block size", () => {
    const cases: [() => unknown, string][] = [
      [() => planBlocks(chip, undefined, 0), "bgu.channel[0].block-size.bytes"],
      [() => planBlocks(chip, undefined, 1), "bgu.channel[0].block-size.bytes"],
      [
        () => planBlocks(chip, { x: 0, y: 0, width: 0, height: 4 }, 4096, { channel: 3 }),
        "bgu.channel[3].roi-size.width",
      ],
      [
        () => planBlocks(chip, { x: 0, y: 0, width: 4, height: 257 }, 4096),
        "bgu.channel[0].roi-size.height",
      ],
      [
        () => planBlocks(chip, { x: 200, y: 0, width: 57, height: 4 }, 4096),
        "bgu.channel[0].roi-origin.x",
      ],
      [
        () => planBlocks(chip, { x: 0, y: 255, width: 4, height: 2 }, 4096),
        "bgu.channel[0].roi-origin.y",
      ],
      [
        () => planBlocks(chip, { x: 0, y: 0, width: 100, height: 4 }, 199),
        "bgu.channel[0].block-size.bytes",
      ],
    ];
    for (const [f, path] of cases) {
      expect(f, path).toThrow(BlockPlanError);
      expect(f, path).toThrow(new RegExp(`^"${path.replace(/[[\]]/g, "\\$&")}" expected `));
    }
    // 65536 blocks is the limit of the 16-bit BTD block field.
    expect(planBlocks(chip, undefined, 2).count).toBe(65536);
    const wide = makeDiuConfig({ width: 40000, height: 1, depth: "bits16", ddrBytes: 1 << 20 });
    expect(() => planBlocks(wide, { x: 0, y: 0, width: 40000, height: 1 }, 1 << 20)).toThrow(
      /"bgu.channel\[0\].roi-size.width" expected at most 32767 pixels/,
    );
  });

  it("rejects a block index outside the plan", () => {
    const plan = planBlocks(chip, undefined, 65536);
    expect(() => blockExtent(plan, 2)).toThrow(RangeError);
    expect(() => blockExtent(plan, -1)).toThrow(RangeError);
  });
});

describe("channel registers", () => {
  const chip = makeDiuConfig({ width: 256, height: 256, depth: "bits16", ddrBytes: 1 << 20 });
  const bind = () => {
    const rf = new RegisterFile(CONTROLLER_MAP);
    return { sw: controllerRegisters(rf), hw: controllerRegistersHardware(rf.hardwareBus) };
  };

  it("plans a full-frame channel from the reset values (64 KiB blocks)", () => {
    const { hw } = bind();
    expect(channelPlanFromRegisters(hw, 0, chip)).toMatchObject({
      mode: "image",
      count: 2,
      blockBytes: 65536,
    });
  });

  it("plans an ROI channel from roi-origin, roi-size and block-size", () => {
    const { sw, hw } = bind();
    const ch = sw.bgu.channel[5]!;
    ch.control.writeFields({ enable: true, mode: "roi" });
    ch.roiOrigin.writeFields({ x: 64, y: 32 });
    ch.roiSize.writeFields({ width: 128, height: 100 });
    ch.blockSize.writeFields({ bytes: 4096 });
    const plan = channelPlanFromRegisters(hw, 5, chip);
    expect(plan).toMatchObject({
      mode: "roi",
      lineBytes: 256,
      linesPerBlock: 16,
      count: 7,
      windowOffset: 32 * 512 + 64 * 2,
      windowBytes: 100 * 256,
    });
  });

  it("names the channel's fields in errors, and refuses metadata mode", () => {
    const { sw, hw } = bind();
    const ch = sw.bgu.channel[2]!;
    ch.control.writeFields({ mode: "roi" });
    expect(() => channelPlanFromRegisters(hw, 2, chip)).toThrow(
      /^"bgu.channel\[2\].roi-size.width" expected 1..256, got 0/,
    );
    ch.control.writeFields({ mode: "metadata" });
    expect(() => channelPlanFromRegisters(hw, 2, chip)).toThrow(
      /^"bgu.channel\[2\].control.mode" expected image or roi/,
    );
    expect(() => channelPlanFromRegisters(hw, 16, chip)).toThrow(RangeError);
  });
});
