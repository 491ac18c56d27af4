/**
 * The frame side of the BGU data channels (SYSTEM.md §1 BGU: "each transfers detector data (full
 * images, regions of interest (ROI), metadata)"; controller map block `bgu`, register file
 * `channel`): which bytes of a frame in DDR each block of a channel carries, and gathering them.
 *
 * A channel's **window** is the whole frame (mode `image`) or the rectangle set by `roi-origin`
 * and `roi-size` (mode `roi`). Its blocks, in order, cover the window exactly:
 * - `image`: the frame is one contiguous run of `frameBytes`; block i is bytes
 *   [i · blockBytes, min((i + 1) · blockBytes, frameBytes)) — the last block may be shorter.
 * - `roi`: the block size is rounded down to whole ROI lines (`block-size` register doc), so
 *   block i holds ROI lines [i · L, min((i + 1) · L, roiHeight)) with L = ⌊blockBytes / roiLineBytes⌋;
 *   each line is `roiLineBytes` bytes taken every `pitch` = frame `lineBytes` bytes — the
 *   `lineBytes`/`pitch` of a BTD of kind `roi` (specs/rashpa/descriptors.yaml, format `btd`).
 *
 * Every block is described by a {@link BlockExtent}: `lines` runs of `lineBytes` bytes starting at
 * `offset` and every `pitch` bytes (an `image` block is one run). Extents are computed in closed
 * form from the block index ({@link blockExtent}); nothing is allocated per block.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import { EmulatorFieldError } from "./field-error.js";
import type { ChannelMode, ControllerRegisters } from "@rashpa/registers";

/** Largest number of blocks in one frame: the BTD `block` field is 16 bits (format `btd`). */
export const MAX_BLOCKS_PER_FRAME = 0x1_0000;
/** Largest ROI line in bytes: the BTD `lineBytes` field is 16 bits (format `btd`, case `roi`). */
export const MAX_ROI_LINE_BYTES = 0xffff;

/** The layout of a frame in DDR (a `DiuConfig` is one). */
export interface FrameLayout {
  /** Pixels per line. */
  readonly width: number;
  /** Lines per frame. */
  readonly height: number;
  /** Bytes per pixel. */
  readonly bytesPerPixel: number;
  /** Bytes per line, width × bytesPerPixel. */
  readonly lineBytes: number;
  /** Bytes per frame, lineBytes × height. */
  readonly frameBytes: number;
}

/** A rectangle of a frame in pixels (`roi-origin`, `roi-size`). */
export interface PixelWindow {
  /** First column. */
  readonly x: number;
  /** First line. */
  readonly y: number;
  /** Columns. */
  readonly width: number;
  /** Lines. */
  readonly height: number;
}

/** How a channel cuts each frame into blocks (closed form; see the module comment). */
export interface BlockPlan {
  /** `image` (the whole frame, contiguous) or `roi` (a rectangle, line by line). */
  readonly mode: Extract<ChannelMode, "image" | "roi">;
  /** Blocks per frame (1 … 65536). */
  readonly count: number;
  /** Bytes of every block but possibly the last: the block size, in `roi` mode rounded down to whole lines. */
  readonly blockBytes: number;
  /** Lines per full block (`roi`); 1 in `image` mode. */
  readonly linesPerBlock: number;
  /** Bytes of one window line (`roi`: ROI width × bytes per pixel; `image`: the frame size). */
  readonly lineBytes: number;
  /** Bytes between the starts of consecutive window lines in the frame (the frame's line length). */
  readonly pitch: number;
  /** Byte offset in the frame of the window's first byte. */
  readonly windowOffset: number;
  /** Lines of the window (`image`: 1). */
  readonly windowLines: number;
  /** Bytes the window holds, the sum of all block lengths. */
  readonly windowBytes: number;
}

/** The source bytes of one block: `lines` runs of `lineBytes` bytes at `offset + j · pitch`. */
export interface BlockExtent {
  /** Byte offset in the frame of the block's first byte. */
  offset: number;
  /** Bytes of the block, lines × lineBytes (the BTD `size`). */
  length: number;
  /** Runs (lines) in the block. */
  lines: number;
  /** Bytes per run. */
  lineBytes: number;
  /** Bytes between the starts of consecutive runs in the frame. */
  pitch: number;
  /** Byte offset of the block in the gathered window (what the receiver sees). */
  destOffset: number;
}

