import { readFileSync } from "node:fs";
import { fromHex, toHex, valueToJson, DecodeError, EncodeError } from "@rashpa/bits";
import { lawSeed } from "@rashpa/laws";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbBtd } from "./arbitraries.js";
import {
  BTD_FIFO_DEPTH,
  btdFromWindowWords,
  btdImageToWindowWords,
  btdToWindowWords,
  decodeBtd,
  encodeBtd,
  windowWordsToBtdImage,
} from "./index.js";

interface Vector {
  note: string;
  hex: string;
  windowWords: string[];
  value: unknown;
}
const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/btd.json", import.meta.url), "utf8"),
) as Vector[];

describe("BTD golden vectors (test/vectors/btd.json)", () => {
  for (const v of vectors) {
    it(v.note, () => {
      const decoded = decodeBtd(fromHex(v.hex));
      expect(valueToJson(decoded)).toEqual(v.value);
      expect(toHex(encodeBtd(decoded))).toBe(v.hex);
      const words = [...btdToWindowWords(decoded)].map(
        (w) => `0x${w.toString(16).padStart(8, "0")}`,
      );
      expect(words).toEqual(v.windowWords);
    });
  }
});

describe("BTD FIFO window", () => {
  const seed = lawSeed();

  it(`maps register k to BTD bits 32k-1..32(k-1) and back (seed ${seed})`, () => {
    fc.assert(
      fc.property(arbBtd, (btd) => {
        const image = encodeBtd(btd);
        const words = btdToWindowWords(btd);
        expect(words).toHaveLength(8);
        // Register 8 holds bits 255..224: the size slot, bytes 0..3.
        expect(words[7]).toBe(btd.size);
        expect(windowWordsToBtdImage(words)).toEqual(image);
        expect(btdFromWindowWords(words)).toEqual(btd);
      }),
      { seed, numRuns: 300 },
    );
  });

  it("has the depth of the 2013 RTL", () => {
    expect(BTD_FIFO_DEPTH).toBe(16);
  });

  it("rejects images and word lists of the wrong size, and words out of range", () => {
    expect(() => btdImageToWindowWords(new Uint8Array(31))).toThrow(EncodeError);
    expect(() => windowWordsToBtdImage([1, 2, 3])).toThrow('"data" expected 8 words, got 3');
    expect(() => windowWordsToBtdImage([0, 0, 0, 0, 0, 0, 0, 2 ** 32])).toThrow(DecodeError);
    expect(() => windowWordsToBtdImage([0, 0, 0, 0, 0, 0, 0, 0.5])).toThrow(
      '"data[7]" expected an integer 0..0xffffffff, got 0.5',
    );
  });
});
