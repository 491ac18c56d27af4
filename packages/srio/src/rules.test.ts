/**
 * Packet rules (rules.ts): each rule with a passing and a failing packet, hand-built valid
 * packets of every ttype, and a property over the physical packet arbitraries.
 */
import { lawSeed } from "@rashpa/laws";
import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { arbSrioPacket, arbSrioPacket50, arbSrioPacket66 } from "./arbitraries.js";
import type { AnySrioPacket, SrioAddressSize, SrioPacket } from "./packet.js";
import { decodeSrioPacket, encodeSrioPacket } from "./packet.js";
import { srioTransactionKind } from "./packet-flow.js";
import { SrioRuleError, assertSrioPacketRules, checkSrioPacketRules } from "./rules.js";

const seed = lawSeed();

const dw = (n: number): Uint8Array => new Uint8Array(n).map((_, i) => i + 1);
const base = { ackId: 0, vc: 0, crf: 0, prio: 0, tt: "dev8", destinationId: 1, sourceId: 2 };
const addr = { srcTid: 9, address: 0x100, xamsbs: 0 };

/** Packets of every ftype and ttype that keep every rule. */
const valid: Record<string, SrioPacket> = {
  nread: { ...base, ...addr, ftype: "request", ttype: "nread", rdsize: 0b1111, wdptr: 1 },
  "atomic-inc": { ...base, ...addr, ftype: "request", ttype: "atomic-inc", rdsize: 0b1000, wdptr: 1 },
  "atomic-dec": { ...base, ...addr, ftype: "request", ttype: "atomic-dec", rdsize: 0b0100, wdptr: 0 },
  "atomic-set": { ...base, ...addr, ftype: "request", ttype: "atomic-set", rdsize: 0b0011, wdptr: 1 },
  "atomic-clr": { ...base, ...addr, ftype: "request", ttype: "atomic-clr", rdsize: 0b0110, wdptr: 1 },
  nwrite: { ...base, ...addr, ftype: "write", ttype: "nwrite", wrsize: 0b1100, wdptr: 0, payload: dw(24) },
  "nwrite-r": { ...base, ...addr, ftype: "write", ttype: "nwrite-r", wrsize: 0b0101, wdptr: 1, payload: dw(8) },
  "atomic-swap": { ...base, ...addr, ftype: "write", ttype: "atomic-swap", wrsize: 0b1000, wdptr: 0, payload: dw(8) },
  "atomic-compare-and-swap": { ...base, ...addr, ftype: "write", ttype: "atomic-compare-and-swap", wrsize: 0b0110, wdptr: 0, payload: dw(16) },
  "atomic-test-and-swap": { ...base, ...addr, ftype: "write", ttype: "atomic-test-and-swap", wrsize: 0b0010, wdptr: 1, payload: dw(8) },
  swrite: { ...base, ftype: "streaming-write", address: 0x100, xamsbs: 1, payload: dw(72) },
  "maintenance read-request": { ...base, ftype: "maintenance", ttype: "read-request", sizeOrStatus: 0b1000, srcTid: 1, hopCount: 0, configOffset: 0x20, wdptr: 1 },
  "maintenance write-request": { ...base, ftype: "maintenance", ttype: "write-request", sizeOrStatus: 0b1100, srcTid: 1, hopCount: 2, configOffset: 0x20, wdptr: 0, payload: dw(32) },
  "maintenance read-response": { ...base, ftype: "maintenance", ttype: "read-response", sizeOrStatus: 0, targetTid: 1, hopCount: 0xff, payload: dw(8) },
  "maintenance write-response": { ...base, ftype: "maintenance", ttype: "write-response", sizeOrStatus: 7, targetTid: 1, hopCount: 0xff },
  "port-write": { ...base, ftype: "maintenance", ttype: "port-write", sizeOrStatus: 0b1011, hopCount: 0xff, wdptr: 1, payload: dw(16) },
  doorbell: { ...base, ftype: "doorbell", srcTid: 3, info: 0x1234 },
  message: { ...base, ftype: "message", msglen: 2, ssize: 0b1010, letter: 1, mbox: 2, msgseg: 1, payload: dw(16) },
  "response no-data": { ...base, prio: 1, ftype: "response", ttype: "no-data", status: 3, targetTid: 9 },
  "response message-response": { ...base, prio: 1, ftype: "response", ttype: "message-response", status: 0, letter: 1, mbox: 2, msgseg: 1 },
  "response with-data": { ...base, prio: 1, ftype: "response", ttype: "with-data", status: 0, targetTid: 9, payload: dw(256) },
} as unknown as Record<string, SrioPacket>; // prettier-ignore

