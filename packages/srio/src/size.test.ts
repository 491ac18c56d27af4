/**
 * Size encodings against RapidIO 4.1 Part 1 Tables 4-3 and 4-4 (rows copied from the tables),
 * the address helpers against Part 1 Table 4-2 and the maintenance offset of srio.md §2.3.
 */
import { DecodeError, EncodeError } from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import {
  decodeMessageSegmentSize,
  decodeReadSize,
  decodeWriteSize,
  encodeMessageSegmentSize,
  encodeReadSize,
  encodeWriteSize,
  maintenanceByteOffset,
  messageMailbox,
  splitMaintenanceOffset,
  splitSrioAddress,
  srioByteAddress,
  subDoubleWordSizeCode,
} from "./index.js";

// [wdptr, size, bytes, byte lanes] — Part 1 Table 4-3 (identical in Table 4-4 up to 8 bytes).
const SUB_DW: [number, number, number, number][] = [
  [0, 0b0000, 1, 0b10000000],
  [0, 0b0001, 1, 0b01000000],
  [0, 0b0010, 1, 0b00100000],
  [0, 0b0011, 1, 0b00010000],
  [1, 0b0000, 1, 0b00001000],
  [1, 0b0001, 1, 0b00000100],
  [1, 0b0010, 1, 0b00000010],
  [1, 0b0011, 1, 0b00000001],
  [0, 0b0100, 2, 0b11000000],
  [0, 0b0101, 3, 0b11100000],
  [0, 0b0110, 2, 0b00110000],
  [0, 0b0111, 5, 0b11111000],
  [1, 0b0100, 2, 0b00001100],
  [1, 0b0101, 3, 0b00000111],
  [1, 0b0110, 2, 0b00000011],
  [1, 0b0111, 5, 0b00011111],
  [0, 0b1000, 4, 0b11110000],
  [1, 0b1000, 4, 0b00001111],
  [0, 0b1001, 6, 0b11111100],
  [1, 0b1001, 6, 0b00111111],
  [0, 0b1010, 7, 0b11111110],
  [1, 0b1010, 7, 0b01111111],
  [0, 0b1011, 8, 0b11111111],
];
// [wdptr, size, read bytes (Table 4-3), write maximum (Table 4-4; 0 = reserved)]
const MULTI_DW: [number, number, number, number][] = [
  [1, 0b1011, 16, 16],
  [0, 0b1100, 32, 32],
  [1, 0b1100, 64, 64],
  [0, 0b1101, 96, 0],
  [1, 0b1101, 128, 128],
  [0, 0b1110, 160, 0],
  [1, 0b1110, 192, 0],
  [0, 0b1111, 224, 0],
  [1, 0b1111, 256, 256],
];

function lanesFirst(mask: number): number {
  return Math.clz32(mask) - 24;
}

describe("sub-double-word sizes (Part 1 Tables 4-3, 4-4)", () => {
  it.each(SUB_DW)("wdptr %i size %i = %i bytes, lanes %i", (wdptr, size, bytes, lanes) => {
    for (const decode of [decodeReadSize, decodeWriteSize]) {
      const s = decode(size, wdptr);
      expect(s).toEqual({ bytes, maximum: false, firstLane: lanesFirst(lanes), byteLanes: lanes });
    }
    expect(encodeReadSize(bytes, lanesFirst(lanes))).toEqual({ size, wdptr });
    expect(encodeWriteSize(bytes, lanesFirst(lanes))).toEqual({ size, wdptr });
    expect(subDoubleWordSizeCode(bytes, lanesFirst(lanes))).toEqual({ size, wdptr });
  });

  it("subDoubleWordSizeCode: exactly the rows above, undefined elsewhere", () => {
    let rows = 0;
    for (let lane = -1; lane <= 8; lane++)
      for (let bytes = 0; bytes <= 9; bytes++) {
        const row = SUB_DW.find(([, , b, l]) => b === bytes && lanesFirst(l) === lane);
        const code = subDoubleWordSizeCode(bytes, lane);
        if (row === undefined) expect(code).toBeUndefined();
        else {
          expect(code).toEqual({ size: row[1], wdptr: row[0] });
          rows++;
        }
      }
    expect(rows).toBe(SUB_DW.length);
    expect(subDoubleWordSizeCode(1.5, 0)).toBeUndefined();
    expect(subDoubleWordSizeCode(5, 3)).toEqual({ size: 0b0111, wdptr: 1 });
    expect(subDoubleWordSizeCode(5, 4)).toBeUndefined(); // crosses the double-word
  });

  it("refuses runs the tables do not have", () => {
    for (const [bytes, lane] of [
      [2, 1],
      [3, 1],
      [4, 2],
      [8, 1],
      [5, 1],
    ] as const) {
      expect(() => encodeReadSize(bytes, lane)).toThrow(EncodeError);
      expect(() => encodeWriteSize(bytes, lane)).toThrow(/"firstLane" expected one of/);
    }
  });
});

