/**
 * The physical memory allocator of librashpa: it hands out physically contiguous, aligned
 * blocks of one receiver's memory arena (the pinned region whose bus addresses the controller
 * writes to). RDMA works with physical addresses, so this is the layer under the virtual
 * allocator (docs/system.md "RASHPA", librashpa memory management: "a virtual memory
 * allocator on top of an internally managed physical memory allocator").
 *
 * Free space is a list of blocks sorted by offset; freeing merges a block with its free
 * neighbours, so freeing everything always gives back one block. Handles carry a generation,
 * so a freed handle is recognised when it is freed again or used.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import {
  AllocatorArgumentError,
  DoubleFreeError,
  ForeignHandleError,
  OutOfMemoryError,
  UseAfterFreeError,
} from "./errors.js";

/** Placement policy of a {@link PhysicalAllocator}. */
export type FitPolicy = "first" | "best";

/** Options of a {@link PhysicalAllocator}. */
export interface PhysicalAllocatorOptions {
  /** Name of the arena, for messages (e.g. the receiver's name). */
  readonly name?: string;
  /** Bus address of byte 0 of the arena (must be a multiple of `pageSize`). */
  readonly base: bigint;
  /** Size of the arena in bytes (a positive safe integer). */
  readonly size: number;
  /**
   * Granule and minimum alignment: every block starts on a multiple of it and its size is
   * rounded up to a multiple of it. A power of two.
   *
   * @defaultValue 4096 (one page)
   */
  readonly pageSize?: number;
  /**
   * `"first"`: the lowest free block that fits; `"best"`: the fitting block that leaves the
   * least unused space (ties to the lowest).
   *
   * @defaultValue `"first"`
   */
  readonly fit?: FitPolicy;
}

/** Options of {@link PhysicalAllocator.allocate}. */
export interface AllocateOptions {
  /** Alignment of the block's bus address, a power of two; at least the page size is used. */
  readonly align?: number;
}

/** A block given out by a {@link PhysicalAllocator}. Immutable; give it back to `free`. */
export interface PhysicalBlock {
  /** Bus address of the first byte. */
  readonly address: bigint;
  /** Offset of the first byte in the arena. */
  readonly offset: number;
  /** Size in bytes (the request rounded up to the page size). */
  readonly size: number;
  /** Slot of the allocator's handle table. */
  readonly slot: number;
  /** Generation of the slot when the block was given out. */
  readonly generation: number;
}

/** A free region of an arena. */
export interface FreeRegion {
  /** Offset in the arena. */
  readonly offset: number;
  /** Size in bytes. */
  readonly size: number;
}

/** Occupation of an arena. */
export interface ArenaStats {
  /** Arena size. */
  readonly size: number;
  /** Bytes in live blocks. */
  readonly used: number;
  /** Bytes free. */
  readonly free: number;
  /** Live blocks. */
  readonly blocks: number;
  /** Free regions (1 for an empty arena). */
  readonly freeRegions: number;
  /** The largest free region in bytes. */
  readonly largestFree: number;
  /**
   * External fragmentation, 1 − largestFree / free: 0 when the free space is one region (or
   * none), towards 1 as it scatters into small pieces.
   */
  readonly fragmentation: number;
}

interface Slot {
  generation: number;
  live: boolean;
  offset: number;
  size: number;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/**
 * A first-fit or best-fit allocator with coalescing over one receiver's memory arena.
 *
 * @example
 * ```ts
 * const arena = new PhysicalAllocator({ name: "detector-pc", base: 0x1_0000_0000n, size: 4 << 20 });
 * const block = arena.allocate(512 * 512 * 2, { align: 1 << 16 });
 * arena.free(block);
 * ```
 */
export class PhysicalAllocator {
  /** Name of the arena. */
  readonly name: string;
  /** Bus address of byte 0. */
  readonly base: bigint;
  /** Arena size in bytes. */
  readonly size: number;
  /** Granule and minimum alignment. */
  readonly pageSize: number;
  /** Placement policy. */
  readonly fit: FitPolicy;
  readonly #free: { offset: number; size: number }[];
  readonly #slots: Slot[] = [];
  readonly #spare: number[] = [];
  #used = 0;
  #blocks = 0;

