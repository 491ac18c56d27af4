import { encodeInstruction } from "@rashpa/descriptors";
import type { Instruction } from "@rashpa/descriptors";
import { lawSeed } from "@rashpa/laws";
import { decodeSrioPacket, srioPacketSize } from "@rashpa/srio";
import type { SrioPacket } from "@rashpa/srio";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LINKTYPE_SRIO, PcapWriter, pcapRecordTimePs, readPcap } from "../pcap.js";
import { transmissionTime } from "../sim/time.js";
import { BridgeInstructionError } from "./bridge.js";
import type { BridgeCompletion } from "./bridge.js";
import { createBridgeSystem } from "./curve.js";
import type { BridgeSystem } from "./curve.js";
import { NODE_REGISTERS, ProcessingNode, SrioNetworkError } from "./network.js";
import { Simulator } from "../sim/simulator.js";

const REG = 0x2_0000_0000n; // the nodes' register window

const head = { priority: 1, dev16: false } as const;

function registerRead(destId: number, address: bigint, tag = 1): Instruction {
  return { ...head, opcode: "register-read", operands: "register-read", tag, destId, address };
}

function registerWrite(destId: number, address: bigint, data: number, tag = 2): Instruction {
  return {
    ...head,
    opcode: "register-write",
    operands: "register-write",
    tag,
    destId,
    address,
    data,
  };
}

function stream(
  opcode: "stream-read" | "stream-write",
  destId: number,
  address: bigint,
  length: number,
  tag = 3,
): Instruction {
  return { ...head, priority: 0, opcode, operands: "stream", tag, destId, address, length };
}

function run(
  sys: BridgeSystem,
  ins: Instruction | Uint8Array,
  data?: Uint8Array,
): BridgeCompletion {
  const before = sys.bridge.completions.length;
  sys.bridge.submit(ins instanceof Uint8Array ? ins : encodeInstruction(ins), data);
  sys.sim.run();
  expect(sys.bridge.completions.length).toBe(before + 1);
  return sys.bridge.completions[before]!;
}

function withCapture(): { sys: BridgeSystem; packets: () => { at: number; p: SrioPacket }[] } {
  const chunks: Uint8Array[] = [];
  const pcap = new PcapWriter((c) => chunks.push(c.slice()), { linkType: LINKTYPE_SRIO });
  const sys = createBridgeSystem({ pcap });
  return {
    sys,
    packets: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let o = 0;
      for (const c of chunks) {
        all.set(c, o);
        o += c.length;
      }
      const file = readPcap(all);
      expect(file.header.linkType).toBe(LINKTYPE_SRIO);
      return file.records.map((r) => ({ at: pcapRecordTimePs(r), p: decodeSrioPacket(r.data) }));
    },
  };
}

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

