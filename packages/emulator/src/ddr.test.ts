/**
 * The emulated DDR: the ring of frame slots of the controller map's DIU block (frame f in slot
 * f mod slots at ring base + slot × frame-bytes), overrun instead of overwriting a frame not yet
 * released, views shared with the DDR, fill-level statistics against a model.
 */
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { Ddr, DdrAccessError, DdrOverrunError, GATHER_AREA_BYTES } from "./ddr.js";
import { generateFrame, makeDiuConfig, verifyFrame } from "./diu.js";

const seed = lawSeed();
const ring = { ddrBytes: 4096, ringBase: 1024, ringSlots: 4, frameBytes: 256 };

describe("DDR frame ring", () => {
  it("places frame f in slot f mod slots at ring base + slot × frame bytes", () => {
    const ddr = new Ddr(ring);
    expect([0, 1, 5, 7].map((f) => ddr.frameAddress(f))).toEqual([1024, 1280, 1280, 1792]);
    const slot = ddr.allocateFrame(6);
    expect(slot.length).toBe(256);
    slot.fill(0x5a);
    expect(ddr.view(1024 + 2 * 256, 256)).toEqual(new Uint8Array(256).fill(0x5a));
    expect(ddr.bytes[1024 + 2 * 256 - 1]).toBe(0);
    expect(ddr.frameView(6).buffer).toBe(ddr.bytes.buffer);
  });

  it("holds the bytes up to the ring's end; the rest of the DDR reads as zeros", () => {
    const ddr = new Ddr(ring);
    expect(ddr.size).toBe(4096);
    expect(ddr.bytes.length).toBe(1024 + 4 * 256);
    ddr.allocateFrame(3).fill(7);
    const across = ddr.view(2048 - 4, 8);
    expect([...across]).toEqual([7, 7, 7, 7, 0, 0, 0, 0]);
    expect([...ddr.view(4000, 96)].every((b) => b === 0)).toBe(true);
    expect(() => ddr.view(4000, 97)).toThrow(/"ddr.view" expected a range inside 0..4096/);
  });

  it("gives a gather area beside the DDR's bytes in the same buffer, and a buffer of its own beyond it", () => {
    const ddr = new Ddr(ring);
    const area = ddr.gatherArea(300);
    expect(area.length).toBe(300);
    expect(area.buffer).toBe(ddr.bytes.buffer);
    expect(area.byteOffset).toBe(ddr.bytes.byteOffset + ddr.bytes.length);
    area.fill(0xab);
    expect(ddr.bytes.every((b) => b === 0)).toBe(true);
    expect(ddr.gatherArea(GATHER_AREA_BYTES).buffer).toBe(ddr.bytes.buffer);
    const big = ddr.gatherArea(GATHER_AREA_BYTES + 1);
    expect(big.length).toBe(GATHER_AREA_BYTES + 1);
    expect(big.buffer).not.toBe(ddr.bytes.buffer);
  });

  it("refuses to overwrite a frame not yet released, naming both frames", () => {
    const ddr = new Ddr(ring);
    for (let f = 0; f < 4; f++) ddr.allocateFrame(f);
    let error: unknown;
    try {
      ddr.allocateFrame(5);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DdrOverrunError);
    expect(error).toMatchObject({ frame: 5, slot: 1, heldFrame: 1, name: "DdrOverrunError" });
    expect((error as Error).message).toBe(
      '"ddr.slot[1]" expected free for frame 5, got frame 1 not yet released',
    );
    expect(ddr.tryAllocateFrame(6)).toBeUndefined();
    expect(ddr.stats).toMatchObject({ level: 4, overruns: 2 });
    ddr.release(1);
    expect(ddr.allocateFrame(5).length).toBe(256);
    expect(ddr.holds(5)).toBe(true);
    expect(ddr.holds(1)).toBe(false);
  });

  it("rejects releasing or viewing a frame it does not hold", () => {
    const ddr = new Ddr(ring);
    ddr.allocateFrame(2);
    expect(() => ddr.release(6)).toThrow('"ddr.slot[2]" expected to hold frame 6, got frame 2');
    expect(() => ddr.frameView(3)).toThrow(/expected to hold frame 3, got an empty slot/);
    ddr.release(2);
    expect(() => ddr.release(2)).toThrow(DdrAccessError);
    expect(() => ddr.allocateFrame(-1)).toThrow(/"ddr.frame" expected a non-negative integer/);
  });

  it("bounds DMA views to the DDR", () => {
    const ddr = new Ddr(ring);
    expect(ddr.view(4000, 96).length).toBe(96);
    expect(() => ddr.view(4000, 97)).toThrow(DdrAccessError);
    expect(() => ddr.view(-1, 1)).toThrow(/"ddr.view" expected a range inside 0..4096/);
  });

  it("rejects a ring that does not fit", () => {
    expect(() => new Ddr({ ...ring, ringSlots: 13 })).toThrow(DdrAccessError);
    expect(() => new Ddr({ ...ring, ringSlots: 0 })).toThrow(/"ddr.ring" expected/);
  });

  it("holds DIU frames that verify after the round trip through a slot", () => {
    const c = makeDiuConfig({ width: 64, height: 64, ringSlots: 3, ddrBytes: 1 << 16 });
    const ddr = new Ddr(c);
    for (let f = 0; f < 3; f++) generateFrame(c, f, ddr.allocateFrame(f));
    expect([0, 1, 2].map((f) => verifyFrame(ddr.frameView(f), c, f).ok)).toEqual([
      true,
      true,
      true,
    ]);
    expect(ddr.stats).toEqual({
      level: 3,
      peakLevel: 3,
      levelBytes: 3 * c.frameBytes,
      allocated: 3,
      released: 0,
      overruns: 0,
    });
    ddr.reset();
    expect(ddr.stats.level).toBe(0);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.record({ release: fc.boolean(), pick: fc.nat() }), { maxLength: 60 }),
    ],
    { seed },
  )(`matches a model of slots under arbitrary allocate/release (seed ${seed})`, (slots, ops) => {
    const ddr = new Ddr({ ddrBytes: slots * 64, ringBase: 0, ringSlots: slots, frameBytes: 64 });
    const held = new Map<number, number>(); // slot → frame
    let next = 0;
    let peak = 0;
    let overruns = 0;
    for (const op of ops) {
      if (op.release && held.size > 0) {
        const frames = [...held.values()];
        const f = frames[op.pick % frames.length]!;
        ddr.release(f);
        held.delete(f % slots);
      } else {
        const f = next++;
        const got = ddr.tryAllocateFrame(f);
        if (held.has(f % slots)) {
          expect(got).toBeUndefined();
          overruns++;
        } else {
          expect(got?.byteOffset).toBe((f % slots) * 64);
          held.set(f % slots, f);
        }
      }
      peak = Math.max(peak, held.size);
      expect(ddr.stats).toMatchObject({ level: held.size, peakLevel: peak, overruns });
    }
  });
});