describe("multi-double-word sizes: reads exact, writes maximum (Part 1 Tables 4-3, 4-4)", () => {
  it.each(MULTI_DW)("wdptr %i size %i: read %i, write %i", (wdptr, size, read, write) => {
    expect(decodeReadSize(size, wdptr)).toEqual({
      bytes: read,
      maximum: false,
      firstLane: 0,
      byteLanes: 0xff,
    });
    expect(encodeReadSize(read)).toEqual({ size, wdptr });
    if (write === 0) {
      let err: unknown;
      try {
        decodeWriteSize(size, wdptr);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).path).toBe("wrsize");
      expect((err as DecodeError).message).toMatch(/reserved/);
    } else {
      expect(decodeWriteSize(size, wdptr)).toEqual({
        bytes: write,
        maximum: true,
        firstLane: 0,
        byteLanes: 0xff,
      });
      expect(encodeWriteSize(write)).toEqual({ size, wdptr });
    }
  });

  it("a write takes the smallest maximum that holds it (srio.md §3, §13 item 7)", () => {
    expect(encodeWriteSize(24)).toEqual({ size: 0b1100, wdptr: 0 });
    expect(encodeWriteSize(40)).toEqual({ size: 0b1100, wdptr: 1 });
    expect(encodeWriteSize(72)).toEqual({ size: 0b1101, wdptr: 1 });
    expect(encodeWriteSize(96)).toEqual({ size: 0b1101, wdptr: 1 });
    expect(encodeWriteSize(136)).toEqual({ size: 0b1111, wdptr: 1 });
  });

  it("a read must be one of the exact sizes, double-word aligned", () => {
    expect(() => encodeReadSize(24)).toThrow(/"bytes" expected one of 16, 32, 64, 96/);
    expect(() => encodeReadSize(12)).toThrow(/"bytes" expected whole double-words/);
    expect(() => encodeReadSize(16, 4)).toThrow(/"firstLane" expected 0/);
    expect(() => encodeWriteSize(264)).toThrow(/"bytes" expected an integer 1..256/);
    expect(() => encodeWriteSize(0)).toThrow(EncodeError);
  });

  it("rejects codes out of range", () => {
    expect(() => decodeReadSize(16, 0)).toThrow(/"rdsize" expected an integer 0..15/);
    expect(() => decodeWriteSize(0, 2)).toThrow(/"wdptr" expected 0 or 1/);
  });
});

describe("message segment size (Part 2 Table 4-4)", () => {
  it("maps 1001..1110 to 8..256 bytes and rejects the reserved codes", () => {
    expect([9, 10, 11, 12, 13, 14].map(decodeMessageSegmentSize)).toEqual([
      8, 16, 32, 64, 128, 256,
    ]);
    expect([8, 16, 32, 64, 128, 256].map(encodeMessageSegmentSize)).toEqual([
      9, 10, 11, 12, 13, 14,
    ]);
    for (const reserved of [0, 8, 15])
      expect(() => decodeMessageSegmentSize(reserved)).toThrow(DecodeError);
    expect(() => encodeMessageSegmentSize(24)).toThrow(EncodeError);
  });

  it("the mailbox is xmbox‖mbox for a single-packet message", () => {
    expect(messageMailbox({ msglen: 0, mbox: 1, msgseg: 1 })).toBe(5);
    expect(messageMailbox({ msglen: 3, mbox: 3, msgseg: 2 })).toBe(3);
  });
});

describe("addresses (Part 1 Table 4-2, §4.1.1) and maintenance offsets (srio.md §2.3)", () => {
  it("splits and joins 34-, 50- and 66-bit addresses", () => {
    expect(splitSrioAddress(0x112345679n)).toEqual({ address: 0x2468acf, xamsbs: 1, firstLane: 1 });
    expect(srioByteAddress({ address: 0x2468acf, xamsbs: 1 })).toBe(0x112345678n);
    const a50 = 0x3_abcd_1234_5678n;
    expect(splitSrioAddress(a50, 50)).toEqual({
      address: 0x12345678 >>> 3,
      xamsbs: 3,
      extendedAddress: 0xabcd,
      firstLane: 0,
    });
    expect(srioByteAddress(splitSrioAddress(a50, 50), 50)).toBe(a50);
    const a66 = (2n << 64n) | 0x89abcdef_00000010n;
    const f66 = splitSrioAddress(a66, 66);
    expect(f66).toEqual({ address: 2, xamsbs: 2, extendedAddress: 0x89abcdef, firstLane: 0 });
    expect(srioByteAddress(f66, 66)).toBe(a66);
    expect(() => splitSrioAddress(1n << 34n)).toThrow(/"address" expected a 34-bit byte address/);
  });

  it("config_offset and wdptr give the CAR/CSR byte offset", () => {
    expect(maintenanceByteOffset({ configOffset: 0x2b, wdptr: 1 })).toBe(0x15c);
    expect(splitMaintenanceOffset(0x15c)).toEqual({ configOffset: 0x2b, wdptr: 1 });
    expect(splitMaintenanceOffset(0xfffffc)).toEqual({ configOffset: 0x1fffff, wdptr: 1 });
    expect(() => splitMaintenanceOffset(0x15e)).toThrow(/"offset" expected a multiple of 4/);
    expect(() => splitMaintenanceOffset(1 << 24)).toThrow(EncodeError);
  });
});
