import { encodeInstruction } from "@rashpa/descriptors";
import type { Instruction } from "@rashpa/descriptors";
import { lawSeed } from "@rashpa/laws";
import { decodeTlp } from "@rashpa/pcie";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LINKTYPE_USER0, PcapWriter, decodePcieCaptureRecord, readPcap } from "../pcap.js";
import { createBridgeSystem } from "./curve.js";
import type { BridgeSystem } from "./curve.js";
import { NODE_REGISTERS } from "./network.js";
import { BridgePcieError } from "./pcie-endpoint.js";
import { BRIDGE_2017_GEN2X4_SRIO5G } from "./parameters.js";
import type { BridgeParameters } from "./parameters.js";

const P = BRIDGE_2017_GEN2X4_SRIO5G.parameters;
const REG = 0x2_0000_0000n;

function bytesOf(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function stream(
  opcode: "stream-read" | "stream-write",
  destId: number,
  address: bigint,
  length: number,
  tag: number,
): Instruction {
  const head = { priority: 0, dev16: false, tag, destId } as const;
  return { ...head, opcode, operands: "stream", address, length };
}

function capture(): { writer: PcapWriter; bytes: () => Uint8Array } {
  const chunks: Uint8Array[] = [];
  const writer = new PcapWriter((c) => chunks.push(c.slice()), { linkType: LINKTYPE_USER0 });
  return {
    writer,
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      return all;
    },
  };
}

