/**
 * The synthetic detector behind the DIU (Detector Interface Unit, SYSTEM.md §1: "reads image
 * data from the detector readout and stores it in on-board DDR3"; the prototype "was validated
 * with a data generator emulating the detector"). It produces frames of the geometry, pixel
 * depth and test pattern set in the DIU block of the controller map
 * (`specs/rashpa/controller.yaml`, block `diu`), each carrying a 16-byte **frame stamp** that lets
 * every receiver tell which frame it got and whether any byte of it is wrong.
 *
 * ## Pixels
 * Pixel (x, y) is stored at byte `y · lineBytes + x · bytesPerPixel`, **little-endian** (this
 * project's choice: the receiving hosts read frames as `Uint16Array`/`Uint32Array` without
 * swapping). Values are truncated to the storage width of the `PixelDepth` enum (8, 16 or 32
 * bits; `bits16` holds the 12-bit Medipix3 counters padded, and the generator uses all 16 bits).
 *
 * | `TestPattern` | pixel (x, y) of frame n |
 * |---|---|
 * | `zeros` | 0 |
 * | `ramp` | x + y |
 * | `frame-number` | n |
 * | `checkerboard` | all ones when ⌊x/8⌋ + ⌊y/8⌋ is even, else 0 (8 × 8 squares, all-ones at the origin) |
 * | `reference-image` | the reference image (default: the zone plate (x − ⌊w/2⌋)² + (y − ⌊h/2⌋)²) |
 *
 * ## Frame stamp (first 16 bytes of every frame, overwriting the pattern there; big-endian)
 * | bytes | field |
 * |---|---|
 * | 0–3 | magic `0x5246524D` (ASCII "RFRM") |
 * | 4–7 | frame number n (0 … 2³² − 1) |
 * | 8 | `TestPattern` value |
 * | 9 | `PixelDepth` value |
 * | 10 | stamp version, 1 |
 * | 11 | reserved, 0 |
 * | 12–15 | CRC-32 (CRC-32/ISO-HDLC, `crc32` of `@rashpa/bits`) of bytes 16 … end, then bytes 0 … 11 |
 *
 * The CRC covers every byte but itself, so a receiver without the configuration detects any
 * corruption of up to 32 consecutive bits ({@link checkFrameStamp}); with the configuration,
 * {@link verifyFrame} compares bit-exactly and names the first wrong byte. Hashing the pixel
 * bytes first lets the generator keep the CRC state of a frame-independent body and finish each
 * frame's CRC over 12 bytes only.
 *
 * The controller map's design is this project's (the DIU registers are not public,
 * rashpa-anchors.md §1.3); the emulator has no detector readout, so with `source = detector` the
 * synthetic detector produces the same frames as the generator.
 *
 * @module
 */
import { crc32, decodeFieldError, describeValue } from "@rashpa/bits";
import { EmulatorFieldError } from "./field-error.js";
import {
  DIU_SOURCE_NAMES,
  PIXEL_DEPTH_NAMES,
  TEST_PATTERN_NAMES,
  pixelDepthValue,
  testPatternValue,
  type ControllerRegisters,
  type DiuSource,
  type PixelDepth,
  type TestPattern,
} from "@rashpa/registers";

/** Bytes of the frame stamp at the start of every frame. */
export const FRAME_STAMP_BYTES = 16;
/** Magic number of the frame stamp (bytes 0–3, big-endian): ASCII "RFRM". */
export const FRAME_STAMP_MAGIC = 0x5246524d;
/** Version of the frame stamp layout (byte 10). */
export const FRAME_STAMP_VERSION = 1;
/** Default size of the emulated on-board DDR when none is given: 256 MiB (this project's choice). */
export const DEFAULT_DDR_BYTES = 256 * 1024 * 1024;
/** Largest frame number a stamp holds (32 bits, like `diu.frame-count`). */
export const MAX_FRAME_NUMBER = 0xffff_ffff;

/** Picoseconds per microsecond: `diu.frame-period` is in µs, the simulated time in ps. */
const PS_PER_US = 1_000_000;

/**
 * A configuration of the DIU and its synthetic detector, validated and frozen. Build it with
 * {@link makeDiuConfig} or read it from the controller registers with
 * {@link diuConfigFromRegisters} (block `diu` of `specs/rashpa/controller.yaml`).
 */
