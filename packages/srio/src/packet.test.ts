/**
 * The physical framing against hostile input (RapidIO 4.1 Part 6 §2.3–2.5): every malformed
 * packet gives a `DecodeError` naming the field and its byte offset.
 */
import { DecodeError, EncodeError, crc16RapidIO, fromHex, toHex } from "@rashpa/bits";
import type { CodecError } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbSrioPacket } from "./arbitraries.js";
import {
  SRIO_MAX_PACKET_BYTES,
  decodeSrioPacket,
  encodeSrioPacket,
  encodeSrioPacketInto,
  frameSrioStream,
  srioFraming,
  srioHeaderBytes,
  srioPacketBytes,
} from "./index.js";
import type { SrioPacket } from "./index.js";

const seed = lawSeed();

function swrite(tt: "dev8" | "dev16", bytes: number): SrioPacket {
  return {
    ackId: 3,
    vc: 0,
    crf: 0,
    prio: 1,
    tt,
    ftype: "streaming-write",
    destinationId: 1,
    sourceId: 2,
    address: 0x100,
    xamsbs: 0,
    payload: Uint8Array.from({ length: bytes }, (_, i) => i),
  };
}

function decodeError(bytes: Uint8Array, addressSize: 34 | 50 | 66 = 34): CodecError {
  try {
    decodeSrioPacket(bytes, 0, { addressSize });
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    return e as DecodeError;
  }
  throw new Error("decoded without error");
}

function expectError(bytes: Uint8Array, path: string, offset: number): void {
  const e = decodeError(bytes);
  expect(e.path).toBe(path);
  expect(e.offset).toBe(offset);
  expect(e.message).toMatch(new RegExp(`^"${path}" expected .*, got .* at byte ${offset}$`));
}

describe("framing (Part 6 §2.4.1)", () => {
  it("packet lengths follow the 80-byte rule and the 32-bit pad", () => {
    expect([10, 12, 78, 80, 82, 84, 266, 268].map(srioPacketBytes)).toEqual([
      12, 16, 80, 84, 88, 88, 272, 272,
    ]);
    expect(srioFraming(80)).toEqual({
      streamBytes: 80,
      earlyCrcOffset: undefined,
      crcOffset: 80,
      padded: true,
      packetBytes: 84,
    });
    expect(srioFraming(82)).toMatchObject({ earlyCrcOffset: 80, crcOffset: 84, padded: true });
    expect(() => srioFraming(81)).toThrow(RangeError);
  });

  it("header sizes match srio.md §4 (34-bit addresses)", () => {
    expect(srioHeaderBytes(0, 2)).toBe(10);
    expect(srioHeaderBytes(1, 5)).toBe(12);
    expect(srioHeaderBytes(0, 6)).toBe(8);
    expect(srioHeaderBytes(1, 6)).toBe(10);
    expect(srioHeaderBytes(1, 8)).toBe(12);
    expect(srioHeaderBytes(0, 10)).toBe(8);
    expect(srioHeaderBytes(1, 11)).toBe(8);
    expect(srioHeaderBytes(0, 13)).toBe(6);
    expect(srioHeaderBytes(2, 5, 66)).toBe(20);
    expect(srioHeaderBytes(3, 5)).toBeUndefined();
    expect(srioHeaderBytes(0, 9)).toBeUndefined();
  });

  it("frameSrioStream and the encoder agree, and the ackID does not change the CRC", () => {
    const p = swrite("dev16", 256);
    const wire = encodeSrioPacket(p);
    expect(wire.length).toBe(272);
    const stream = new Uint8Array(266);
    stream.set(wire.subarray(0, 80));
    stream.set(wire.subarray(82, 268), 80);
    expect(toHex(frameSrioStream(stream))).toBe(toHex(wire));
    const other = encodeSrioPacket({ ...p, ackId: 60 });
    expect(toHex(other.subarray(1))).toBe(toHex(wire.subarray(1)));
  });

  describe(`the final CRC is the running CRC continued over the early CRC (seed ${seed})`, () => {
    it("for every valid packet", () => {
      fc.assert(
        fc.property(arbSrioPacket, (p) => {
          const wire = encodeSrioPacket(p);
          const covered = wire.slice();
          covered[0]! &= 3;
          // Residue 0 over the whole packet, pad included (zeros keep it 0).
          expect(crc16RapidIO.compute(covered)).toBe(0);
          expect(decodeSrioPacket(wire)).toEqual(p);
        }),
        { seed, numRuns: 200 },
      );
    });
  });
});

