import { pcieThroughput } from "@rashpa/pcie";
import { encodeSrioPacket, srioPacketSize, srioThroughput } from "@rashpa/srio";
import { describe, expect, it } from "vitest";
import {
  BRIDGE_CURVE_LENGTHS,
  bridgeThroughputCurve,
  createBridgeSystem,
  formatBridgeCurve,
} from "./curve.js";
import { BRIDGE_2017_GEN2X4_SRIO5G, bridgeTiming } from "./parameters.js";

const P = BRIDGE_2017_GEN2X4_SRIO5G.parameters;

describe("bridge parameters", () => {
  it("gives a reason for every parameter of the named set", () => {
    for (const key of Object.keys(P))
      expect(BRIDGE_2017_GEN2X4_SRIO5G.reasons[key as keyof typeof P].length).toBeGreaterThan(10);
    expect(Object.keys(BRIDGE_2017_GEN2X4_SRIO5G.reasons).sort()).toEqual(Object.keys(P).sort());
  });

  it("takes the link rates from pcieThroughput and srioThroughput", () => {
    const t = bridgeTiming(P);
    const up = pcieThroughput({
      generation: 2,
      width: 4,
      maxPayloadSize: 256,
      maxReadRequestSize: 512,
    });
    expect(t.pcieUpload.payloadGbps).toBe(up.payloadGbps);
    const srio = srioThroughput({ baudGbaud: 5, width: 4, controlSymbol: 24 });
    expect(t.srio.goodputGbps).toBe(srio.goodputGbps);
    expect(t.srioBitsPerSecond).toBeCloseTo(16e9 * (1 - 4 / 5000), 0); // 4 × 5 Gbaud × 8/10
    expect(t.pipelinePs).toBe(60_000); // 9 cycles at 150 MHz
    expect(t.dmaSetupPs).toBe(4_000_000);
  });

  it("sends packets whose encoded length is srioPacketSize's (the link's per-packet bytes)", () => {
    const p = encodeSrioPacket({
      ackId: 0,
      vc: 0,
      crf: 0,
      prio: 0,
      tt: "dev8",
      ftype: "streaming-write",
      destinationId: 1,
      sourceId: 2,
      address: 0,
      xamsbs: 0,
      payload: new Uint8Array(256),
    });
    expect(p.length).toBe(srioPacketSize("swrite", 256).packetBytes);
    const sys = createBridgeSystem();
    const link = sys.bridge.txLink;
    let end = 0;
    link.transmit(p.length, (tx) => (end = tx.end));
    sys.sim.run();
    // (L + CS24) bytes at the coded rate: 100 % packet time of srio.md §10
    const t = bridgeTiming(P);
    const ns = ((p.length + 4) * 8) / (t.srioBitsPerSecond / 1e9);
    expect(Math.abs(end / 1000 - ns)).toBeLessThan(0.001);
  });
});

describe("the PCIe link TLP by TLP (docs/reference/pcie.md §7, §8, §11)", () => {
  it("carries pcieThroughput's payload rates: 64-byte completions down, MPS-sized writes up", async () => {
    const { encodeInstruction } = await import("@rashpa/descriptors");
    const t = bridgeTiming(P);
    const bytes = 256 * 1024;
    const head = { priority: 0, dev16: false, destId: 1, address: 0n, length: bytes } as const;
    const sized = { nodeIds: [1], nodeMemoryBytes: bytes, hostMemoryBytes: 4 * bytes };
    const down = createBridgeSystem(sized);
    down.bridge.submit(
      encodeInstruction({ ...head, opcode: "stream-write", operands: "stream", tag: 1 }),
      new Uint8Array(bytes),
    );
    down.sim.run();
    // Completions of 64 bytes (RCB), 12-byte header, 8 bytes framing: 64 / 84 of 16 Gb/s.
    const downRate = (bytes + 16) / (down.bridge.pcieDown.busy.total / 1e12) / 1e9;
    expect(downRate / t.pcieDownload.payloadGBps).toBeCloseTo(1, 2);
    expect(down.bridge.pcie.counters.completions).toBe(Math.ceil((bytes + 16) / 64));
    expect(down.bridge.pcie.counters.memoryReads).toBe(Math.ceil((bytes + 16) / 512));
    const up = createBridgeSystem(sized);
    up.bridge.submit(
      encodeInstruction({ ...head, opcode: "stream-read", operands: "stream", tag: 2 }),
    );
    up.sim.run();
    // MWr of 256 bytes (MPS), 12-byte header, 8 bytes framing, plus one MRd of the word.
    const upRate = bytes / ((up.bridge.pcieUp.busy.total - 10_000) / 1e12) / 1e9;
    expect(upRate / t.pcieUpload.payloadGBps).toBeCloseTo(1, 2);
    expect(up.bridge.pcie.counters.memoryWrites).toBe(bytes / 256);
  });
});

describe("throughput versus transfer length (SYSTEM.md §2 Results)", () => {
  it("reproduces the published shape: monotone, 700–800 MB/s at 16 kB, ~1 GB/s from 1 MB", () => {
    const points = bridgeThroughputCurve();
    console.log(formatBridgeCurve(points));
    expect(points.map((p) => p.bytes)).toEqual(BRIDGE_CURVE_LENGTHS);
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.downMBps).toBeGreaterThan(points[i - 1]!.downMBps);
      expect(points[i]!.upMBps).toBeGreaterThan(points[i - 1]!.upMBps);
    }
    const at = (bytes: number) => points.find((p) => p.bytes === bytes)!;
    for (const v of [at(16384).downMBps, at(16384).upMBps]) {
      expect(v).toBeGreaterThanOrEqual(700);
      expect(v).toBeLessThanOrEqual(800);
    }
    for (const p of points.filter((x) => x.bytes >= 1 << 20))
      for (const v of [p.downMBps, p.upMBps]) {
        expect(v).toBeGreaterThanOrEqual(950);
        expect(v).toBeLessThanOrEqual(1050);
      }
    // The steady rate is the bridge datapath's: 64 bit × 150 MHz × 256 / (256 + 6 × 8).
    const bound = ((64 * 150e6) / 8 / 1e6) * (256 / (256 + 48));
    expect(at(1 << 24).downMBps).toBeLessThan(bound);
    expect(at(1 << 24).downMBps).toBeGreaterThan(bound * 0.995);
    // … below what either link could carry
    const t = bridgeTiming(P);
    expect(bound).toBeLessThan(t.srio.goodputGBps * 1000);
    expect(bound).toBeLessThan(t.pcieDownload.payloadGBps * 1000);
  }, 120_000);

  it("is slower with a longer DMA setup at 16 kB and unchanged in shape", () => {
    const [fast] = bridgeThroughputCurve([16384]);
    const [slow] = bridgeThroughputCurve([16384], { ...P, dmaSetupNs: 8000 });
    expect(slow!.downMBps).toBeLessThan(fast!.downMBps);
    expect(slow!.upMBps).toBeLessThan(fast!.upMBps);
  });
});
