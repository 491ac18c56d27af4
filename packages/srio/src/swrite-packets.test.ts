/**
 * Stream packets (Part 1 §3.5, §4.1.7, §4.1.8, Table 4-4; Part 6 §2.3–2.5): hand-worked
 * examples, and the differential property of issue 4 item 9 — plan → packets →
 * encodeSrioPacket → decodeSrioPacket → each payload placed at its decoded address and lanes
 * (decodeSrioWrite: address fields and size.ts) → the stream's bytes, exactly.
 */
import fc from "fast-check";
import { DecodeError } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  SRIO_MAX_PACKET_BYTES,
  SRIO_MAX_PAYLOAD_BYTES,
  SrioPriorityError,
  SrioStreamError,
  decodeSrioPacket,
  decodeSrioWrite,
  encodeSrioPacket,
  planSwriteStream,
  swriteStreamPackets,
} from "./index.js";
import type {
  AnySrioPacket,
  SrioAddressSize,
  SwriteStreamHeader,
  SwriteStreamOptions,
  TransportType,
} from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

const field = (p: AnySrioPacket, name: string): unknown =>
  (p as unknown as Record<string, unknown>)[name];

const header: SwriteStreamHeader = { tt: "dev8", destinationId: 2, sourceId: 1, prio: 0 };
const bytes = (n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, k) => (k * 7 + 1) & 255);

