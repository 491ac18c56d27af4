/**
 * HELLO ⇄ logical packet conversion (hello-packet.ts; docs/reference/srio.md §7): golden
 * vectors from the Xilinx example design (test/vectors/hello.json) with the logical packets
 * derived by hand from RapidIO 4.1 Part 1 Tables 4-3 and 4-4, rejections, and round-trip
 * properties both ways.
 */
import { readFileSync } from "node:fs";
import { fromHex } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { arbSrioPacket } from "./arbitraries.js";
import { arbHello } from "./gen/hello.arb.js";
import type { Hello, HelloFtype } from "./gen/hello.js";
import { decodeHello } from "./gen/hello.js";
import { HelloConversionError, helloFromSrioPacket, srioPacketFromHello } from "./hello-packet.js";
import type { SrioPacket } from "./packet.js";
import { decodeSrioPacket, encodeSrioPacket } from "./packet.js";
import { checkSrioPacketRules } from "./rules.js";
import { encodeWriteSize } from "./size.js";

const seed = lawSeed();

interface Vector {
  note: string;
  hex: string;
}
const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/hello.json", import.meta.url), "utf8"),
) as Vector[];

// tuser chosen for the vectors: source 0x13, destination 0xff (8-bit IDs).
const TUSER = 0x001300ff;
const ids = { ackId: 0, vc: 0, tt: "dev8", destinationId: 0xff, sourceId: 0x13 } as const;
const dw = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => (i * 7 + 3) & 0xff);

/**
 * The logical packet of each vector, derived by hand: address = byte address >> 3 (bits 31:3),
 * xamsbs = bits 33:32, size/wdptr from Part 1 Table 4-3 (reads, exact) or 4-4 (writes).
 */
const expected: Record<string, { packet: SrioPacket; payload: Uint8Array }> = {
  // 0x2ABBCCDD8: xamsbs 0b10, address 0xABBCCDD8 >> 3 = 0x157799BB; SWRITE has no TID.
  "SWRITE of 32 bytes at 0x2ABBCCDD8": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "streaming-write", address: 0x157799bb, xamsbs: 2, payload: dw(32) },
    payload: dw(32),
  },
  // 3 bytes at lane 5: Table 4-4 row 0101 / wdptr 1; address 0x4350 >> 3 = 0x86A.
  "NWRITE_R of 3 bytes at 0x4355": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "write", ttype: "nwrite-r", wrsize: 0b0101, srcTid: 0x2c, address: 0x86a, wdptr: 1, xamsbs: 0, payload: dw(8) },
    payload: dw(8),
  },
  // 128 bytes: "128 maximum" 1101 / wdptr 1; xamsbs 0b11, address 0x40000600 >> 3 = 0x80000C0.
  "NWRITE of 128 bytes at 0x340000600 (address bits 33:32 = 0b11)": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "write", ttype: "nwrite", wrsize: 0b1101, srcTid: 0x3a, address: 0x80000c0, wdptr: 1, xamsbs: 3, payload: dw(128) },
    payload: dw(128),
  },
  // 1 byte at lane 7: Table 4-3 row 0011 / wdptr 1; address 0x2300 >> 3 = 0x460.
  "NREAD of 1 byte at 0x2307": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "request", ttype: "nread", rdsize: 0b0011, srcTid: 0x40, address: 0x460, wdptr: 1, xamsbs: 0 },
    payload: dw(0),
  },
  // 64 bytes: Table 4-3 row 1100 / wdptr 1; address 0x2600 >> 3 = 0x4C0.
  "NREAD of 64 bytes at 0x2600": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "request", ttype: "nread", rdsize: 0b1100, srcTid: 0x59, address: 0x4c0, wdptr: 1, xamsbs: 0 },
    payload: dw(0),
  },
  "DOORBELL with info 0xDBDB (ADDRESS bits 31:16)": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "doorbell", srcTid: 0x5a, info: 0xdbdb },
    payload: dw(0),
  },
  "DOORBELL with info 0x4444": {
    packet: { ...ids, crf: 0, prio: 1, ftype: "doorbell", srcTid: 0x5b, info: 0x4444 },
    payload: dw(0),
  },
  // The data of the 1-byte NREAD above: one double-word (tlast after one beat).
  "RESPONSE with data (TWDATA) to the NREAD with TID 0x40, at request PRIO 1 + 1": {
    packet: { ...ids, crf: 0, prio: 2, ftype: "response", ttype: "with-data", status: 0, targetTid: 0x40, payload: dw(8) },
    payload: dw(8),
  },
  "RESPONSE without data (TNDATA) to the DOORBELL with TID 0x5a": {
    packet: { ...ids, crf: 0, prio: 2, ftype: "response", ttype: "no-data", status: 0, targetTid: 0x5a },
    payload: dw(0),
  },
  "RESPONSE in error (ERROR bit 35) to TID 0x07, critical request flow set": {
    packet: { ...ids, crf: 1, prio: 3, ftype: "response", ttype: "no-data", status: 7, targetTid: 7 },
    payload: dw(0),
  },
} as unknown as Record<string, { packet: SrioPacket; payload: Uint8Array }>; // prettier-ignore