function paths(p: unknown, options?: Parameters<typeof checkSrioPacketRules>[1]): string[] {
  return checkSrioPacketRules(p as AnySrioPacket, options).map((e) => e.path ?? "");
}

function fails(p: unknown, path: string, section: RegExp): SrioRuleError {
  const errors = checkSrioPacketRules(p as AnySrioPacket);
  expect(errors.map((e) => e.path)).toContain(path);
  const e = errors.find((x) => x.path === path)!;
  expect(e).toBeInstanceOf(SrioRuleError);
  expect(e.name).toBe("SrioRuleError");
  expect(e.section).toMatch(section);
  expect(e.message).toMatch(
    new RegExp(`^"${path}" expected .*RapidIO 4\\.1 .*, got .* at byte \\d+$`),
  );
  return e;
}

describe("hand-built valid packets of every ttype keep the rules and encode", () => {
  for (const [name, p] of Object.entries(valid)) {
    it(name, () => {
      expect(paths(p)).toEqual([]);
      expect(() => assertSrioPacketRules(p)).not.toThrow();
      expect(decodeSrioPacket(encodeSrioPacket(p))).toEqual(p);
    });
  }
});

describe("request priority (Part 6 §6.12, via priority.ts)", () => {
  it("a request needing a response at priority 3 fails, without a response passes", () => {
    const e = fails({ ...valid["nread"], prio: 3 }, "prio", /Part 6 §6\.12/);
    expect(e.offset).toBe(1);
    expect(paths({ ...valid["nwrite"], prio: 3 })).toEqual([]);
    expect(paths({ ...valid["doorbell"], prio: 2 })).toEqual([]);
    fails({ ...valid["doorbell"], prio: 3 }, "prio", /§6\.12/);
  });
  it("a request needing a response uses VC0 unless the VC bit is a priority bit", () => {
    fails({ ...valid["nwrite-r"], vc: 1 }, "vc", /§6\.12/);
    expect(paths({ ...valid["nwrite-r"], vc: 1 }, { vcPriority: true })).toEqual([]);
  });
});

describe("NWRITE / NWRITE_R payload against wrsize and wdptr (Part 1 §4.1.7, Table 4-4)", () => {
  it("reserved write sizes 96, 160, 192, 224 fail; 128 passes", () => {
    for (const [wrsize, wdptr] of [
      [0b1101, 0],
      [0b1110, 0],
      [0b1110, 1],
      [0b1111, 0],
    ] as const) {
      const e = fails({ ...valid["nwrite"], wrsize, wdptr }, "wrsize", /Part 1 §4\.1\.7/);
      expect(e.offset).toBe(4);
      expect(e.found).toMatch(/reserved/);
    }
    expect(paths({ ...valid["nwrite"], wrsize: 0b1101, wdptr: 1 })).toEqual([]);
  });
  it("a multi-double-word payload is at most the maximum", () => {
    expect(paths({ ...valid["nwrite"], payload: dw(32) })).toEqual([]);
    const e = fails({ ...valid["nwrite"], payload: dw(40) }, "payload", /Table 4-4/);
    expect(e.offset).toBe(10); // Dev8, 34-bit: 2 + 2 ID bytes + 6 bytes of logical fields
  });
  it("a multi-double-word payload is whole double-words", () => {
    fails({ ...valid["nwrite"], payload: dw(20) }, "payload", /§4\.1\.7/);
  });
  it("a sub-double-word size carries exactly one double-word", () => {
    expect(paths(valid["nwrite-r"])).toEqual([]);
    fails({ ...valid["nwrite-r"], payload: dw(16) }, "payload", /§4\.1\.7/);
    fails({ ...valid["nwrite-r"], payload: dw(0) }, "payload", /§4\.1\.7/);
  });
});

describe("SWRITE payload (Part 1 §4.1.8)", () => {
  it("whole double-words from 8 to 256 bytes", () => {
    expect(paths({ ...valid["swrite"], payload: dw(256) })).toEqual([]);
    fails({ ...valid["swrite"], payload: dw(12) }, "payload", /§4\.1\.8/);
    fails({ ...valid["swrite"], payload: dw(264) }, "payload", /§4\.1\.8/);
  });
});