describe("examples (Part 1 Figure 3-9, Table 4-4)", () => {
  it("48 bytes at 0x1005: NWRITE lanes 5–7, SWRITE view of 40 bytes, NWRITE lanes 0–4", () => {
    const data = bytes(48);
    const packets = swriteStreamPackets(planSwriteStream(0x1005n, 48), data, header);
    const [head, body, tail] = [...packets];
    expect(head).toEqual({
      ackId: 0,
      vc: 0,
      crf: 0,
      prio: 0,
      tt: "dev8",
      ftype: "write",
      destinationId: 2,
      sourceId: 1,
      ttype: "nwrite",
      wrsize: 0b0101,
      srcTid: 0,
      address: 0x200,
      wdptr: 1,
      xamsbs: 0,
      payload: Uint8Array.of(0, 0, 0, 0, 0, ...data.subarray(0, 3)),
    });
    expect(body!.ftype).toBe("streaming-write");
    expect(field(body!, "address")).toBe(0x201);
    const view = field(body!, "payload") as Uint8Array;
    expect(view.buffer).toBe(data.buffer); // a view, not a copy
    expect([view.byteOffset, view.length]).toEqual([3, 40]);
    expect(field(tail!, "wrsize")).toBe(0b0111);
    expect(field(tail!, "wdptr")).toBe(0);
    expect(field(tail!, "address")).toBe(0x206);
    expect(field(tail!, "payload")).toEqual(Uint8Array.of(...data.subarray(43), 0, 0, 0));
    // NWRITE: 10-byte header + 8 + CRC = 20 (no pad); SWRITE: 8 + 40 + CRC + pad = 52
    expect([0, 1, 2].map((i) => packets.packetBytesAt(i))).toEqual([20, 52, 20]);
    expect(packets.byteLength).toBe(92);
  });

  it("lastNwriteR: the last whole-double-word segment becomes an NWRITE_R with a Table 4-4 maximum", () => {
    const packets = swriteStreamPackets(planSwriteStream(0x4000n, 1000), bytes(1000), {
      ...header,
      prio: 1,
      srcTid: 9,
      lastNwriteR: true,
    });
    const kinds = [...packets].map((p) => `${p.ftype}:${String(field(p, "ttype"))}`);
    expect(kinds).toEqual([
      "streaming-write:undefined",
      "streaming-write:undefined",
      "streaming-write:undefined",
      "write:nwrite-r",
    ]);
    const last = packets.packetAt(3);
    expect([field(last, "wrsize"), field(last, "wdptr"), field(last, "srcTid")]).toEqual([
      0b1111, 1, 9,
    ]);
    expect((field(last, "payload") as Uint8Array).length).toBe(232);
    // an unaligned tail is the NWRITE_R itself
    const tailR = swriteStreamPackets(planSwriteStream(0x4000n, 13), bytes(13), {
      ...header,
      lastNwriteR: true,
    });
    expect([...tailR].map((p) => String(field(p, "ttype")))).toEqual(["undefined", "nwrite-r"]);
  });

  it("ackID policy: fixed by default, sequential modulo 64 on request", () => {
    const plan = planSwriteStream(0n, 70 * 8, { maxPayloadBytes: 8 });
    const fixed = swriteStreamPackets(plan, bytes(560), { ...header, ackId: 5 });
    expect(new Set([...fixed].map((p) => p.ackId))).toEqual(new Set([5]));
    const seq = swriteStreamPackets(plan, bytes(560), {
      ...header,
      ackId: 60,
      ackIdPolicy: "sequential",
    });
    const ids = [...seq].map((p) => p.ackId);
    expect(ids.slice(0, 6)).toEqual([60, 61, 62, 63, 0, 1]);
    expect(ids[69]).toBe((60 + 69) % 64);
  });

  it("encodeInto writes exactly the packets' encodings back to back; a short buffer is refused", () => {
    const packets = swriteStreamPackets(planSwriteStream(0x1003n, 700), bytes(700), {
      ...header,
      tt: "dev16",
      destinationId: 0x1234,
    });
    const out = new Uint8Array(packets.byteLength + 4);
    expect(packets.encodeInto(new DataView(out.buffer), 4)).toBe(packets.byteLength);
    const expected = [...packets].flatMap((p) => [...encodeSrioPacket(p)]);
    expect([...out.subarray(4)]).toEqual(expected);
    const small = new DataView(new ArrayBuffer(packets.byteLength - 1));
    expect(() => packets.encodeInto(small, 0)).toThrow(/"packet" expected room/);
  });

  it("bad arguments are typed errors naming the field", () => {
    const plan = planSwriteStream(0n, 16);
    const bad: [Uint8Array, SwriteStreamHeader, string][] = [
      [bytes(15), header, "data"],
      [bytes(16), { ...header, tt: "dev4" as TransportType }, "tt"],
      [bytes(16), { ...header, destinationId: 256 }, "destinationId"],
      [bytes(16), { ...header, sourceId: -1 }, "sourceId"],
      [bytes(16), { ...header, ackId: 64 }, "ackId"],
      [bytes(16), { ...header, srcTid: 256 }, "srcTid"],
      [bytes(16), { ...header, ackIdPolicy: "random" as "fixed" }, "ackIdPolicy"],
    ];
    for (const [data, h, path] of bad) {
      let err: unknown;
      try {
        swriteStreamPackets(plan, data, h);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SrioStreamError);
      expect((err as SrioStreamError).path).toBe(path);
    }
    // NWRITE_R needs a response: not at prio 3, VC0 only (Part 6 §6.12)
    expect(() =>
      swriteStreamPackets(plan, bytes(16), { ...header, prio: 3, lastNwriteR: true }),
    ).toThrow(SrioPriorityError);
    expect(swriteStreamPackets(plan, bytes(16), { ...header, prio: 3 }).count).toBe(1);
    const empty = planSwriteStream(1n << 34n, 0); // nothing written at 2^34 itself
    expect(swriteStreamPackets(empty, new Uint8Array(0), header).byteLength).toBe(0);
    expect(() => swriteStreamPackets(plan, bytes(16), header).packetAt(1)).toThrow(SrioStreamError);
  });

  it("decodeSrioWrite refuses packets that are not NWRITE/NWRITE_R/SWRITE or do not match their size", () => {
    const doorbell: AnySrioPacket = {
      ...{ ackId: 0, vc: 0, crf: 0, prio: 0, tt: "dev8", destinationId: 1, sourceId: 2 },
      ftype: "doorbell",
      srcTid: 0,
      info: 0,
    };
    expect(() => decodeSrioWrite(doorbell)).toThrow(DecodeError);
    const nwrite = swriteStreamPackets(planSwriteStream(0x5n, 3), bytes(3), header).packetAt(0);
    expect(decodeSrioWrite(nwrite)).toEqual({ address: 5n, data: bytes(3) });
    const swap = { ...nwrite, ttype: "atomic-swap" } as AnySrioPacket;
    expect(() => decodeSrioWrite(swap)).toThrow(/"ttype" expected nwrite or nwrite-r/);
    const long = { ...nwrite, payload: new Uint8Array(16) } as AnySrioPacket;
    expect(() => decodeSrioWrite(long)).toThrow(/"payload" expected one double-word/);
    const big = { ...nwrite, wrsize: 0b1011, wdptr: 1, payload: new Uint8Array(24) };
    expect(() => decodeSrioWrite(big as AnySrioPacket)).toThrow(/at most the 16-byte/);
  });
});

const ID_MAX: Record<TransportType, number> = { dev8: 0xff, dev16: 0xffff, dev32: 0xffffffff };

const arbCase = fc.record({
  addressBits: fc.constantFrom<SrioAddressSize>(34, 50, 66),
  where: fc.constantFrom("anywhere", "below 2^32", "top"),
  offset: fc.bigInt({ min: 0n, max: (1n << 66n) - 1n }),
  byteLength: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3000 })),
  maxPayloadBytes: fc.integer({ min: 1, max: 32 }).map((d) => d * 8),
  boundaryExp: fc.option(fc.integer({ min: 3, max: 12 }), { nil: undefined }),
  unaligned: fc.constantFrom<"nwrite" | "error">("nwrite", "error"),
  tt: fc.constantFrom<TransportType>("dev8", "dev16", "dev32"),
  ids: fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  ),
  prio: fc.integer({ min: 0, max: 2 }),
  crf: fc.integer({ min: 0, max: 1 }),
  vc: fc.integer({ min: 0, max: 1 }),
  lastNwriteR: fc.boolean(),
  sequential: fc.boolean(),
  dataSeed: fc.integer(),
});