  /**
   * @param options - arena, page size, policy
   * @throws AllocatorArgumentError for a size that is not a positive safe integer multiple of
   *   the page size, a page size that is not a power of two, or a misaligned base
   */
  constructor(options: PhysicalAllocatorOptions) {
    this.name = options.name ?? "arena";
    this.pageSize = options.pageSize ?? 4096;
    this.fit = options.fit ?? "first";
    this.base = options.base;
    this.size = options.size;
    if (!isPowerOfTwo(this.pageSize))
      throw new AllocatorArgumentError(
        `${this.name}.pageSize`,
        "a power of two",
        describeValue(this.pageSize),
      );
    if (!Number.isSafeInteger(this.size) || this.size <= 0 || this.size % this.pageSize !== 0)
      throw new AllocatorArgumentError(
        `${this.name}.size`,
        `a positive multiple of the page size ${this.pageSize}`,
        describeValue(this.size),
      );
    if (this.base < 0n || this.base % BigInt(this.pageSize) !== 0n)
      throw new AllocatorArgumentError(
        `${this.name}.base`,
        `a non-negative multiple of the page size ${this.pageSize}`,
        `0x${this.base.toString(16)}`,
      );
    this.#free = [{ offset: 0, size: this.size }];
  }

  /**
   * Allocates a physically contiguous block.
   *
   * @param size - bytes, a positive safe integer; rounded up to the page size
   * @param options - alignment of the bus address (a power of two; at least the page size)
   * @returns the block
   * @throws OutOfMemoryError naming the largest free block when no free block fits
   * @throws AllocatorArgumentError for a size or alignment that is not valid
   */
  allocate(size: number, options: AllocateOptions = {}): PhysicalBlock {
    const { bytes, align } = this.#request(size, options.align);
    const index = this.#choose(bytes, align);
    if (index < 0) {
      const s = this.stats();
      throw new OutOfMemoryError(this.name, bytes, align, s.largestFree, s.free);
    }
    const region = this.#free[index]!;
    const start = this.#alignUp(region.offset, align);
    const before = { offset: region.offset, size: start - region.offset };
    const after = { offset: start + bytes, size: region.offset + region.size - start - bytes };
    const pieces = [before, after].filter((r) => r.size > 0);
    this.#free.splice(index, 1, ...pieces);
    return this.#issue(start, bytes);
  }

  /**
   * Gives a block back; it merges with its free neighbours.
   *
   * @param block - a block from {@link PhysicalAllocator.allocate}
   * @throws DoubleFreeError when the block was already freed
   * @throws ForeignHandleError when this allocator never gave it out
   */
  free(block: PhysicalBlock): void {
    const slot = this.#lookup(block, "free");
    if (!slot.live || slot.generation !== block.generation)
      throw new DoubleFreeError(
        `${this.name}.free`,
        `a live block (slot ${block.slot} is at generation ${slot.generation}${slot.live ? "" : ", free"})`,
        `block at offset ${block.offset} of generation ${block.generation}, already freed`,
      );
    slot.live = false;
    slot.generation++;
    this.#spare.push(block.slot);
    this.#used -= slot.size;
    this.#blocks--;
    this.#insertFree(slot.offset, slot.size);
  }

  /**
   * Checks that a block is live and returns its bus address (what a user of the memory does
   * before touching it).
   *
   * @param block - the block
   * @returns its bus address
   * @throws UseAfterFreeError when the block was freed
   * @throws ForeignHandleError when this allocator never gave it out
   */
  resolve(block: PhysicalBlock): bigint {
    const slot = this.#lookup(block, "resolve");
    if (!slot.live || slot.generation !== block.generation)
      throw new UseAfterFreeError(
        `${this.name}.resolve`,
        `a live block (slot ${block.slot} is at generation ${slot.generation})`,
        `block at offset ${block.offset} of generation ${block.generation}, freed`,
      );
    return this.base + BigInt(slot.offset);
  }

  /** @returns whether the block is live (given out and not freed) */
  isLive(block: PhysicalBlock): boolean {
    const slot = this.#slots[block.slot];
    return (
      slot !== undefined &&
      slot.live &&
      slot.generation === block.generation &&
      slot.offset === block.offset
    );
  }

