/**
 * The bridge instruction word (`bridge.instruction`, specs/bridge/instructions.yaml): golden
 * vectors derived by hand from the layout (each names the part of SYSTEM.md §2 and srio.md it
 * exercises), checked field by field, re-encoded and read back from JSON; and the ties of the
 * layout to the SRIO packet fields it feeds.
 */
import { readFileSync } from "node:fs";
import { fromHex, toHex, valueToJson } from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import {
  INSTRUCTION_BYTES,
  INSTRUCTION_FORMAT,
  INSTRUCTION_OPCODE_NAMES,
  decodeInstruction,
  encodeInstruction,
  instructionsFormats,
} from "./index.js";

interface Vector {
  note: string;
  source: string;
  hex: string;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/instruction.json", import.meta.url), "utf8"),
) as Vector[];

describe("bridge.instruction golden vectors (test/vectors/instruction.json)", () => {
  for (const v of vectors)
    it(v.note, () => {
      expect(v.source).toMatch(/SYSTEM\.md §2|srio\.md §/);
      const decoded = valueToJson(INSTRUCTION_FORMAT.decode(fromHex(v.hex))) as Record<
        string,
        unknown
      >;
      for (const [field, expected] of Object.entries(v.value))
        expect(decoded[field], `field "${field}"`).toEqual(expected);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
      expect(toHex(INSTRUCTION_FORMAT.encode(INSTRUCTION_FORMAT.fromJson(v.value)))).toBe(v.hex);
    });

  it("cover every opcode", () => {
    expect(new Set(vectors.map((v) => v.value["opcode"]))).toEqual(
      new Set(INSTRUCTION_OPCODE_NAMES.filter((n) => n !== undefined)),
    );
  });
});

describe("bridge.instruction layout", () => {
  it("is one 16-byte word, listed for the CLI", () => {
    expect(INSTRUCTION_BYTES).toBe(16);
    expect(instructionsFormats.map((f) => f.id)).toEqual(["bridge.instruction"]);
  });

  it("carries the maintenance word of srio.md §2.3 in bytes 4..7", () => {
    const bytes = encodeInstruction({
      opcode: "maintenance-read",
      priority: 0,
      dev16: false,
      tag: 0,
      destId: 0,
      operands: "maintenance-read",
      hopCount: 0xff,
      wordOffset: 0x3f_ffff,
    });
    const word = new DataView(bytes.buffer).getUint32(4);
    // hop_count << 24 | (byte_offset & 0x00FF_FFFC), with the largest hop count and offset.
    expect(word).toBe(((0xff << 24) | (0x3f_ffff * 4)) >>> 0);
    expect(word & 0x3).toBe(0);
  });

  it("refuses a word with an unknown opcode or a reserved bit set", () => {
    expect(() => decodeInstruction(fromHex("00000000000000000000000000000000"))).toThrow();
    expect(() => decodeInstruction(fromHex("81000000000000000000000000000000"))).toThrow();
    // The rsvd0 bit of the header (bit 7 of byte 0).
    expect(() => decodeInstruction(fromHex("11000000000000000000000000000000"))).toThrow(/rsvd0/);
    // Bits 32..61 of a register instruction are reserved.
    expect(() => decodeInstruction(fromHex("10000000800000000000000000000000"))).toThrow(/rsvd1/);
  });
});
