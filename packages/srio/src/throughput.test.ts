/**
 * Throughput model (srio.md §10, sizes of §4): the reference's efficiency and goodput tables as
 * vectors, closed forms and property tests.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { lawSeed } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import {
  SRIO_BAUD_GBAUD,
  THROUGHPUT_DATA_PACKET_TYPES,
  SRIO_WIDTHS,
  SrioThroughputError,
  srioBaudRateClass,
  srioPacketSize,
  srioStreamThroughput,
  srioThroughput,
} from "./index.js";
import type { SrioIdBits, ThroughputPacketType, SrioThroughputOptions } from "./index.js";

const seed = lawSeed();
const runs = Number(process.env["FC_RUNS"] ?? 200);

describe("srio.md §4 packet sizes", () => {
  it("bytes without payload (Dev8 / Dev16, 34-bit): the §4 table", () => {
    const rows: [ThroughputPacketType, number, number][] = [
      ["nread", 12, 16],
      ["maintenance-read", 12, 16],
      ["doorbell", 12, 12],
      ["response", 8, 12],
    ];
    for (const [packet, dev8, dev16] of rows) {
      expect(srioPacketSize(packet, 0, 8).packetBytes).toBe(dev8);
      expect(srioPacketSize(packet, 0, 16).packetBytes).toBe(dev16);
    }
  });

  it("256-byte payloads: SWRITE 268 / 272, NWRITE 272, NREAD response 268 (§4)", () => {
    expect(srioPacketSize("swrite", 256, 8).packetBytes).toBe(268);
    expect(srioPacketSize("swrite", 256, 16)).toEqual({
      headerBytes: 10,
      wirePayloadBytes: 256,
      crcBytes: 4,
      padBytes: 2,
      packetBytes: 272,
      packetBytes64b67b: 280,
    });
    expect(srioPacketSize("nwrite", 256, 16).packetBytes).toBe(272);
    expect(srioPacketSize("nread-response", 256, 16).packetBytes).toBe(268);
  });

  it("the 80-byte rule (§13 item 1): Dev8 SWRITE of 72 B is 80 B + 1 CRC = 84; Dev16 takes the early CRC = 88", () => {
    const d8 = srioPacketSize("swrite", 72, 8);
    expect([d8.crcBytes, d8.padBytes, d8.packetBytes]).toEqual([2, 2, 84]);
    const d16 = srioPacketSize("swrite", 72, 16);
    expect([d16.crcBytes, d16.padBytes, d16.packetBytes]).toEqual([4, 2, 88]);
  });

  it("maximum sizes (Part 6 §2.5, §5.6): Dev32 66-bit NWRITE of 256 B", () => {
    // 2 + 8 (Dev32 IDs) + 6 + 4 (66-bit extension) + 256 + 4 = 280 ≤ 284; + CRC-32 = 288 max.
    const s = srioPacketSize("nwrite", 256, 32, 66);
    expect(s.packetBytes).toBe(280);
    expect(s.packetBytes).toBeLessThanOrEqual(284);
    expect(s.packetBytes64b67b).toBeLessThanOrEqual(288);
  });

  it("sub-double-word writes carry one padded double-word (Part 1 §3.3)", () => {
    for (let p = 1; p <= 8; p++) expect(srioPacketSize("nwrite", p, 16).packetBytes).toBe(24);
  });
});

interface Vectors {
  efficiency: {
    source: string;
    rows: {
      packet: ThroughputPacketType;
      payloadBytes: number;
      idBits: SrioIdBits[];
      L: number;
      cs24: number;
      cs48: number;
      L3: number;
      cs64: number;
    }[];
  };
  goodput: {
    source: string;
    rows: { baudGbaud: number; controlSymbol: number; swrite: string[]; nwrite: string[] }[];
    roundedFromEfficiency: { baudGbaud: number; width: number; packet: string; printed: string }[];
  };
}
const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/throughput.json", import.meta.url), "utf8"),
) as Vectors;

describe("srio.md §10 efficiency table (test/vectors/throughput.json)", () => {
  it("has the reference's 10 rows", () => {
    expect(vectors.efficiency.rows).toHaveLength(10);
    expect(vectors.efficiency.source).toMatch(/srio\.md §10/);
  });
  it.each(vectors.efficiency.rows)("$packet $payloadBytes B Dev$idBits", (row) => {
    for (const idBits of row.idBits) {
      const base = { width: 1, packet: row.packet, payloadBytes: row.payloadBytes, idBits };
      const a = srioThroughput({ ...base, baudGbaud: 3.125, controlSymbol: 24 });
      const b = srioThroughput({ ...base, baudGbaud: 3.125, controlSymbol: 48 });
      const c = srioThroughput({ ...base, baudGbaud: 10.3125, controlSymbol: 64 });
      expect(a.size.packetBytes).toBe(row.L);
      expect(c.packetBytes).toBe(row.L3);
      expect(a.efficiency.toFixed(4)).toBe(row.cs24.toFixed(4));
      expect(b.efficiency.toFixed(4)).toBe(row.cs48.toFixed(4));
      expect(c.efficiency.toFixed(4)).toBe(row.cs64.toFixed(4));
    }
  });
});

describe("srio.md §10 goodput table, 256-byte payloads, Dev8 (test/vectors/throughput.json)", () => {
  // The table prints 4 significant digits, with 3 decimals below 10.
  const fmt = (x: number): string => (x < 10 ? x.toFixed(3) : x.toPrecision(4));
  const rounded = vectors.goodput.roundedFromEfficiency;
  it("has the reference's 9 rows and one cell rounded from the efficiency", () => {
    expect(vectors.goodput.rows).toHaveLength(9);
    expect(rounded).toHaveLength(1);
  });
  it.each(vectors.goodput.rows)("$baudGbaud Gbaud CS$controlSymbol", (row) => {
    [1, 2, 4].forEach((width, i) => {
      const o = { baudGbaud: row.baudGbaud, controlSymbol: row.controlSymbol, width };
      const sw = srioThroughput({ ...o, packet: "swrite", payloadBytes: 256, idBits: 8 });
      const nw = srioThroughput({ ...o, packet: "nwrite", payloadBytes: 256, idBits: 8 });
      expect(fmt(sw.goodputGbps)).toBe(row.swrite[i]);
      const r = rounded.find((x) => x.baudGbaud === row.baudGbaud && x.width === width);
      if (r === undefined) expect(fmt(nw.goodputGbps)).toBe(row.nwrite[i]);
      else {
        // The reference multiplied its rounded efficiency: 41.25 · 0.8491 = 35.025 → "35.03";
        // the formula gives 41.25 · 64/67 · 256/288 = 35.0249 → "35.02".
        expect(row.nwrite[i]).toBe(r.printed);
        expect(fmt(nw.goodputGbps)).toBe("35.02");
        expect(nw.goodputGbps).toBeCloseTo((41.25 * 64 * 256) / (67 * 288), 12);
        expect(fmt(nw.efficiency * row.baudGbaud * width)).toBe("35.02");
        expect((Number(nw.efficiency.toFixed(4)) * row.baudGbaud * width).toFixed(3)).toBe(
          "35.025",
        );
      }
    });
  });
});

describe("closed form and rules", () => {
  it("5 Gbaud x4 CS24 SWRITE 256 Dev8 = 20 · 0.8 · 0.9992 · 256/272", () => {
    const t = srioThroughput({ baudGbaud: 5, width: 4, controlSymbol: 24 });
    expect(t.rawGbps).toBe(20);
    expect(t.encodedGbps).toBeCloseTo(16, 12);
    expect(t.encoding).toBe("8b/10b");
    expect(t.goodputGbps).toBeCloseTo(20 * 0.8 * (1 - 4 / 5000) * (256 / 272), 12);
    expect(t.goodputGBps).toBeCloseTo(t.goodputGbps / 8, 12);
    expect(t.packetsPerUs).toBeCloseTo((t.goodputGbps * 1e3) / (8 * 256), 12);
    expect(t.options).toEqual({
      baudGbaud: 5,
      width: 4,
      controlSymbol: 24,
      packet: "swrite",
      payloadBytes: 256,
      idBits: 8,
      addressBits: 34,
    });
  });

  it("64b/67b: 12.5 Gbaud x1 = 12.5 · 64/67 · 256/(272 + 8); CS defaults by class", () => {
    const t = srioThroughput({ baudGbaud: 12.5, width: 1 });
    expect(t.options.controlSymbol).toBe(64);
    expect(t.encoding).toBe("64b/67b");
    expect(t.goodputGbps).toBeCloseTo(12.5 * (64 / 67) * (256 / 280), 12);
    expect(srioThroughput({ baudGbaud: 6.25, width: 1 }).options.controlSymbol).toBe(48);
    expect(srioThroughput({ baudGbaud: 2.5, width: 1 }).options.controlSymbol).toBe(24);
  });

  it("Baud Rate Classes (Part 6 §1.3, Table 1-1)", () => {
    expect([1.25, 2.5, 3.125, 5].map(srioBaudRateClass)).toEqual([1, 1, 1, 1]);
    expect(srioBaudRateClass(6.25)).toBe(2);
    expect([10.3125, 12.5, 25.78125].map(srioBaudRateClass)).toEqual([3, 3, 3]);
    // IDLE3 / CS64 is allowed at every class (64b/67b coding).
    expect(srioThroughput({ baudGbaud: 5, width: 1, controlSymbol: 64 }).encoding).toBe("64b/67b");
  });

  it("the early-CRC step: Dev16 SWRITE 64 → 72 B lowers the efficiency (CS24)", () => {
    const o = { baudGbaud: 5, width: 1, controlSymbol: 24, idBits: 16 } as const;
    const a = srioThroughput({ ...o, payloadBytes: 64 }).efficiency;
    const b = srioThroughput({ ...o, payloadBytes: 72 }).efficiency;
    expect(a.toFixed(4)).toBe("0.6395");
    expect(b.toFixed(4)).toBe("0.6256");
    expect(b).toBeLessThan(a);
  });

  it("bad options are typed errors naming the option", () => {
    const bad: [Partial<SrioThroughputOptions>, string, RegExp?][] = [
      [{ baudGbaud: 4 }, "baudGbaud"],
      [{ width: 3 }, "width"],
      [{ controlSymbol: 32 }, "controlSymbol"],
      [{ baudGbaud: 6.25, controlSymbol: 24 }, "controlSymbol", /Baud Rate Class 2/],
      [{ baudGbaud: 10.3125, controlSymbol: 48 }, "controlSymbol", /Baud Rate Class 3/],
      [{ packet: "nread" }, "packet"],
      [{ packet: "bogus" as ThroughputPacketType }, "packet"],
      [{ payloadBytes: 12 }, "payloadBytes"],
      [{ payloadBytes: 264 }, "payloadBytes"],
      [{ packet: "nread-response", payloadBytes: 24 }, "payloadBytes"],
      [{ packet: "maintenance-write", payloadBytes: 72 }, "payloadBytes"],
      [{ idBits: 12 }, "idBits"],
      [{ addressBits: 32 }, "addressBits"],
    ];
    for (const [o, option, re] of bad) {
      let err: unknown;
      try {
        srioThroughput({ baudGbaud: 5, width: 4, ...o });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SrioThroughputError);
      expect((err as SrioThroughputError).option).toBe(option);
      expect((err as Error).message).toMatch(new RegExp(`^"${option}" expected .+, got `));
      if (re) expect((err as Error).message).toMatch(re);
    }
  });
});

describe("stream throughput", () => {
  it("1 MiB aligned as 4096 SWRITEs of 256 B equals the steady-state model", () => {
    const s = srioStreamThroughput(0n, 1 << 20, { baudGbaud: 5, width: 4, controlSymbol: 24 });
    const t = srioThroughput({ baudGbaud: 5, width: 4, controlSymbol: 24 });
    expect(s.packets).toBe(4096);
    expect(s.linkBytes).toBe(4096 * (268 + 4));
    expect(s.goodputGbps).toBeCloseTo(t.goodputGbps, 9);
    // time = link bytes / (20 Gbaud · 0.8 · 0.9992 / 8 bytes per ns)
    expect(s.timeNs).toBeCloseTo((4096 * 272) / ((20 * 0.8 * 0.9992) / 8), 6);
  });

  it("Figure 3-9 stream (48 B from lane 5): NWRITE 3 + SWRITE 40 + NWRITE 5", () => {
    const s = srioStreamThroughput(0x1005n, 48, { baudGbaud: 5, width: 1, idBits: 16 });
    // NWRITE Dev16: 12 + 8 + 2 + 2 = 24 (+4 CS) twice; SWRITE 40: 10 + 40 + 2 = 52 (+4 CS)
    expect(s.linkBytes).toBe(2 * 28 + 56);
    expect(s.goodputGbps).toBeCloseTo((48 * 8) / s.timeNs, 12);
    expect(srioStreamThroughput(0n, 0, { baudGbaud: 5, width: 1 }).goodputGbps).toBe(0);
  });
});

const arbLink = fc
  .record({
    baudGbaud: fc.constantFrom(...SRIO_BAUD_GBAUD),
    width: fc.constantFrom(...SRIO_WIDTHS),
    cs: fc.constantFrom(24, 48, 64),
    packet: fc.constantFrom(...THROUGHPUT_DATA_PACKET_TYPES),
    dw: fc.integer({ min: 1, max: 32 }),
    idBits: fc.constantFrom<SrioIdBits>(8, 16, 32),
    addressBits: fc.constantFrom(34, 50, 66),
  })
  .map((r) => {
    const cls = srioBaudRateClass(r.baudGbaud);
    const controlSymbol = cls === 3 ? 64 : cls === 2 && r.cs === 24 ? 48 : r.cs;
    const maxDw =
      r.packet === "maintenance-write" || r.packet === "maintenance-read-response" ? 8 : 32;
    let payloadBytes = Math.min(r.dw, maxDw) * 8;
    if (r.packet === "nread-response" && payloadBytes > 8)
      payloadBytes = [16, 32, 64, 96, 128, 160, 192, 224, 256].find((x) => x >= payloadBytes)!;
    return { ...r, controlSymbol, payloadBytes };
  });

/** Payloads a packet type accepts, in increasing order. */
function payloadsOf(packet: ThroughputPacketType): number[] {
  const dws = (max: number): number[] => Array.from({ length: max / 8 }, (_, i) => (i + 1) * 8);
  switch (packet) {
    case "nwrite":
    case "nwrite-r":
      return [1, 2, 3, 4, 5, 6, 7, ...dws(256)];
    case "nread-response":
      return [1, 2, 3, 4, 5, 6, 7, 8, 16, 32, 64, 96, 128, 160, 192, 224, 256];
    case "maintenance-write":
    case "maintenance-read-response":
      return [4, ...dws(64)];
    default:
      return dws(256);
  }
}

