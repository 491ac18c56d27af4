/**
 * The synthetic detector: golden pixel values of each pattern derived by hand from the
 * `TestPattern` enum of specs/rashpa/controller.yaml, the frame stamp against an independent
 * CRC-32 (node:zlib), bit-exact verification catching any flipped byte, and the DIU block of the
 * controller map read through a RegisterFile.
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import { DecodeError } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import {
  CONTROLLER_MAP,
  RegisterFile,
  controllerRegisters,
  controllerRegistersHardware,
  type PixelDepth,
  type TestPattern,
} from "@rashpa/registers";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  DiuConfigError,
  FRAME_STAMP_BYTES,
  checkFrameStamp,
  decodeFrameStamp,
  diuConfigFromRegisters,
  generateFrame,
  regenerateFrame,
  makeDiuConfig,
  publishDiuLayout,
  verifyFrame,
  zonePlateImage,
  type DiuConfig,
} from "./diu.js";

const seed = lawSeed();

/** Pixel (x, y) of a frame, little-endian. */
function pixel(c: DiuConfig, f: Uint8Array, x: number, y: number): number {
  const o = y * c.lineBytes + x * c.bytesPerPixel;
  let v = 0;
  for (let b = c.bytesPerPixel - 1; b >= 0; b--) v = v * 256 + f[o + b]!;
  return v;
}

