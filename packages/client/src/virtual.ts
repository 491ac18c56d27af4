/**
 * The virtual memory allocator of librashpa: a client buffer is one contiguous virtual range
 * (e.g. a ring of N frame buffers) backed by a list of physical chunks of a receiver's arena,
 * contiguous when the arena allows it, scattered when it is fragmented. Each chunk becomes one
 * ATU entry (`rashpa.atu-entry` of specs/rashpa/descriptors.yaml: a physically contiguous
 * buffer of at most 2³² − 1 bytes, its `size` field being 32 bits), which is how the controller
 * reaches memory the application sees as one range (docs/system.md "RASHPA", librashpa memory
 * management).
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import type { AtuEntry } from "@rashpa/descriptors";
import {
  AllocatorArgumentError,
  DoubleFreeError,
  ForeignHandleError,
  OutOfMemoryError,
  UseAfterFreeError,
} from "./errors.js";
import type { PhysicalAllocator, PhysicalBlock } from "./physical.js";

/** Largest buffer one ATU entry describes: its `size` field is 32 bits (rashpa.atu-entry). */
export const ATU_ENTRY_MAX_BYTES = 0xffff_ffff;

/** One physically contiguous piece of a {@link VirtualBuffer}. */
export interface VirtualChunk {
  /** Offset of the chunk's first byte in the virtual range. */
  readonly virtualOffset: number;
  /** The physical block behind it. */
  readonly block: PhysicalBlock;
  /** Bus address of the chunk's first byte (`block.address`). */
  readonly address: bigint;
  /** Bytes of the virtual range it holds (a multiple of the granule). */
  readonly size: number;
}

/** A contiguous virtual range over physical chunks. Give it back to {@link VirtualAllocator.free}. */
export interface VirtualBuffer {
  /** Virtual size in bytes: the request rounded up to the granule. */
  readonly size: number;
  /** Chunks in virtual order; they cover `0 … size − 1` exactly once. */
  readonly chunks: readonly VirtualChunk[];
  /** Every chunk's size is a multiple of this. */
  readonly granule: number;
  /** Slot of the allocator's handle table. */
  readonly slot: number;
  /** Generation of the slot when the buffer was given out. */
  readonly generation: number;
}

/** Where a virtual offset lands. */
export interface Translation {
  /** Index of the chunk in `buffer.chunks`. */
  readonly chunk: number;
  /** Offset inside that chunk. */
  readonly chunkOffset: number;
  /** Bus address of the byte. */
  readonly address: bigint;
}

/** Options of {@link VirtualAllocator.allocate}. */
export interface VirtualAllocateOptions {
  /**
   * Every chunk is a whole number of granules: a frame buffer of a data channel, say, so that
   * no frame straddles two ATU entries. A multiple of the arena's page size.
   *
   * @defaultValue the arena's page size
   */
  readonly granule?: number;
  /**
   * Largest chunk, rounded down to a multiple of the granule; at most
   * {@link ATU_ENTRY_MAX_BYTES} (one ATU entry per chunk). Equal to the granule, every chunk
   * is exactly one granule.
   *
   * @defaultValue the largest multiple of the granule up to {@link ATU_ENTRY_MAX_BYTES}
   */
  readonly maxChunk?: number;
  /** Alignment of every chunk's bus address (a power of two; at least the page size). */
  readonly align?: number;
}

/** Options of {@link atuEntriesOf}. */
export interface AtuEntryOptions {
  /** The receiver index written in each entry (0 … 255, the ATU entry's 8-bit `receiver`). */
  readonly receiver: number;
  /** Data may be written (default true). */
  readonly writable?: boolean;
  /** The entry may be used (default true). */
  readonly valid?: boolean;
}

interface Slot {
  generation: number;
  live: boolean;
}

/**
 * Virtual buffers over a {@link PhysicalAllocator}. A buffer is allocated as few chunks as the
 * arena allows: as large as `maxChunk` while contiguous space lasts, then the largest
 * allocatable pieces (rounded down to the granule) while the arena is fragmented; if the
 * arena cannot hold it, nothing stays allocated and {@link OutOfMemoryError} is thrown.
 *
 * @example
 * ```ts
 * const vm = new VirtualAllocator(arena);
 * const ring = vm.allocate(4 * frameBytes, { granule: frameBytes, maxChunk: frameBytes });
 * const entries = atuEntriesOf(ring, { receiver: 0 });
 * ```
 */
export class VirtualAllocator {
  /** The physical allocator underneath. */
  readonly physical: PhysicalAllocator;
  readonly #slots: Slot[] = [];
  readonly #spare: number[] = [];

  /** @param physical - the arena's physical allocator */
  constructor(physical: PhysicalAllocator) {
    this.physical = physical;
  }