/**
 * A channel's window or block size is impossible: `path` names the register field (e.g.
 * `bgu.channel[1].roi-size.width`); the message is `"<field>" expected X, got Y`.
 */
export class BlockPlanError extends EmulatorFieldError {
  /** Always `"BlockPlanError"`. */
  override readonly name = "BlockPlanError";
}

/** Options of {@link planBlocks}. */
export interface BlockPlanOptions {
  /** Data channel (0 … 15), used to name register fields in errors (default 0). */
  readonly channel?: number;
}

/**
 * Plans how a channel cuts every frame into blocks.
 *
 * @param layout - the frame layout (a `DiuConfig`)
 * @param window - the ROI (mode `roi`), or `undefined` for the whole frame (mode `image`)
 * @param blockSize - the channel's `block-size.bytes`, 1 … 2³² − 1
 * @param options - channel number for error messages
 * @returns the plan; {@link blockExtent} gives block i
 * @throws BlockPlanError when the ROI is empty or leaves the frame, an ROI line exceeds the BTD's
 *   16-bit `lineBytes`, the block size is below one ROI line, or a frame would need more than
 *   65536 blocks
 * @example
 * ```ts
 * const plan = planBlocks(config, { x: 64, y: 64, width: 128, height: 128 }, 65536);
 * const e = blockExtent(plan, 0);
 * ```
 */
export function planBlocks(
  layout: FrameLayout,
  window: PixelWindow | undefined,
  blockSize: number,
  options: BlockPlanOptions = {},
): BlockPlan {
  const ch = `bgu.channel[${options.channel ?? 0}]`;
  if (!Number.isSafeInteger(blockSize) || blockSize < 1 || blockSize > 0xffff_ffff)
    throw new BlockPlanError(`${ch}.block-size.bytes`, "1..4294967295", describeValue(blockSize));
  const minBlock = (bytes: number, unit: number): number =>
    Math.ceil(bytes / MAX_BLOCKS_PER_FRAME / unit) * unit;
  if (window === undefined) {
    const count = Math.ceil(layout.frameBytes / blockSize);
    if (count > MAX_BLOCKS_PER_FRAME)
      throw new BlockPlanError(
        `${ch}.block-size.bytes`,
        `at least ${minBlock(layout.frameBytes, 1)} (at most ${MAX_BLOCKS_PER_FRAME} blocks of a ${layout.frameBytes}-byte frame)`,
        describeValue(blockSize),
      );
    return Object.freeze({
      mode: "image",
      count,
      blockBytes: blockSize,
      linesPerBlock: 1,
      lineBytes: layout.frameBytes,
      pitch: layout.frameBytes,
      windowOffset: 0,
      windowLines: 1,
      windowBytes: layout.frameBytes,
    });
  }
  checkWindow(layout, window, ch);
  const lineBytes = window.width * layout.bytesPerPixel;
  if (lineBytes > MAX_ROI_LINE_BYTES)
    throw new BlockPlanError(
      `${ch}.roi-size.width`,
      `at most ${Math.floor(MAX_ROI_LINE_BYTES / layout.bytesPerPixel)} pixels (the 16-bit BTD lineBytes)`,
      describeValue(window.width),
    );
  const linesPerBlock = Math.floor(blockSize / lineBytes);
  if (linesPerBlock < 1)
    throw new BlockPlanError(
      `${ch}.block-size.bytes`,
      `at least one ROI line (${lineBytes} bytes)`,
      describeValue(blockSize),
    );
  const count = Math.ceil(window.height / linesPerBlock);
  if (count > MAX_BLOCKS_PER_FRAME)
    throw new BlockPlanError(
      `${ch}.block-size.bytes`,
      `at least ${minBlock(window.height * lineBytes, lineBytes)} (at most ${MAX_BLOCKS_PER_FRAME} blocks of whole ROI lines)`,
      describeValue(blockSize),
    );
  return Object.freeze({
    mode: "roi",
    count,
    blockBytes: linesPerBlock * lineBytes,
    linesPerBlock,
    lineBytes,
    pitch: layout.lineBytes,
    windowOffset: window.y * layout.lineBytes + window.x * layout.bytesPerPixel,
    windowLines: window.height,
    windowBytes: window.height * lineBytes,
  });
}