describe("bridge register instructions (SYSTEM.md §2 flow 1)", () => {
  it("reads a node register by NREAD: TX_done, read-data and a DMA upload of length 1", () => {
    const sys = createBridgeSystem();
    const c = run(sys, registerRead(2, REG + BigInt(NODE_REGISTERS.ident), 7));
    expect(c.status).toBe("done");
    expect(c.tag).toBe(7);
    expect(Array.from(c.data)).toEqual([0x4e, 0x4f, 0x44, 0x45]); // "NODE"
    const st = sys.bridge.regs.instruction.status.readFields();
    expect(st).toMatchObject({ txActive: false, txDone: true, error: false, opcode: 1, tag: 7 });
    expect(sys.bridge.regs.instruction.readData.readFields().value).toBe(0x4e4f4445);
    expect(sys.bridge.regs.global.irqRaw.readFields().instructionDone).toBe(true);
    expect(sys.bridge.regs.global.status.readFields().idle).toBe(true);
    expect(sys.bridge.regs.srio.deviceId.readFields().deviceId).toBe(0x10);
    // round trip NREAD → response, in 150 MHz cycles: > 2 packet times + switch + node latency
    const rl = sys.bridge.regs.performance.responseLatency.readFields();
    expect(rl.last).toBeGreaterThan(((100 + 200) * 150) / 1000);
    expect(rl.max).toBe(rl.last);
    expect(sys.bridge.regs.performance.cyclesLo.readFields().value).toBe(
      Math.floor((sys.sim.now() * 150) / 1e6),
    );
    expect(sys.bridge.regs.channels.channel[2]!.mapping.readFields()).toMatchObject({
      interface: "message-initiator",
      pcieChannel: 3,
    });
  });

  it("writes then reads node registers and memory at both word lanes (NWRITE_R)", () => {
    const sys = createBridgeSystem();
    const w = run(sys, registerWrite(3, REG + BigInt(NODE_REGISTERS.scratch), 0xcafe_f00d));
    expect(w.status).toBe("done");
    expect(sys.nodes.get(3)!.registers[NODE_REGISTERS.scratch / 4]).toBe(0xcafe_f00d);
    run(sys, registerWrite(3, 0x104n, 0x1234_5678));
    expect(Array.from(sys.nodes.get(3)!.memory.subarray(0x104, 0x108))).toEqual([
      0x12, 0x34, 0x56, 0x78,
    ]);
    const r = run(sys, registerRead(3, 0x104n));
    expect(new DataView(r.data.buffer).getUint32(0)).toBe(0x1234_5678);
    expect(sys.nodes.get(3)!.received.get("write")).toBe(2);
  });

  it("executes an instruction issued through the instruction registers (go pulse)", () => {
    const sys = createBridgeSystem();
    const ins = sys.bridge.regs.instruction;
    ins.target.writeFields({ destId: 1, priority: 1 });
    ins.addressLo.writeFields({ address: Number((REG + 0x10n) & 0xffff_ffffn) });
    ins.addressHi.writeFields({ address: 2 });
    ins.writeData.writeFields({ value: 0xabcd_0123 });
    ins.command.writeFields({ opcode: 2, tag: 0x5a, go: true });
    sys.sim.run();
    expect(sys.nodes.get(1)!.registers[NODE_REGISTERS.scratch / 4]).toBe(0xabcd_0123);
    expect(sys.bridge.completions[0]).toMatchObject({ status: "done", tag: 0x5a });
    expect(ins.status.readFields()).toMatchObject({ txDone: true, tag: 0x5a, opcode: 2 });
  });

  it("takes the fixed 9-cycle conversion latency (60 ns) before the first packet", () => {
    const { sys, packets } = withCapture();
    run(sys, registerRead(1, REG));
    const t = sys.bridge.timing;
    expect(t.pipelinePs).toBe(60_000);
    const first = packets()[0]!;
    const bytes = srioPacketSize("nread", 0).packetBytes;
    // The RIFFA setup, one MRd of the 16-byte word (3-DW header + 8 bytes framing) up, the root
    // complex's latency, one CplD of 16 bytes down (Gen2 x4: 16 Gb/s after 8b/10b), then the
    // pipeline, the datapath and the SRIO link.
    const expected =
      t.dmaSetupPs +
      transmissionTime(12 + 8, 16e9) +
      t.pcieReadLatencyPs +
      transmissionTime(12 + 16 + 8, 16e9) +
      t.pipelinePs +
      transmissionTime(t.datapathOverheadBytes, t.datapathBitsPerSecond) +
      transmissionTime(bytes + t.srio.controlSymbolBytes, t.srioBitsPerSecond);
    // pcap stamps are whole nanoseconds
    expect(first.at).toBe(Math.floor(expected / 1000) * 1000);
    expect(first.p.ftype).toBe("request");
  });
});