describe(`throughput properties (seed ${seed})`, () => {
  it("below the raw and coded rates, efficiency = goodput / raw", () => {
    fc.assert(
      fc.property(arbLink, (o) => {
        const t = srioThroughput(o);
        expect(t.goodputGbps).toBeGreaterThan(0);
        expect(t.goodputGbps).toBeLessThan(t.encodedGbps);
        expect(t.encodedGbps).toBeLessThan(t.rawGbps);
        expect(t.efficiency).toBeCloseTo(t.goodputGbps / t.rawGbps, 12);
        expect(t.packetBytes % (t.encoding === "64b/67b" ? 8 : 4)).toBe(0);
      }),
      { seed, numRuns: runs },
    );
  });

  it("linear in width: x2N = 2 · xN, so monotone in width", () => {
    fc.assert(
      fc.property(arbLink, fc.constantFrom(...SRIO_WIDTHS), (o, w2) => {
        const a = srioThroughput(o);
        const b = srioThroughput({ ...o, width: w2 });
        expect(b.goodputGbps / w2).toBeCloseTo(a.goodputGbps / o.width, 9);
        if (w2 > o.width) expect(b.goodputGbps).toBeGreaterThan(a.goodputGbps);
        expect(b.efficiency).toBeCloseTo(a.efficiency, 12);
      }),
      { seed, numRuns: runs },
    );
  });

  it("monotone in payload on each side of the early-CRC step (see the module comment)", () => {
    fc.assert(
      fc.property(arbLink, (o) => {
        const sizes = payloadsOf(o.packet);
        let prev = -1;
        let prevCrc = 2;
        for (const payloadBytes of sizes) {
          const t = srioThroughput({ ...o, payloadBytes });
          if (t.size.crcBytes === prevCrc) expect(t.efficiency).toBeGreaterThan(prev);
          // Across the step it may fall, by at most the 12 (8b/10b) or 16 (64b/67b) bytes
          // the second CRC, the pad and the 8-byte round-up add.
          else expect(t.efficiency).toBeGreaterThan((prev * payloadBytes) / (payloadBytes + 16));
          prev = t.efficiency;
          prevCrc = t.size.crcBytes;
        }
      }),
      { seed, numRuns: Math.max(20, runs / 10) },
    );
  });

  it("stream link bytes (closed form) = the sum over every packet of the plan", () => {
    fc.assert(
      fc.property(
        arbLink,
        fc.bigInt({ min: 0n, max: 1n << 24n }),
        fc.integer({ min: 0, max: 1 << 14 }),
        fc.option(fc.integer({ min: 3, max: 12 }), { nil: undefined }),
        (o, address, len, b) => {
          const stream = b === undefined ? {} : { boundaryBytes: 2 ** b, maxPayloadBytes: 8 };
          const s = srioStreamThroughput(address, len, {
            baudGbaud: o.baudGbaud,
            width: o.width,
            controlSymbol: o.controlSymbol,
            idBits: o.idBits,
            stream,
          });
          const cs = o.controlSymbol === 24 ? 4 : 8;
          let sum = 0;
          s.plan.forEach((_i, ftype, _off, n) => {
            const z = srioPacketSize(ftype === 6 ? "swrite" : "nwrite", n, o.idBits);
            sum += (o.controlSymbol === 64 ? z.packetBytes64b67b : z.packetBytes) + cs;
          });
          expect(s.linkBytes).toBe(sum);
          expect(s.packets).toBe(s.plan.count);
        },
      ),
      { seed, numRuns: runs },
    );
  });

  it("stream of whole 256-byte SWRITEs equals the closed form; a stream is never above it", () => {
    fc.assert(
      fc.property(
        arbLink,
        fc.integer({ min: 1, max: 4096 }),
        fc.bigInt({ min: 0n, max: 1n << 24n }),
        fc.integer({ min: 1, max: 1 << 16 }),
        (o, n, address, len) => {
          const link = {
            baudGbaud: o.baudGbaud,
            width: o.width,
            controlSymbol: o.controlSymbol,
            idBits: o.idBits,
          };
          const model = srioThroughput({ ...link, packet: "swrite", payloadBytes: 256 });
          const aligned = srioStreamThroughput(address * 256n, n * 256, link);
          expect(aligned.packets).toBe(n);
          expect(aligned.goodputGbps).toBeCloseTo(model.goodputGbps, 9);
          const any = srioStreamThroughput(address, len, link);
          expect(any.goodputGbps).toBeLessThanOrEqual(model.goodputGbps * (1 + 1e-12));
          expect(any.goodputGbps).toBeGreaterThan(0);
        },
      ),
      { seed, numRuns: runs },
    );
  });
});
