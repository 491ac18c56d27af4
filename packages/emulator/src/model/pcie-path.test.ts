/**
 * RASHPA PCIe data-path model: closed form in a simple case, errors, and property tests
 * (fractions in (0, 1], FPGA ≥ application, monotonicity in setup cost, link width and BSU
 * transfer size, and the cap set by the destination extent).
 */
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { PCIE_WIDTHS, SIZE_BYTES, pcieThroughput } from "@rashpa/pcie";
import { describe, expect, it } from "vitest";
import {
  ESRF_2013_GEN2X4,
  RashpaModelError,
  parsePcieLink,
  pcieLinkName,
  rashpaPcieModel,
} from "../index.js";
import type { PcieLinkConfig, RashpaPcieParameters } from "../index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 100);
const base = ESRF_2013_GEN2X4.parameters;

describe("closed form", () => {
  it("one 4 KiB block on Gen2 x4, MPS 256, 3-DW: BTD + setup + 16 TLPs of 276 B at 16 Gb/s", () => {
    const p: RashpaPcieParameters = {
      ...base,
      address64: false,
      frameBytes: 4096,
      blockBytes: 4096,
    };
    const r = rashpaPcieModel("gen2x4", p);
    const cycle = 1000 / 125; // ns at 125 MHz
    const setup = (7 * 8 + 40) * cycle; // 96 cycles = 768 ns
    const wire = (16 * (256 + 12 + 8) * 8) / 16; // 2208 ns (pcie.md §11.3: 0.9275)
    const fpgaNs = 16 * cycle + setup + wire;
    expect(r.linkMaxGbps).toBeCloseTo(16, 12);
    expect(r.tlpOverheadBytes).toBeCloseTo(20, 9);
    expect(r.transfersPerFrame).toBe(1);
    expect(r.tlpsPerFrame).toBe(16);
    expect(r.setupNsPerTransfer).toBeCloseTo(768, 9);
    expect(r.dataLimit).toBe("link");
    expect(r.fpgaFrameNs).toBeCloseTo(fpgaNs, 6);
    expect(r.fpgaGbps).toBeCloseTo((4096 * 8) / fpgaNs, 12);
    expect(r.fpgaFraction).toBeCloseTo((4096 * 8) / fpgaNs / 16, 12);
    const host = 20_000 + 4096 / 4.9;
    expect(r.hostFrameNs).toBeCloseTo(host, 6);
    expect(r.applicationLatencyNs).toBeCloseTo(fpgaNs + host, 6);
    expect(r.applicationGbps).toBeCloseTo((4096 * 8) / (fpgaNs + host), 12);
  });

  it("zero costs and a wide datapath give exactly pcieThroughput's link payload", () => {
    const p: RashpaPcieParameters = {
      ...base,
      cyclesPerRegisterAccess: 0,
      transferLatencyCycles: 0,
      btdCycles: 0,
      datapathBits: 1024,
      fabricClockMHz: 1000,
    };
    const r = rashpaPcieModel("gen3x8", p);
    const t = pcieThroughput({ generation: 3, width: 8, maxPayloadSize: 256, address64: true });
    expect(r.fpgaGbps).toBeCloseTo(t.linkPayloadGbps, 9);
  });

  it("a misaligned last block pays for its short TLP (planWrite, pcie.md §8.1)", () => {
    const r = rashpaPcieModel("gen2x4", {
      ...base,
      frameBytes: 4096 + 100,
      blockBytes: 4096 + 100,
    });
    expect(r.transfersPerFrame).toBe(2);
    expect(r.tlpsPerFrame).toBe(17);
    expect(r.blocksPerFrame).toBe(1);
  });

  it("the AXI datapath paces fast links (128 bit × 125 MHz = 16 Gb/s)", () => {
    const r = rashpaPcieModel("gen3x8", base);
    expect(r.datapathGbps).toBe(16);
    expect(r.dataLimit).toBe("datapath");
  });

  it("overlapping host work: the application runs at the slower of FPGA and host", () => {
    const r = rashpaPcieModel("gen2x4", { ...base, hostOverlap: true });
    expect(r.applicationGbps).toBeCloseTo(r.fpgaGbps, 12);
    const slow = rashpaPcieModel("gen2x4", { ...base, hostOverlap: true, hostReadGBps: 0.5 });
    expect(slow.applicationFrameNs).toBeCloseTo(slow.hostFrameNs, 6);
    expect(slow.applicationGbps).toBeLessThan(slow.fpgaGbps);
  });
});