describe("bridge streams (SYSTEM.md §2 flows 2 and 3)", () => {
  it("stream write: setup NWRITE_R, then 256-byte SWRITEs; the capture decodes and the node memory equals the data", () => {
    const { sys, packets } = withCapture();
    const data = bytesOf(64 * 1024 + 40, 11);
    const c = run(sys, stream("stream-write", 2, 0x1000n, data.length), data);
    expect(c.status).toBe("done");
    expect(sys.nodes.get(2)!.memory.subarray(0x1000, 0x1000 + data.length)).toEqual(data);
    expect(sys.nodes.get(2)!.registers[NODE_REGISTERS.length / 4]).toBe(data.length);
    const sent = packets().filter((x) => x.p.sourceId === 0x10);
    expect(sent[0]!.p.ftype).toBe("write"); // the setup NWRITE_R
    const swrites = sent.filter((x) => x.p.ftype === "streaming-write");
    expect(swrites.length).toBe(257);
    for (const s of swrites.slice(0, -1))
      expect((s.p as { payload: Uint8Array }).payload.length).toBe(256);
    // Rebuild the stream from the capture alone.
    const rebuilt = new Uint8Array(data.length);
    for (const s of swrites) {
      const p = s.p as SrioPacket & { address: number; payload: Uint8Array };
      rebuilt.set(p.payload, p.address * 8 - 0x1000);
    }
    expect(rebuilt).toEqual(data);
    expect(sys.bridge.regs.stream.swritePackets.readFields().value).toBe(257);
    expect(sys.bridge.regs.global.irqRaw.readFields().streamDone).toBe(true);
  });

  it("stream read: register writes make the node SWRITE LEN bytes, uploaded by DMA", () => {
    const { sys, packets } = withCapture();
    const data = bytesOf(20_000, 5);
    sys.nodes.get(1)!.memory.set(data, 0x800);
    const c = run(sys, stream("stream-read", 1, 0x800n, data.length));
    expect(c.status).toBe("done");
    expect(c.data).toEqual(data);
    const p = packets();
    expect(p.filter((x) => x.p.ftype === "write" && x.p.sourceId === 0x10).length).toBe(3);
    expect(p.filter((x) => x.p.ftype === "streaming-write" && x.p.sourceId === 1).length).toBe(
      Math.ceil(data.length / 256),
    );
    expect(sys.bridge.regs.channels.channel[1]!.bytesLo.readFields().value).toBe(data.length);
  });

  it("interleaves a higher-priority NREAD between two SWRITE packets of a stream", () => {
    const { sys, packets } = withCapture();
    const data = bytesOf(256 * 1024, 3);
    sys.bridge.submit(encodeInstruction(stream("stream-write", 1, 0n, data.length)), data);
    sys.sim.run(60_000_000); // 60 µs into the stream
    sys.bridge.submit(encodeInstruction(registerRead(1, REG, 9)));
    sys.sim.run();
    const [first, second] = sys.bridge.completions;
    expect(first!.tag).toBe(9); // the register read finished during the stream
    expect(second!.tag).toBe(3);
    const sent = packets().filter((x) => x.p.sourceId === 0x10);
    const i = sent.findIndex((x) => x.p.ftype === "request");
    expect(sent[i - 1]!.p.ftype).toBe("streaming-write");
    expect(sent[i + 1]!.p.ftype).toBe("streaming-write");
    expect(sys.bridge.regs.stream.interleaved.readFields().value).toBe(1);
    expect(sys.nodes.get(1)!.memory.subarray(0, data.length)).toEqual(data);
  });
});