describe("SRIO link-level faults through the bridge (RapidIO 4.1 Part 6 §6.9.1, §6.13.2)", () => {
  it("a stream write survives packet-retry and a bad CRC on the bridge's port: every SWRITE once, in order, counted", () => {
    for (const speed of ["fast", "wire"] as const) {
      const sys = createBridgeSystem({ speed });
      const data = bytesOf(64 * 256, 7);
      const order: number[] = [];
      const node = sys.nodes.get(2)!;
      const receive = node.receive.bind(node);
      node.receive = (b) => {
        if ((b[1]! & 0xf) === 6)
          order.push(((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 3);
        receive(b);
      };
      sys.bridge.submit(encodeInstruction(stream("stream-write", 2, 0n, data.length, 1)), data);
      // 10 µs in, the stream runs: the switch's input has no buffer, then a packet arrives damaged.
      sys.sim.schedule(10_000_000, () => sys.bridge.port.injectRetry(2));
      sys.sim.schedule(12_000_000, () => sys.bridge.port.injectCrcError(1));
      sys.sim.run();
      expect(sys.bridge.completions[0]!.status).toBe("done");
      expect(node.memory.subarray(0, data.length)).toEqual(data);
      expect(order).toEqual(Array.from({ length: 64 }, (_, i) => i * 32));
      expect(node.received.get("streaming-write")).toBe(64);
      const s = sys.bridge.regs.srio;
      expect(s.packetRetries.readFields().value).toBe(2);
      expect(s.packetsNotAccepted.readFields().value).toBe(1);
      expect(s.linkRequests.readFields().value).toBe(1);
      expect(s.retransmitted.readFields().value).toBeGreaterThanOrEqual(3);
      expect(sys.bridge.regs.stream.swritePackets.readFields().value).toBe(64);
      // 1 setup NWRITE_R + 64 SWRITEs accepted: the next ackID is 65 mod 32.
      expect(s.localAckId.readFields().outboundAckId).toBe(65 % 32);
      expect(s.localAckId.readFields().outstandingAckId).toBe(65 % 32);
    }
  });

  it("a stream read survives packet-retry and a bad CRC at the bridge's input, counted in input-retries and input-errors", () => {
    for (const speed of ["fast", "wire"] as const) {
      const sys = createBridgeSystem({ speed });
      const data = bytesOf(40 * 256, 9);
      sys.nodes.get(1)!.memory.set(data, 0x400);
      sys.bridge.submit(encodeInstruction(stream("stream-read", 1, 0x400n, data.length, 2)));
      const inbound = sys.network.port(0x10)!;
      sys.sim.schedule(6_000_000, () => {
        inbound.injectRetry(1);
        inbound.injectCrcError(2);
      });
      sys.sim.run();
      const c = sys.bridge.completions[0]!;
      expect(c.status).toBe("done");
      expect(c.data).toEqual(data);
      expect(inbound.counters.accepted).toBe(3 + 40); // 3 write responses + 40 SWRITEs
      const s = sys.bridge.regs.srio;
      expect(s.inputRetries.readFields().value).toBe(1);
      expect(s.inputErrors.readFields().value).toBe(2);
      expect(s.localAckId.readFields().inboundAckId).toBe(43 % 32);
      expect(sys.bridge.regs.channels.channel[1]!.bytesLo.readFields().value).toBe(data.length);
    }
  });

  it("a register read is retried through a node's link too (switch → node and back)", () => {
    const sys = createBridgeSystem({ speed: "wire" });
    sys.network.port(3)!.injectCrcError(1);
    sys.network.uplink(3)!.injectRetry(1);
    sys.bridge.submit(
      encodeInstruction({
        opcode: "register-read",
        operands: "register-read",
        priority: 1,
        dev16: false,
        tag: 4,
        destId: 3,
        address: REG + BigInt(NODE_REGISTERS.ident),
      }),
    );
    sys.sim.run();
    expect(Array.from(sys.bridge.completions[0]!.data)).toEqual([0x4e, 0x4f, 0x44, 0x45]);
    expect(sys.network.port(3)!.counters.notAccepted).toBe(1);
    expect(sys.network.uplink(3)!.counters.packetRetries).toBe(1);
    expect(sys.nodes.get(3)!.received.get("request")).toBe(1);
  });
});

interface Op {
  readonly kind: "write" | "read" | "reg-write" | "reg-read" | "doorbell";
  readonly node: number;
  readonly dw: number;
  readonly words: number;
  readonly at: number;
}

interface Fault {
  readonly link: "out" | "in";
  readonly kind: "retry" | "crc";
  readonly at: number;
}

interface Config {
  readonly parameters: BridgeParameters;
  readonly hostBase: bigint;
  readonly ops: readonly Op[];
  readonly faults: readonly Fault[];
  readonly irq: boolean;
}

const configArb: fc.Arbitrary<Config> = fc.record({
  parameters: fc
    .record({
      pcieGeneration: fc.constantFrom(1, 2, 3),
      pcieWidth: fc.constantFrom(1, 4, 8),
      pcieMaxPayloadSize: fc.constantFrom(128, 256, 512),
      pcieMaxReadRequestSize: fc.constantFrom(128, 256, 512, 1024),
      srioControlSymbol: fc.constantFrom<24 | 48>(24, 48),
      dmaSetupNs: fc.integer({ min: 100, max: 4000 }),
    })
    .map((p) => ({ ...P, ...p })),
  hostBase: fc
    .tuple(
      fc.constantFrom(0x8000_0000n, 0xffff_c000n, 0x3_0000_0000n),
      fc.integer({ min: 0, max: 7 }),
    )
    .map(([b, o]) => b + BigInt(o)),
  ops: fc.array(
    fc.record({
      kind: fc.constantFrom<Op["kind"]>("write", "read", "reg-write", "reg-read", "doorbell"),
      node: fc.integer({ min: 1, max: 3 }),
      dw: fc.integer({ min: 0, max: 2048 }),
      words: fc.integer({ min: 0, max: 700 }),
      at: fc.integer({ min: 0, max: 30_000_000 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  faults: fc.array(
    fc.record({
      link: fc.constantFrom<Fault["link"]>("out", "in"),
      kind: fc.constantFrom<Fault["kind"]>("retry", "crc"),
      at: fc.integer({ min: 0, max: 40_000_000 }),
    }),
    { maxLength: 4 },
  ),
  irq: fc.boolean(),
});

function simulate(cfg: Config, speed: "fast" | "wire") {
  const tlps = capture();
  const sys: BridgeSystem = createBridgeSystem({
    speed,
    parameters: cfg.parameters,
    hostBase: cfg.hostBase,
    hostMemoryBytes: 256 * 1024,
    nodeMemoryBytes: 64 * 1024,
    ...(speed === "wire" ? { tlpCapture: tlps.writer } : {}),
  });
  for (const [id, n] of sys.nodes) n.memory.set(bytesOf(n.memory.length, id));
  if (cfg.irq)
    sys.bridge.regs.global.irqEnable.writeFields({ instructionDone: true, streamDone: true });
  cfg.ops.forEach((op, i) => {
    const tag = i + 1;
    const head = { priority: 1, dev16: false, tag, destId: op.node } as const;
    sys.sim.schedule(op.at, () => {
      switch (op.kind) {
        case "write": {
          const data = bytesOf(op.words * 8, tag);
          sys.bridge.submit(
            encodeInstruction(stream("stream-write", op.node, BigInt(op.dw * 8), data.length, tag)),
            data,
          );
          return;
        }
        case "read":
          sys.bridge.submit(
            encodeInstruction(stream("stream-read", op.node, BigInt(op.dw * 8), op.words * 8, tag)),
          );
          return;
        case "reg-write":
          sys.bridge.submit(
            encodeInstruction({
              ...head,
              opcode: "register-write",
              operands: "register-write",
              address: REG + BigInt(NODE_REGISTERS.scratch),
              data: op.dw * 977,
            }),
          );
          return;
        case "reg-read":
          sys.bridge.submit(
            encodeInstruction({
              ...head,
              opcode: "register-read",
              operands: "register-read",
              address: BigInt(op.dw * 8 + (op.words & 4)),
            }),
          );
          return;
        case "doorbell":
          sys.bridge.submit(
            encodeInstruction({ ...head, opcode: "doorbell", operands: "doorbell", info: op.dw }),
          );
          return;
      }
    });
  });
  for (const f of cfg.faults)
    sys.sim.schedule(f.at, () => {
      const link = f.link === "out" ? sys.bridge.port : sys.network.port(0x10)!;
      if (f.kind === "retry") link.injectRetry();
      else link.injectCrcError();
    });
  sys.sim.run();
  const s = sys.bridge.regs.srio;
  return {
    sys,
    tlpFile: tlps.bytes(),
    result: {
      end: sys.sim.now(),
      completions: sys.bridge.completions.map((c) => ({
        tag: c.tag,
        status: c.status,
        data: Array.from(c.data),
        submittedAt: c.submittedAt,
        completedAt: c.completedAt,
      })),
      host: sys.bridge.pcie.host.bytes,
      nodes: [...sys.nodes.values()].map((n) => n.memory),
      pcie: { ...sys.bridge.pcie.counters },
      interrupts: [...sys.bridge.pcie.interruptTimes],
      out: { ...sys.bridge.port.counters },
      in: { ...sys.network.port(0x10)!.counters },
      registers: [
        s.packetRetries.readFields().value,
        s.packetsNotAccepted.readFields().value,
        s.retransmitted.readFields().value,
        s.linkRequests.readFields().value,
        s.inputRetries.readFields().value,
        s.inputErrors.readFields().value,
        sys.bridge.regs.stream.swritePackets.readFields().value,
        sys.bridge.regs.performance.txBytesLo.readFields().value,
        sys.bridge.regs.performance.rxBytesLo.readFields().value,
      ],
    },
  };
}

const seed = lawSeed();
describe(`bridge fast and wire paths (seed ${seed})`, () => {
  it("give the same host and node memories, completions, counters and times on random configurations", () => {
    fc.assert(
      fc.property(configArb, (cfg) => {
        const fast = simulate(cfg, "fast");
        const wire = simulate(cfg, "wire");
        expect(wire.result).toEqual(fast.result);
        expect(fast.result.completions.length).toBe(cfg.ops.length);
        for (const c of fast.result.completions) expect(c.status).toBe("done");
        // Every TLP of the wire path is in the capture and decodes.
        const file = readPcap(wire.tlpFile);
        expect(file.header.linkType).toBe(LINKTYPE_USER0);
        const p = wire.result.pcie;
        expect(file.records.length).toBe(
          p.memoryWrites + p.memoryReads + p.completions + p.interrupts,
        );
        let up = 0;
        for (const r of file.records) {
          const rec = decodePcieCaptureRecord(r.data);
          const tlp = decodeTlp(rec.tlp);
          if (rec.direction === "upstream") {
            up++;
            expect(["mwr-32", "mwr-64", "mrd-32", "mrd-64"]).toContain(tlp.tlpType);
          } else expect(tlp.tlpType).toBe("cpld");
        }
        expect(up).toBe(p.memoryWrites + p.memoryReads + p.interrupts);
        expect(p.interrupts > 0).toBe(cfg.irq);
      }),
      { seed, numRuns: 15 },
    );
  }, 120_000);

  it("refuses transfers larger than the host's send or receive buffer with typed errors", () => {
    const sys = createBridgeSystem({ hostMemoryBytes: 4096 });
    const big = new Uint8Array(4096);
    expect(() =>
      sys.bridge.submit(encodeInstruction(stream("stream-write", 1, 0n, big.length, 1)), big),
    ).toThrow(BridgePcieError);
    sys.bridge.submit(encodeInstruction(stream("stream-read", 1, 0n, 4096, 2)));
    sys.sim.run();
    const c = sys.bridge.completions[0]!;
    expect(c.status).toBe("failed");
    expect(c.error?.reason).toBe("stream-length");
    expect(sys.bridge.regs.errors.status.readFields().streamLength).toBe(true);
    // Smaller transfers still go through.
    const data = bytesOf(1024, 3);
    sys.bridge.submit(encodeInstruction(stream("stream-write", 1, 0n, data.length, 3)), data);
    sys.sim.run();
    expect(sys.bridge.completions[1]!.status).toBe("done");
    expect(sys.nodes.get(1)!.memory.subarray(0, 1024)).toEqual(data);
  });

  it("puts stream-write data read from the host memory into the node, and stream-read data into the host memory", () => {
    const sys = createBridgeSystem({
      speed: "wire",
      hostBase: 0xffff_f003n,
      hostMemoryBytes: 64 * 1024,
    });
    const data = bytesOf(3000 * 8, 4);
    sys.bridge.submit(encodeInstruction(stream("stream-write", 1, 0x100n, data.length, 1)), data);
    sys.sim.run();
    // The send buffer holds the word and the data; the bridge read them by MRd across 4 GiB.
    const host = sys.bridge.pcie.host;
    expect(host.bytes.subarray(16, 16 + data.length)).toEqual(data);
    expect(sys.nodes.get(1)!.memory.subarray(0x100, 0x100 + data.length)).toEqual(data);
    sys.bridge.submit(encodeInstruction(stream("stream-read", 1, 0x100n, data.length, 2)));
    sys.sim.run();
    const half = host.size / 2;
    expect(host.bytes.subarray(half, half + data.length)).toEqual(data);
    expect(sys.bridge.completions[1]!.data).toEqual(data);
    const p = sys.bridge.pcie.counters;
    // 16 + 24000 bytes read with MRRS 512 across a 4 KiB boundary and 4 GiB; 64-byte completions.
    expect(p.memoryReads).toBeGreaterThanOrEqual(Math.ceil((16 + data.length) / 512));
    expect(p.completions).toBeGreaterThanOrEqual(Math.ceil((16 + data.length) / 64));
  });
});
