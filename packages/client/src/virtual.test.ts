/**
 * The virtual allocator: one chunk in a free arena, several in a fragmented one, chunks that
 * respect the granule and the ATU entry size limit, ATU entries that encode, translation
 * (property test: every offset lands in the chunk that holds it; the chunks cover the buffer
 * exactly once), all-or-nothing allocation, double free and use after free.
 */
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { decodeAtuEntry, encodeAtuEntry } from "@rashpa/descriptors";
import { describe, expect, it } from "vitest";
import {
  AllocatorArgumentError,
  DoubleFreeError,
  OutOfMemoryError,
  UseAfterFreeError,
} from "./errors.js";
import { PhysicalAllocator } from "./physical.js";
import {
  ATU_ENTRY_MAX_BYTES,
  VirtualAllocator,
  atuEntriesOf,
  translateOffset,
  type VirtualBuffer,
} from "./virtual.js";

const seed = lawSeed();
let scattered = 0;
const KiB = 1024;
const base = 0x2_0000_0000n;

function fragmented(holes: number, holeKiB: number): PhysicalAllocator {
  const a = new PhysicalAllocator({ name: "pc", base, size: 2 * holes * holeKiB * KiB });
  const blocks = Array.from({ length: 2 * holes }, () => a.allocate(holeKiB * KiB));
  blocks.forEach((b, i) => {
    if (i % 2 === 0) a.free(b);
  });
  return a;
}

