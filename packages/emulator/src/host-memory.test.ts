import { fc, test } from "@fast-check/vitest";
import { lawSeed } from "@rashpa/laws";
import { decodeTlp, encodeTlp, planWrite, writeTlps } from "@rashpa/pcie";
import type { MemoryWriteTlp } from "@rashpa/pcie";
import { describe, expect, it } from "vitest";
import { HostMemory, MemoryRouteError, PcieSwitch } from "./host-memory.js";

const GIB = 1n << 30n;

function twoReceivers(): PcieSwitch {
  return new PcieSwitch([
    { name: "industrial-pc", memory: new HostMemory("industrial-pc", 5n * GIB, 1 << 16) },
    { name: "detector-pc", memory: new HostMemory("detector-pc", 0x1_0000n, 1 << 20) },
  ]);
}

describe("HostMemory and PcieSwitch", () => {
  it("routes by address window to the receiver that holds the range", () => {
    const sw = twoReceivers();
    expect(sw.route(0x1_0000n, 4096).name).toBe("detector-pc");
    expect(sw.route(5n * GIB + 100n, 8).name).toBe("industrial-pc");
    sw.write(5n * GIB + 16n, Uint8Array.of(1, 2, 3));
    expect([...sw.ports[1]!.memory.bytes.subarray(16, 19)]).toEqual([1, 2, 3]);
    expect(sw.delivered.get("industrial-pc")).toBe(3);
  });

  it("answers a miss or a range crossing a window end with a typed error", () => {
    const sw = twoReceivers();
    expect(() => sw.route(0n, 4)).toThrow(MemoryRouteError);
    expect(() => sw.route(0x1_0000n + (1n << 20n) - 4n, 8)).toThrow(/Unsupported Request/);
    expect(() => new HostMemory("m", -1n, 4)).toThrow(/must not be negative/);
  });

  it("refuses overlapping windows", () => {
    expect(
      () =>
        new PcieSwitch([
          { name: "a", memory: new HostMemory("a", 0x1000n, 0x1000) },
          { name: "b", memory: new HostMemory("b", 0x1800n, 0x1000) },
        ]),
    ).toThrow(/window of b overlaps a/);
  });

  it("shares a SharedArrayBuffer with whoever holds it", () => {
    const sab = new SharedArrayBuffer(64);
    const m = new HostMemory("shared", 0n, sab);
    m.write(8n, Uint8Array.of(0xaa));
    expect(new Uint8Array(sab)[8]).toBe(0xaa);
  });

  it("writes at a number address as at the bigint one; a memory that forwards its writes still sees each", () => {
    const plain = new HostMemory("plain", 0x1000n, 64);
    plain.writeNumber(0x1008, Uint8Array.of(9, 8));
    expect([...plain.bytes.subarray(8, 10)]).toEqual([9, 8]);
    expect(() => plain.writeNumber(0x1000 + 63, Uint8Array.of(1, 2))).toThrow(MemoryRouteError);
    expect(() => plain.writeNumber(0xfff, Uint8Array.of(1))).toThrow(/outside plain/);
    const seen: [bigint, number][] = [];
    class Forwarding extends HostMemory {
      override write(address: bigint, data: Uint8Array): void {
        seen.push([address, data.length]);
        super.write(address, data);
      }
    }
    const fwd = new Forwarding("fwd", 0x2000n, 4096);
    const sw = new PcieSwitch([{ name: "fwd", memory: fwd }]);
    for (const tlp of writeTlps(planWrite(0x2010n, 600, 256), new Uint8Array(600).fill(5)))
      sw.deliver(tlp);
    expect(seen).toEqual([
      [0x2010n, 256],
      [0x2110n, 256],
      [0x2210n, 88],
    ]);
    expect(fwd.bytes.subarray(0x10, 0x10 + 600).every((b) => b === 5)).toBe(true);
    expect(sw.delivered.get("fwd")).toBe(600);
  });

  it("applies byte enables: a 3-byte write at offset 1 leaves its neighbours", () => {
    const sw = twoReceivers();
    const mem = sw.ports[0]!.memory;
    mem.bytes.fill(0xee, 0, 8);
    const [tlp] = [...writeTlps(planWrite(0x1_0001n, 3, 256), Uint8Array.of(1, 2, 3))];
    sw.deliver(tlp!);
    expect([...mem.bytes.subarray(0, 8)]).toEqual([0xee, 1, 2, 3, 0xee, 0xee, 0xee, 0xee]);
    expect(sw.delivered.get("detector-pc")).toBe(3);
  });
});

describe(`wire path into receiver memory (seed ${lawSeed()})`, () => {
  test.prop(
    [
      fc.integer({ min: 0, max: 8191 }),
      fc.integer({ min: 1, max: 20_000 }),
      fc.constantFrom(128, 256, 512),
      fc.boolean(),
    ],
    { seed: lawSeed(), numRuns: 60 },
  )(
    "MWr TLPs of a split write, encoded and decoded, leave the same memory as one bulk copy",
    (offset, length, mps, high) => {
      const base = high ? 5n * GIB : 0x1_0000n;
      const address = base + BigInt(offset);
      const data = Uint8Array.from({ length }, (_, i) => (i * 7 + offset) & 0xff);
      const wire = twoReceivers();
      const fast = twoReceivers();
      for (const tlp of writeTlps(planWrite(address, length, mps), data))
        wire.deliver(decodeTlp(encodeTlp(tlp)) as MemoryWriteTlp);
      fast.write(address, data);
      for (let p = 0; p < 2; p++) {
        const a = wire.ports[p]!.memory.bytes;
        const b = fast.ports[p]!.memory.bytes;
        // Buffer.compare, not toEqual: a deep compare of 1 MiB element by element is slow.
        expect(Buffer.compare(a, b)).toBe(0);
      }
      expect([...wire.delivered]).toEqual([...fast.delivered]);
    },
  );
});