describe("bridge maintenance and doorbells", () => {
  it("maintenance: hop count 0 is the switch, hop count 1 the node (the switch decrements it)", () => {
    const sys = createBridgeSystem();
    const mr = (hopCount: number, destId: number, wordOffset: number): Instruction => ({
      ...head,
      opcode: "maintenance-read",
      operands: "maintenance-read",
      tag: 4,
      destId,
      hopCount,
      wordOffset,
    });
    const sw = run(sys, mr(0, 2, 0x60 / 4));
    expect(new DataView(sw.data.buffer).getUint32(0)).toBe(0xfe << 16);
    const node = run(sys, mr(1, 2, 0x60 / 4));
    expect(new DataView(node.data.buffer).getUint32(0)).toBe(2 << 16);
    const w = run(sys, {
      ...head,
      opcode: "maintenance-write",
      operands: "maintenance-write",
      tag: 5,
      destId: 2,
      hopCount: 1,
      wordOffset: 0x15c / 4,
      data: 0x8000_0001,
    });
    expect(w.status).toBe("done");
    expect(sys.nodes.get(2)!.csr.get(0x15c)).toBe(0x8000_0001);
    expect(sys.nodes.get(2)!.received.get("maintenance")).toBe(2);
    expect(sys.bridge.regs.channels.channel[4]!.packets.readFields().value).toBe(3);
  });

  it("doorbells: answered DONE, RETRY resent up to the retry limit, then retry-exhausted", () => {
    const sys = createBridgeSystem();
    const db = (info: number): Instruction => ({
      ...head,
      opcode: "doorbell",
      operands: "doorbell",
      tag: 6,
      destId: 3,
      info,
    });
    const node = sys.nodes.get(3)!;
    expect(run(sys, db(0x1234)).status).toBe("done");
    expect(node.registers[NODE_REGISTERS.lastDoorbell / 4]).toBe(0x1234);
    node.injectFault({ status: "retry", count: 2 });
    expect(run(sys, db(0x55)).status).toBe("done");
    expect(node.registers[NODE_REGISTERS.doorbells / 4]).toBe(2);
    sys.bridge.regs.errors.retryLimit.writeFields({ count: 1 });
    node.injectFault({ status: "retry", count: 5 });
    const c = run(sys, db(0x66));
    expect(c.status).toBe("failed");
    expect(c.error?.reason).toBe("retry-exhausted");
    expect(sys.bridge.regs.errors.status.readFields().retryExhausted).toBe(true);
    expect(node.faultsAnswered).toBe(4);
  });
});

describe("bridge faults: reported, counted, back to idle", () => {
  it("an ERROR response fails the instruction with a typed error and a capture", () => {
    const sys = createBridgeSystem();
    const node = sys.nodes.get(2)!;
    node.injectFault({ status: "error", count: 1 });
    const c = run(sys, registerRead(2, REG, 0x21));
    expect(c.status).toBe("failed");
    expect(c.error).toBeInstanceOf(BridgeInstructionError);
    expect(c.error?.name).toBe("BridgeInstructionError");
    expect(c.error?.reason).toBe("response-error");
    expect(c.responseStatus).toBe(7);
    const e = sys.bridge.regs.errors;
    expect(e.status.readFields().responseError).toBe(true);
    expect(e.errorCount.readFields().value).toBe(1);
    expect(e.captureValid.readFields().valid).toBe(true);
    expect(e.capture.readFields()).toMatchObject({
      opcode: 1,
      tag: 0x21,
      destId: 2,
      responseStatus: "error",
    });
    expect(sys.bridge.regs.instruction.status.readFields()).toMatchObject({
      error: true,
      txActive: false,
    });
    expect(node.faultsAnswered).toBe(1);
    // back to idle: the next instruction works
    expect(run(sys, registerRead(2, REG)).status).toBe("done");
    expect(sys.bridge.regs.global.status.readFields().idle).toBe(true);
  });

  it("an ERROR on the setup of a stream write fails the stream and sends no SWRITE", () => {
    const sys = createBridgeSystem();
    sys.nodes.get(1)!.injectFault({ status: "error", count: 1 });
    const c = run(sys, stream("stream-write", 1, 0n, 1024), new Uint8Array(1024));
    expect(c.status).toBe("failed");
    expect(sys.nodes.get(1)!.received.get("streaming-write")).toBeUndefined();
    expect(run(sys, stream("stream-write", 1, 0n, 8), new Uint8Array(8).fill(9)).status).toBe(
      "done",
    );
  });

  it("a request to an unknown device times out after errors.timeout cycles", () => {
    const sys = createBridgeSystem();
    sys.bridge.regs.errors.timeout.writeFields({ cycles: 1500 }); // 10 µs
    const c = run(sys, registerRead(0x42, REG));
    expect(c.status).toBe("failed");
    expect(c.error?.reason).toBe("timeout");
    expect(sys.network.unroutable).toBe(1);
    expect(sys.bridge.regs.errors.timeoutCount.readFields().value).toBe(1);
    expect(sys.bridge.regs.instruction.status.readFields().timeout).toBe(true);
    expect(run(sys, registerRead(1, REG)).status).toBe("done");
  });

  it("a register read without a response is the completion timeout: error registers, counters, irq", () => {
    // The one read issued over a fabric is the bridge's register read (NREAD); a missing
    // response is reported like a PCIe completion timeout (README, controller faults).
    const sys = createBridgeSystem();
    const e = sys.bridge.regs.errors;
    e.timeout.writeFields({ cycles: 150 }); // 1 µs
    for (const tag of [5, 6]) {
      const c = run(sys, registerRead(0x42, REG, tag));
      expect(c.error?.reason).toBe("timeout");
    }
    expect(e.status.readFields()).toMatchObject({ responseTimeout: true, responseError: false });
    expect(e.timeoutCount.readFields().value).toBe(2);
    expect(e.errorCount.readFields().value).toBe(2);
    // The capture holds the first failure until software re-arms it.
    expect(e.captureValid.readFields().valid).toBe(true);
    expect(e.capture.readFields()).toMatchObject({ tag: 5, destId: 0x42 });
    expect(sys.bridge.regs.global.irqRaw.readFields().timeout).toBe(true);
    e.status.writeFields({ responseTimeout: true });
    expect(e.status.readFields().responseTimeout).toBe(false);
  });

  const seed = lawSeed();
  it(`tolerates wrong instruction words (seed ${seed})`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (word) => {
        const sys = createBridgeSystem();
        word[0] = (word[0]! & 0x0f) | 0x80; // opcode 8: never an instruction
        const c = run(sys, word);
        expect(c.status).toBe("failed");
        expect(c.error?.reason).toBe("bad-instruction");
        expect(sys.bridge.regs.errors.status.readFields().badInstruction).toBe(true);
        expect(run(sys, registerRead(1, REG)).status).toBe("done");
      }),
      { seed, numRuns: 20 },
    );
  });

  it("refuses an unknown opcode written to the command register", () => {
    const sys = createBridgeSystem();
    sys.bridge.regs.instruction.command.writeFields({ opcode: 12, tag: 3, go: true });
    sys.sim.run();
    expect(sys.bridge.completions[0]).toMatchObject({ status: "failed", tag: 3, opcode: null });
    expect(sys.bridge.regs.errors.errorCount.readFields().value).toBe(1);
  });

  it("refuses a stream write whose data is not LEN bytes", () => {
    const sys = createBridgeSystem();
    const c = run(sys, stream("stream-write", 1, 0n, 64), new Uint8Array(32));
    expect(c.error?.reason).toBe("stream-length");
    expect(sys.bridge.regs.errors.status.readFields().streamLength).toBe(true);
  });
});

