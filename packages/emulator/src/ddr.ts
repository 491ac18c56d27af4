/**
 * The on-board DDR of the detector module (SYSTEM.md §1: the DIU "stores [image data] in on-board
 * DDR3"; the BGU descriptors name the "source address in DDR"), emulated as one `ArrayBuffer`
 * holding the DIU's ring of frame slots (controller map block `diu`: "frame f is stored in slot
 * f mod slots, at ring base + slot × frame-bytes").
 *
 * The DIU allocates the slot of each new frame, the data channels read it through views
 * (`subarray`, no copy) and release it once every channel has sent it. A frame whose slot still
 * holds a frame not yet released must not overwrite it: {@link Ddr.allocateFrame} throws a
 * {@link DdrOverrunError} and {@link Ddr.tryAllocateFrame} counts the drop — the DIU's
 * `frames-dropped` and `irq-raw.diuOverrun`, so loss is visible (rashpa-anchors.md §10, request 2).
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import { EmulatorFieldError } from "./field-error.js";

/** The ring geometry a {@link Ddr} needs (a `DiuConfig` is one). */
export interface DdrRing {
  /** DDR size in bytes. */
  readonly ddrBytes: number;
  /** DDR address of slot 0. */
  readonly ringBase: number;
  /** Frame slots. */
  readonly ringSlots: number;
  /** Bytes per slot (one frame). */
  readonly frameBytes: number;
}

/** Fill-level statistics of a {@link Ddr}. */
export interface DdrStats {
  /** Slots holding a frame not yet released. */
  readonly level: number;
  /** Highest level seen since construction or {@link Ddr.reset}. */
  readonly peakLevel: number;
  /** Bytes held, level × frame bytes. */
  readonly levelBytes: number;
  /** Frames allocated. */
  readonly allocated: number;
  /** Frames released. */
  readonly released: number;
  /** Frames refused because their slot was still held (overruns). */
  readonly overruns: number;
}

/**
 * A frame arrived while its DDR slot still held a frame not yet transferred; `frame`, `slot` and
 * `heldFrame` say which. Message: `"ddr.slot[s]" expected free for frame F, got frame H not yet released`.
 */
export class DdrOverrunError extends EmulatorFieldError {
  /** Always `"DdrOverrunError"`. */
  override readonly name = "DdrOverrunError";
  /** The frame that could not be stored. */
  readonly frame: number;
  /** Its slot. */
  readonly slot: number;
  /** The frame the slot still holds. */
  readonly heldFrame: number;

  /**
   * @param frame - the arriving frame
   * @param slot - its slot
   * @param heldFrame - the frame still in the slot
   */
  constructor(frame: number, slot: number, heldFrame: number) {
    super(`ddr.slot[${slot}]`, `free for frame ${frame}`, `frame ${heldFrame} not yet released`);
    this.frame = frame;
    this.slot = slot;
    this.heldFrame = heldFrame;
  }
}

/**
 * A DDR access is wrong: releasing or viewing a frame the DDR does not hold, a view outside the
 * DDR, a ring that does not fit. Message: `"<what>" expected X, got Y`.
 */
export class DdrAccessError extends EmulatorFieldError {
  /** Always `"DdrAccessError"`. */
  override readonly name = "DdrAccessError";
}

const EMPTY = -1;

/**
 * Bytes of the BSU's gather buffer kept beside the DDR's bytes (see {@link Ddr.gatherArea}):
 * enough for a block of ROI lines at the default 64 KiB block size.
 */
export const GATHER_AREA_BYTES = 65536;

/**
 * The emulated DDR: one `ArrayBuffer` of `ddrBytes`, a ring of `ringSlots` frame slots of
 * `frameBytes` from `ringBase`, and which frame each slot holds.
 *
 * @example
 * ```ts
 * const ddr = new Ddr(config);
 * generateFrame(config, 0, ddr.allocateFrame(0));
 * dma(ddr.view(ddr.frameAddress(0), config.frameBytes));
 * ddr.release(0);
 * ```
 */
