/**
 * Golden vectors derived by hand from the figures and tables of RapidIO 4.1 (Part 1 §4, Part 2
 * §4, Part 3 §2.4–2.5, Part 6 §2.2–2.5); each vector names its source. The bytes of every
 * vector were packed field by field from the figures and framed with a bit-serial CRC-16
 * (x^16+x^12+x^5+1, initial 0xFFFF, ackID bits as 0). The test checks every field, the
 * re-encoding, the JSON round trip, the CRC positions and the receiver residue.
 */
import { readFileSync } from "node:fs";
import { crcBitwise, CRC16_CCITT_RAPIDIO, fromHex, toHex, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import {
  SRIO_PACKET_50_FORMAT,
  SRIO_PACKET_66_FORMAT,
  SRIO_PACKET_FORMAT,
  decodeSrioPacket,
  srioFraming,
} from "./index.js";
import type { AnySrioPacket, SrioAddressSize } from "./index.js";

interface Vector {
  note: string;
  source: string;
  addressSize: SrioAddressSize;
  streamBytes: number;
  hex: string;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/packet.json", import.meta.url), "utf8"),
) as Vector[];
const formats: Record<SrioAddressSize, AnyFormatInfo> = {
  34: SRIO_PACKET_FORMAT,
  50: SRIO_PACKET_50_FORMAT,
  66: SRIO_PACKET_66_FORMAT,
};

describe("srio.packet golden vectors (test/vectors/packet.json)", () => {
  for (const v of vectors) {
    it(v.note, () => {
      expect(v.source).toMatch(/Part \d+ (§|Table|Figure)/);
      const format = formats[v.addressSize];
      const bytes = fromHex(v.hex);
      const decoded = valueToJson(format.decode(bytes)) as Record<string, unknown>;
      for (const [field, expected] of Object.entries(v.value))
        expect(decoded[field], `field "${field}"`).toEqual(expected);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
      expect(toHex(format.encode(format.fromJson(v.value)))).toBe(v.hex);
    });
  }
});

describe("CRC placement of the golden vectors (Part 6 §2.4.1)", () => {
  for (const v of vectors) {
    it(`${v.streamBytes}-byte stream: ${v.note.slice(0, 40)}…`, () => {
      const bytes = fromHex(v.hex);
      const f = srioFraming(v.streamBytes);
      expect(bytes.length).toBe(f.packetBytes);
      expect(bytes.length % 4).toBe(0);
      const covered = bytes.slice(0, f.crcOffset + 2);
      covered[0]! &= 0x03; // ackID bits count as 0
      // Receiver check: the running CRC over everything up to the final CRC, included, is 0.
      expect(crcBitwise(CRC16_CCITT_RAPIDIO, covered)).toBe(0);
      if (f.earlyCrcOffset !== undefined)
        expect(crcBitwise(CRC16_CCITT_RAPIDIO, covered.subarray(0, 82))).toBe(0);
      if (f.padded) expect(toHex(bytes.subarray(bytes.length - 2))).toBe("0000");
    });
  }
});

describe("the 80-byte boundary (srio.md §13 item 1, Part 6 §2.4.1)", () => {
  const dev8 = vectors.find((v) => v.note.startsWith("Dev8 SWRITE of 72 bytes"))!;
  const dev16 = vectors.find((v) => v.note.startsWith("Dev16 SWRITE of the same 72 bytes"))!;

  it("a Dev8 SWRITE of 72 bytes is an 80-byte stream with a single CRC: 84 bytes", () => {
    expect(dev8.streamBytes).toBe(80);
    expect(fromHex(dev8.hex).length).toBe(84);
    expect(srioFraming(80).earlyCrcOffset).toBeUndefined();
    const p = decodeSrioPacket(fromHex(dev8.hex)) as AnySrioPacket & { payload: Uint8Array };
    expect(p.payload.length).toBe(72);
  });

  it("the same payload with Dev16 IDs is an 82-byte stream with the early CRC: 88 bytes", () => {
    expect(dev16.streamBytes).toBe(82);
    const bytes = fromHex(dev16.hex);
    expect(bytes.length).toBe(88);
    expect(srioFraming(82).earlyCrcOffset).toBe(80);
    // The early CRC covers bytes 0..79 (ackID as 0) and sits at bytes 80..81.
    expect((bytes[80]! << 8) | bytes[81]!).toBe(
      crcBitwise(CRC16_CCITT_RAPIDIO, bytes.subarray(0, 80)),
    );
    const p = decodeSrioPacket(bytes) as AnySrioPacket & { payload: Uint8Array };
    // The payload is whole again: the early CRC is not part of it.
    expect(toHex(p.payload)).toBe(toHex(fromHex(dev8.hex).subarray(8, 80)));
  });
});

describe("coverage of the golden vectors", () => {
  it("has every ftype, every ttype and the three address sizes", () => {
    const seen = new Set(
      vectors.map(
        (v) => `${String(v.value["ftype"])}/${(v.value["ttype"] as string | undefined) ?? ""}`,
      ),
    );
    for (const k of [
      "request/nread",
      "request/atomic-inc",
      "write/nwrite",
      "write/nwrite-r",
      "write/atomic-compare-and-swap",
      "streaming-write/",
      "maintenance/read-request",
      "maintenance/write-request",
      "maintenance/read-response",
      "maintenance/write-response",
      "maintenance/port-write",
      "doorbell/",
      "message/",
      "response/no-data",
      "response/with-data",
      "response/message-response",
    ])
      expect(seen.has(k), k).toBe(true);
    expect(new Set(vectors.map((v) => v.addressSize))).toEqual(new Set([34, 50, 66]));
    expect(new Set(vectors.map((v) => v.value["tt"]))).toEqual(new Set(["dev8", "dev16", "dev32"]));
  });
});