/** The pattern pixel by pixel from the enum docs (the reference the bulk generator must equal). */
function naiveFrame(c: DiuConfig, n: number): Uint8Array {
  const out = new Uint8Array(c.frameBytes);
  const reference = c.referenceImage ?? zonePlateImage(c.width, c.height, c.bytesPerPixel);
  const bits = 8 * c.bytesPerPixel;
  const mod = 2 ** bits;
  for (let y = 0; y < c.height; y++)
    for (let x = 0; x < c.width; x++) {
      let v: number;
      switch (c.pattern) {
        case "zeros":
          v = 0;
          break;
        case "ramp":
          v = (x + y) % mod;
          break;
        case "frame-number":
          v = n % mod;
          break;
        case "checkerboard":
          v = (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0 ? mod - 1 : 0;
          break;
        case "reference-image":
          v = -1;
          break;
      }
      const o = y * c.lineBytes + x * c.bytesPerPixel;
      if (v < 0) out.set(reference.subarray(o, o + c.bytesPerPixel), o);
      else for (let b = 0; b < c.bytesPerPixel; b++) out[o + b] = Math.floor(v / 256 ** b) % 256;
    }
  const stamp = new DataView(out.buffer);
  stamp.setUint32(0, 0x5246524d);
  stamp.setUint32(4, n);
  out[8] = ["zeros", "ramp", "frame-number", "checkerboard", "reference-image"].indexOf(c.pattern);
  out[9] = ["bits8", "bits16", "bits32"].indexOf(c.depth);
  out[10] = 1;
  out[11] = 0;
  const covered = Buffer.concat([out.subarray(16), out.subarray(0, 12)]);
  stamp.setUint32(12, zlibCrc32(covered));
  return out;
}

const PATTERNS: TestPattern[] = [
  "zeros",
  "ramp",
  "frame-number",
  "checkerboard",
  "reference-image",
];
const DEPTHS: PixelDepth[] = ["bits8", "bits16", "bits32"];

const arbConfig = fc
  .record({
    width: fc.integer({ min: 1, max: 40 }),
    height: fc.integer({ min: 1, max: 24 }),
    depth: fc.constantFrom(...DEPTHS),
    pattern: fc.constantFrom(...PATTERNS),
  })
  .filter((p) => p.width * p.height * { bits8: 1, bits16: 2, bits32: 4 }[p.depth] >= 16)
  .map((p) => makeDiuConfig({ ...p, ddrBytes: 1 << 20 }));
const arbFrameNumber = fc.oneof(
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

describe("test patterns: golden pixels (TestPattern enum docs)", () => {
  const at = (pattern: TestPattern, depth: PixelDepth, n = 0, w = 32, h = 16) => {
    const c = makeDiuConfig({ width: w, height: h, depth, pattern, ddrBytes: 1 << 20 });
    const f = generateFrame(c, n);
    return (x: number, y: number) => pixel(c, f, x, y);
  };

  it("zeros: every pixel 0 past the stamp", () => {
    const p = at("zeros", "bits16");
    expect([p(8, 0), p(10, 3), p(31, 15)]).toEqual([0, 0, 0]);
  });

  it("ramp: x + y, truncated to the pixel width", () => {
    const p = at("ramp", "bits16");
    expect([p(10, 3), p(31, 15), p(0, 1)]).toEqual([13, 46, 1]);
    const p8 = at("ramp", "bits8", 0, 300, 2);
    expect([p8(299, 1), p8(255, 0), p8(256, 0)]).toEqual([300 - 256, 255, 0]);
  });

  it("frame-number: every pixel holds n, truncated", () => {
    expect(at("frame-number", "bits16", 0x12345)(10, 3)).toBe(0x2345);
    expect(at("frame-number", "bits8", 0x12345)(31, 15)).toBe(0x45);
    expect(at("frame-number", "bits32", 0x12345)(5, 0)).toBe(0x12345);
    expect(at("frame-number", "bits32", 0xffff_ffff)(31, 15)).toBe(0xffff_ffff);
    expect(at("frame-number", "bits16", 0x0102)(17, 9)).toBe(0x0102);
  });

  it("checkerboard: 8 × 8 squares, all ones at the origin", () => {
    const p = at("checkerboard", "bits16");
    expect([p(8, 0), p(7, 1), p(0, 8), p(8, 8), p(15, 3), p(16, 3), p(23, 15)]).toEqual([
      0, 0xffff, 0, 0xffff, 0, 0xffff, 0,
    ]);
    expect(at("checkerboard", "bits32")(4, 4)).toBe(0xffff_ffff);
    expect(at("checkerboard", "bits8")(24, 0)).toBe(0);
  });

  it("reference-image: the zone plate (x − ⌊w/2⌋)² + (y − ⌊h/2⌋)² by default", () => {
    const p = at("reference-image", "bits16");
    // w = 32, h = 16: centre (16, 8).
    expect([p(10, 3), p(16, 8), p(31, 15), p(0, 0 + 1)]).toEqual([61, 0, 274, 305]);
    expect(at("reference-image", "bits8")(31, 15)).toBe(274 - 256);
  });

  it("reference-image: a given image, copied at configuration time", () => {
    const img = new Uint8Array(8 * 4 * 2).map((_, i) => (i * 7) & 0xff);
    const c = makeDiuConfig({
      width: 8,
      height: 4,
      pattern: "reference-image",
      referenceImage: img,
    });
    img.fill(0);
    const f = generateFrame(c, 3);
    expect(f[40]).toBe((40 * 7) & 0xff);
    expect(f.subarray(16)).toEqual(new Uint8Array(64).map((_, i) => (i * 7) & 0xff).subarray(16));
  });
});

describe("frame stamp", () => {
  it("is magic, frame, pattern, depth, version, reserved, then CRC-32 of bytes 16… and 0…11", () => {
    // 4 × 4 pixels of 16 bits, zeros, frame 7: 16 bytes of stamp, then 16 bytes of pixels.
    const c = makeDiuConfig({ width: 4, height: 4, depth: "bits16", pattern: "zeros" });
    const f = generateFrame(c, 7);
    expect(Array.from(f.subarray(0, 12))).toEqual([0x52, 0x46, 0x52, 0x4d, 0, 0, 0, 7, 0, 1, 1, 0]);
    const covered = Buffer.concat([f.subarray(16), f.subarray(0, 12)]);
    expect(new DataView(f.buffer).getUint32(12)).toBe(zlibCrc32(covered));
    expect(f.subarray(16)).toEqual(new Uint8Array(16));
    expect(decodeFrameStamp(f)).toEqual({
      frame: 7,
      pattern: "zeros",
      depth: "bits16",
      crc: zlibCrc32(covered),
    });
  });

  it("names pattern and depth by their enum values", () => {
    const c = makeDiuConfig({ width: 8, height: 2, depth: "bits32", pattern: "checkerboard" });
    const f = generateFrame(c, 0xdead_beef);
    expect([f[4], f[5], f[6], f[7], f[8], f[9]]).toEqual([0xde, 0xad, 0xbe, 0xef, 3, 2]);
  });

  it("rejects short frames and wrong magic, version or reserved byte with the byte offset", () => {
    const c = makeDiuConfig({ width: 8, height: 2 });
    const f = generateFrame(c, 1);
    expect(() => decodeFrameStamp(f.subarray(0, 15))).toThrow(DecodeError);
    const cases: [number, RegExp][] = [
      [0, /"stamp\.magic" expected 0x5246524d, got .* at byte 0/],
      [10, /"stamp\.version" expected 1, got 0 .*at byte 10/],
      [11, /"stamp\.reserved" expected 0, got 255 .*at byte 11/],
    ];
    for (const [at, message] of cases) {
      const g = f.slice();
      g[at] = at === 11 ? 0xff : 0;
      expect(() => decodeFrameStamp(g)).toThrow(message);
    }
  });

  test.prop([arbConfig, arbFrameNumber], { seed, numRuns: 60 })(
    `generateFrame equals the pattern computed pixel by pixel, stamped (seed ${seed})`,
    (c, n) => {
      expect(generateFrame(c, n)).toEqual(naiveFrame(c, n));
      expect(checkFrameStamp(generateFrame(c, n)).intact).toBe(true);
    },
  );

  test.prop([arbConfig, arbFrameNumber, arbFrameNumber], { seed, numRuns: 60 })(
    `regenerateFrame turns a slot holding frame m into frame n, as generateFrame would (seed ${seed})`,
    (c, m, n) => {
      const slot = generateFrame(c, m);
      expect(regenerateFrame(c, n, slot)).toBe(slot);
      expect(slot).toEqual(generateFrame(c, n));
    },
  );

  it("regenerateFrame refuses a slot of the wrong size and a bad frame number", () => {
    const c = makeDiuConfig({ width: 8, height: 4, pattern: "reference-image" });
    expect(() => regenerateFrame(c, 1, new Uint8Array(3))).toThrow(DiuConfigError);
    expect(() => regenerateFrame(c, -1, generateFrame(c, 0))).toThrow(DiuConfigError);
  });

  it("stamps frame-number frames with the CRC of their whole body, for any n and depth", () => {
    // 300 × 200 × 2 = 120000 bytes: more than one 64 KiB chunk of the per-bit CRC states.
    for (const depth of DEPTHS) {
      const c = makeDiuConfig({ width: 300, height: 200, depth, pattern: "frame-number" });
      for (const n of [0, 1, 2, 3, 0xff, 0x100, 0xffff, 0x1_0000, 0xdead_beef, 0xffff_ffff])
        expect(generateFrame(c, n)).toEqual(naiveFrame(c, n));
    }
  });

  it("writes into a caller buffer (e.g. a DDR slot) and overwrites what was there", () => {
    const c = makeDiuConfig({ width: 16, height: 16, depth: "bits16", pattern: "frame-number" });
    const big = new Uint8Array(c.frameBytes + 8).fill(0xaa);
    const slot = big.subarray(3, 3 + c.frameBytes);
    expect(generateFrame(c, 9, slot)).toBe(slot);
    expect(slot).toEqual(naiveFrame(c, 9));
    expect(big[2]).toBe(0xaa);
    expect(big[3 + c.frameBytes]).toBe(0xaa);
    generateFrame(c, 10, slot);
    expect(slot).toEqual(naiveFrame(c, 10));
  });

  it("rejects a buffer of the wrong size and a frame number outside 32 bits", () => {
    const c = makeDiuConfig({ width: 8, height: 8 });
    expect(() => generateFrame(c, 0, new Uint8Array(10))).toThrow(/"into" expected 128 bytes/);
    expect(() => generateFrame(c, 2 ** 32)).toThrow(DiuConfigError);
    expect(() => generateFrame(c, -1)).toThrow(/"frame" expected/);
  });
});

describe(`verifyFrame (seed ${seed})`, () => {
  it("accepts every generated frame, with and without the expected number", () => {
    for (const pattern of PATTERNS) {
      const c = makeDiuConfig({ width: 24, height: 10, pattern });
      const f = generateFrame(c, 41);
      expect(verifyFrame(f, c, 41)).toEqual({ ok: true, frame: 41 });
      expect(verifyFrame(f, c)).toEqual({ ok: true, frame: 41 });
    }
  });

  it("names the frame-number field when a different frame arrives", () => {
    const c = makeDiuConfig({ width: 24, height: 10, pattern: "ramp" });
    const v = verifyFrame(generateFrame(c, 0x0102), c, 0x0103);
    expect(v).toMatchObject({ ok: false, reason: "content", offset: 7, field: "stamp.frame" });
    expect(v).toMatchObject({ expectedByte: 0x03, foundByte: 0x02, x: 3, y: 0 });
  });

  it("reports a frame of the wrong length", () => {
    const c = makeDiuConfig({ width: 8, height: 8 });
    expect(verifyFrame(new Uint8Array(100), c)).toEqual({
      ok: false,
      reason: "length",
      expectedBytes: 128,
      foundBytes: 100,
    });
  });

  it("finds a flipped byte at every offset of small frames of every pattern and depth", () => {
    for (const pattern of PATTERNS)
      for (const depth of DEPTHS) {
        const c = makeDiuConfig({ width: 6, height: 5, pattern, depth });
        const good = generateFrame(c, 77);
        for (let at = 0; at < c.frameBytes; at++) {
          const bad = good.slice();
          bad[at] = bad[at]! ^ 0x10;
          const v = verifyFrame(bad, c, 77);
          if (v.ok || v.reason !== "content") throw new Error(`missed ${pattern} ${depth} @${at}`);
          expect(v.offset).toBe(at);
          expect(v.crcOk).toBe(false);
        }
      }
  });

  test.prop([arbConfig, arbFrameNumber, fc.nat(), fc.integer({ min: 1, max: 255 })], {
    seed,
    numRuns: 200,
  })("a single flipped byte anywhere is located exactly", (c, n, where, mask) => {
    const good = generateFrame(c, n);
    const at = where % c.frameBytes;
    const bad = good.slice();
    bad[at] = bad[at]! ^ mask;
    const v = verifyFrame(bad, c, n);
    if (v.ok || v.reason !== "content") throw new Error("flip not detected");
    const px = Math.floor(at / c.bytesPerPixel);
    expect(v).toMatchObject({
      offset: at,
      expectedByte: good[at],
      foundByte: bad[at],
      x: px % c.width,
      y: Math.floor(px / c.width),
      expectedPixel: pixel(c, good, px % c.width, Math.floor(px / c.width)),
      foundPixel: pixel(c, bad, px % c.width, Math.floor(px / c.width)),
      crcOk: false,
    });
    expect(v.field.startsWith("stamp.")).toBe(at < FRAME_STAMP_BYTES);
    // Without the configuration, the stamp alone catches it too.
    const alone = (() => {
      try {
        return checkFrameStamp(bad).intact;
      } catch (e) {
        if (e instanceof DecodeError) return false;
        throw e;
      }
    })();
    expect(alone).toBe(false);
    // Without the expected number, the flip is still caught.
    expect(verifyFrame(bad, c).ok).toBe(false);
  });
});

describe("DIU configuration", () => {
  const bind = () => {
    const rf = new RegisterFile(CONTROLLER_MAP);
    return {
      rf,
      sw: controllerRegisters(rf),
      hw: controllerRegistersHardware(rf.hardwareBus),
    };
  };

  it("reads the reset values of the DIU block: one 256 × 256 chip of 16-bit pixels", () => {
    const { sw, hw } = bind();
    const c = diuConfigFromRegisters(hw);
    expect(c).toMatchObject({
      source: "detector",
      pattern: "ramp",
      depth: "bits16",
      bytesPerPixel: 2,
      width: 256,
      height: 256,
      frameCount: 0,
      framePeriodPs: 1_000_000_000,
      ringBase: 0,
      ringSlots: 8,
    });
    // The hardware-computed registers reset to what the configuration derives.
    expect(c.lineBytes).toBe(sw.diu.lineBytes.readFields().value);
    expect(c.frameBytes).toBe(sw.diu.frameBytes.readFields().value);
  });

  it("reads what software wrote and publishes line-bytes and frame-bytes", () => {
    const { sw, hw } = bind();
    sw.diu.control.writeFields({ enable: true, source: "generator", testPattern: "checkerboard" });
    sw.diu.geometry.writeFields({ width: 512, height: 768 }); // a 2 × 3 composite of chips
    sw.diu.pixel.writeFields({ depth: "bits32" });
    sw.diu.frameCount.writeFields({ value: 1000 });
    sw.diu.framePeriod.writeFields({ microseconds: 250 });
    sw.diu.ringBaseLo.writeFields({ address: 0x40 >>> 6 });
    sw.diu.ringBaseHi.writeFields({ address: 0 });
    sw.diu.ringSlots.writeFields({ value: 4 });
    const c = diuConfigFromRegisters(hw, { ddrBytes: 8 << 20 });
    expect(c).toMatchObject({
      source: "generator",
      pattern: "checkerboard",
      depth: "bits32",
      width: 512,
      height: 768,
      lineBytes: 2048,
      frameBytes: 2048 * 768,
      frameCount: 1000,
      framePeriodPs: 250_000_000,
      ringBase: 0x40,
      ringSlots: 4,
      ddrBytes: 8 << 20,
    });
    publishDiuLayout(hw, c);
    expect(sw.diu.lineBytes.readFields().value).toBe(2048);
    expect(sw.diu.frameBytes.readFields().value).toBe(2048 * 768);
  });

  it("reads the 64-bit ring base from both words", () => {
    const { sw, hw } = bind();
    sw.diu.ringBaseHi.writeFields({ address: 1 });
    sw.diu.ringBaseLo.writeFields({ address: 2 });
    sw.diu.ringSlots.writeFields({ value: 1 });
    const c = diuConfigFromRegisters(hw, { ddrBytes: 2 ** 33 });
    expect(c.ringBase).toBe(2 ** 32 + 128);
  });

  it("names the register field of each impossible value", () => {
    const cases: [
      string,
      (sw: ReturnType<typeof bind>["sw"], rf: RegisterFile) => void,
      number?,
    ][] = [
      ["diu.geometry.width", (sw) => sw.diu.geometry.writeFields({ width: 0, height: 256 })],
      ["diu.geometry.height", (sw) => sw.diu.geometry.writeFields({ width: 256, height: 0 })],
      ["diu.pixel.depth", (_, rf) => rf.write32(0x1008, 5)],
      ["diu.control.testPattern", (_, rf) => rf.write32(0x1000, 7 << 4)],
      ["diu.control.source", (_, rf) => rf.write32(0x1000, 3 << 1)],
      ["diu.ring-slots.value", (sw) => sw.diu.ringSlots.writeFields({ value: 0 })],
      // 8 slots of 128 KiB do not fit in 512 KiB.
      ["diu.ring-slots.value", () => undefined, 512 << 10],
      // A 4096 × 4096 frame of 32-bit pixels (64 MiB) is larger than 32 MiB of DDR.
      [
        "diu.frame-bytes.value",
        (sw) => {
          sw.diu.geometry.writeFields({ width: 4096, height: 4096 });
          sw.diu.pixel.writeFields({ depth: "bits32" });
        },
        32 << 20,
      ],
      // A frame smaller than its stamp.
      ["diu.frame-bytes.value", (sw) => sw.diu.geometry.writeFields({ width: 3, height: 2 })],
      // The ring base beyond the DDR.
      ["diu.ring-base-lo.address", (sw) => sw.diu.ringBaseHi.writeFields({ address: 1 })],
    ];
    for (const [path, set, ddrBytes] of cases) {
      const { rf, sw, hw } = bind();
      set(sw, rf);
      let error: unknown;
      try {
        diuConfigFromRegisters(hw, ddrBytes === undefined ? {} : { ddrBytes });
      } catch (e) {
        error = e;
      }
      expect(error, path).toBeInstanceOf(DiuConfigError);
      expect((error as DiuConfigError).path).toBe(path);
      expect((error as DiuConfigError).message).toMatch(new RegExp(`^"${path}" expected .*, got `));
    }
  });

  it("runs the README example: 2 × 2 chips, frame-number pattern, one flipped bit", () => {
    const { sw, hw } = bind();
    sw.diu.geometry.writeFields({ width: 512, height: 512 });
    sw.diu.control.writeFields({ source: "generator", testPattern: "frame-number" });
    const config = diuConfigFromRegisters(hw);
    const frame = generateFrame(config, 7);
    expect(verifyFrame(frame, config, 7)).toEqual({ ok: true, frame: 7 });
    frame[1000]! ^= 1;
    expect(verifyFrame(frame, config, 7)).toMatchObject({
      ok: false,
      reason: "content",
      offset: 1000,
      x: 500,
      y: 0,
      expectedPixel: 7,
      foundPixel: 6,
    });
  });

  it("rejects a reference image that is not one frame", () => {
    expect(() =>
      makeDiuConfig({ width: 8, height: 8, referenceImage: new Uint8Array(10) }),
    ).toThrow(/"referenceImage" expected 128 bytes \(one frame\), got 10 bytes/);
  });

  it("rejects a misaligned ring base and a fractional frame period", () => {
    expect(() => makeDiuConfig({ ringBase: 32 })).toThrow(
      /"diu.ring-base-lo.address" expected a multiple of 64/,
    );
    expect(() => makeDiuConfig({ framePeriodPs: 1.5 })).toThrow(DiuConfigError);
  });
});