describe("bridge host paths", () => {
  it("runs a stream write issued through the instruction registers from the host buffer", () => {
    const sys = createBridgeSystem();
    const data = bytesOf(4096, 21);
    sys.bridge.setHostBuffer(data);
    const ins = sys.bridge.regs.instruction;
    ins.target.writeFields({ destId: 3 });
    ins.addressLo.writeFields({ address: 0x2000 });
    ins.length.writeFields({ bytes: data.length });
    ins.command.writeFields({ opcode: 4, tag: 0x44, go: true });
    sys.sim.run();
    expect(sys.bridge.completions[0]).toMatchObject({
      status: "done",
      tag: 0x44,
      opcode: "stream-write",
    });
    expect(sys.nodes.get(3)!.memory.subarray(0x2000, 0x2000 + data.length)).toEqual(data);
  });

  it("masks irq-raw into irq-status, clears it by RW1C, and counts received bytes", () => {
    const sys = createBridgeSystem();
    const g = sys.bridge.regs.global;
    g.irqEnable.writeFields({ streamDone: true });
    sys.nodes.get(1)!.memory.fill(7, 0, 512);
    run(sys, stream("stream-read", 1, 0n, 512));
    expect(g.irqRaw.readFields()).toMatchObject({ streamDone: true, instructionDone: false });
    expect(g.irqStatus.readFields()).toMatchObject({ streamDone: true, instructionDone: false });
    g.irqRaw.writeFields({ streamDone: true });
    expect(g.irqStatus.readFields().streamDone).toBe(false);
    const perf = sys.bridge.regs.performance;
    expect(perf.rxBytesLo.readFields().value).toBe(512);
    expect(perf.txBytesLo.readFields().value).toBe(3 * 8); // three NWRITE_R double-words
    perf.control.writeFields({ clear: true, freeze: true });
    expect(perf.rxBytesLo.readFields().value).toBe(0);
    run(sys, stream("stream-read", 1, 0n, 512));
    expect(perf.rxBytesLo.readFields().value).toBe(0); // frozen
    expect(perf.responseLatency.readFields().last).toBe(0);
  });

  it("refuses instructions while global.control.enable is 0", () => {
    const sys = createBridgeSystem();
    sys.bridge.regs.global.control.writeFields({ enable: false });
    const c = run(sys, registerRead(1, REG));
    expect(c.error?.reason).toBe("disabled");
    expect(sys.nodes.get(1)!.received.size).toBe(0);
    sys.bridge.regs.global.control.writeFields({ enable: true });
    expect(run(sys, registerRead(1, REG)).status).toBe("done");
  });

  const seed = lawSeed();
  it(`streams any 8-byte-aligned write to the node memory, and the capture decodes (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4096 }),
        fc.integer({ min: 1, max: 1200 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer(),
        (dw, words, node, s) => {
          const { sys, packets } = withCapture();
          const data = bytesOf(words * 8, s);
          const c = run(sys, stream("stream-write", node, BigInt(dw * 8), data.length), data);
          expect(c.status).toBe("done");
          expect(sys.nodes.get(node)!.memory.subarray(dw * 8, dw * 8 + data.length)).toEqual(data);
          const swrites = packets().filter((x) => x.p.ftype === "streaming-write");
          const total = swrites.reduce(
            (n, x) => n + (x.p as { payload: Uint8Array }).payload.length,
            0,
          );
          expect(total).toBe(data.length);
          for (const x of swrites) expect(x.p.destinationId).toBe(node);
        },
      ),
      { seed, numRuns: 25 },
    );
  });
});

describe("posted memory writes into a node's window (postedWrite)", () => {
  it("carries unaligned and aligned writes to the node in order as SWRITEs (NWRITE head/tail), with no setup, completion or interrupt", () => {
    const { sys, packets } = withCapture();
    const node = sys.nodes.get(2)!;
    const a = bytesOf(1003, 7);
    const b = bytesOf(4096, 9);
    const overlap = bytesOf(16, 11);
    const sent: string[] = [];
    const na = sys.bridge.postedWrite({
      destId: 2,
      address: 0x105n,
      data: a,
      onSent: () => sent.push("a"),
    });
    const nb = sys.bridge.postedWrite({
      destId: 2,
      address: 0x4000n,
      data: b,
      onSent: () => sent.push("b"),
    });
    // A later write over part of an earlier one lands after it.
    sys.bridge.postedWrite({ destId: 2, address: 0x4000n, data: overlap });
    sys.sim.run();
    expect(sent).toEqual(["a", "b"]);
    expect(Buffer.from(node.memory.subarray(0x105, 0x105 + a.length))).toEqual(Buffer.from(a));
    expect(node.memory[0x104]).toBe(0);
    expect(node.memory[0x105 + a.length]).toBe(0);
    expect(Buffer.from(node.memory.subarray(0x4000, 0x4010))).toEqual(Buffer.from(overlap));
    expect(Buffer.from(node.memory.subarray(0x4010, 0x5000))).toEqual(Buffer.from(b.subarray(16)));
    expect(nb).toBe(16);
    const toNode = packets().filter((r) => r.p.destinationId === 2);
    // Only writes: no NWRITE_R setup, no response.
    expect(
      toNode.map((r) => r.p.ftype).filter((f) => f !== "streaming-write" && f !== "write"),
    ).toEqual([]);
    // 0x105 + 1003 = 0x4f0 is double-word aligned: one NWRITE, for the head (lanes 5..7).
    expect(toNode.filter((r) => r.p.ftype === "write")).toHaveLength(1);
    expect(toNode).toHaveLength(na + nb + 1);
    expect(node.received.get("streaming-write")! + node.received.get("write")!).toBe(na + nb + 1);
    expect(sys.bridge.completions).toHaveLength(0);
    expect(sys.bridge.regs.global.irqRaw.readFields().streamDone).toBe(false);
    expect(sys.bridge.regs.stream.swritePackets.readFields().value).toBe(na + nb + 1);
  });

  it("does not wait for earlier posted writes: consecutive writes leave back to back", () => {
    const { sys, packets } = withCapture();
    sys.bridge.postedWrite({ destId: 1, address: 0n, data: bytesOf(2048, 1) });
    sys.bridge.postedWrite({ destId: 1, address: 2048n, data: bytesOf(2048, 2) });
    sys.sim.run();
    const times = packets()
      .filter((r) => r.p.destinationId === 1 && r.p.ftype === "streaming-write")
      .map((r) => r.at);
    expect(times).toHaveLength(16);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // The same spacing (the datapath's, 256 + 6 × 8 bytes at 1.2 GB/s) across the two writes
    // (the capture stamps whole ns).
    const dp = transmissionTime(256 + 48, sys.bridge.timing.datapathBitsPerSecond);
    for (const g of gaps) expect(Math.abs(g - dp)).toBeLessThan(1000);
  });

  it("sends a completion DOORBELL after the posted writes, in their flow, answered DONE; hundreds outstanding at once", () => {
    const { sys, packets } = withCapture();
    const node = sys.nodes.get(2)!;
    const answers: number[] = [];
    sys.bridge.postedWrite({ destId: 2, address: 0n, data: bytesOf(8192, 5) });
    expect(
      sys.bridge.postedDoorbell({ destId: 2, info: 0x1234, onAnswer: (s) => answers.push(s) }),
    ).toBe(true);
    for (let i = 0; i < 300; i++)
      sys.bridge.postedDoorbell({ destId: 2, info: i, onAnswer: (s) => answers.push(s) });
    sys.sim.run();
    expect(answers).toEqual(Array.from({ length: 301 }, () => 0));
    expect(node.registers[NODE_REGISTERS.doorbells / 4]).toBe(301);
    expect(node.registers[NODE_REGISTERS.lastDoorbell / 4]).toBe(299);
    const toNode = packets().filter((r) => r.p.destinationId === 2);
    const first = toNode.findIndex((r) => r.p.ftype === "doorbell");
    expect(first).toBe(32);
    expect(toNode[first]!.p).toMatchObject({ info: 0x1234, prio: 0 });
    expect(sys.bridge.completions).toHaveLength(0);
    expect(sys.bridge.regs.errors.status.readFields().unexpectedResponse).toBe(false);
    expect(() => sys.bridge.postedDoorbell({ destId: 2, info: 0x10000 })).toThrow(SrioNetworkError);
  });

  it("discards posted writes while the bridge is disabled", () => {
    const sys = createBridgeSystem();
    sys.bridge.regs.global.control.writeFields({ enable: false });
    expect(sys.bridge.postedWrite({ destId: 1, address: 0n, data: bytesOf(64, 3) })).toBe(0);
    sys.sim.run();
    expect(sys.bridge.postedDiscarded).toBe(1);
    expect(
      sys.nodes
        .get(1)!
        .memory.subarray(0, 64)
        .every((x) => x === 0),
    ).toBe(true);
  });
});

describe("a processing node over a given buffer", () => {
  it("writes into the buffer it was given (no copy) and refuses a buffer of the wrong size", () => {
    const sim = new Simulator();
    const buffer = new SharedArrayBuffer(4096);
    const node = new ProcessingNode(sim, {
      deviceId: 5,
      memoryBytes: 4096,
      buffer,
      responseLatencyPs: 0,
    });
    node.memory[10] = 0xab;
    expect(new Uint8Array(buffer)[10]).toBe(0xab);
    expect(
      () =>
        new ProcessingNode(sim, {
          deviceId: 6,
          memoryBytes: 4096,
          buffer: new ArrayBuffer(100),
          responseLatencyPs: 0,
        }),
    ).toThrow(SrioNetworkError);
  });
});