describe("golden vectors: the Xilinx example design's HELLO headers (test/vectors/hello.json)", () => {
  it("covers every vector", () => {
    expect(vectors.map((v) => v.note).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const v of vectors) {
    it(v.note, () => {
      const want = expected[v.note]!;
      const header = decodeHello(fromHex(v.hex));
      const packet = srioPacketFromHello(header, TUSER, want.payload, { tt: "dev8" });
      expect(packet).toEqual(want.packet);
      expect(checkSrioPacketRules(packet)).toEqual([]);
      expect(decodeSrioPacket(encodeSrioPacket(packet))).toEqual(packet);
      const back = helloFromSrioPacket(packet);
      // SWRITE has no TID field (Part 1 Figure 4-3): it comes back as 0.
      const tid = packet.ftype === "streaming-write" ? 0 : header.tid;
      expect(back).toEqual({ header: { ...header, tid }, tuser: TUSER, payload: want.payload });
    });
  }
});

function hello(h: Partial<Hello>): Hello {
  return {
    tid: 1,
    ftype: "request-class",
    ttype: 4,
    prio: 0,
    crf: false,
    size: 0,
    error: false,
    address: 0n,
    ...h,
  };
}

function rejects(f: () => unknown, path: string, message?: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HelloConversionError);
    expect((e as HelloConversionError).name).toBe("HelloConversionError");
    expect((e as HelloConversionError).path).toBe(path);
    if (message) expect((e as Error).message).toMatch(message);
    return;
  }
  expect.unreachable(`expected a HelloConversionError on ${path}`);
}