export interface DiuConfig {
  /** `diu.control.source`: detector readout or built-in generator (both give the synthetic frames). */
  readonly source: DiuSource;
  /** `diu.control.testPattern`: the image produced. */
  readonly pattern: TestPattern;
  /** `diu.pixel.depth`: pixel storage. */
  readonly depth: PixelDepth;
  /** Bytes per pixel (1, 2 or 4) of {@link DiuConfig.depth}. */
  readonly bytesPerPixel: 1 | 2 | 4;
  /** `diu.geometry.width`: pixels per line (1 … 65535). */
  readonly width: number;
  /** `diu.geometry.height`: lines per frame (1 … 65535). */
  readonly height: number;
  /** `diu.line-bytes`: width × bytesPerPixel. */
  readonly lineBytes: number;
  /** `diu.frame-bytes`: lineBytes × height, the size of one DDR frame slot. */
  readonly frameBytes: number;
  /** `diu.frame-count`: frames to acquire; 0 = until the DIU is disabled. */
  readonly frameCount: number;
  /** `diu.frame-period` in simulated picoseconds (an integer); 0 = as fast as DDR accepts. */
  readonly framePeriodPs: number;
  /** `diu.ring-base-lo/hi`: DDR byte address of frame slot 0 (64-byte aligned). */
  readonly ringBase: number;
  /** `diu.ring-slots`: frame slots in DDR (1 … 65535). */
  readonly ringSlots: number;
  /** Size of the emulated on-board DDR in bytes; the ring must fit in it. */
  readonly ddrBytes: number;
  /**
   * The image of pattern `reference-image` (frameBytes bytes, a private copy); `undefined`:
   * the zone plate of {@link zonePlateImage}.
   */
  readonly referenceImage: Uint8Array | undefined;
}

/** Parameters of {@link makeDiuConfig}; omitted ones take the controller map's reset values. */
export interface DiuParams {
  /** Pixels per line (reset 256, one Medipix3 chip). */
  readonly width?: number;
  /** Lines per frame (reset 256). */
  readonly height?: number;
  /** Pixel storage (reset `bits16`). */
  readonly depth?: PixelDepth;
  /** Test pattern (reset `ramp`). */
  readonly pattern?: TestPattern;
  /** Frame source (reset `detector`). */
  readonly source?: DiuSource;
  /** Frames to acquire, 0 … 2³² − 1 (reset 0 = until stopped). */
  readonly frameCount?: number;
  /** Frame period in picoseconds, a non-negative safe integer (reset 1000 µs = 10⁹ ps). */
  readonly framePeriodPs?: number;
  /** DDR address of slot 0, 64-byte aligned (reset 0). */
  readonly ringBase?: number;
  /** Frame slots (reset 8). */
  readonly ringSlots?: number;
  /** Emulated DDR size (default {@link DEFAULT_DDR_BYTES}). */
  readonly ddrBytes?: number;
  /** Image of pattern `reference-image`, frameBytes long (default {@link zonePlateImage}). */
  readonly referenceImage?: Uint8Array;
}

/**
 * A DIU configuration is impossible: `path` names the register field (e.g.
 * `diu.geometry.width`) or parameter at fault; the message is `"<field>" expected X, got Y`.
 */
export class DiuConfigError extends EmulatorFieldError {
  /** Always `"DiuConfigError"`. */
  override readonly name = "DiuConfigError";
}

const BYTES_PER_PIXEL: Readonly<Record<PixelDepth, 1 | 2 | 4>> = {
  bits8: 1,
  bits16: 2,
  bits32: 4,
};

function checkInt(path: string, v: number, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new DiuConfigError(path, `an integer in ${min}..${max}`, describeValue(v));
  return v;
}

function checkEnum<T extends string>(
  path: string,
  v: unknown,
  names: readonly (T | undefined)[],
): T {
  if (typeof v === "string" && names.includes(v as T)) return v as T;
  const list = names.filter((n) => n !== undefined).join(", ");
  throw new DiuConfigError(path, `one of ${list}`, describeValue(v));
}

/**
 * Validates DIU parameters and derives the frame layout (controller map block `diu`).
 *
 * @param params - the settings; omitted ones take the reset values of the controller map
 * @returns the frozen configuration
 * @throws DiuConfigError naming the register field of the first impossible value: zero or
 *   oversized geometry, unknown enum value, a frame smaller than its 16-byte stamp or larger
 *   than the DDR, a ring of slots that does not fit in the DDR, a misaligned ring base, a
 *   reference image of the wrong size
 * @example
 * ```ts
 * const config = makeDiuConfig({ width: 512, height: 512, depth: "bits16", pattern: "checkerboard" });
 * ```
 */