describe("links and errors", () => {
  it("parses and names links", () => {
    expect(parsePcieLink("gen2x4")).toEqual({ generation: 2, width: 4 });
    expect(parsePcieLink("Gen4x16")).toEqual({ generation: 4, width: 16 });
    expect(pcieLinkName({ generation: 3, width: 8 })).toBe("gen3x8");
    for (const bad of ["gen7x4", "gen2x3", "gen2", "x4", ""])
      expect(() => parsePcieLink(bad)).toThrow(RashpaModelError);
  });

  it("names the parameter out of range", () => {
    const cases: [Partial<RashpaPcieParameters>, string][] = [
      [{ maxPayloadSize: 100 }, "maxPayloadSize"],
      [{ bsuMaxTransferBytes: 3000 }, "bsuMaxTransferBytes"],
      [{ fabricClockMHz: 0 }, "fabricClockMHz"],
      [{ hostReadGBps: 0 }, "hostReadGBps"],
      [{ cyclesPerRegisterAccess: -1 }, "cyclesPerRegisterAccess"],
      [{ frameBytes: 1.5 }, "frameBytes"],
      [{ blockBytes: 1, frameBytes: 2 ** 30 }, "blockBytes"],
      [{ hostOverlap: 1 as unknown as boolean }, "hostOverlap"],
    ];
    for (const [over, name] of cases) {
      let err: unknown;
      try {
        rashpaPcieModel("gen2x4", { ...base, ...over });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RashpaModelError);
      expect((err as RashpaModelError).parameter).toBe(name);
      expect((err as Error).message).toMatch(new RegExp(`^"${name}" expected .+, got .+$`));
    }
    expect(() => rashpaPcieModel({ generation: 2, width: 3 }, base)).toThrow(
      /"link" expected generation 1–6/,
    );
  });
});

const pow2 = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((e) => 2 ** e);

const arbLink: fc.Arbitrary<PcieLinkConfig> = fc.record({
  generation: fc.integer({ min: 1, max: 6 }),
  width: fc.constantFrom(...PCIE_WIDTHS),
});

const arbParams: fc.Arbitrary<RashpaPcieParameters> = fc
  .record({
    maxPayloadSize: fc.constantFrom(...SIZE_BYTES),
    address64: fc.boolean(),
    ecrc: fc.boolean(),
    acksPerTlp: fc.integer({ min: 0, max: 2 }),
    updateFcsPerTlp: fc.integer({ min: 0, max: 2 }),
    skpShare: fc.double({ min: 0, max: 0.05, noNaN: true }),
    fabricClockMHz: fc.double({ min: 50, max: 500, noNaN: true }),
    datapathBits: pow2(5, 10),
    bsuMaxTransferBytes: pow2(7, 20),
    destinationExtentBytes: pow2(7, 24),
    registerAccessesPerTransfer: fc.integer({ min: 0, max: 16 }),
    cyclesPerRegisterAccess: fc.double({ min: 0, max: 64, noNaN: true }),
    transferLatencyCycles: fc.double({ min: 0, max: 500, noNaN: true }),
    btdCycles: fc.double({ min: 0, max: 100, noNaN: true }),
    frameBytes: fc.integer({ min: 1, max: 1 << 21 }),
    blockShare: fc.integer({ min: 1, max: 64 }),
    notificationLatencyUs: fc.double({ min: 0, max: 1000, noNaN: true }),
    hostReadGBps: fc.double({ min: 0.1, max: 50, noNaN: true }),
    hostOverlap: fc.boolean(),
  })
  .map(({ blockShare, ...p }) => ({ ...p, blockBytes: Math.ceil(p.frameBytes / blockShare) }));