describe("ATOMIC sizes (Part 1 §4.1.5, §4.1.7)", () => {
  it("1, 2 or 4 bytes naturally aligned pass; 8, 3 and unaligned 2 fail", () => {
    expect(paths({ ...valid["atomic-inc"], rdsize: 0b0000, wdptr: 1 })).toEqual([]);
    fails({ ...valid["atomic-inc"], rdsize: 0b1011, wdptr: 0 }, "rdsize", /§4\.1\.5/);
    fails({ ...valid["atomic-dec"], rdsize: 0b0101, wdptr: 0 }, "rdsize", /§4\.1\.5/);
    // 2 bytes at lanes 2–3 (0110/0) are aligned; Table 4-3 has no unaligned 2-byte row, but
    // a 4-byte access must start at lane 0 or 4 — and 5 bytes at lane 3 is not an ATOMIC size.
    expect(paths({ ...valid["atomic-swap"], wrsize: 0b0110, wdptr: 0 })).toEqual([]);
    fails({ ...valid["atomic-swap"], wrsize: 0b0111, wdptr: 1 }, "wrsize", /§4\.1\.7/);
    fails(
      { ...valid["atomic-swap"], wrsize: 0b1100, wdptr: 0, payload: dw(8) },
      "wrsize",
      /§4\.1\.7/,
    );
  });
  it("compare-and-swap carries 16 bytes; swap and test-and-swap one double-word", () => {
    fails({ ...valid["atomic-compare-and-swap"], payload: dw(8) }, "payload", /§4\.1\.7/);
    fails({ ...valid["atomic-test-and-swap"], payload: dw(16) }, "payload", /§4\.1\.7/);
    fails({ ...valid["atomic-swap"], payload: dw(16) }, "payload", /§4\.1\.7/);
  });
});

describe("maintenance (Part 1 §4.1.10, Part 3 §2.5)", () => {
  it("read sizes: 4 bytes at either word, 8, 16, 32, 64 pass; others fail", () => {
    for (const [s, w] of [
      [0b1000, 0],
      [0b1011, 0],
      [0b1011, 1],
      [0b1100, 0],
      [0b1100, 1],
    ] as const)
      expect(paths({ ...valid["maintenance read-request"], sizeOrStatus: s, wdptr: w })).toEqual(
        [],
      );
    for (const [s, w] of [
      [0b0000, 0],
      [0b1101, 1],
      [0b1111, 1],
      [0b0110, 0],
    ] as const)
      fails(
        { ...valid["maintenance read-request"], sizeOrStatus: s, wdptr: w },
        "rdsize",
        /§4\.1\.10/,
      );
  });
  it("write sizes: a reserved or sub-word size fails, the payload stays within the size", () => {
    fails(
      { ...valid["maintenance write-request"], sizeOrStatus: 0b1101, wdptr: 0 },
      "wrsize",
      /§4\.1\.10/,
    );
    fails({ ...valid["maintenance write-request"], payload: dw(40) }, "payload", /§4\.1\.10/);
    expect(
      paths({ ...valid["maintenance write-request"], sizeOrStatus: 0b1000, payload: dw(8) }),
    ).toEqual([]);
    fails(
      { ...valid["maintenance write-request"], sizeOrStatus: 0b1000, payload: dw(16) },
      "payload",
      /§4\.1\.10/,
    );
  });
  it("responses: hop_count 0xFF and a defined status", () => {
    const e = fails(
      { ...valid["maintenance write-response"], hopCount: 0 },
      "hopCount",
      /Part 3 §2\.5/,
    );
    expect(e.offset).toBe(6);
    fails({ ...valid["maintenance write-response"], sizeOrStatus: 3 }, "status", /Table 4-7/);
    expect(paths({ ...valid["maintenance write-response"], sizeOrStatus: 12 })).toEqual([]);
  });
  it("a DONE read response carries data; an ERROR one may not", () => {
    fails({ ...valid["maintenance read-response"], payload: dw(0) }, "payload", /§4\.1\.10/);
    expect(
      paths({ ...valid["maintenance read-response"], sizeOrStatus: 7, payload: dw(0) }),
    ).toEqual([]);
    expect(
      paths({ ...valid["maintenance read-response"], sizeOrStatus: 7, payload: dw(8) }),
    ).toEqual([]);
  });
  it("port-write: the spec encoding always, OpenRIO's (wrsize 0, wdptr 0) unless strict", () => {
    const openRio = { ...valid["port-write"], sizeOrStatus: 0, wdptr: 0, hopCount: 0 };
    expect(paths(openRio)).toEqual([]);
    expect(paths(openRio, { strictPortWrite: true })).toEqual(["wrsize"]);
    expect(paths(valid["port-write"], { strictPortWrite: true })).toEqual([]);
    expect(paths({ ...valid["port-write"], payload: dw(24) })).toEqual(["payload"]);
  });
});