export class Ddr {
  /**
   * The DDR's bytes from address 0 to the end of the frame ring (what the DIU writes); the rest
   * of the DDR, up to {@link Ddr.size}, is never written and reads as zeros.
   */
  readonly bytes: Uint8Array;
  /** DDR size in bytes (`ddrBytes`). */
  readonly size: number;
  /** DDR address of slot 0. */
  readonly ringBase: number;
  /** Frame slots. */
  readonly slots: number;
  /** Bytes per slot. */
  readonly slotBytes: number;
  /** Frame held by each slot, or -1. */
  readonly #held: Float64Array;
  /** The gather area: in the DDR's `ArrayBuffer`, after {@link Ddr.bytes}. */
  readonly #gather: Uint8Array;
  /** A gather buffer for blocks larger than the gather area. */
  #gatherSpill = new Uint8Array(0);
  #level = 0;
  #peak = 0;
  #allocated = 0;
  #released = 0;
  #overruns = 0;

  /**
   * @param ring - DDR size and ring geometry (a `DiuConfig`)
   * @throws DdrAccessError when the ring does not fit in the DDR
   */
  constructor(ring: DdrRing) {
    const { ddrBytes, ringBase, ringSlots, frameBytes } = ring;
    const end = ringBase + ringSlots * frameBytes;
    if (
      ![ddrBytes, ringBase, ringSlots, frameBytes].every(
        (v) => Number.isSafeInteger(v) && v >= 0,
      ) ||
      ringSlots < 1 ||
      frameBytes < 1 ||
      end > ddrBytes
    )
      throw new DdrAccessError(
        "ddr.ring",
        `1 or more slots of 1 or more bytes inside ${describeValue(ddrBytes)} bytes of DDR`,
        `${describeValue(ringSlots)} slots of ${describeValue(frameBytes)} bytes from ${describeValue(ringBase)}`,
      );
    // Only the DIU writes the DDR, and only into the ring: the bytes above the ring's end are
    // never written, so they are not held (a DDR of 256 MiB costs the ring's bytes).
    const buffer = new ArrayBuffer(end + GATHER_AREA_BYTES);
    this.bytes = new Uint8Array(buffer, 0, end);
    this.#gather = new Uint8Array(buffer, end, GATHER_AREA_BYTES);
    this.size = ddrBytes;
    this.ringBase = ringBase;
    this.slots = ringSlots;
    this.slotBytes = frameBytes;
    this.#held = new Float64Array(ringSlots).fill(EMPTY);
  }

  /**
   * A buffer of `length` bytes to gather a block into (the BSU's block RAM, reused from block
   * to block: one block moves at a time). Up to {@link GATHER_AREA_BYTES} it lies in the same
   * `ArrayBuffer` as {@link Ddr.bytes}, so lines are gathered with `copyWithin` and no view
   * per line (`gatherBlock`); a longer block gets a buffer of its own.
   *
   * @param length - bytes needed
   * @returns a view of `length` bytes, overwritten by the next call
   */
  gatherArea(length: number): Uint8Array {
    if (length <= this.#gather.length) return this.#gather.subarray(0, length);
    if (this.#gatherSpill.length < length) this.#gatherSpill = new Uint8Array(length);
    return this.#gatherSpill.subarray(0, length);
  }

  /**
   * Slot of frame `frame`: frame mod slots.
   *
   * @param frame - frame number (a non-negative integer)
   * @returns the slot index
   */
  slotOf(frame: number): number {
    return frame % this.slots;
  }

  /**
   * DDR address of a frame's slot: ring base + slot × frame bytes (the BTD `source` of its first block).
   *
   * @param frame - frame number
   * @returns the byte address
   */
  frameAddress(frame: number): number {
    return this.ringBase + this.slotOf(frame) * this.slotBytes;
  }

  #checkFrame(frame: number): void {
    if (!Number.isSafeInteger(frame) || frame < 0)
      throw new DdrAccessError("ddr.frame", "a non-negative integer", describeValue(frame));
  }

  #slotView(slot: number): Uint8Array {
    const at = this.ringBase + slot * this.slotBytes;
    return this.bytes.subarray(at, at + this.slotBytes);
  }

