/**
 * RDMA WRITE segmentation (docs/reference/roce.md §3, §4): segment → encode (with pad and ICRC)
 * → decode → reassemble gives back the message, for random sizes, path MTUs and first PSNs near
 * the 2^24 wrap; and the rules of each packet.
 */
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeRocePacket, encodeRocePacket } from "./datagram.js";
import { rocePath } from "./icrc.js";
import { PMTUS } from "./opcode.js";
import type { Pmtu } from "./opcode.js";
import { psnAdd } from "./psn.js";
import {
  rdmaWritePacketCount,
  rdmaWriteSegmentPacket,
  reassembleRdmaWrite,
  segmentRdmaWrite,
} from "./segment.js";

const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);
const path = rocePath({ source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 50123 });

const arbCase = fc.record({
  length: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 20_000 })),
  pmtu: fc.constantFrom<Pmtu>(...PMTUS),
  firstPsn: fc.oneof(
    fc.integer({ min: 0xffffff - 40, max: 0xffffff }),
    fc.integer({ min: 0, max: 0xffffff }),
  ),
  immediate: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
  va: fc.bigInt({ min: 0n, max: 0xffffffffffffffffn }),
  rKey: fc.integer({ min: 0, max: 0xffffffff }),
  ackEvery: fc.integer({ min: 1, max: 80 }),
  fill: fc.integer({ min: 0, max: 255 }),
});

describe(`RDMA WRITE segmentation (seed ${seed})`, () => {
  it("segment → encode → decode → reassemble = message", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const message = new Uint8Array(c.length);
        for (let i = 0; i < message.length; i++) message[i] = (i * 7 + c.fill) & 0xff;
        const write = { va: c.va, rKey: c.rKey, length: c.length, immediate: c.immediate };
        const options = { pmtu: c.pmtu, firstPsn: c.firstPsn, ackEvery: c.ackEvery };
        const segments = segmentRdmaWrite(write, options);
        expect(segments.length).toBe(rdmaWritePacketCount(c.length, c.pmtu));
        const wire = segments.map((s) =>
          encodeRocePacket(rdmaWriteSegmentPacket(s, message, { destQp: 0x12 }), path),
        );
        for (const bytes of wire) expect(bytes.length % 4).toBe(0);
        const decoded = wire.map((b) => decodeRocePacket(b, path));
        const back = reassembleRdmaWrite(decoded, c.pmtu);
        expect(back.data).toEqual(message);
        expect(back.va).toBe(c.va);
        expect(back.rKey).toBe(c.rKey);
        expect(back.immediate).toBe(c.immediate);
        expect(back.firstPsn).toBe(c.firstPsn);
        decoded.forEach((p, i) => {
          expect(p.bth.psn).toBe(psnAdd(c.firstPsn, i));
          expect(p.bth.destQp).toBe(0x12);
          const last = i === decoded.length - 1;
          expect(p.bth.ackReq).toBe(last || (i + 1) % c.ackEvery === 0);
          expect(p.reth === undefined).toBe(i !== 0);
          expect(p.reth?.dmaLength ?? c.length).toBe(c.length);
          expect(p.immdt === undefined).toBe(!(last && c.immediate !== undefined));
          expect(p.bth.padCnt).toBe(-p.payload.length & 3);
          if (!last) expect(p.payload.length).toBe(c.pmtu);
        });
      }),
      { seed, numRuns },
    );
  });

  it("cuts 2500 bytes at PMTU 1024 into First, Middle, Last with Immediate across the PSN wrap", () => {
    const s = segmentRdmaWrite(
      { va: 0x1000n, rKey: 7, length: 2500, immediate: 3 },
      { pmtu: 1024, firstPsn: 0xfffffe },
    );
    expect(s.map((p) => [p.opcode, p.psn, p.offset, p.length, p.padCnt, p.ackReq])).toEqual([
      ["rc-rdma-write-first", 0xfffffe, 0, 1024, 0, false],
      ["rc-rdma-write-middle", 0xffffff, 1024, 1024, 0, false],
      ["rc-rdma-write-last-with-immediate", 0, 2048, 452, 0, true],
    ]);
    expect(s[0]!.reth).toEqual({ va: 0x1000n, rKey: 7, dmaLength: 2500 });
    expect(s[2]!.immediate).toBe(3);
  });

  it("a message of 0 bytes, or of exactly one PMTU, is one Only packet", () => {
    for (const [length, imm, opcode] of [
      [0, undefined, "rc-rdma-write-only"],
      [256, 9, "rc-rdma-write-only-with-immediate"],
    ] as const) {
      const s = segmentRdmaWrite(
        { va: 0n, rKey: 1, length, immediate: imm },
        { pmtu: 256, firstPsn: 5 },
      );
      expect(s.length).toBe(1);
      expect(s[0]!.opcode).toBe(opcode);
      expect(s[0]!.ackReq).toBe(true);
    }
  });

  it("UC service uses the 0x26–0x2B opcodes", () => {
    const s = segmentRdmaWrite(
      { va: 0n, rKey: 1, length: 600, immediate: 1 },
      { pmtu: 256, firstPsn: 0, service: "uc" },
    );
    expect(s.map((p) => p.opcode)).toEqual([
      "uc-rdma-write-first",
      "uc-rdma-write-middle",
      "uc-rdma-write-last-with-immediate",
    ]);
  });

  it("rejects a bad PMTU, PSN or length with an EncodeError naming it", () => {
    const w = { va: 0n, rKey: 1, length: 10 };
    expect(() => segmentRdmaWrite(w, { pmtu: 1000 as Pmtu, firstPsn: 0 })).toThrow(/"pmtu"/);
    expect(() => segmentRdmaWrite(w, { pmtu: 256, firstPsn: 1 << 24 })).toThrow(/"firstPsn"/);
    expect(() => segmentRdmaWrite({ ...w, length: -1 }, { pmtu: 256, firstPsn: 0 })).toThrow(
      /"length"/,
    );
  });

  it("reassembly refuses a missing packet, a wrong PSN and a short Middle", () => {
    const message = new Uint8Array(1000).fill(1);
    const segs = segmentRdmaWrite({ va: 0n, rKey: 1, length: 1000 }, { pmtu: 256, firstPsn: 0 });
    const packets = segs.map((s) => rdmaWriteSegmentPacket(s, message, { destQp: 1 }));
    expect(() => reassembleRdmaWrite([packets[0]!, packets[2]!, packets[3]!], 256)).toThrow(
      /PSN 1, got 2/,
    );
    expect(() => reassembleRdmaWrite(packets.slice(0, 3), 256)).toThrow(/expected a last packet/);
    expect(() => reassembleRdmaWrite(packets.slice(1), 256)).toThrow(/RETH/);
    expect(() => reassembleRdmaWrite(packets, 512)).toThrow(/PMTU 512/);
  });
});
