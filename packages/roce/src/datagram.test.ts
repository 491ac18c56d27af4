/**
 * The packet codec (docs/reference/roce.md §1–§3, §5): packets it encodes decode with the
 * generated `roce.packet` codec to the same headers (payload followed by its pad, ICRC as
 * stored), and back; what it refuses, with the field named.
 */
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbAeth, arbBth, arbDeth, arbImmdt, arbReth } from "./arbitraries.js";
import {
  decodeRocePacket,
  encodeRocePacket,
  encodeRocePacketInto,
  rocePacketBytes,
} from "./datagram.js";
import type { RocePacket } from "./datagram.js";
import { decodePacket } from "./gen/transport.js";
import type { Bth } from "./gen/transport.js";
import { readIcrc, rocePath } from "./icrc.js";
import {
  extensionHeaders,
  rdmaWriteOpcode,
  rdmaWritePosition,
  transportHeaderBytes,
} from "./opcode.js";
import { psnAdd, psnCompare } from "./psn.js";

const seed = lawSeed();
const numRuns = Number(process.env["FC_RUNS"] ?? 100);
const path = rocePath({ source: "10.9.8.7", destination: "10.9.8.6", sourcePort: 60000 });

const arbRocePacket: fc.Arbitrary<RocePacket> = fc
  .record({
    bth: arbBth,
    reth: arbReth,
    immdt: arbImmdt,
    aeth: arbAeth,
    deth: arbDeth,
    payload: fc.uint8Array({ maxLength: 70 }),
  })
  .map(({ bth, reth, immdt, aeth, deth, payload }) => {
    const eh = extensionHeaders(bth.opcode);
    return {
      bth: { ...bth, padCnt: -payload.length & 3 },
      reth: eh.reth ? reth : undefined,
      immdt: eh.immdt ? immdt : undefined,
      aeth: eh.aeth ? aeth : undefined,
      deth: eh.deth ? deth : undefined,
      payload,
    };
  });

const bth: Bth = {
  opcode: "rc-rdma-write-middle",
  se: false,
  migReq: false,
  padCnt: 0,
  pKey: 0xffff,
  fecn: false,
  becn: false,
  destQp: 1,
  ackReq: false,
  psn: 0,
};

describe(`packet codec (seed ${seed})`, () => {
  it("agrees with the generated roce.packet codec and round-trips", () => {
    fc.assert(
      fc.property(arbRocePacket, (p) => {
        const bytes = encodeRocePacket(p, path);
        expect(bytes.length).toBe(rocePacketBytes(p));
        expect(bytes.length % 4).toBe(0);
        const g = decodePacket(bytes) as unknown as Record<string, unknown>;
        expect(g["opcode"]).toBe(p.bth.opcode);
        expect(g["psn"]).toBe(p.bth.psn);
        expect(g["va"]).toBe(p.reth?.va);
        expect(g["immediate"]).toBe(p.immdt?.immediate);
        expect(g["msn"]).toBe(p.aeth?.msn);
        expect(g["srcQp"]).toBe(p.deth?.srcQp);
        const withPad = g["payload"] as Uint8Array;
        expect(withPad.subarray(0, p.payload.length)).toEqual(p.payload);
        expect(withPad.subarray(p.payload.length).every((b) => b === 0)).toBe(true);
        expect(readIcrc(g["icrc"] as Uint8Array, 0)).toBe(readIcrc(bytes, bytes.length - 4));
        const back = decodeRocePacket(bytes, path);
        expect(back.payload).toEqual(p.payload);
        expect(back.bth).toEqual(p.bth);
        expect(encodeRocePacket(back, path)).toEqual(bytes);
      }),
      { seed, numRuns },
    );
  });

  it("encodes into a shared buffer at an offset", () => {
    const out = new Uint8Array(100).fill(0xee);
    const p: RocePacket = { bth: { ...bth, padCnt: 2 }, payload: Uint8Array.of(1, 2) };
    const n = encodeRocePacketInto(out, 10, p, path);
    expect(n).toBe(12 + 2 + 2 + 4);
    expect(out[9]).toBe(0xee);
    expect(out[10 + n]).toBe(0xee);
    expect(decodeRocePacket(out, path, 10, 10 + n).payload).toEqual(Uint8Array.of(1, 2));
  });

  it("refuses missing or extra headers, a wrong PadCnt and a short buffer", () => {
    const payload = new Uint8Array(4);
    expect(() =>
      encodeRocePacket({ bth: { ...bth, opcode: "rc-rdma-write-first" }, payload }, path),
    ).toThrow(/"reth" expected a header/);
    expect(() => encodeRocePacket({ bth, immdt: { immediate: 1 }, payload }, path)).toThrow(
      /"immdt" expected undefined/,
    );
    expect(() => encodeRocePacket({ bth: { ...bth, padCnt: 1 }, payload }, path)).toThrow(
      /"bth.padCnt" expected 0/,
    );
    expect(() => encodeRocePacketInto(new Uint8Array(10), 0, { bth, payload }, path)).toThrow(
      /"packet" expected 20 bytes/,
    );
  });

  it("refuses a bad ICRC, a truncated packet and a non-zero pad", () => {
    const good = encodeRocePacket({ bth: { ...bth, padCnt: 3 }, payload: Uint8Array.of(9) }, path);
    const bad = good.slice();
    bad[13] = 1; // first pad byte
    expect(() => decodeRocePacket(bad, path)).toThrow(/"icrc"/);
    expect(() => decodeRocePacket(bad, undefined)).toThrow(/"pad" expected 0x00/);
    expect(() => decodeRocePacket(good.subarray(0, 10), path)).toThrow(
      /"packet" expected at least 16 bytes/,
    );
    const reth = encodeRocePacket(
      {
        bth: { ...bth, opcode: "rc-rdma-write-only" },
        reth: { va: 0n, rKey: 0, dmaLength: 0 },
        payload: new Uint8Array(0),
      },
      path,
    );
    expect(() => decodeRocePacket(reth.subarray(0, 20), undefined)).toThrow(
      /"packet" expected at least 32 bytes/,
    );
  });
});

describe("opcodes and PSNs (docs/reference/roce.md §3, §4)", () => {
  it("maps RDMA WRITE positions to opcodes and back", () => {
    for (const service of ["rc", "uc"] as const)
      for (const position of ["first", "middle", "last", "only"] as const)
        for (const imm of [false, true]) {
          const op = rdmaWriteOpcode(position, imm, service);
          const info = rdmaWritePosition(op)!;
          expect([info.service, info.position]).toEqual([service, position]);
          expect(info.withImmediate).toBe(imm && (position === "last" || position === "only"));
        }
    expect(rdmaWritePosition("rc-acknowledge")).toBeUndefined();
    expect(transportHeaderBytes("rc-rdma-write-only-with-immediate")).toBe(32);
    expect(transportHeaderBytes("rc-acknowledge")).toBe(16);
    expect(transportHeaderBytes("ud-send-only-with-immediate")).toBe(24);
  });

  it("compares PSNs with 24-bit serial arithmetic", () => {
    expect(psnAdd(0xffffff, 1)).toBe(0);
    expect(psnAdd(0, -1)).toBe(0xffffff);
    expect(psnCompare(0, 0xffffff)).toBe(1);
    expect(psnCompare(0xffffff, 0)).toBe(-1);
    expect(psnCompare(5, 5)).toBe(0);
    expect(psnCompare(0x7fffff, 0)).toBeGreaterThan(0);
    expect(psnCompare(0x800000, 0)).toBeLessThan(0);
  });
});