function fill(n: number, s: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = s | 1;
  for (let k = 0; k < n; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[k] = x & 0xff;
  }
  return out;
}

describe(`plan → packets → wire → decode → reassemble (seed ${seed})`, () => {
  it("the decoded writes rebuild the stream exactly; ≤ 284-byte packets, ≤ 256-byte payloads, whole-double-word SWRITEs", () => {
    fc.assert(
      fc.property(arbCase, (r) => {
        const top = 1n << BigInt(r.addressBits);
        const len = BigInt(r.byteLength);
        const address =
          r.where === "top"
            ? top - len - (r.offset % 64n)
            : r.where === "below 2^32"
              ? (1n << 32n) - (r.offset % 600n) // segments cross the carry into bit 32
              : r.offset % (top - len);
        const boundary = r.boundaryExp === undefined ? undefined : 2 ** r.boundaryExp;
        let max = r.maxPayloadBytes;
        if (boundary !== undefined && boundary > max && boundary % max !== 0) max = 8;
        const options: SwriteStreamOptions = {
          addressBits: r.addressBits,
          maxPayloadBytes: max,
          unaligned: r.unaligned,
          ...(boundary === undefined ? {} : { boundaryBytes: boundary }),
        };
        const aligned = address % 8n === 0n && r.byteLength % 8 === 0;
        if (r.unaligned === "error" && !aligned) {
          expect(() => planSwriteStream(address, r.byteLength, options)).toThrow(SrioStreamError);
          return;
        }
        const plan = planSwriteStream(address, r.byteLength, options);
        const h: SwriteStreamHeader = {
          tt: r.tt,
          destinationId: Math.floor(r.ids[0] * ID_MAX[r.tt]),
          sourceId: Math.floor(r.ids[1] * ID_MAX[r.tt]),
          prio: r.prio,
          crf: r.crf,
          vc: r.lastNwriteR ? 0 : r.vc,
          ackId: r.dataSeed & 63,
          ackIdPolicy: r.sequential ? "sequential" : "fixed",
          srcTid: r.dataSeed & 255,
          lastNwriteR: r.lastNwriteR,
        };
        const data = fill(r.byteLength, r.dataSeed);
        const packets = swriteStreamPackets(plan, data, h);
        const addressSize = r.addressBits;
        const rebuilt = new Uint8Array(r.byteLength);
        const written = new Uint8Array(r.byteLength); // times each byte was written
        const wire = new Uint8Array(packets.byteLength);
        expect(packets.encodeInto(new DataView(wire.buffer), 0)).toBe(wire.length);
        let at = 0;
        for (let i = 0; i < packets.count; i++) {
          const value = packets.packetAt(i);
          const image = encodeSrioPacket(value, { addressSize });
          expect(image.length).toBeLessThanOrEqual(SRIO_MAX_PACKET_BYTES);
          expect(image.length).toBe(packets.packetBytesAt(i));
          expect([...wire.subarray(at, at + image.length)]).toEqual([...image]); // encodeInto agrees
          at += image.length;
          const p = decodeSrioPacket(image, 0, { addressSize });
          expect(p).toEqual(value);
          expect([p.tt, p.destinationId, p.sourceId, p.prio, p.crf, p.vc]).toEqual([
            h.tt,
            h.destinationId,
            h.sourceId,
            h.prio,
            h.crf,
            h.vc,
          ]);
          expect(p.ackId).toBe(r.sequential ? ((r.dataSeed & 63) + i) % 64 : r.dataSeed & 63);
          const payload = field(p, "payload") as Uint8Array;
          expect(payload.length).toBeLessThanOrEqual(SRIO_MAX_PAYLOAD_BYTES);
          if (p.ftype === "streaming-write") expect(payload.length % 8).toBe(0);
          else {
            expect(p.ftype).toBe("write");
            const lastR = r.lastNwriteR && i === packets.count - 1;
            expect(field(p, "ttype")).toBe(lastR ? "nwrite-r" : "nwrite");
          }
          const w = decodeSrioWrite(p, addressSize);
          const start = w.address - address;
          expect(start >= 0n && start + BigInt(w.data.length) <= len).toBe(true);
          rebuilt.set(w.data, Number(start));
          for (let k = 0; k < w.data.length; k++) written[Number(start) + k]!++;
        }
        expect(at).toBe(wire.length);
        expect(written.every((n) => n === 1)).toBe(true); // every byte once
        expect(rebuilt).toEqual(data);
      }),
      { seed, numRuns: runs },
    );
  });
});
