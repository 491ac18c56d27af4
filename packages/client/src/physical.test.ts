/**
 * The physical allocator: alignment, first and best fit, coalescing, statistics, typed errors
 * for double free, use after free and foreign handles, and a model-free property test of
 * random allocate/free sequences (no overlap, aligned, in bounds, everything freed gives back
 * one block).
 */
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  AllocatorArgumentError,
  DoubleFreeError,
  ForeignHandleError,
  OutOfMemoryError,
  UseAfterFreeError,
} from "./errors.js";
import { PhysicalAllocator, type PhysicalBlock } from "./physical.js";

const seed = lawSeed();
const KiB = 1024;
const base = 0x1_0000_0000n;

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("PhysicalAllocator", () => {
  it("rounds sizes up to pages and aligns bus addresses", () => {
    const a = new PhysicalAllocator({ name: "pc", base, size: 1024 * KiB });
    const x = a.allocate(1);
    expect(x).toMatchObject({ address: base, offset: 0, size: 4 * KiB });
    const y = a.allocate(10 * KiB, { align: 64 * KiB });
    expect(y).toMatchObject({ address: base + 0x1_0000n, offset: 64 * KiB, size: 12 * KiB });
    // The gap left by alignment is still free, and used first.
    expect(a.allocate(8 * KiB).offset).toBe(4 * KiB);
    expect(a.stats()).toMatchObject({ used: 24 * KiB, blocks: 3, freeRegions: 2 });
  });

  it("aligns relative to the bus address, not the arena offset", () => {
    const a = new PhysicalAllocator({ base: 0x3000n, size: 256 * KiB });
    const b = a.allocate(4 * KiB, { align: 64 * KiB });
    expect(b.address % 0x1_0000n).toBe(0n);
    expect(b.offset).toBe(0x1_0000 - 0x3000);
  });

  it("first fit takes the lowest hole, best fit the tightest", () => {
    for (const fit of ["first", "best"] as const) {
      const a = new PhysicalAllocator({ base, size: 64 * KiB, fit });
      const blocks = [8, 4, 16, 4, 8, 20].map((k) => a.allocate(k * KiB));
      a.free(blocks[0]!); // 8 KiB hole at 0
      a.free(blocks[2]!); // 16 KiB hole at 12 KiB
      a.free(blocks[3]!); // merges: 20 KiB hole at 12 KiB
      const c = a.allocate(8 * KiB);
      // first: the hole at 0; best: also 0 (exactly 8 KiB), the tightest.
      expect(c.offset).toBe(0);
      const d = a.allocate(4 * KiB);
      expect(d.offset).toBe(fit === "first" ? 12 * KiB : 60 * KiB);
    }
  });

  it("merges freed neighbours and reports fragmentation and the largest free block", () => {
    const a = new PhysicalAllocator({ base, size: 64 * KiB });
    const blocks = Array.from({ length: 16 }, () => a.allocate(4 * KiB));
    blocks.forEach((b, i) => {
      if (i % 2 === 0) a.free(b);
    });
    expect(a.stats()).toEqual({
      size: 64 * KiB,
      used: 32 * KiB,
      free: 32 * KiB,
      blocks: 8,
      freeRegions: 8,
      largestFree: 4 * KiB,
      fragmentation: 1 - 4 / 32,
    });
    const oom = thrown(() => a.allocate(8 * KiB));
    expect(oom).toBeInstanceOf(OutOfMemoryError);
    expect(oom).toMatchObject({ name: "OutOfMemoryError", requested: 8192, largestFree: 4096 });
    expect((oom as Error).message).toBe(
      '"arena.allocate" expected a free block of 8192 bytes aligned to 4096, got largest free block 4096 bytes (32768 bytes free in all)',
    );
    blocks.forEach((b, i) => {
      if (i % 2 === 1) a.free(b);
    });
    expect(a.freeRegions()).toEqual([{ offset: 0, size: 64 * KiB }]);
    expect(a.stats().fragmentation).toBe(0);
  });

  it("detects double free, use after free and foreign handles", () => {
    const a = new PhysicalAllocator({ name: "pc", base, size: 64 * KiB });
    const b = a.allocate(4 * KiB);
    expect(a.resolve(b)).toBe(base);
    a.free(b);
    expect(a.isLive(b)).toBe(false);
    const again = thrown(() => a.free(b));
    expect(again).toBeInstanceOf(DoubleFreeError);
    expect(again).toMatchObject({ name: "DoubleFreeError", path: "pc.free" });
    // The slot is reused by a new block: the old handle stays stale (generation counter).
    const c = a.allocate(4 * KiB);
    expect(c.slot).toBe(b.slot);
    expect(c.generation).toBe(b.generation + 1);
    expect(thrown(() => a.free(b))).toBeInstanceOf(DoubleFreeError);
    expect(thrown(() => a.resolve(b))).toBeInstanceOf(UseAfterFreeError);
    expect(a.isLive(c)).toBe(true);
    const other = new PhysicalAllocator({ name: "other", base: 0x2_0000_0000n, size: 64 * KiB });
    const o = other.allocate(4 * KiB);
    expect(thrown(() => a.free(o))).toBeInstanceOf(ForeignHandleError);
    const forged: PhysicalBlock = { ...c, offset: 8 * KiB, address: base + 0x2000n };
    expect(thrown(() => a.free(forged))).toBeInstanceOf(ForeignHandleError);
    expect(a.isLive(c)).toBe(true);
  });

  it("rejects impossible arenas and requests", () => {
    expect(() => new PhysicalAllocator({ base, size: 5000 })).toThrow(AllocatorArgumentError);
    expect(() => new PhysicalAllocator({ base: 0x1800n, size: 8192 })).toThrow(
      /"arena.base" expected a non-negative multiple of the page size 4096, got 0x1800/,
    );
    expect(() => new PhysicalAllocator({ base, size: 8192, pageSize: 3000 })).toThrow(
      /power of two/,
    );
    const a = new PhysicalAllocator({ base, size: 8192 });
    expect(() => a.allocate(0)).toThrow(/"arena.allocate.size" expected a positive safe integer/);
    expect(() => a.allocate(1, { align: 48 })).toThrow(/"arena.allocate.align"/);
  });

  test.prop(
    [
      fc.constantFrom("first" as const, "best" as const),
      fc.constantFrom(0x1_0000_0000n, 0x7000n),
      fc.array(
        fc.record({
          free: fc.boolean(),
          pick: fc.nat(),
          pages: fc.integer({ min: 1, max: 24 }),
          alignLog: fc.integer({ min: 12, max: 16 }),
        }),
        { maxLength: 120 },
      ),
    ],
    { seed },
  )(
    `random allocate/free never overlap, stay aligned and in bounds, and coalesce back (seed ${seed})`,
    (fit, arenaBase, ops) => {
      const size = 256 * KiB;
      const a = new PhysicalAllocator({ base: arenaBase, size, fit });
      const live: { block: PhysicalBlock; align: number }[] = [];
      for (const op of ops) {
        if (op.free && live.length > 0) {
          const [gone] = live.splice(op.pick % live.length, 1);
          a.free(gone!.block);
          expect(() => a.free(gone!.block)).toThrow(DoubleFreeError);
          continue;
        }
        const align = 2 ** op.alignLog;
        try {
          const block = a.allocate(op.pages * 4 * KiB - 1, { align });
          live.push({ block, align });
        } catch (e) {
          expect(e).toBeInstanceOf(OutOfMemoryError);
          expect(a.largestAllocatable(align)).toBeLessThan(op.pages * 4 * KiB);
        }
        const sorted = live.map((l) => l.block).sort((x, y) => x.offset - y.offset);
        for (let i = 0; i < sorted.length; i++) {
          const b = sorted[i]!;
          expect(b.offset).toBeGreaterThanOrEqual(0);
          expect(b.offset + b.size).toBeLessThanOrEqual(size);
          if (i > 0)
            expect(sorted[i - 1]!.offset + sorted[i - 1]!.size).toBeLessThanOrEqual(b.offset);
        }
        for (const l of live) expect(l.block.address % BigInt(l.align)).toBe(0n);
        // Free space and live blocks account for the whole arena.
        const used = live.reduce((s, l) => s + l.block.size, 0);
        expect(a.stats().used).toBe(used);
        const freeSum = a.freeRegions().reduce((s, r) => s + r.size, 0);
        expect(freeSum + used).toBe(size);
      }
      for (const l of live) a.free(l.block);
      expect(a.freeRegions()).toEqual([{ offset: 0, size }]);
      expect(a.stats()).toMatchObject({ used: 0, blocks: 0, largestFree: size, fragmentation: 0 });
    },
  );
});