export function makeDiuConfig(params: DiuParams = {}): DiuConfig {
  const source = checkEnum("diu.control.source", params.source ?? "detector", DIU_SOURCE_NAMES);
  const pattern = checkEnum(
    "diu.control.testPattern",
    params.pattern ?? "ramp",
    TEST_PATTERN_NAMES,
  );
  const depth = checkEnum("diu.pixel.depth", params.depth ?? "bits16", PIXEL_DEPTH_NAMES);
  const width = checkInt("diu.geometry.width", params.width ?? 256, 1, 0xffff);
  const height = checkInt("diu.geometry.height", params.height ?? 256, 1, 0xffff);
  const frameCount = checkInt("diu.frame-count.value", params.frameCount ?? 0, 0, MAX_FRAME_NUMBER);
  const framePeriodPs = checkInt(
    "diu.frame-period.microseconds",
    params.framePeriodPs ?? 1000 * PS_PER_US,
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const ddrBytes = checkInt("ddrBytes", params.ddrBytes ?? DEFAULT_DDR_BYTES, 1, 2 ** 52);
  const ringSlots = checkInt("diu.ring-slots.value", params.ringSlots ?? 8, 1, 0xffff);
  const ringBase = checkInt("diu.ring-base-lo.address", params.ringBase ?? 0, 0, ddrBytes - 1);
  if (ringBase % 64 !== 0)
    throw new DiuConfigError(
      "diu.ring-base-lo.address",
      "a multiple of 64",
      describeValue(ringBase),
    );
  const bytesPerPixel = BYTES_PER_PIXEL[depth];
  const lineBytes = width * bytesPerPixel;
  const frameBytes = lineBytes * height;
  const maxFrame = Math.min(0xffff_ffff, ddrBytes - ringBase);
  if (frameBytes < FRAME_STAMP_BYTES || frameBytes > maxFrame)
    throw new DiuConfigError(
      "diu.frame-bytes.value",
      `${FRAME_STAMP_BYTES}..${maxFrame} bytes (the stamp; the DDR above the ring base)`,
      `${frameBytes} (${width} × ${height} × ${bytesPerPixel})`,
    );
  if (ringBase + ringSlots * frameBytes > ddrBytes)
    throw new DiuConfigError(
      "diu.ring-slots.value",
      `at most ${Math.floor((ddrBytes - ringBase) / frameBytes)} slots of ${frameBytes} bytes from DDR address ${ringBase} in ${ddrBytes} bytes of DDR`,
      describeValue(ringSlots),
    );
  let referenceImage: Uint8Array | undefined;
  if (params.referenceImage !== undefined) {
    if (params.referenceImage.length !== frameBytes)
      throw new DiuConfigError(
        "referenceImage",
        `${frameBytes} bytes (one frame)`,
        `${params.referenceImage.length} bytes`,
      );
    referenceImage = params.referenceImage.slice();
  }
  return Object.freeze({
    source,
    pattern,
    depth,
    bytesPerPixel,
    width,
    height,
    lineBytes,
    frameBytes,
    frameCount,
    framePeriodPs,
    ringBase,
    ringSlots,
    ddrBytes,
    referenceImage,
  });
}

/** Options of {@link diuConfigFromRegisters}: what the register map does not hold. */
export interface DiuRegisterOptions {
  /** Emulated DDR size (default {@link DEFAULT_DDR_BYTES}). */
  readonly ddrBytes?: number;
  /** Image of pattern `reference-image` (the image preloaded in DDR; default {@link zonePlateImage}). */
  readonly referenceImage?: Uint8Array;
}

function enumName<T extends string>(
  path: string,
  v: T | number,
  names: readonly (T | undefined)[],
): T {
  if (typeof v === "string") return v;
  const list = names.filter((n) => n !== undefined).join(", ");
  throw new DiuConfigError(path, `one of ${list}`, describeValue(v));
}

/**
 * Reads the DIU block of the controller map (`specs/rashpa/controller.yaml`, block `diu`)
 * through the generated hardware-side accessors and validates it as {@link makeDiuConfig} does.
 *
 * @param regs - the controller map bound to the hardware side of its register file
 *   (`controllerRegistersHardware(registerFile.hardwareBus)`)
 * @param options - DDR size and reference image, which the map does not hold
 * @returns the frozen configuration
 * @throws DiuConfigError naming the register field of the first impossible value (e.g.
 *   `diu.geometry.width` = 0, `diu.pixel.depth` = 5, `diu.ring-slots.value` too many for the DDR)
 * @example
 * ```ts
 * const rf = new RegisterFile(CONTROLLER_MAP);
 * controllerRegisters(rf).diu.geometry.writeFields({ width: 512, height: 512 });
 * const config = diuConfigFromRegisters(controllerRegistersHardware(rf.hardwareBus));
 * ```
 */
export function diuConfigFromRegisters(
  regs: ControllerRegisters<"hardware">,
  options: DiuRegisterOptions = {},
): DiuConfig {
  const d = regs.diu;
  const control = d.control.readFields();
  const geometry = d.geometry.readFields();
  const pixel = d.pixel.readFields();
  const ringBase =
    d.ringBaseHi.readFields().address * 2 ** 32 + d.ringBaseLo.readFields().address * 64;
  return makeDiuConfig({
    source: enumName("diu.control.source", control.source, DIU_SOURCE_NAMES),
    pattern: enumName("diu.control.testPattern", control.testPattern, TEST_PATTERN_NAMES),
    depth: enumName("diu.pixel.depth", pixel.depth, PIXEL_DEPTH_NAMES),
    width: geometry.width,
    height: geometry.height,
    frameCount: d.frameCount.readFields().value,
    framePeriodPs: d.framePeriod.readFields().microseconds * PS_PER_US,
    ringBase,
    ringSlots: d.ringSlots.readFields().value,
    ...(options.ddrBytes === undefined ? {} : { ddrBytes: options.ddrBytes }),
    ...(options.referenceImage === undefined ? {} : { referenceImage: options.referenceImage }),
  });
}

/**
 * Writes what the hardware computes from a configuration into the registers it drives:
 * `diu.line-bytes` and `diu.frame-bytes` (controller map block `diu`).
 *
 * @param regs - the controller map bound to the hardware side of its register file
 * @param config - the configuration read with {@link diuConfigFromRegisters}
 */
export function publishDiuLayout(regs: ControllerRegisters<"hardware">, config: DiuConfig): void {
  regs.diu.lineBytes.writeFields({ value: config.lineBytes });
  regs.diu.frameBytes.writeFields({ value: config.frameBytes });
}

/**
 * The default reference image: a zone plate, pixel (x, y) = (x − ⌊w/2⌋)² + (y − ⌊h/2⌋)²
 * truncated to the pixel width, little-endian — rings that show any misplaced line or column.
 *
 * @param width - pixels per line
 * @param height - lines
 * @param bytesPerPixel - 1, 2 or 4
 * @returns a new frame-sized buffer
 */
export function zonePlateImage(
  width: number,
  height: number,
  bytesPerPixel: 1 | 2 | 4,
): Uint8Array {
  const out = new Uint8Array(width * height * bytesPerPixel);
  const view = new DataView(out.buffer);
  const cx = Math.floor(width / 2);
  const cy = Math.floor(height / 2);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const dy2 = (y - cy) * (y - cy);
    for (let x = 0; x < width; x++, o += bytesPerPixel) {
      const v = ((x - cx) * (x - cx) + dy2) >>> 0;
      if (bytesPerPixel === 1) out[o] = v & 0xff;
      else if (bytesPerPixel === 2) view.setUint16(o, v & 0xffff, true);
      else view.setUint32(o, v, true);
    }
  }
  return out;
}