  /**
   * Takes the slot of frame `frame` and returns it for the DIU to write.
   *
   * @param frame - the arriving frame
   * @returns a view of its slot (frameBytes bytes)
   * @throws DdrOverrunError when the slot still holds a frame not yet released (the DIU must
   *   not overwrite it; the overrun is counted)
   * @throws DdrAccessError when `frame` is not a frame number
   */
  allocateFrame(frame: number): Uint8Array {
    const view = this.tryAllocateFrame(frame);
    if (view === undefined) {
      const slot = this.slotOf(frame);
      throw new DdrOverrunError(frame, slot, this.#held[slot]!);
    }
    return view;
  }

  /**
   * As {@link Ddr.allocateFrame}, but an overrun returns `undefined` (and is counted) instead of
   * throwing: the DIU drops the frame.
   *
   * @param frame - the arriving frame
   * @returns a view of its slot, or `undefined` when the slot is still held
   * @throws DdrAccessError when `frame` is not a frame number
   */
  tryAllocateFrame(frame: number): Uint8Array | undefined {
    this.#checkFrame(frame);
    const slot = this.slotOf(frame);
    if (this.#held[slot] !== EMPTY) {
      this.#overruns++;
      return undefined;
    }
    this.#held[slot] = frame;
    this.#allocated++;
    if (++this.#level > this.#peak) this.#peak = this.#level;
    return this.#slotView(slot);
  }

  /**
   * Whether the DDR holds frame `frame` (allocated, not yet released).
   *
   * @param frame - frame number
   * @returns true when its slot holds it
   */
  holds(frame: number): boolean {
    return Number.isSafeInteger(frame) && frame >= 0 && this.#held[this.slotOf(frame)] === frame;
  }

  /**
   * A view of a held frame (for the data channels).
   *
   * @param frame - frame number
   * @returns its slot (frameBytes bytes, shared with the DDR)
   * @throws DdrAccessError when the DDR does not hold the frame
   */
  frameView(frame: number): Uint8Array {
    this.#requireHeld(frame);
    return this.#slotView(this.slotOf(frame));
  }

  #requireHeld(frame: number): void {
    this.#checkFrame(frame);
    const held = this.#held[this.slotOf(frame)]!;
    if (held !== frame)
      throw new DdrAccessError(
        `ddr.slot[${this.slotOf(frame)}]`,
        `to hold frame ${frame}`,
        held === EMPTY ? "an empty slot" : `frame ${held}`,
      );
  }

  /**
   * Frees the slot of a frame every channel has sent.
   *
   * @param frame - frame number
   * @throws DdrAccessError when the DDR does not hold the frame (never allocated, already
   *   released, or its slot holds another frame)
   */
  release(frame: number): void {
    this.#requireHeld(frame);
    this.#held[this.slotOf(frame)] = EMPTY;
    this.#level--;
    this.#released++;
  }

  /**
   * A view of any DDR range, for the DMA engine (no copy).
   *
   * @param address - DDR byte address
   * @param length - bytes
   * @returns `bytes.subarray(address, address + length)`; for a range reaching above the ring
   *   (never written), a copy with zeros there
   * @throws DdrAccessError when the range leaves the DDR
   */
  view(address: number, length: number): Uint8Array {
    if (
      !Number.isSafeInteger(address) ||
      !Number.isSafeInteger(length) ||
      address < 0 ||
      length < 0 ||
      address + length > this.size
    )
      throw new DdrAccessError(
        "ddr.view",
        `a range inside 0..${this.size}`,
        `${describeValue(length)} bytes at ${describeValue(address)}`,
      );
    if (address + length <= this.bytes.length)
      return this.bytes.subarray(address, address + length);
    const out = new Uint8Array(length);
    if (address < this.bytes.length) out.set(this.bytes.subarray(address));
    return out;
  }

  /** Fill level and counters. */
  get stats(): DdrStats {
    return {
      level: this.#level,
      peakLevel: this.#peak,
      levelBytes: this.#level * this.slotBytes,
      allocated: this.#allocated,
      released: this.#released,
      overruns: this.#overruns,
    };
  }

  /** Frees every slot and clears the counters; the DDR contents stay. */
  reset(): void {
    this.#held.fill(EMPTY);
    this.#level = this.#peak = this.#allocated = this.#released = this.#overruns = 0;
  }
}
