/**
 * The checks and the layout agree: a random acquisition description that passes
 * `resolveAcquisitionConfig` always plans into fresh arenas (the memory check is exact), its
 * buffers never overlap and stay inside their receiver's arena, every frame of the ring has
 * its own place, and the ATU entries are consecutive per channel and describe the buffers. One
 * that fails names only paths that exist in the description.
 */
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { resolveAcquisitionConfig } from "./config.js";
import { ConfigError } from "./errors.js";
import { frameAddress, planAcquisition, releaseLayout } from "./program.js";

const seed = lawSeed();
const outcomes = { planned: 0, refused: 0 };
const KiB = 1024;

const arbChannel = fc.record({
  receiver: fc.integer({ min: 0, max: 2 }),
  roi: fc.option(
    fc.record({
      x: fc.integer({ min: 0, max: 64 }),
      y: fc.integer({ min: 0, max: 64 }),
      width: fc.integer({ min: 1, max: 64 }),
      height: fc.integer({ min: 1, max: 64 }),
    }),
    { nil: undefined },
  ),
  framesPerBuffer: fc.integer({ min: 1, max: 3 }),
  buffers: fc.integer({ min: 1, max: 5 }),
  decimation: fc.integer({ min: 0, max: 3 }),
});

const arbDescription = fc.record({
  receivers: fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 2 }),
  width: fc.integer({ min: 128, max: 256 }),
  height: fc.integer({ min: 128, max: 256 }),
  depth: fc.constantFrom("bits8" as const, "bits16" as const, "bits32" as const),
  channels: fc.array(arbChannel, { minLength: 1, maxLength: 4 }),
  events: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
});

describe(`planning a checked description (seed ${seed})`, () => {
  test.prop([arbDescription], { seed })(
    "passing the checks means the layout fits, without overlap",
    (d) => {
      const description = {
        receivers: d.receivers.map((pages, i) => ({
          name: `r${i}`,
          memory: pages * 16 * KiB,
          base: `0x${(i + 1).toString(16)}0000000`,
        })),
        detector: { width: d.width, height: d.height, depth: d.depth },
        channels: d.channels.map((c, i) => ({
          name: `c${i}`,
          receiver: `r${c.receiver}`,
          ringFrames: c.buffers * c.framesPerBuffer,
          framesPerBuffer: c.framesPerBuffer,
          decimation: c.decimation,
          ...(c.roi === undefined ? {} : { roi: c.roi }),
        })),
        ...(d.events === undefined ? {} : { events: { receiver: "r0", records: d.events } }),
      };
      let config;
      try {
        config = resolveAcquisitionConfig(description);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        for (const issue of (e as ConfigError).issues)
          expect(issue.path).toMatch(/^(receivers\[\d\]\.memory|channels\[\d\]\.receiver)$/);
        outcomes.refused++;
        return;
      }
      outcomes.planned++;
      const layout = planAcquisition(config);
      const spans: { receiver: number; start: bigint; end: bigint }[] = [];
      let nextAtu = 0;
      for (const ch of layout.channels) {
        expect(ch.atuFirst).toBe(nextAtu);
        nextAtu += ch.atuCount;
        expect(ch.buffers).toHaveLength(ch.atuCount);
        const bytes = ch.framesPerEntry * ch.windowBytes;
        ch.buffers.forEach((address, i) => {
          const slot = layout.atu[ch.atuFirst + i]!;
          expect(slot.entry).toEqual({
            address,
            size: bytes,
            receiver: ch.receiver,
            writable: true,
            valid: true,
          });
          spans.push({ receiver: ch.receiver, start: address, end: address + BigInt(bytes) });
        });
        // Every frame of one turn of the ring has its own place.
        const frames = new Set<bigint>();
        for (let k = 0; k < ch.ringFrames; k++)
          frames.add(frameAddress(ch, k * (ch.decimation + 1)));
        expect(frames.size).toBe(ch.ringFrames);
      }
      if (layout.events !== undefined) {
        expect(layout.events.atuIndex).toBe(nextAtu);
        spans.push({
          receiver: layout.events.receiver,
          start: layout.events.address,
          end: layout.events.address + BigInt(layout.events.records * 32),
        });
      }
      for (const s of spans) {
        const r = config.receivers[s.receiver]!;
        expect(s.start >= r.base && s.end <= r.base + BigInt(r.memory)).toBe(true);
      }
      for (let i = 0; i < spans.length; i++)
        for (let j = i + 1; j < spans.length; j++) {
          const a = spans[i]!;
          const b = spans[j]!;
          if (a.receiver === b.receiver) expect(a.end <= b.start || b.end <= a.start).toBe(true);
        }
      releaseLayout(layout);
      for (const vm of layout.allocators.values()) expect(vm.physical.stats().used).toBe(0);
    },
  );

  it("ran on descriptions both accepted and refused", () => {
    expect(outcomes.planned).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