/** Writes pixel value `v` (truncated) at byte `o`, little-endian. */
function putPixel(out: Uint8Array, o: number, v: number, bpp: number): void {
  for (let b = 0; b < bpp; b++) out[o + b] = (v >>> (8 * b)) & 0xff;
}

/** Fills `out[start..end)` with the `bpp`-byte little-endian value `v` by doubling copies. */
function fillPixels(out: Uint8Array, start: number, end: number, v: number, bpp: number): void {
  if (bpp === 1 || v === 0 || v === -1 >>> (32 - 8 * bpp)) {
    out.fill(v & 0xff, start, end);
    return;
  }
  putPixel(out, start, v, bpp);
  let filled = bpp;
  while (start + filled < end) {
    const n = Math.min(filled, end - start - filled);
    out.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

/** What generation and verification of one configuration keep (computed once). */
interface Prepared {
  /** The frame-independent pattern (absent for `frame-number`). */
  readonly template: Uint8Array | undefined;
  /** CRC state after bytes 16 … end of the template. */
  readonly bodyState: number;
  /** Scratch frame for verifying `frame-number` frames, made on first use. */
  scratch: Uint8Array | undefined;
  /** Scratch stamp for verifying, made on first use. */
  stamp: Uint8Array | undefined;
  /**
   * `frame-number`: CRC state of the all-zero body, then per pixel bit k the state change when
   * bit k is set in every pixel, computed on first use (CRC is linear over GF(2), so the body
   * state of any frame is the zero state XOR the changes of its set bits).
   */
  readonly bitStates: (number | undefined)[];
}

const prepared = new WeakMap<DiuConfig, Prepared>();

function buildTemplate(c: DiuConfig): Uint8Array | undefined {
  const { width, height, lineBytes, bytesPerPixel: bpp } = c;
  switch (c.pattern) {
    case "frame-number":
      return undefined;
    case "zeros":
      return new Uint8Array(c.frameBytes);
    case "reference-image":
      return c.referenceImage ?? zonePlateImage(c.width, c.height, c.bytesPerPixel);
    case "ramp": {
      // Values 0 … w + h − 2 once; line y is the strip from pixel y on.
      const out = new Uint8Array(c.frameBytes);
      const strip = new Uint8Array((width + height - 1) * bpp);
      for (let i = 0; i < width + height - 1; i++) putPixel(strip, i * bpp, i, bpp);
      for (let y = 0; y < height; y++)
        out.set(strip.subarray(y * bpp, y * bpp + lineBytes), y * lineBytes);
      return out;
    }
    case "checkerboard": {
      // Two line kinds: starting with an all-ones square (even ⌊y/8⌋) or a zero square.
      const out = new Uint8Array(c.frameBytes);
      const a = new Uint8Array(lineBytes);
      for (let x = 0; x < width; x += 8)
        if (((x >> 3) & 1) === 0) a.fill(0xff, x * bpp, Math.min(width, x + 8) * bpp);
      const b = a.map((v) => v ^ 0xff);
      for (let y = 0; y < height; y++) out.set(((y >> 3) & 1) === 0 ? a : b, y * lineBytes);
      return out;
    }
  }
}

/**
 * Prepared patterns of recent configurations by what the pattern depends on (not by object):
 * each acquisition reads a new `DiuConfig` from the registers, and the pattern (the zone plate,
 * its CRC) is then computed once for all of them. Configurations with their own reference
 * image are keyed by the config object only.
 */
const preparedByShape = new Map<string, Prepared>();
const PREPARED_SHAPES = 8;

function shapeKey(c: DiuConfig): string | undefined {
  if (c.pattern === "reference-image" && c.referenceImage !== undefined) return undefined;
  return `${c.pattern} ${c.depth} ${c.bytesPerPixel} ${c.width}x${c.height} ${c.lineBytes} ${c.frameBytes}`;
}

function prepare(c: DiuConfig): Prepared {
  let p = prepared.get(c);
  if (p !== undefined) return p;
  const key = shapeKey(c);
  p = key === undefined ? undefined : preparedByShape.get(key);
  if (p === undefined) {
    const template = buildTemplate(c);
    const bodyState =
      template === undefined ? 0 : crc32.update(crc32.init(), template, FRAME_STAMP_BYTES);
    p = { template, bodyState, scratch: undefined, stamp: undefined, bitStates: [] };
    if (key !== undefined) {
      if (preparedByShape.size >= PREPARED_SHAPES)
        preparedByShape.delete(preparedByShape.keys().next().value!);
      preparedByShape.set(key, p);
    }
  }
  prepared.set(c, p);
  return p;
}

/** Value every pixel of frame `n` holds under pattern `frame-number`. */
function frameNumberPixel(c: DiuConfig, n: number): number {
  return c.bytesPerPixel === 4 ? n >>> 0 : n & (c.bytesPerPixel === 2 ? 0xffff : 0xff);
}

/** CRC state of a body (bytes 16 … end) holding the `bpp`-byte value `v` in every pixel. */
function uniformBodyState(c: DiuConfig, v: number): number {
  const chunk = new Uint8Array(Math.min(1 << 16, c.frameBytes));
  fillPixels(chunk, 0, chunk.length, v, c.bytesPerPixel);
  let state = crc32.init();
  // Byte 16 starts a pixel (bpp divides 16), and the chunk holds whole pixels.
  for (let left = c.frameBytes - FRAME_STAMP_BYTES; left > 0; left -= chunk.length)
    state = crc32.update(state, chunk, 0, Math.min(chunk.length, left));
  return state;
}

/** CRC state after the pixel bytes (16 … end) of frame `n`, without reading them. */
function bodyStateOf(c: DiuConfig, p: Prepared, n: number): number {
  if (p.template !== undefined) return p.bodyState;
  const bits = p.bitStates;
  const zero = (bits[0] ??= uniformBodyState(c, 0));
  let state = zero;
  for (let v = frameNumberPixel(c, n), k = 0; v !== 0; v = Math.floor(v / 2), k++) {
    if (v % 2 === 0) continue;
    bits[k + 1] ??= (uniformBodyState(c, 2 ** k) ^ zero) >>> 0;
    state ^= bits[k + 1]!;
  }
  return state >>> 0;
}

/** Writes the stamp of frame `n` into `out[0..16)`; the pixel bytes must already be there. */
function writeStamp(c: DiuConfig, n: number, bodyState: number, out: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset, FRAME_STAMP_BYTES);
  view.setUint32(0, FRAME_STAMP_MAGIC);
  view.setUint32(4, n);
  out[8] = testPatternValue(c.pattern);
  out[9] = pixelDepthValue(c.depth);
  out[10] = FRAME_STAMP_VERSION;
  out[11] = 0;
  view.setUint32(12, crc32.finish(crc32.update(bodyState, out, 0, 12)));
}

function checkFrameNumber(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_FRAME_NUMBER)
    throw new DiuConfigError("frame", `an integer in 0..${MAX_FRAME_NUMBER}`, describeValue(n));
}