function checkWindow(layout: FrameLayout, w: PixelWindow, ch: string): void {
  const dims: [string, number, number][] = [
    ["roi-size.width", w.width, layout.width],
    ["roi-size.height", w.height, layout.height],
  ];
  for (const [name, v, max] of dims)
    if (!Number.isSafeInteger(v) || v < 1 || v > max)
      throw new BlockPlanError(`${ch}.${name}`, `1..${max}`, describeValue(v));
  const origins: [string, number, number][] = [
    ["roi-origin.x", w.x, layout.width - w.width],
    ["roi-origin.y", w.y, layout.height - w.height],
  ];
  for (const [name, v, max] of origins)
    if (!Number.isSafeInteger(v) || v < 0 || v > max)
      throw new BlockPlanError(
        `${ch}.${name}`,
        `0..${max} (the ROI must lie inside the ${layout.width} × ${layout.height} frame)`,
        describeValue(v),
      );
}

/**
 * The source extent of block `i` of a plan, in closed form.
 *
 * @param plan - the plan from {@link planBlocks}
 * @param i - block index, 0 … plan.count − 1
 * @param out - an extent object to overwrite (so a loop over blocks allocates nothing)
 * @returns `out` (or a new extent)
 * @throws RangeError when `i` is not a block index
 */
export function blockExtent(plan: BlockPlan, i: number, out?: BlockExtent): BlockExtent {
  if (!Number.isInteger(i) || i < 0 || i >= plan.count)
    throw new RangeError(`block index expected 0..${plan.count - 1}, got ${String(i)}`);
  const e = out ?? { offset: 0, length: 0, lines: 0, lineBytes: 0, pitch: 0, destOffset: 0 };
  e.pitch = plan.pitch;
  e.destOffset = i * plan.blockBytes;
  if (plan.mode === "image") {
    e.offset = e.destOffset;
    e.length = Math.min(plan.blockBytes, plan.windowBytes - e.offset);
    e.lines = 1;
    e.lineBytes = e.length;
  } else {
    const first = i * plan.linesPerBlock;
    e.lines = Math.min(plan.linesPerBlock, plan.windowLines - first);
    e.lineBytes = plan.lineBytes;
    e.length = e.lines * plan.lineBytes;
    e.offset = plan.windowOffset + first * plan.pitch;
  }
  return e;
}

/**
 * Copies the bytes of one block out of a frame (line by line, see `copyLines`).
 *
 * @param frame - the whole frame (e.g. a DDR slot view)
 * @param extent - the block's extent from {@link blockExtent}
 * @param dest - where to write
 * @param destOffset - byte offset in `dest` (default 0)
 * @returns the number of bytes written (`extent.length`)
 * @throws RangeError when the extent leaves `frame` or `dest` is too short
 */
export function gatherBlock(
  frame: Uint8Array,
  extent: BlockExtent,
  dest: Uint8Array,
  destOffset = 0,
): number {
  const { offset, lines, lineBytes, pitch } = extent;
  if (lines > 0 && offset + (lines - 1) * pitch + lineBytes > frame.length)
    throw new RangeError(`block extent ends past the ${frame.length}-byte frame`);
  if (lines > 0 && destOffset + lines * lineBytes > dest.length)
    throw new RangeError(
      `block of ${extent.length} bytes does not fit at ${destOffset} in ${dest.length}`,
    );
  copyLines(frame, offset, pitch, dest, destOffset, lineBytes, lines);
  return extent.length;
}

/** Lines at least this long are copied with `set`; shorter ones byte by byte (measured: the view `set` needs costs more than a loop over a few bytes). */
const SET_MIN_LINE = 16;