describe("hostile input: each problem is a DecodeError with field and byte offset", () => {
  const small = encodeSrioPacket(swrite("dev8", 16)); // 24-byte stream, 28 bytes
  const large = encodeSrioPacket(swrite("dev16", 256)); // 266-byte stream, 272 bytes

  it("truncated: shorter than the header, or cut by 4 bytes", () => {
    expectError(small.subarray(0, 1), "packet", 1);
    expectError(small.subarray(0, 8), "packet", 8);
    // Cut by 4 bytes the length no longer frames whole double-words.
    expectError(small.subarray(0, small.length - 4), "payload", 8);
    expectError(large.subarray(0, 100), "payload", 10);
  });

  it("a length that is not a multiple of 4", () => {
    expectError(small.subarray(0, small.length - 2), "packet", small.length - 2);
  });

  it("oversize: more than 284 bytes", () => {
    const big = new Uint8Array(288);
    big.set(large);
    expectError(big, "packet", SRIO_MAX_PACKET_BYTES);
  });

  it("a payload above 256 bytes within 284 bytes", () => {
    // Dev8 SWRITE: 8-byte header + 264 bytes = 272-byte stream, framed to 276 bytes.
    const stream = new Uint8Array(272);
    stream.set(encodeSrioPacket(swrite("dev8", 8)).subarray(0, 8));
    expectError(frameSrioStream(stream), "payload", 8);
  });

  it("reserved tt (0b11) and ftypes the codec does not know", () => {
    const b = small.slice();
    b[1] = (b[1]! & 0xcf) | 0x30;
    expectError(b, "tt", 1);
    for (const ftype of [0, 1, 3, 4, 7, 9, 12, 14, 15]) {
      const c = small.slice();
      c[1] = (c[1]! & 0xf0) | ftype;
      expectError(c, "ftype", 1);
    }
  });

  it("reserved ttype of every ftype that has one, with valid CRCs", () => {
    const cases: [string, number, number[]][] = [
      // [stream hex without the ttype nibble, index of the ttype byte, reserved ttypes]
      ["00020102005600001000", 4, [0, 3, 5, 11]],
      ["000501020b00000010000000000000000000", 4, [0, 3, 6, 15]],
      ["00080102085600000000", 4, [5, 9, 15]],
      ["000d01020000", 4, [2, 7, 9, 15]],
    ];
    for (const [hex, at, ttypes] of cases) {
      for (const ttype of ttypes) {
        const stream = fromHex(hex);
        stream[at] = (ttype << 4) | (stream[at]! & 0x0f);
        const e = decodeError(frameSrioStream(stream));
        expect(e.path, `${hex} ttype ${ttype}`).toBe("ttype");
        expect(e.offset).toBe(at);
      }
    }
  });

  it("a bad CRC at every position names the CRC and its offset", () => {
    expectError(flip(small, small.length - 4), "crc", 24); // the CRC itself
    for (let i = 0; i < 24; i++) {
      const e = decodeError(flip(small, i, 0x01));
      // A flipped header bit may change the layout first; a flipped CRC-covered bit never
      // goes unnoticed.
      expect(["crc", "payload", "ftype", "tt", "packet"]).toContain(e.path);
    }
    for (let i = 2; i < 24; i++) expect(decodeError(flip(small, i, 0x01)).path).toBe("crc");
  });

  it("early and final CRCs are checked separately, at every byte (stream > 80 bytes)", () => {
    // Byte 1 holds tt and ftype: flip a prio bit there, which keeps the layout.
    const bit = (i: number): number => (i === 1 ? 0x80 : 0x01);
    for (let i = 0; i < 82; i++) expectError(flip(large, i, bit(i)), "earlyCrc", 80);
    for (let i = 82; i < 270; i++) expectError(flip(large, i, bit(i)), "crc", 268);
    for (let i = 270; i < 272; i++) expectError(flip(large, i, bit(i)), "pad", 270);
  });

  it(`any single-bit error outside the ackID, tt and ftype bits is detected (seed ${seed})`, () => {
    fc.assert(
      fc.property(arbSrioPacket, fc.nat(), fc.nat({ max: 7 }), (p, at, b) => {
        const wire = encodeSrioPacket(p);
        const i = at % wire.length;
        if ((i === 0 && b < 6) || (i === 1 && b >= 2)) return; // ackID; tt and ftype
        expect(() => decodeSrioPacket(flip(wire, i, 0x80 >>> b))).toThrow(DecodeError);
      }),
      { seed, numRuns: 500 },
    );
  });

  it("the ackID bits are not covered: changing them keeps the packet valid", () => {
    const b = large.slice();
    b[0] = (b[0]! & 0x03) | (0x2a << 2);
    expect(decodeSrioPacket(b).ackId).toBe(0x2a);
  });

  it("a non-zero pad", () => {
    for (const [at, x] of [
      [large.length - 2, 0x80],
      [large.length - 1, 0x01],
    ] as const)
      expectError(flip(large, at, x), "pad", large.length - 2);
  });

  it("a payload on a type that carries none, and a missing payload on one that needs it", () => {
    const doorbell = fromHex("000a01020003123400000000000000000000");
    expectError(frameSrioStream(doorbell.subarray(0, 16)), "payload", 8);
    expectError(frameSrioStream(fromHex("00060102000001000000")).subarray(0), "payload", 8);
  });

  it("bytes before the packet are skipped with the offset", () => {
    const b = new Uint8Array(small.length + 3);
    b.set(small, 3);
    expect(decodeSrioPacket(b, 3)).toEqual(decodeSrioPacket(small));
    const e = (() => {
      try {
        decodeSrioPacket(flip(b, 3 + 24), 3);
      } catch (err) {
        return err as DecodeError;
      }
      return undefined;
    })();
    expect(e?.offset).toBe(3 + 24);
  });
});