  /**
   * Allocates a virtual buffer.
   *
   * @param size - virtual bytes (a positive safe integer), rounded up to the granule
   * @param options - granule, largest chunk, alignment
   * @returns the buffer
   * @throws OutOfMemoryError when the arena cannot hold it (nothing is left allocated)
   * @throws AllocatorArgumentError for an impossible size, granule or largest chunk
   */
  allocate(size: number, options: VirtualAllocateOptions = {}): VirtualBuffer {
    const name = this.physical.name;
    const page = this.physical.pageSize;
    const granule = options.granule ?? page;
    if (!Number.isSafeInteger(granule) || granule <= 0 || granule % page !== 0)
      throw new AllocatorArgumentError(
        `${name}.virtual.granule`,
        `a positive multiple of the page size ${page}`,
        describeValue(granule),
      );
    if (granule > ATU_ENTRY_MAX_BYTES)
      throw new AllocatorArgumentError(
        `${name}.virtual.granule`,
        `at most ${ATU_ENTRY_MAX_BYTES} bytes (one ATU entry)`,
        describeValue(granule),
      );
    if (!Number.isSafeInteger(size) || size <= 0)
      throw new AllocatorArgumentError(
        `${name}.virtual.size`,
        "a positive safe integer",
        describeValue(size),
      );
    const limit = Math.floor(ATU_ENTRY_MAX_BYTES / granule) * granule;
    const requestedMax = options.maxChunk ?? limit;
    if (!Number.isSafeInteger(requestedMax) || requestedMax < granule)
      throw new AllocatorArgumentError(
        `${name}.virtual.maxChunk`,
        `at least the granule ${granule}`,
        describeValue(requestedMax),
      );
    const maxChunk = Math.min(limit, Math.floor(requestedMax / granule) * granule);
    const total = Math.ceil(size / granule) * granule;
    const align = options.align ?? page;
    const chunks: VirtualChunk[] = [];
    let done = 0;
    try {
      while (done < total) {
        const want = Math.min(total - done, maxChunk);
        let bytes = want;
        const room = this.physical.largestAllocatable(align);
        if (room < want) bytes = Math.floor(room / granule) * granule;
        if (bytes === 0) {
          const s = this.physical.stats();
          throw new OutOfMemoryError(name, total - done, align, s.largestFree, s.free);
        }
        const block = this.physical.allocate(bytes, { align });
        chunks.push(
          Object.freeze({ virtualOffset: done, block, address: block.address, size: bytes }),
        );
        done += bytes;
      }
    } catch (e) {
      for (const c of chunks) this.physical.free(c.block);
      if (e instanceof OutOfMemoryError) {
        const s = this.physical.stats();
        throw new OutOfMemoryError(name, total, align, s.largestFree, s.free);
      }
      throw e;
    }
    let slot = this.#spare.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      this.#slots.push({ generation: 0, live: false });
    }
    const s = this.#slots[slot]!;
    s.live = true;
    return Object.freeze({
      size: total,
      chunks: Object.freeze(chunks),
      granule,
      slot,
      generation: s.generation,
    });
  }

  /**
   * Frees a buffer and every chunk of it.
   *
   * @param buffer - a buffer of this allocator
   * @throws DoubleFreeError when it was freed already
   * @throws ForeignHandleError when this allocator never gave it out
   */
  free(buffer: VirtualBuffer): void {
    const s = this.#lookup(buffer, "free");
    if (!s.live || s.generation !== buffer.generation)
      throw new DoubleFreeError(
        `${this.physical.name}.virtual.free`,
        `a live buffer (slot ${buffer.slot} is at generation ${s.generation})`,
        `buffer of generation ${buffer.generation}, already freed`,
      );
    s.live = false;
    s.generation++;
    this.#spare.push(buffer.slot);
    for (const c of buffer.chunks) this.physical.free(c.block);
  }

  /**
   * Translates a virtual offset to its chunk and bus address.
   *
   * @param buffer - a live buffer
   * @param offset - 0 … size − 1
   * @returns the chunk, the offset in it and the bus address
   * @throws UseAfterFreeError when the buffer was freed
   * @throws AllocatorArgumentError when the offset is outside the buffer
   */
  translate(buffer: VirtualBuffer, offset: number): Translation {
    const s = this.#lookup(buffer, "translate");
    if (!s.live || s.generation !== buffer.generation)
      throw new UseAfterFreeError(
        `${this.physical.name}.virtual.translate`,
        `a live buffer (slot ${buffer.slot} is at generation ${s.generation})`,
        `buffer of generation ${buffer.generation}, freed`,
      );
    return translateOffset(buffer, offset);
  }

  #lookup(buffer: VirtualBuffer, op: string): Slot {
    const s = this.#slots[buffer.slot];
    if (s === undefined || buffer.generation > s.generation)
      throw new ForeignHandleError(
        `${this.physical.name}.virtual.${op}`,
        `a buffer of arena ${this.physical.name}`,
        `slot ${String(buffer.slot)} generation ${String(buffer.generation)}`,
      );
    return s;
  }
}

/**
 * Translates a virtual offset of a buffer (binary search over its chunks), without checking
 * that the buffer is live (see {@link VirtualAllocator.translate}).
 *
 * @param buffer - the buffer
 * @param offset - 0 … size − 1
 * @returns chunk, offset in it, bus address
 * @throws AllocatorArgumentError when the offset is outside the buffer
 */
export function translateOffset(buffer: VirtualBuffer, offset: number): Translation {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset >= buffer.size)
    throw new AllocatorArgumentError(
      "virtual.translate.offset",
      `0..${buffer.size - 1}`,
      describeValue(offset),
    );
  const chunks = buffer.chunks;
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (chunks[mid]!.virtualOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const c = chunks[lo]!;
  const chunkOffset = offset - c.virtualOffset;
  return { chunk: lo, chunkOffset, address: c.address + BigInt(chunkOffset) };
}

/**
 * The ATU entries of a buffer, one per chunk in virtual order (`rashpa.atu-entry`:
 * address, size, receiver, writable, valid), ready for `encodeAtuEntry`.
 *
 * @param buffer - the buffer
 * @param options - receiver index, writable and valid bits
 * @returns the entries
 * @throws AllocatorArgumentError when the receiver index is not 0 … 255
 */
export function atuEntriesOf(buffer: VirtualBuffer, options: AtuEntryOptions): AtuEntry[] {
  const { receiver } = options;
  if (!Number.isInteger(receiver) || receiver < 0 || receiver > 255)
    throw new AllocatorArgumentError("atu-entry.receiver", "0..255", describeValue(receiver));
  return buffer.chunks.map((c) => ({
    address: c.address,
    size: c.size,
    receiver,
    writable: options.writable ?? true,
    valid: options.valid ?? true,
  }));
}