/**
 * Copies `lines` runs of `lineBytes` bytes, `pitch` apart from `from` in `src`, packed from `at`
 * in `dest`. When both lie in one buffer (the DDR and its gather area, `Ddr.gatherArea`), each
 * line is one `copyWithin` over the whole buffer: no view per line, about twice as fast.
 */
function copyLines(
  src: Uint8Array,
  from: number,
  pitch: number,
  dest: Uint8Array,
  at: number,
  lineBytes: number,
  lines: number,
): void {
  if (lineBytes >= SET_MIN_LINE && lines > 1 && dest.buffer === src.buffer) {
    const all = new Uint8Array(src.buffer);
    for (
      let j = 0, s = src.byteOffset + from, d = dest.byteOffset + at;
      j < lines;
      j++, s += pitch, d += lineBytes
    )
      all.copyWithin(d, s, s + lineBytes);
  } else if (lineBytes >= SET_MIN_LINE)
    for (let j = 0, s = from, d = at; j < lines; j++, s += pitch, d += lineBytes)
      dest.set(src.subarray(s, s + lineBytes), d);
  else
    for (let j = 0, s = from, d = at; j < lines; j++, s += pitch - lineBytes)
      for (let k = 0; k < lineBytes; k++) dest[d++] = src[s++]!;
}

/**
 * Copies a rectangle of a frame into `dest`, its lines packed one after the other.
 *
 * @param frame - the whole frame
 * @param layout - its layout
 * @param window - the rectangle, inside the frame
 * @param dest - where to write: at least window.width × window.height × bytesPerPixel bytes from destOffset
 * @param destOffset - byte offset in `dest` (default 0)
 * @returns the number of bytes written
 * @throws BlockPlanError when the window does not lie inside the frame
 * @throws RangeError when `frame` is shorter than the layout says or `dest` is too short
 */
export function gatherRoi(
  frame: Uint8Array,
  layout: FrameLayout,
  window: PixelWindow,
  dest: Uint8Array,
  destOffset = 0,
): number {
  checkWindow(layout, window, "roi");
  if (frame.length < layout.frameBytes)
    throw new RangeError(`frame expected ${layout.frameBytes} bytes, got ${frame.length}`);
  return gatherBlock(
    frame,
    {
      offset: window.y * layout.lineBytes + window.x * layout.bytesPerPixel,
      length: window.height * window.width * layout.bytesPerPixel,
      lines: window.height,
      lineBytes: window.width * layout.bytesPerPixel,
      pitch: layout.lineBytes,
      destOffset: 0,
    },
    dest,
    destOffset,
  );
}

/**
 * Reads a data channel's window and block size from the controller map (`bgu.channel[n]`:
 * `control.mode`, `roi-origin`, `roi-size`, `block-size`) through the hardware-side accessors
 * and plans its blocks.
 *
 * @param regs - the controller map bound to the hardware side of its register file
 * @param channel - data channel, 0 … 15
 * @param layout - the frame layout (the DIU configuration)
 * @returns the channel's plan
 * @throws BlockPlanError as {@link planBlocks}, and for mode `metadata`, which carries no frame
 *   window (its blocks are the metadata prepared in DDR)
 * @throws RangeError when `channel` is not 0 … 15
 */
export function channelPlanFromRegisters(
  regs: ControllerRegisters<"hardware">,
  channel: number,
  layout: FrameLayout,
): BlockPlan {
  const c = regs.bgu.channel[channel];
  if (c === undefined || !Number.isInteger(channel))
    throw new RangeError(
      `channel expected 0..${regs.bgu.channel.length - 1}, got ${String(channel)}`,
    );
  const { mode } = c.control.readFields();
  const blockSize = c.blockSize.readFields().bytes;
  if (mode === "image") return planBlocks(layout, undefined, blockSize, { channel });
  if (mode === "roi") {
    const origin = c.roiOrigin.readFields();
    const size = c.roiSize.readFields();
    return planBlocks(
      layout,
      { x: origin.x, y: origin.y, width: size.width, height: size.height },
      blockSize,
      { channel },
    );
  }
  throw new BlockPlanError(
    `bgu.channel[${channel}].control.mode`,
    "image or roi (a frame window)",
    describeValue(mode),
  );
}
