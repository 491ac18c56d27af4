/**
 * Throughput model (pcie.md §11): closed forms against the reference's tables and sanity points,
 * and property tests.
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  PCIE_WIDTHS,
  PcieThroughputError,
  RCB_BYTES,
  SIZE_BYTES,
  pcieThroughput,
  planWrite,
} from "./index.js";
import type { PcieThroughputOptions } from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

describe("closed form (§11.1–§11.3)", () => {
  it("Gen2 x4 MPS 256, 32-bit writes: 256 / 276 of 16 Gb/s", () => {
    const t = pcieThroughput({ generation: 2, width: 4, maxPayloadSize: 256 });
    expect(t.rawGbps).toBe(20);
    expect(t.encodedGbps).toBeCloseTo(16, 12);
    expect(t.tlpEfficiency).toBeCloseTo(0.9275, 4); // §11.3, MPS 256, 3DW
    expect(t.dllpShare).toBe(0);
    expect(t.payloadGbps).toBeCloseTo((16 * 256) / 276, 12);
    expect(t.payloadGBps).toBeCloseTo((2 * 256) / 276, 12);
    expect(t.limit).toBe("link");
    expect(t.outstandingLimitGbps).toBeNull();
  });

  it("§11.3 efficiency table: every MPS, 3DW / 4DW / 4DW + ECRC", () => {
    const table: [number, number, number, number][] = [
      [128, 0.8649, 0.8421, 0.8205],
      [256, 0.9275, 0.9143, 0.9014],
      [512, 0.9624, 0.9552, 0.9481],
      [1024, 0.9808, 0.9771, 0.9734],
      [4096, 0.9951, 0.9942, 0.9932],
    ];
    for (const [mps, dw3, dw4, dw4e] of table) {
      const base = { generation: 3, width: 8, maxPayloadSize: mps };
      expect(pcieThroughput(base).tlpEfficiency).toBeCloseTo(dw3, 4);
      expect(pcieThroughput({ ...base, address64: true }).tlpEfficiency).toBeCloseTo(dw4, 4);
      expect(pcieThroughput({ ...base, address64: true, ecrc: true }).tlpEfficiency).toBeCloseTo(
        dw4e,
        4,
      );
    }
  });

  it("§11.1 link rates after encoding (GB/s) for x4 / x8 / x16", () => {
    const rows: [number, number, number, number][] = [
      [1, 1.0, 2.0, 4.0],
      [2, 2.0, 4.0, 8.0],
      [3, 3.938, 7.877, 15.754],
      [4, 7.877, 15.754, 31.508],
      [5, 15.754, 31.508, 63.015],
      [6, 32.0, 64.0, 128.0],
    ];
    for (const [generation, x4, x8, x16] of rows) {
      for (const [width, gbs] of [
        [4, x4],
        [8, x8],
        [16, x16],
      ] as const)
        expect(pcieThroughput({ generation, width }).encodedGbps / 8).toBeCloseTo(gbs, 2);
    }
  });

  it("§11.3 sanity points: Gen3 x8 MPS 256 writes, MRRS 512 reads with 64/128 B completions", () => {
    const g3 = { generation: 3, width: 8, maxPayloadSize: 256 } as const;
    expect(pcieThroughput({ ...g3, address64: true }).payloadGBps).toBeCloseTo(7.2, 1);
    expect(pcieThroughput(g3).payloadGBps).toBeCloseTo(7.31, 2);
    const rd = {
      ...g3,
      direction: "read",
      maxReadRequestSize: 512,
      outstandingReads: 1024,
    } as const;
    expect(pcieThroughput(rd).payloadGBps).toBeCloseTo(6.0, 2);
    expect(pcieThroughput({ ...rd, readCompletionBoundary: 128 }).payloadGBps).toBeCloseTo(6.81, 2);
  });

  it("reads limited by outstanding reads × MRRS / round trip (§11.2.2 example: 16.384 GB/s)", () => {
    const t = pcieThroughput({
      generation: 5,
      width: 16,
      direction: "read",
      maxPayloadSize: 512,
      maxReadRequestSize: 512,
      outstandingReads: 32,
      roundTripNs: 1000,
    });
    expect(t.outstandingLimitGbps! / 8).toBeCloseTo(16.384, 9);
    expect(t.limit).toBe("outstanding-reads");
    expect(t.payloadGBps).toBeCloseTo(16.384, 9);
  });

  it("DLLPs: one Ack + one UpdateFC per TLP add 16 B per TLP (§7, §11.2.1)", () => {
    const t = pcieThroughput({
      generation: 2,
      width: 4,
      maxPayloadSize: 256,
      acksPerTlp: 1,
      updateFcsPerTlp: 1,
    });
    expect(t.dllpShare).toBeCloseTo(16 / 292, 12);
    expect(t.payloadGbps).toBeCloseTo((16 * 256) / 292, 12);
    expect(t.tlpEfficiency).toBeCloseTo(256 / 276, 12);
  });

  it("Gen6 flit mode: 236/256 of the link for TLPs, no per-TLP framing (§7, §11.2.3)", () => {
    const t = pcieThroughput({ generation: 6, width: 1, maxPayloadSize: 256, acksPerTlp: 1 });
    expect(t.flitMode).toBe(true);
    expect(t.encodedGbps / 8).toBe(8);
    expect(t.dllpShare).toBeCloseTo(6 / 256, 12);
    expect(t.tlpEfficiency).toBeCloseTo(256 / 268, 12);
    expect(t.payloadGBps).toBeCloseTo(7.375 * (256 / 268), 12);
  });

  it("the 64-bit form can beat reads: MPS 128, RCB 128 (completions keep a 3-DW header)", () => {
    const o = { generation: 3, width: 4, maxPayloadSize: 128, address64: true } as const;
    const w = pcieThroughput(o);
    const r = pcieThroughput({
      ...o,
      direction: "read",
      readCompletionBoundary: 128,
      outstandingReads: 1024,
    });
    expect(w.tlpEfficiency).toBeCloseTo(0.8421, 4);
    expect(r.tlpEfficiency).toBeCloseTo(0.8649, 4);
  });

  it("bad options are typed errors naming the option", () => {
    const bad: [Partial<PcieThroughputOptions>, string][] = [
      [{ generation: 7 }, "generation"],
      [{ width: 3 }, "width"],
      [{ maxPayloadSize: 100 }, "maxPayloadSize"],
      [{ maxReadRequestSize: 8192 }, "maxReadRequestSize"],
      [{ readCompletionBoundary: 32 }, "readCompletionBoundary"],
      [{ acksPerTlp: -1 }, "acksPerTlp"],
      [{ updateFcsPerTlp: Number.NaN }, "updateFcsPerTlp"],
      [{ skpShare: 0.9 }, "skpShare"],
      [{ outstandingReads: 1.5 }, "outstandingReads"],
      [{ roundTripNs: 0 }, "roundTripNs"],
      [{ direction: "both" as "write" }, "direction"],
      [{ ecrc: 1 as unknown as boolean }, "ecrc"],
    ];
    for (const [o, option] of bad) {
      let err: unknown;
      try {
        pcieThroughput({ generation: 2, width: 4, ...o });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PcieThroughputError);
      expect((err as PcieThroughputError).option).toBe(option);
      expect((err as Error).message).toMatch(new RegExp(`^"${option}" expected .+, got `));
    }
  });
});

const arbLink = fc.record({
  generation: fc.integer({ min: 1, max: 6 }),
  width: fc.constantFrom(...PCIE_WIDTHS),
  maxPayloadSize: fc.constantFrom(...SIZE_BYTES),
  maxReadRequestSize: fc.constantFrom(...SIZE_BYTES),
  readCompletionBoundary: fc.constantFrom(...RCB_BYTES),
  address64: fc.boolean(),
  ecrc: fc.boolean(),
  direction: fc.constantFrom("write" as const, "read" as const),
  acksPerTlp: fc.integer({ min: 0, max: 4 }),
  updateFcsPerTlp: fc.integer({ min: 0, max: 4 }),
  skpShare: fc.double({ min: 0, max: 0.02, noNaN: true }),
  outstandingReads: fc.integer({ min: 1, max: 1024 }),
  roundTripNs: fc.double({ min: 10, max: 10_000, noNaN: true }),
});

describe(`throughput properties (seed ${seed})`, () => {
  it("never above the raw link bandwidth after encoding", () => {
    fc.assert(
      fc.property(arbLink, (o) => {
        const t = pcieThroughput(o);
        expect(t.payloadGbps).toBeGreaterThan(0);
        expect(t.payloadGbps).toBeLessThanOrEqual(t.encodedGbps);
        expect(t.encodedGbps).toBeLessThanOrEqual(t.rawGbps);
        expect(t.tlpEfficiency).toBeLessThan(1);
        expect(t.payloadGBps).toBeCloseTo(t.payloadGbps / 8, 12);
      }),
      { seed, numRuns: runs },
    );
  });

  it("monotone non-decreasing in MPS and in width", () => {
    fc.assert(
      fc.property(
        arbLink,
        fc.constantFrom(...SIZE_BYTES),
        fc.constantFrom(...PCIE_WIDTHS),
        (o, mps2, w2) => {
          const [m1, m2] = [o.maxPayloadSize, mps2].sort((a, b) => a - b) as [number, number];
          const [w1, w3] = [o.width, w2].sort((a, b) => a - b) as [number, number];
          const eps = 1e-9;
          expect(pcieThroughput({ ...o, maxPayloadSize: m2 }).payloadGbps).toBeGreaterThanOrEqual(
            pcieThroughput({ ...o, maxPayloadSize: m1 }).payloadGbps - eps,
          );
          expect(pcieThroughput({ ...o, width: w3 }).payloadGbps).toBeGreaterThanOrEqual(
            pcieThroughput({ ...o, width: w1 }).payloadGbps - eps,
          );
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it("reads never above writes for the same link (32-bit addressing)", () => {
    fc.assert(
      fc.property(arbLink, (o) => {
        const same = { ...o, address64: false };
        const w = pcieThroughput({ ...same, direction: "write" });
        const r = pcieThroughput({ ...same, direction: "read" });
        expect(r.payloadGbps).toBeLessThanOrEqual(w.payloadGbps + 1e-9);
      }),
      { seed, numRuns: runs },
    );
  });

  it("split TLP payloads sum to the transfer for every (address, length, MPS) (§8.1)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - (1n << 20n) }),
        fc.integer({ min: 0, max: 1 << 16 }),
        fc.constantFrom(...SIZE_BYTES),
        (address, byteLength, mps) => {
          const plan = planWrite(address, byteLength, mps);
          let sum = 0;
          let n = 0;
          let bad = 0;
          plan.forEach((_i, _off, len) => {
            if (len <= 0 || len > mps) bad++;
            sum += len;
            n++;
          });
          expect(bad).toBe(0);
          expect(n).toBe(plan.count);
          expect(sum).toBe(byteLength);
          // Whole-transfer efficiency is at most the steady-state figure of §11.2.1 (the first
          // and last TLPs may be shorter).
          if (byteLength > 0 && address < 1n << 32n && plan.headerBytes === plan.count * 12) {
            const exact = byteLength / (plan.dataBytes + plan.headerBytes + 8 * plan.count);
            const model = pcieThroughput({ generation: 2, width: 1, maxPayloadSize: mps });
            expect(exact).toBeLessThanOrEqual(model.tlpEfficiency + 1e-12);
          }
        },
      ),
      { seed, numRuns: runs },
    );
  });
});