/**
 * Produces frame `n` of a configuration: the pattern in bulk (`set` of the pattern computed once
 * per configuration, or `fill`/`copyWithin` for `frame-number`), then the 16-byte frame stamp.
 * No per-pixel work or allocation per frame (except `into` when not given).
 *
 * @param config - the DIU configuration
 * @param n - frame number, 0 … 2³² − 1
 * @param into - where to write: exactly `config.frameBytes` bytes (e.g. a DDR frame slot);
 *   a new buffer when omitted
 * @returns `into`, holding the frame
 * @throws DiuConfigError when `n` is not a frame number or `into` has the wrong size
 * @example
 * ```ts
 * const slot = ddr.allocateFrame(7);
 * generateFrame(config, 7, slot);
 * ```
 */
export function generateFrame(config: DiuConfig, n: number, into?: Uint8Array): Uint8Array {
  checkFrameNumber(n);
  const out = into ?? new Uint8Array(config.frameBytes);
  if (out.length !== config.frameBytes)
    throw new DiuConfigError(
      "into",
      `${config.frameBytes} bytes (one frame)`,
      `${out.length} bytes`,
    );
  const p = prepare(config);
  if (p.template !== undefined) out.set(p.template);
  else fillPixels(out, 0, out.length, frameNumberPixel(config, n), config.bytesPerPixel);
  writeStamp(config, n, bodyStateOf(config, p, n), out);
  return out;
}