describe("VirtualAllocator", () => {
  it("takes one chunk when the arena is contiguous", () => {
    const vm = new VirtualAllocator(new PhysicalAllocator({ base, size: 1024 * KiB }));
    const buf = vm.allocate(100 * KiB);
    expect(buf.size).toBe(100 * KiB);
    expect(buf.chunks).toHaveLength(1);
    expect(translateOffset(buf, 5000).address).toBe(base + 5000n);
  });

  it("scatters a buffer over the holes of a fragmented arena, one ATU entry per chunk", () => {
    const physical = fragmented(8, 16);
    const vm = new VirtualAllocator(physical);
    const buf = vm.allocate(64 * KiB);
    expect(buf.chunks.map((c) => [c.virtualOffset, c.address - base, c.size])).toEqual([
      [0, 0n, 16 * KiB],
      [16 * KiB, 32n * 1024n, 16 * KiB],
      [32 * KiB, 64n * 1024n, 16 * KiB],
      [48 * KiB, 96n * 1024n, 16 * KiB],
    ]);
    const entries = atuEntriesOf(buf, { receiver: 3 });
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({
      address: base + 0x8000n,
      size: 16 * KiB,
      receiver: 3,
      writable: true,
      valid: true,
    });
    for (const e of entries) expect(decodeAtuEntry(encodeAtuEntry(e))).toEqual(e);
    const t = vm.translate(buf, 20 * KiB + 7);
    expect(t).toEqual({ chunk: 1, chunkOffset: 4 * KiB + 7, address: base + 0x9007n });
  });

  it("keeps chunks whole granules: a granule larger than every hole does not fit", () => {
    const vm = new VirtualAllocator(fragmented(8, 16));
    const e = (() => {
      try {
        vm.allocate(64 * KiB, { granule: 32 * KiB });
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(OutOfMemoryError);
    expect(e).toMatchObject({ requested: 64 * KiB, largestFree: 16 * KiB });
    // All or nothing: the arena is as it was.
    expect(vm.physical.stats()).toMatchObject({ used: 128 * KiB, freeRegions: 8 });
  });

  it("caps chunks at maxChunk and at the ATU entry size limit", () => {
    const vm = new VirtualAllocator(new PhysicalAllocator({ base, size: 1024 * KiB }));
    const ring = vm.allocate(5 * 40 * KiB, { granule: 40 * KiB, maxChunk: 40 * KiB });
    expect(ring.chunks.map((c) => c.size)).toEqual([40, 40, 40, 40, 40].map((k) => k * KiB));
    expect(ring.chunks.map((c) => Number(c.address - base) / KiB)).toEqual([0, 40, 80, 120, 160]);
    expect(() => vm.allocate(4096, { granule: 2 ** 32 })).toThrow(AllocatorArgumentError);
    expect(ATU_ENTRY_MAX_BYTES).toBe(2 ** 32 - 1);
    expect(() => vm.allocate(8192, { granule: 6000 })).toThrow(
      /"arena.virtual.granule" expected a positive multiple of the page size 4096, got 6000/,
    );
  });

  it("detects double free and use after free of buffers", () => {
    const vm = new VirtualAllocator(new PhysicalAllocator({ base, size: 64 * KiB }));
    const buf = vm.allocate(8 * KiB);
    vm.free(buf);
    expect(() => vm.free(buf)).toThrow(DoubleFreeError);
    expect(() => vm.translate(buf, 0)).toThrow(UseAfterFreeError);
    expect(() => vm.physical.free(buf.chunks[0]!.block)).toThrow(DoubleFreeError);
    expect(vm.physical.stats().free).toBe(64 * KiB);
    expect(() => atuEntriesOf(buf, { receiver: 256 })).toThrow(/"atu-entry.receiver"/);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 3 }),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 24 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 30 }),
      fc.array(fc.nat(), { maxLength: 40 }),
    ],
    { seed },
  )(
    `translate lands in the right chunk and the chunks cover the buffer once (seed ${seed})`,
    (granulePages, pattern, keepEvery, sizePages, offsets) => {
      // Fragment the arena with a pattern of blocks, freeing some.
      const page = 4 * KiB;
      // Two pages after the pattern: most buffers have to be scattered over the holes.
      const pages = pattern.reduce((s, p) => s + p, 0) + 2;
      const physical = new PhysicalAllocator({ base, size: pages * page });
      const blocks = pattern.map((p) => physical.allocate(p * page));
      blocks.forEach((b, i) => {
        if (i % (keepEvery + 1) !== 0) physical.free(b);
      });
      const vm = new VirtualAllocator(physical);
      const granule = granulePages * page;
      let buf: VirtualBuffer;
      try {
        buf = vm.allocate(sizePages * page, { granule });
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        // All or nothing: nothing of the failed buffer stays allocated.
        expect(physical.stats().blocks).toBe(Math.ceil(blocks.length / (keepEvery + 1)));
        return;
      }
      expect(buf.size).toBe(Math.ceil(sizePages / granulePages) * granule);
      let covered = 0;
      for (const c of buf.chunks) {
        expect(c.virtualOffset).toBe(covered);
        expect(c.size % granule).toBe(0);
        expect(c.size).toBeGreaterThan(0);
        expect(c.address).toBe(c.block.address);
        expect(vm.physical.isLive(c.block)).toBe(true);
        covered += c.size;
      }
      expect(covered).toBe(buf.size);
      if (buf.chunks.length > 1) scattered++;
      // Physical chunks never overlap.
      const phys = [...buf.chunks].sort((x, y) => x.block.offset - y.block.offset);
      for (let i = 1; i < phys.length; i++)
        expect(phys[i - 1]!.block.offset + phys[i - 1]!.size).toBeLessThanOrEqual(
          phys[i]!.block.offset,
        );
      for (const raw of [0, buf.size - 1, ...offsets]) {
        const off = raw % buf.size;
        const t = vm.translate(buf, off);
        const c = buf.chunks[t.chunk]!;
        expect(off).toBeGreaterThanOrEqual(c.virtualOffset);
        expect(off).toBeLessThan(c.virtualOffset + c.size);
        expect(t.chunkOffset).toBe(off - c.virtualOffset);
        expect(t.address).toBe(c.address + BigInt(t.chunkOffset));
      }
      expect(() => vm.translate(buf, buf.size)).toThrow(AllocatorArgumentError);
      const entries = atuEntriesOf(buf, { receiver: 1 });
      expect(entries.map((e) => [e.address, e.size])).toEqual(
        buf.chunks.map((c) => [c.address, c.size]),
      );
      const usedBefore = physical.stats().used;
      vm.free(buf);
      expect(physical.stats().used).toBe(usedBefore - buf.size);
    },
  );

  it("ran the property on buffers scattered over several chunks", () => {
    expect(scattered).toBeGreaterThan(0);
  });
});