describe("encoder checks (Part 1 §4.1.1, Part 6 §2.5)", () => {
  it("refuses payloads that are not whole double-words or above the limits", () => {
    for (const n of [0, 4, 12, 264])
      expect(() => encodeSrioPacket(swrite("dev8", n)), String(n)).toThrow(EncodeError);
    const maintenance = {
      ackId: 0,
      vc: 0,
      crf: 0,
      prio: 0,
      tt: "dev8",
      ftype: "maintenance",
      destinationId: 0,
      sourceId: 0,
      ttype: "write-request",
      sizeOrStatus: 0b1100,
      srcTid: 0,
      hopCount: 0,
      configOffset: 0,
      wdptr: 1,
      payload: new Uint8Array(72),
    } as unknown as SrioPacket;
    expect(() => encodeSrioPacket(maintenance)).toThrow(
      /"payload" expected whole double-words, 8..64 bytes/,
    );
  });

  it("writes nothing into a too-small target", () => {
    const buf = new Uint8Array(271).fill(0xee);
    expect(() => encodeSrioPacketInto(new DataView(buf.buffer), 0, swrite("dev16", 256))).toThrow(
      EncodeError,
    );
    expect(buf.every((x) => x === 0xee)).toBe(true);
  });

  it("needs the address size the packet was made for", () => {
    const p50 = {
      ...swrite("dev8", 8),
      extendedAddress: 0x1234,
    };
    const wire = encodeSrioPacket(p50, { addressSize: 50 });
    expect(decodeSrioPacket(wire, 0, { addressSize: 50 })).toEqual(p50);
    // Read as a 34-bit packet, the layout shifts by 2 bytes and the CRC is not where expected.
    const e = decodeError(wire);
    expect([e.path, e.offset]).toEqual(["crc", 16]);
  });
});

function flip(bytes: Uint8Array, at: number, x = 0xff): Uint8Array {
  const c = bytes.slice();
  c[at]! ^= x;
  return c;
}