const EPS = 1e-12;

describe(`data-path model properties (seed ${seed})`, () => {
  it("fractions lie in (0, 1] and FPGA ≥ application ≥ 0", () => {
    fc.assert(
      fc.property(arbLink, arbParams, (l, p) => {
        const r = rashpaPcieModel(l, p);
        expect(r.fpgaFraction).toBeGreaterThan(0);
        expect(r.fpgaFraction).toBeLessThanOrEqual(1);
        expect(r.applicationFraction).toBeGreaterThan(0);
        expect(r.applicationFraction).toBeLessThanOrEqual(r.fpgaFraction * (1 + EPS));
        expect(r.fpgaGbps).toBeLessThanOrEqual(r.linkPayloadGbps * (1 + EPS));
        expect(r.applicationLatencyNs).toBeGreaterThanOrEqual(r.fpgaFrameNs);
      }),
      { seed, numRuns: runs },
    );
  });

  it("is monotone non-increasing in the per-transfer setup cost", () => {
    fc.assert(
      fc.property(
        arbLink,
        arbParams,
        fc.double({ min: 0, max: 64, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (l, p, dc, dl) => {
          const a = rashpaPcieModel(l, p);
          const b = rashpaPcieModel(l, {
            ...p,
            cyclesPerRegisterAccess: p.cyclesPerRegisterAccess + dc,
            transferLatencyCycles: p.transferLatencyCycles + dl,
          });
          expect(b.fpgaGbps).toBeLessThanOrEqual(a.fpgaGbps * (1 + EPS));
          expect(b.applicationGbps).toBeLessThanOrEqual(a.applicationGbps * (1 + EPS));
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it("FPGA-level throughput is non-decreasing in link width", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(...PCIE_WIDTHS),
        fc.constantFrom(...PCIE_WIDTHS),
        arbParams,
        (g, w1, w2, p) => {
          const [lo, hi] = w1 <= w2 ? [w1, w2] : [w2, w1];
          const a = rashpaPcieModel({ generation: g, width: lo }, p);
          const b = rashpaPcieModel({ generation: g, width: hi }, p);
          expect(b.fpgaGbps).toBeGreaterThanOrEqual(a.fpgaGbps * (1 - EPS));
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it("FPGA-level throughput is non-decreasing in BSU transfer size, capped by the extent", () => {
    fc.assert(
      fc.property(arbLink, arbParams, fc.integer({ min: 1, max: 4 }), (l, p, k) => {
        const a = rashpaPcieModel(l, p);
        const bigger = Math.min(p.bsuMaxTransferBytes * 2 ** k, 1 << 22);
        const b = rashpaPcieModel(l, { ...p, bsuMaxTransferBytes: bigger });
        expect(b.fpgaGbps).toBeGreaterThanOrEqual(a.fpgaGbps * (1 - EPS));
        expect(b.transfersPerFrame).toBeLessThanOrEqual(a.transfersPerFrame);
        // Beyond the destination extent (4 KiB pages: the 4 KiB rule) nothing changes.
        if (p.bsuMaxTransferBytes >= p.destinationExtentBytes) expect(b).toEqual(a);
      }),
      { seed, numRuns: runs },
    );
  });

  it("with scattered 4 KiB pages, BSU transfers above 4 KiB gain nothing", () => {
    const p = { ...base, destinationExtentBytes: 4096 };
    const at4k = rashpaPcieModel("gen2x4", p);
    for (const bsu of [8192, 65536, 1 << 20])
      expect(rashpaPcieModel("gen2x4", { ...p, bsuMaxTransferBytes: bsu })).toEqual(at4k);
    const contiguous = rashpaPcieModel("gen2x4", { ...base, bsuMaxTransferBytes: 65536 });
    expect(contiguous.fpgaFraction).toBeGreaterThan(at4k.fpgaFraction);
  });
});
