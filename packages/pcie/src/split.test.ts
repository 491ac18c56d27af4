/**
 * Requests, splitting and completion reassembly (pcie.md §4.2–§4.4, §8): hand-worked examples
 * and property tests.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  CompletionError,
  CompletionPlan,
  ReadAssembler,
  UnsupportedRequestError,
  byteEnables,
  completionTlps,
  decodeTlp,
  encodeTlp,
  memoryRead,
  memoryWrite,
  MemoryWriteBuilder,
  isTlp,
  planRead,
  planWrite,
  readTlps,
  writeTlps,
} from "./index.js";
import type { TlpCpldNoDigest, TlpSlice, TransferPlan } from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

describe("byte enables (§4.2, §4.3)", () => {
  it("zero-length: Length 1, both BEs 0", () => {
    expect(byteEnables(0x1002n, 0)).toEqual({ lengthDw: 1, firstBe: 0, lastBe: 0 });
  });
  it("single DW: Last BE 0, First BE masks both ends", () => {
    expect(byteEnables(0x1001n, 2)).toEqual({ lengthDw: 1, firstBe: 0b0110, lastBe: 0 });
    expect(byteEnables(0x1000n, 4)).toEqual({ lengthDw: 1, firstBe: 0xf, lastBe: 0 });
  });
  it("multi-DW: contiguous nibbles", () => {
    expect(byteEnables(0x1003n, 6)).toEqual({ lengthDw: 3, firstBe: 0b1000, lastBe: 0b0001 });
    expect(byteEnables(0n, 4096)).toEqual({ lengthDw: 1024, firstBe: 0xf, lastBe: 0xf });
  });
  it("rejects more than 1024 DW", () => {
    expect(() => byteEnables(1n, 4096)).toThrow(/"byteLength" expected/);
  });
  it("3-DW below 4 GiB, 4-DW above; Length 1024 stored as 0", () => {
    const r = memoryRead(0xffff_f000n, 4096, { tag: 0x305, requesterId: 0x0100 });
    expect(r.tlpType).toBe("mrd-32");
    expect(r.length).toBe(0);
    expect([r.t9, r.t8, r.tag]).toEqual([true, true, 5]);
    expect(encodeTlp(r).length).toBe(12);
    const w = memoryWrite(0x1_0000_0002n, Uint8Array.of(1, 2, 3));
    expect(w.tlpType).toBe("mwr-64");
    expect([w.length, w.firstBe, w.lastBe]).toEqual([2, 0b1100, 0b0001]);
    expect([...w.data]).toEqual([0, 0, 1, 2, 3, 0, 0, 0]);
    expect(decodeTlp(encodeTlp(w))).toEqual(w);
    const z = memoryWrite(0x40n, new Uint8Array(0));
    expect([z.length, z.firstBe, z.lastBe, z.data.length]).toEqual([1, 0, 0, 4]);
  });
  it("memoryWrite gives a valid MWr for any address and size; aligned whole DWs are not copied", () => {
    for (const address of [0n, 0x40n, 0xffff_ff00n, 0x1_0000_0000n, 0xffff_ffff_ffff_f000n])
      for (const n of [0, 1, 3, 4, 8, 255, 256, 4096 - Number(address & 3n)]) {
        const data = new Uint8Array(n).map((_, i) => i + 1);
        const w = memoryWrite(address, data, { tag: 7 });
        expect(isTlp(w)).toBe(true);
        expect(decodeTlp(encodeTlp(w))).toEqual(w);
        expect(w.tlpType).toBe(address >= 0x1_0000_0000n ? "mwr-64" : "mwr-32");
        expect(w.tag).toBe(7);
      }
    // Decoding gives views of the input (no copy), plain Uint8Arrays even from a Buffer.
    const image = Buffer.from(encodeTlp(memoryWrite(0x2000n, new Uint8Array(8).fill(9))));
    const decoded = decodeTlp(image) as ReturnType<typeof memoryWrite>;
    expect(decoded.data.constructor).toBe(Uint8Array);
    expect(decoded.data.buffer).toBe(image.buffer);
    image[image.length - 1] = 1;
    expect(decoded.data[7]).toBe(1);
    const data = new Uint8Array(64);
    expect(memoryWrite(0x1000n, data).data).toBe(data);
    expect(memoryWrite(0x1000, data).data).toBe(data);
    expect(memoryWrite(0x1001n, data.subarray(0, 63)).data).not.toBe(data);
  });
});

describe(`memoryWrite with a number address (seed ${seed})`, () => {
  it("gives the TLP of the same address as a bigint", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: 2 ** 32 + 8192 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 4096 }),
        ),
        fc.integer({ min: 0, max: 4096 }),
        (address, n) => {
          const length = Math.min(n, 4096 - (address % 4));
          const data = new Uint8Array(length).map((_, i) => i * 7 + 1);
          expect(memoryWrite(address, data)).toEqual(memoryWrite(BigInt(address), data));
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it("MemoryWriteBuilder gives, call after call, what memoryWrite gives", () => {
    fc.assert(
      fc.property(
        fc.option(fc.record({ tag: fc.nat({ max: 1023 }), requesterId: fc.nat({ max: 0xffff }) }), {
          nil: undefined,
        }),
        fc.array(
          fc.tuple(
            fc.oneof(
              fc.bigInt({ min: 0n, max: (1n << 64n) - 4096n }),
              fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 4096 }),
            ),
            fc.integer({ min: 0, max: 4093 }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        (options, writes) => {
          const builder = new MemoryWriteBuilder(options);
          for (const [address, n] of writes) {
            const data = new Uint8Array(n).map((_, i) => i ^ 0x5a);
            const built = builder.next(address, data);
            expect(built).toEqual(memoryWrite(address, data, options));
            expect(decodeTlp(encodeTlp(built))).toEqual(memoryWrite(address, data, options));
          }
        },
      ),
      { seed, numRuns: 200 },
    );
    const builder = new MemoryWriteBuilder();
    expect(() => builder.next(-1, new Uint8Array(4))).toThrow(/"address" expected/);
    expect(() => new MemoryWriteBuilder({ tag: 1024 })).toThrow(/"tag"/);
  });

  it("refuses a number that is not an address below 2^53", () => {
    for (const bad of [-4, 1.5, 2 ** 53, Number.NaN, Infinity])
      expect(() => memoryWrite(bad, new Uint8Array(4))).toThrow(
        /"address" expected a safe integer ≥ 0/,
      );
    expect(() => memoryWrite(2, new Uint8Array(4095))).toThrow(
      /"byteLength" expected at most 4094/,
    );
  });
});

describe("TransferPlan.addressNumberAt", () => {
  it("is addressAt as a number below 2^53, and −1 for a transfer reaching past it", () => {
    const p = planWrite(0x1_0000_0ff0n, 600, 256);
    for (const s of slices(p))
      expect(p.addressNumberAt(s.offset)).toBe(Number(p.addressAt(s.offset)));
    expect(planWrite(BigInt(Number.MAX_SAFE_INTEGER) - 10n, 8, 256).addressNumberAt(0)).toBe(
      Number.MAX_SAFE_INTEGER - 10,
    );
    expect(planWrite(BigInt(Number.MAX_SAFE_INTEGER) - 10n, 16, 256).addressNumberAt(0)).toBe(-1);
  });
});

const slices = (p: TransferPlan | CompletionPlan): TlpSlice[] =>
  Array.from({ length: p.count }, (_, i) => p.tlpAt(i));

describe("splitting, hand-worked (§8)", () => {
  it("600 B write at 0x0FF0, MPS 256 → 16 + 256 + 256 + 72", () => {
    const p = planWrite(0x0ff0n, 600, 256);
    expect(slices(p).map((s) => [s.offset, s.byteLength, s.lengthDw, s.firstBe, s.lastBe])).toEqual(
      [
        [0, 16, 4, 0xf, 0xf],
        [16, 256, 64, 0xf, 0xf],
        [272, 256, 64, 0xf, 0xf],
        [528, 72, 18, 0xf, 0xf],
      ],
    );
    const tlps = [...writeTlps(p, new Uint8Array(600))];
    expect(tlps.map((t) => t.address)).toEqual([0xff0 >> 2, 0x1000 >> 2, 0x1100 >> 2, 0x1200 >> 2]);
    expect(p.headerBytes).toBe(48);
    expect(p.dataBytes).toBe(600);
  });
  it("1000 B write at 0x1000_0F80, MPS 256 → 128 + 256 + 256 + 256 + 104", () => {
    expect(slices(planWrite(0x1000_0f80n, 1000, 256)).map((s) => s.byteLength)).toEqual([
      128, 256, 256, 256, 104,
    ]);
  });
  it("a write across 4 GiB switches to 4-DW headers at the boundary", () => {
    const p = planWrite(0xffff_ff00n, 512, 128);
    expect(p.headerBytes).toBe(2 * 12 + 2 * 16);
  });
  it("completions of 200 B at 0x1038, MPS 128, RCB 64", () => {
    const c = new CompletionPlan(0x1038n, 200, { mps: 128, rcb: 64 });
    expect(
      slices(c).map((s) => [
        s.byteLength,
        s.lengthDw,
        c.byteCountAt(s.offset),
        c.lowerAddressAt(s.offset),
      ]),
    ).toEqual([
      [72, 18, 200, 0x38],
      [128, 32, 128, 0x00],
    ]);
  });
  it("a zero-length read completes with Length 1, Byte Count 1", () => {
    const c = new CompletionPlan(0x1003n, 0);
    const [t] = [
      ...completionTlps(c, new Uint8Array(0), { completerId: 1, requesterId: 2, tag: 3 }),
    ];
    expect([t!.length, t!.byteCount, t!.lowerAddress]).toEqual([1, 1, 0]);
    const a = new ReadAssembler(0, 2);
    a.expect(3, 0x1003n, 0, 0);
    expect(a.accept(t!)).toBe(true);
  });
  it("4096-byte completion carries Byte Count 0", () => {
    const c = new CompletionPlan(0x2000n, 4096, { mps: 4096, rcb: 128 });
    const [t] = [
      ...completionTlps(c, new Uint8Array(4096), { completerId: 1, requesterId: 2, tag: 3 }),
    ];
    expect([t!.byteCount, t!.length]).toEqual([0, 0]);
  });
});

const arbTransfer = fc.record({
  address: fc.oneof(fc.bigInt(0n, 0x2_0000_0000n), fc.bigInt(0n, (1n << 64n) - 0x10_0000n)),
  byteLength: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40_000 })),
  mps: fc.constantFrom(128, 256, 512, 1024, 2048, 4096),
  mrrs: fc.constantFrom(128, 256, 512, 1024, 2048, 4096),
  rcb: fc.constantFrom(64, 128),
});

function checkPlan(p: TransferPlan, max: number): void {
  let next = 0;
  for (let i = 0; i < p.count; i++) {
    const s = p.tlpAt(i);
    expect(s.offset).toBe(next);
    expect(s.byteLength).toBeGreaterThan(0);
    const a = p.address + BigInt(s.offset);
    const a4 = Number(a & 3n);
    expect(a4 + s.byteLength).toBeLessThanOrEqual(max + (a4 === 0 ? 0 : 3));
    expect(s.lengthDw * 4).toBeLessThanOrEqual(max);
    expect(Number(a & 0xfffn) + s.byteLength).toBeLessThanOrEqual(4096);
    expect(s).toEqual({
      index: i,
      offset: s.offset,
      byteLength: s.byteLength,
      ...byteEnables(a, s.byteLength),
    });
    next += s.byteLength;
  }
  expect(next).toBe(p.byteLength);
  const seen: number[][] = [];
  p.forEach((...args) => seen.push(args));
  expect(seen).toEqual(
    slices(p).map((s) => [s.index, s.offset, s.byteLength, s.lengthDw, s.firstBe, s.lastBe]),
  );
}

describe(`splitting properties (seed ${seed})`, () => {
  it("writes and reads: contiguous, sum to the transfer, ≤ MPS/MRRS, no 4 KiB crossing, BEs of §4.2", () => {
    fc.assert(
      fc.property(arbTransfer, ({ address, byteLength, mps, mrrs }) => {
        checkPlan(planWrite(address, byteLength, mps), mps);
        checkPlan(planRead(address, byteLength, mrrs), mrrs);
      }),
      { seed, numRuns: runs },
    );
  });

  it("materialised TLPs equal the lazy plan and encode with the generated codec", () => {
    fc.assert(
      fc.property(
        arbTransfer,
        fc.integer({ min: 0, max: 0xffff }),
        ({ address, byteLength, mps, mrrs }, rid) => {
          const data = Uint8Array.from({ length: Math.min(byteLength, 5000) }, (_, i) => i * 7);
          const wp = planWrite(address, data.length, mps);
          const w = [...writeTlps(wp, data, { requesterId: rid })];
          expect(w.length).toBe(wp.count);
          let hdr = 0;
          w.forEach((t, i) => {
            const s = wp.tlpAt(i);
            expect(t).toEqual(
              memoryWrite(
                address + BigInt(s.offset),
                data.subarray(s.offset, s.offset + s.byteLength),
                { requesterId: rid },
              ),
            );
            const bytes = encodeTlp(t);
            hdr += bytes.length - t.data.length;
            expect(decodeTlp(bytes)).toEqual(t);
          });
          expect(hdr).toBe(wp.headerBytes);
          const rp = planRead(address, byteLength, mrrs);
          let n = 0;
          for (const t of readTlps(rp, { tag: 5 })) {
            expect(decodeTlp(encodeTlp(t))).toEqual(t);
            expect(t.tag).toBe((5 + n++) % 256);
          }
          expect(n).toBe(rp.count);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });

  it("completion splitting + reassembly round-trips the data for any legal interleaving", () => {
    fc.assert(
      fc.property(
        arbTransfer,
        fc.infiniteStream(fc.nat()),
        fc.boolean(),
        ({ address, byteLength, mps, mrrs, rcb }, picks, rcbOnly) => {
          const len = Math.min(byteLength, 20_000);
          const data = Uint8Array.from({ length: len }, (_, i) => (i * 31 + 7) & 0xff);
          const rp = planRead(address, len, mrrs);
          const asm = new ReadAssembler(len, 0x0100, { rcb });
          const queues: TlpCpldNoDigest[][] = [];
          rp.forEach((i, off, bl) => {
            const a = address + BigInt(off);
            const tag = i % 1024;
            asm.expect(tag, a, bl, off);
            const cp = new CompletionPlan(a, bl, {
              mps,
              rcb,
              completionBytes: rcbOnly ? rcb : mps,
            });
            const q = [
              ...completionTlps(cp, data.subarray(off, off + bl), {
                completerId: 9,
                requesterId: 0x0100,
                tag,
              }),
            ];
            for (const t of q) {
              expect(t.length * 4).toBeLessThanOrEqual(mps);
              expect(decodeTlp(encodeTlp(t))).toEqual(t);
            }
            queues.push(q);
          });
          // Arrival: completions of one request in order; requests interleave arbitrarily.
          const it = picks[Symbol.iterator]();
          let live = queues.filter((q) => q.length > 0);
          while (live.length > 0) {
            const q = live[it.next().value! % live.length]!;
            const last = asm.accept(q.shift()!);
            expect(last).toBe(q.length === 0);
            live = live.filter((x) => x.length > 0);
          }
          expect(asm.complete).toBe(true);
          expect(asm.data).toEqual(data);
        },
      ),
      { seed, numRuns: Math.ceil(runs / 4) },
    );
  });
});

describe("completion checks", () => {
  const setup = () => {
    const cp = new CompletionPlan(0x1010n, 256, { mps: 128, rcb: 64 });
    const tlps = [
      ...completionTlps(cp, new Uint8Array(256), { completerId: 1, requesterId: 7, tag: 0x155 }),
    ];
    const a = new ReadAssembler(256, 7);
    a.expect(0x155, 0x1010n, 256, 0);
    return { tlps, a };
  };
  it("tag, requester, byte count, lower address, length, RCB", () => {
    const { tlps, a } = setup();
    const t = tlps[0]!;
    expect(() => a.accept({ ...t, tag: 1 })).toThrow(CompletionError);
    expect(() => a.accept({ ...t, requesterId: 8 })).toThrow('"requesterId" expected 7, got 8');
    expect(() => a.accept({ ...t, byteCount: 200 })).toThrow('"byteCount" expected 256, got 200');
    expect(() => a.accept({ ...t, lowerAddress: 0 })).toThrow('"lowerAddress" expected 16, got 0');
    expect(() => a.accept({ ...t, length: 70 })).toThrow(/"length" expected at most 64 DW/);
    expect(() => a.accept({ ...t, length: 5, data: new Uint8Array(20) })).toThrow(/RCB boundary/);
    expect(() => a.accept(tlps[1]!)).toThrow('"byteCount" expected 256, got 144');
    expect(a.accept(t)).toBe(false);
    expect(a.outstanding()).toEqual([0x155]);
    expect(a.accept(tlps[1]!)).toBe(false);
    expect(a.accept(tlps[2]!)).toBe(true);
  });
  it("UR / CA / CRS are typed errors with stable names", () => {
    for (const [status, name] of [
      ["ur", "UnsupportedRequestError"],
      ["ca", "CompleterAbortError"],
      ["crs", "ConfigRetryError"],
    ] as const) {
      const { tlps, a } = setup();
      let err: unknown;
      try {
        a.accept({ ...tlps[0]!, status });
      } catch (e) {
        err = e;
      }
      expect((err as Error).name).toBe(name);
      expect((err as Error).message).toContain(`"status" expected "sc", got "${status}"`);
      expect(a.complete).toBe(true);
    }
    const { tlps, a } = setup();
    expect(() => a.accept({ ...tlps[0]!, status: "ur" })).toThrow(UnsupportedRequestError);
  });
});