describe("HELLO packets without a logical counterpart", () => {
  const none = new Uint8Array(0);
  const opts = { tt: "dev8" } as const;
  it("MESSAGE, data streaming and ATOMIC: unverified mappings", () => {
    rejects(
      () => srioPacketFromHello(hello({ ftype: "message", ttype: 0 }), 0, dw(8), opts),
      "ftype",
      /unverified, srio\.md §13 item 5/,
    );
    rejects(() => srioPacketFromHello(hello({ ftype: "data-streaming" }), 0, none, opts), "ftype");
    rejects(() => srioPacketFromHello(hello({ ttype: 12 }), 0, none, opts), "ftype");
    rejects(
      () => srioPacketFromHello(hello({ ftype: "response", ttype: 1 }), 0, none, opts),
      "ftype",
    );
  });
  it("a read or write no Table 4-3/4-4 row expresses", () => {
    rejects(() => srioPacketFromHello(hello({ size: 2, address: 1n }), 0, none, opts), "size");
    rejects(() => srioPacketFromHello(hello({ size: 23 }), 0, none, opts), "size"); // 24-byte read
    const w = hello({ ftype: "write-class", size: 15, address: 4n });
    rejects(() => srioPacketFromHello(w, 0, dw(16), opts), "size");
    const s = hello({ ftype: "streaming-write", ttype: 0, size: 15, address: 4n });
    rejects(() => srioPacketFromHello(s, 0, dw(16), opts), "size");
  });
  it("payloads of the wrong length", () => {
    rejects(() => srioPacketFromHello(hello({}), 0, dw(8), opts), "payload");
    const w = hello({ ftype: "write-class", size: 15 });
    rejects(() => srioPacketFromHello(w, 0, dw(8), opts), "payload");
  });
  it("doorbell and response header conventions", () => {
    const db = hello({ ftype: "doorbell", ttype: 0, size: 0, address: 0x12340000n });
    rejects(() => srioPacketFromHello(db, 0, none, opts), "size");
    const db2 = hello({ ftype: "doorbell", ttype: 0, size: 1, address: 0x12340001n });
    rejects(() => srioPacketFromHello(db2, 0, none, opts), "address");
    const r = hello({ ftype: "response", ttype: 0, size: 0, address: 8n });
    rejects(() => srioPacketFromHello(r, 0, none, opts), "address");
  });
  it("IDs that do not fit tt dev8", () => {
    rejects(() => srioPacketFromHello(hello({}), 0x01000002, none, opts), "tuser");
    expect(srioPacketFromHello(hello({}), 0x01000002, none, { tt: "dev16" })).toMatchObject({
      tt: "dev16",
      sourceId: 0x100,
      destinationId: 2,
    });
  });
  it("a packet that breaks a rule: NREAD at priority 3 (Part 6 §6.12)", () => {
    rejects(() => srioPacketFromHello(hello({ prio: 3 }), 0, none, opts), "packet");
  });
});

describe("logical packets without a HELLO counterpart", () => {
  const base = { ackId: 0, vc: 0, crf: 0, prio: 0, tt: "dev8", destinationId: 1, sourceId: 2 };
  const p = (x: object): SrioPacket => ({ ...base, ...x }) as unknown as SrioPacket;
  it("MESSAGE, ATOMIC, maintenance, message response", () => {
    const msg = { ftype: "message", msglen: 0, ssize: 9, letter: 0, mbox: 0, msgseg: 0 };
    rejects(() => helloFromSrioPacket(p({ ...msg, payload: dw(8) })), "ftype", /srio\.md §13 item 5/);
    const atomic = { ftype: "request", ttype: "atomic-inc", rdsize: 8, srcTid: 0, address: 0, wdptr: 0, xamsbs: 0 };
    rejects(() => helloFromSrioPacket(p(atomic)), "ftype");
    const mw = { ftype: "maintenance", ttype: "write-response", sizeOrStatus: 0, targetTid: 0, hopCount: 0xff };
    rejects(() => helloFromSrioPacket(p(mw)), "ftype");
    const mr = { ftype: "response", ttype: "message-response", status: 0, letter: 0, mbox: 0, msgseg: 0 };
    rejects(() => helloFromSrioPacket(p({ ...mr, prio: 1 })), "ftype");
  });
  it("Dev32 IDs, VC 1, a RETRY status", () => {
    const db = { ftype: "doorbell", srcTid: 0, info: 1 };
    rejects(() => helloFromSrioPacket(p({ ...db, tt: "dev32" })), "tt");
    rejects(() => helloFromSrioPacket(p({ ...db, ftype: "streaming-write", address: 0, xamsbs: 0, payload: dw(8), vc: 1 })), "vc");
    const retry = { ftype: "response", ttype: "no-data", status: 3, targetTid: 0, prio: 1 };
    rejects(() => helloFromSrioPacket(p(retry)), "status");
  });
}); // prettier-ignore