/**
 * Turns `slot`, which holds a frame of the same configuration generated by
 * {@link generateFrame} and not changed since, into frame `n`, writing only what differs
 * between frames: the 16-byte stamp for a frame-independent pattern (the pixels are already
 * there), every pixel for `frame-number`. The result is byte for byte that of
 * `generateFrame(config, n, slot)`; the emulated DDR uses it for a slot it fills again.
 *
 * @param config - the DIU configuration the slot was generated with
 * @param n - frame number, 0 … 2³² − 1
 * @param slot - the slot, exactly `config.frameBytes` bytes
 * @returns `slot`, holding frame `n`
 * @throws DiuConfigError when `n` is not a frame number or `slot` has the wrong size
 */
export function regenerateFrame(config: DiuConfig, n: number, slot: Uint8Array): Uint8Array {
  const p = prepare(config);
  if (p.template === undefined) return generateFrame(config, n, slot);
  checkFrameNumber(n);
  if (slot.length !== config.frameBytes)
    throw new DiuConfigError(
      "into",
      `${config.frameBytes} bytes (one frame)`,
      `${slot.length} bytes`,
    );
  // The stamp overwrote the template's first 16 bytes; the rest of the slot is the template.
  writeStamp(config, n, p.bodyState, slot);
  return slot;
}

/** The decoded frame stamp (first 16 bytes of a frame, see the module comment). */
export interface FrameStamp {
  /** Frame number. */
  readonly frame: number;
  /** Pattern the frame was generated with (the number when not a `TestPattern` value). */
  readonly pattern: TestPattern | number;
  /** Pixel depth of the frame (the number when not a `PixelDepth` value). */
  readonly depth: PixelDepth | number;
  /** CRC-32 the stamp carries. */
  readonly crc: number;
}

/**
 * Decodes the frame stamp at the start of a frame.
 *
 * @param bytes - the frame (at least 16 bytes)
 * @returns the stamp's fields
 * @throws DecodeError when the frame is shorter than the stamp, or the magic, version or
 *   reserved byte is wrong (`"stamp.magic" expected 0x5246524d, got … at byte 0`)
 */