  /** @returns the free regions, sorted by offset, never adjacent */
  freeRegions(): readonly FreeRegion[] {
    return this.#free.map((r) => ({ offset: r.offset, size: r.size }));
  }

  /**
   * The largest block {@link PhysicalAllocator.allocate} could give with this alignment now.
   *
   * @param align - alignment (a power of two; at least the page size is used)
   * @returns bytes, a multiple of the page size (0 when nothing is free)
   */
  largestAllocatable(align: number = this.pageSize): number {
    const a = this.#request(this.pageSize, align).align;
    let best = 0;
    for (const r of this.#free) {
      const start = this.#alignUp(r.offset, a);
      best = Math.max(best, r.offset + r.size - start);
    }
    return best;
  }

  /** @returns the occupation of the arena */
  stats(): ArenaStats {
    let largest = 0;
    for (const r of this.#free) largest = Math.max(largest, r.size);
    const free = this.size - this.#used;
    return {
      size: this.size,
      used: this.#used,
      free,
      blocks: this.#blocks,
      freeRegions: this.#free.length,
      largestFree: largest,
      fragmentation: free === 0 ? 0 : 1 - largest / free,
    };
  }

  #request(size: number, align: number | undefined): { bytes: number; align: number } {
    if (!Number.isSafeInteger(size) || size <= 0)
      throw new AllocatorArgumentError(
        `${this.name}.allocate.size`,
        "a positive safe integer",
        describeValue(size),
      );
    const a = align ?? this.pageSize;
    if (!isPowerOfTwo(a))
      throw new AllocatorArgumentError(
        `${this.name}.allocate.align`,
        "a power of two",
        describeValue(a),
      );
    const bytes = Math.ceil(size / this.pageSize) * this.pageSize;
    return { bytes, align: Math.max(a, this.pageSize) };
  }

  /** Offset rounded up so that base + offset is a multiple of align. */
  #alignUp(offset: number, align: number): number {
    const address = this.base + BigInt(offset);
    const mis = Number(address % BigInt(align));
    return mis === 0 ? offset : offset + (align - mis);
  }

  #choose(bytes: number, align: number): number {
    let chosen = -1;
    let leftover = Infinity;
    for (let i = 0; i < this.#free.length; i++) {
      const r = this.#free[i]!;
      const start = this.#alignUp(r.offset, align);
      const spare = r.offset + r.size - start - bytes;
      if (spare < 0) continue;
      if (this.fit === "first") return i;
      if (spare < leftover) {
        leftover = spare;
        chosen = i;
      }
    }
    return chosen;
  }

  #issue(offset: number, size: number): PhysicalBlock {
    let index = this.#spare.pop();
    if (index === undefined) {
      index = this.#slots.length;
      this.#slots.push({ generation: 0, live: false, offset: 0, size: 0 });
    }
    const slot = this.#slots[index]!;
    slot.live = true;
    slot.offset = offset;
    slot.size = size;
    this.#used += size;
    this.#blocks++;
    return Object.freeze({
      address: this.base + BigInt(offset),
      offset,
      size,
      slot: index,
      generation: slot.generation,
    });
  }

  #lookup(block: PhysicalBlock, op: string): Slot {
    const slot = this.#slots[block.slot];
    if (
      slot === undefined ||
      block.generation > slot.generation ||
      (block.generation === slot.generation && slot.live && slot.offset !== block.offset) ||
      block.address !== this.base + BigInt(block.offset)
    )
      throw new ForeignHandleError(
        `${this.name}.${op}`,
        `a block of arena ${this.name} (base 0x${this.base.toString(16)})`,
        `slot ${String(block.slot)} generation ${String(block.generation)} at 0x${block.address.toString(16)}`,
      );
    return slot;
  }

  #insertFree(offset: number, size: number): void {
    const list = this.#free;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    const prev = list[lo - 1];
    const next = list[lo];
    const joinPrev = prev !== undefined && prev.offset + prev.size === offset;
    const joinNext = next !== undefined && offset + size === next.offset;
    if (joinPrev && joinNext) {
      prev.size += size + next.size;
      list.splice(lo, 1);
    } else if (joinPrev) prev.size += size;
    else if (joinNext) {
      next.offset = offset;
      next.size += size;
    } else list.splice(lo, 0, { offset, size });
  }
}