/** Puts a packet of the arbitraries into the HELLO-representable subset where it can. */
function representable(packet: SrioPacket): SrioPacket {
  const v = { ...packet, ackId: 0, vc: 0 } as Record<string, unknown>;
  const payload = v["payload"] as Uint8Array | undefined;
  const multi = v["wrsize"] === 0b1011 ? v["wdptr"] === 1 : (v["wrsize"] as number) > 0b1011;
  if (v["ftype"] === "write" && payload !== undefined && multi) {
    // HELLO gives the payload length: the smallest maximum that holds it (srio.md §3).
    const code = encodeWriteSize(payload.length);
    v["wrsize"] = code.size;
    v["wdptr"] = code.wdptr;
  }
  if (v["ftype"] === "response") {
    v["status"] =
      payload !== undefined && payload.length > 0 ? 0 : 7 * ((v["status"] as number) & 1);
    if (v["ttype"] === "with-data" && payload !== undefined && payload.length === 0)
      v["status"] = 7;
  } else if (v["prio"] === 3) v["prio"] = 2;
  return v as unknown as SrioPacket;
}

function converts(packet: SrioPacket): boolean {
  try {
    helloFromSrioPacket(packet);
    return true;
  } catch {
    return false;
  }
}

const arbRepresentable = arbSrioPacket.map(representable).filter(converts);

describe(`property: packet → HELLO → packet is the identity on the representable packets (seed ${seed})`, () => {
  it("round-trips", () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(arbRepresentable, (packet) => {
        kinds.add(`${packet.ftype}${"ttype" in packet ? `/${packet.ttype}` : ""}`);
        const h = helloFromSrioPacket(packet);
        const tt = packet.tt === "dev32" ? "dev16" : packet.tt;
        expect(srioPacketFromHello(h.header, h.tuser, h.payload, { tt })).toEqual(packet);
      }),
      { seed, numRuns: 400 },
    );
    expect(kinds.size).toBeGreaterThanOrEqual(6);
  });
});

const TTYPES: Partial<Record<HelloFtype, readonly number[]>> = {
  "request-class": [4],
  "write-class": [4, 5],
  "streaming-write": [0],
  doorbell: [0],
  response: [0, 8],
};

/** Moves a random header towards the representable ones (the rest must be rejected). */
function nearlyRepresentable(h: Hello): Hello {
  const ttypes = TTYPES[h.ftype];
  const ttype = ttypes === undefined ? h.ttype : ttypes[h.ttype % ttypes.length]!;
  const out: Hello = { ...h, ttype, error: h.ftype === "response" && h.error };
  if (h.ftype === "streaming-write")
    return { ...out, tid: 0, size: h.size | 7, address: h.address & ~7n };
  if (h.ftype === "doorbell") return { ...out, size: 1, address: h.address & 0xffff0000n };
  if (h.ftype === "response") return { ...out, size: 0, address: 0n };
  return h.size > 7 ? { ...out, size: h.size | 7, address: h.address & ~7n } : out;
}

describe(`property: HELLO → packet → HELLO is the identity on what converts (seed ${seed})`, () => {
  it("round-trips, and rejects with HelloConversionError", () => {
    let kept = 0;
    const arb = fc.record({
      header: arbHello.map(nearlyRepresentable),
      tuser: fc.integer({ min: 0, max: 0xffffffff }),
      data: fc.uint8Array({ minLength: 256, maxLength: 256 }),
      dataBeats: fc.integer({ min: 1, max: 32 }),
    });
    fc.assert(
      fc.property(arb, ({ header, tuser, data, dataBeats }) => {
        const h = header;
        const beats =
          h.ftype === "write-class" || h.ftype === "streaming-write"
            ? (h.size >>> 3) + 1
            : h.ftype === "response" && h.ttype === 8 && !h.error
              ? dataBeats
              : 0;
        const payload = data.slice(0, beats * 8);
        let packet: SrioPacket;
        try {
          packet = srioPacketFromHello(h, tuser, payload, { tt: "dev16" });
        } catch (e) {
          expect(e).toBeInstanceOf(HelloConversionError);
          return;
        }
        kept++;
        expect(helloFromSrioPacket(packet)).toEqual({ header: h, tuser, payload });
      }),
      { seed, numRuns: 1000 },
    );
    expect(kept).toBeGreaterThan(50);
  });
});