export function decodeFrameStamp(bytes: Uint8Array): FrameStamp {
  if (bytes.length < FRAME_STAMP_BYTES)
    throw decodeFieldError("stamp", `${FRAME_STAMP_BYTES} bytes`, `${bytes.length} bytes`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, FRAME_STAMP_BYTES);
  const magic = view.getUint32(0);
  if (magic !== FRAME_STAMP_MAGIC)
    throw decodeFieldError("stamp.magic", "0x5246524d", describeValue(magic), 0);
  if (bytes[10] !== FRAME_STAMP_VERSION)
    throw decodeFieldError(
      "stamp.version",
      String(FRAME_STAMP_VERSION),
      describeValue(bytes[10]),
      10,
    );
  if (bytes[11] !== 0) throw decodeFieldError("stamp.reserved", "0", describeValue(bytes[11]), 11);
  return {
    frame: view.getUint32(4),
    pattern: TEST_PATTERN_NAMES[bytes[8]!] ?? bytes[8]!,
    depth: PIXEL_DEPTH_NAMES[bytes[9]!] ?? bytes[9]!,
    crc: view.getUint32(12),
  };
}

/**
 * The CRC-32 a frame's stamp must carry: over bytes 16 … end, then bytes 0 … 11.
 *
 * @param bytes - the frame (at least 16 bytes)
 * @returns the CRC
 * @throws DecodeError when the frame is shorter than the stamp
 */
export function frameStampCrc(bytes: Uint8Array): number {
  if (bytes.length < FRAME_STAMP_BYTES)
    throw decodeFieldError("stamp", `${FRAME_STAMP_BYTES} bytes`, `${bytes.length} bytes`, 0);
  return crc32.finish(
    crc32.update(crc32.update(crc32.init(), bytes, FRAME_STAMP_BYTES), bytes, 0, 12),
  );
}

/** Result of {@link checkFrameStamp}. */
export interface FrameStampCheck {
  /** The decoded stamp. */
  readonly stamp: FrameStamp;
  /** The CRC computed over the frame's bytes. */
  readonly computedCrc: number;
  /** The computed CRC equals the stamp's: no byte of the frame is corrupted (within CRC-32's power). */
  readonly intact: boolean;
}

/**
 * The check any receiver can make without the configuration: decode the stamp and recompute its
 * CRC over the frame. CRC-32 detects every error burst of up to 32 bits, so any wrong byte.
 *
 * @param bytes - one whole frame
 * @returns the stamp and whether the frame is intact
 * @throws DecodeError when there is no valid stamp (see {@link decodeFrameStamp})
 */
export function checkFrameStamp(bytes: Uint8Array): FrameStampCheck {
  const stamp = decodeFrameStamp(bytes);
  const computedCrc = frameStampCrc(bytes);
  return { stamp, computedCrc, intact: computedCrc === stamp.crc };
}

/** The frame is exactly the one expected. */
export interface FrameMatch {
  /** Always true. */
  readonly ok: true;
  /** Frame number. */
  readonly frame: number;
}

/** The frame has the wrong length. */
export interface FrameLengthMismatch {
  /** Always false. */
  readonly ok: false;
  /** Always `"length"`. */
  readonly reason: "length";
  /** `config.frameBytes`. */
  readonly expectedBytes: number;
  /** Length received. */
  readonly foundBytes: number;
}

/** Where a frame's bytes differ from the expected frame. */
export type FrameField =
  | "stamp.magic"
  | "stamp.frame"
  | "stamp.pattern"
  | "stamp.depth"
  | "stamp.version"
  | "stamp.reserved"
  | "stamp.crc"
  | "pixel";

/** A byte of the frame differs from the expected frame. */
export interface FrameContentMismatch {
  /** Always false. */
  readonly ok: false;
  /** Always `"content"`. */
  readonly reason: "content";
  /** Frame number compared against (the expected one, or the stamp's). */
  readonly frame: number;
  /** Byte offset of the first differing byte. */
  readonly offset: number;
  /** What the byte belongs to. */
  readonly field: FrameField;
  /** Column of the pixel holding that byte. */
  readonly x: number;
  /** Line of the pixel holding that byte. */
  readonly y: number;
  /** Expected value of the byte. */
  readonly expectedByte: number;
  /** Byte found. */
  readonly foundByte: number;
  /** Expected value of the whole pixel (little-endian, stamp bytes included as stored). */
  readonly expectedPixel: number;
  /** Pixel value found. */
  readonly foundPixel: number;
  /** The stamp's CRC matches the received bytes (false whenever the damage is detectable without the configuration). */
  readonly crcOk: boolean;
}

/** Result of {@link verifyFrame}. */
export type FrameVerdict = FrameMatch | FrameLengthMismatch | FrameContentMismatch;