describe("MESSAGE (Part 2 §4.2.5, Table 4-4)", () => {
  it("ssize is defined", () => {
    fails({ ...valid["message"], ssize: 0b1111 }, "ssize", /Part 2 §4\.2\.5/);
  });
  it("msgseg is at most msglen (xmbox when msglen is 0)", () => {
    fails({ ...valid["message"], msgseg: 3 }, "msgseg", /Part 2/);
    expect(paths({ ...valid["message"], msglen: 0, msgseg: 15 })).toEqual([]);
  });
  it("a segment before the last is exactly ssize; the last at most ssize", () => {
    fails({ ...valid["message"], payload: dw(8) }, "payload", /Part 2/);
    expect(paths({ ...valid["message"], msgseg: 2, payload: dw(8) })).toEqual([]);
    fails({ ...valid["message"], msgseg: 2, payload: dw(24) }, "payload", /Part 2/);
    fails({ ...valid["message"], msglen: 0, msgseg: 0, payload: dw(24) }, "payload", /Part 2/);
  });
});

describe("RESPONSE (Part 1 §4.2.3, Part 2 §4.3.3)", () => {
  it("reserved status codes fail; RETRY only without data", () => {
    fails({ ...valid["response no-data"], status: 1 }, "status", /Part 2 §4\.3\.1/);
    fails({ ...valid["response with-data"], status: 3 }, "status", /Part 1 §4\.2\.1/);
    expect(paths({ ...valid["response message-response"], status: 3 })).toEqual([]);
  });
  it("no data with ERROR, data with DONE", () => {
    fails({ ...valid["response with-data"], status: 7 }, "payload", /§4\.2\.3/);
    expect(paths({ ...valid["response with-data"], status: 7, payload: dw(0) })).toEqual([]);
    fails({ ...valid["response with-data"], payload: dw(0) }, "payload", /§4\.2\.3/);
  });
  it("with the request given, the data length is the request's", () => {
    const request = { ...valid["nread"], rdsize: 0b0101, wdptr: 1 } as AnySrioPacket; // 3 bytes
    const response = { ...valid["response with-data"], payload: dw(8) };
    expect(paths(response, { request })).toEqual([]);
    expect(paths({ ...response, payload: dw(16) }, { request })).toEqual(["payload"]);
    expect(paths({ ...response, payload: dw(16) }, { request: valid["atomic-swap"]! })).toEqual([
      "payload",
    ]);
    const mread = valid["maintenance read-request"]!; // 4 bytes
    expect(paths(valid["maintenance read-response"], { request: mread })).toEqual([]);
    expect(
      paths({ ...valid["maintenance read-response"], payload: dw(16) }, { request: mread }),
    ).toEqual(["payload"]);
  });
});

describe("assertSrioPacketRules and srioTransactionKind", () => {
  it("throws the first broken rule", () => {
    expect(() => assertSrioPacketRules({ ...valid["nread"], prio: 3 } as AnySrioPacket)).toThrow(
      SrioRuleError,
    );
  });
  it("maps packets to the kinds of priority.ts", () => {
    expect(srioTransactionKind(valid["nread"]!)).toBe("nread");
    expect(srioTransactionKind(valid["atomic-swap"]!)).toBe("atomic");
    expect(srioTransactionKind(valid["port-write"]!)).toBe("port-write");
    expect(srioTransactionKind(valid["maintenance read-response"]!)).toBe("maintenance-response");
    expect(srioTransactionKind(valid["response no-data"]!)).toBe("response");
  });
});

describe(`property: arbitrary packets that keep the rules re-encode identically (seed ${seed})`, () => {
  const sizes: [fc.Arbitrary<AnySrioPacket>, SrioAddressSize][] = [
    [arbSrioPacket, 34],
    [arbSrioPacket50, 50],
    [arbSrioPacket66, 66],
  ];
  for (const [arb, addressSize] of sizes) {
    it(`${addressSize}-bit addresses`, () => {
      let kept = 0;
      fc.assert(
        fc.property(arb, (p) => {
          const errors = checkSrioPacketRules(p, { addressSize });
          for (const e of errors) expect(e).toBeInstanceOf(SrioRuleError);
          if (errors.length > 0) return;
          kept++;
          const bytes = encodeSrioPacket(p, { addressSize });
          const again = decodeSrioPacket(bytes, 0, { addressSize });
          expect(again).toEqual(p);
          expect(encodeSrioPacket(again, { addressSize })).toEqual(bytes);
          expect(checkSrioPacketRules(again, { addressSize })).toEqual([]);
        }),
        { seed, numRuns: 500 },
      );
      expect(kept).toBeGreaterThan(0);
    });
  }
});