const STAMP_FIELDS: readonly FrameField[] = [
  ...(Array(4).fill("stamp.magic") as FrameField[]),
  ...(Array(4).fill("stamp.frame") as FrameField[]),
  "stamp.pattern",
  "stamp.depth",
  "stamp.version",
  "stamp.reserved",
  ...(Array(4).fill("stamp.crc") as FrameField[]),
];

/** Index of the first byte where `a` and `b` differ in [from, to), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array, from: number, to: number): number {
  let i = from;
  if ((a.byteOffset & 3) === (b.byteOffset & 3)) {
    // Word compare over the 4-byte-aligned middle.
    while (i < to && ((a.byteOffset + i) & 3) !== 0) {
      if (a[i] !== b[i]) return i;
      i++;
    }
    const words = (to - i) >> 2;
    if (words > 0) {
      const wa = new Uint32Array(a.buffer, a.byteOffset + i, words);
      const wb = new Uint32Array(b.buffer, b.byteOffset + i, words);
      let w = 0;
      while (w < words && wa[w] === wb[w]) w++;
      i += w * 4;
    }
  }
  for (; i < to; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/**
 * Verifies a received frame bit-exactly against the frame the configuration produces.
 *
 * @param bytes - the received frame
 * @param config - the DIU configuration it was generated with
 * @param expectedFrame - the frame number expected; when omitted, the number in the stamp
 * @returns `{ ok: true, frame }`, or where it first differs: byte offset, stamp field or pixel
 *   (x, y), expected and found byte and pixel values, and whether the stamp's CRC alone catches it
 * @throws DiuConfigError when `expectedFrame` is not a frame number
 * @example
 * ```ts
 * const v = verifyFrame(received, config, 7);
 * if (!v.ok && v.reason === "content") console.log(v.offset, v.x, v.y, v.expectedPixel, v.foundPixel);
 * ```
 */
export function verifyFrame(
  bytes: Uint8Array,
  config: DiuConfig,
  expectedFrame?: number,
): FrameVerdict {
  if (bytes.length !== config.frameBytes)
    return {
      ok: false,
      reason: "length",
      expectedBytes: config.frameBytes,
      foundBytes: bytes.length,
    };
  if (expectedFrame !== undefined) checkFrameNumber(expectedFrame);
  const n = expectedFrame ?? new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4);
  const p = prepare(config);
  const template = p.template;
  if (template === undefined) {
    // frame-number: the whole expected frame depends on n.
    p.scratch ??= new Uint8Array(config.frameBytes);
    const expected = generateFrame(config, n, p.scratch);
    const at = firstDifference(expected, bytes, 0, config.frameBytes);
    return at < 0 ? { ok: true, frame: n } : mismatch(config, n, bytes, (i) => expected[i]!, at);
  }
  // The body is the template; only the stamp depends on n.
  const stamp = (p.stamp ??= new Uint8Array(FRAME_STAMP_BYTES));
  writeStamp(config, n, p.bodyState, stamp);
  const expectedAt = (i: number): number => (i < FRAME_STAMP_BYTES ? stamp[i]! : template[i]!);
  let at = firstDifference(stamp, bytes, 0, FRAME_STAMP_BYTES);
  if (at < 0) at = firstDifference(template, bytes, FRAME_STAMP_BYTES, config.frameBytes);
  return at < 0 ? { ok: true, frame: n } : mismatch(config, n, bytes, expectedAt, at);
}

function pixelAt(byteAt: (i: number) => number, o: number, bpp: number): number {
  let v = 0;
  for (let b = bpp - 1; b >= 0; b--) v = v * 256 + byteAt(o + b);
  return v;
}

function mismatch(
  c: DiuConfig,
  n: number,
  bytes: Uint8Array,
  expectedAt: (i: number) => number,
  at: number,
): FrameContentMismatch {
  const bpp = c.bytesPerPixel;
  const pixel = Math.floor(at / bpp);
  const foundAt = (i: number): number => bytes[i]!;
  return {
    ok: false,
    reason: "content",
    frame: n,
    offset: at,
    field: at < FRAME_STAMP_BYTES ? STAMP_FIELDS[at]! : "pixel",
    x: pixel % c.width,
    y: Math.floor(pixel / c.width),
    expectedByte: expectedAt(at),
    foundByte: bytes[at]!,
    expectedPixel: pixelAt(expectedAt, pixel * bpp, bpp),
    foundPixel: pixelAt(foundAt, pixel * bpp, bpp),
    crcOk: frameStampCrc(bytes) === new DataView(bytes.buffer, bytes.byteOffset).getUint32(12),
  };
}
