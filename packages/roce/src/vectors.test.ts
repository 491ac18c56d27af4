/**
 * Golden vectors derived by hand from the tables of docs/reference/roce.md (§2 header layouts,
 * §3 opcodes, §1 pad, §5 ICRC); each vector names its source. The test checks every field, the
 * re-encoding and the JSON round trip through the generated codecs, and for whole packets the
 * pad, the payload and the ICRC through the packet codec of this package.
 */
import { readFileSync } from "node:fs";
import { fromHex, toHex, valueToJson } from "@rashpa/bits";
import type { AnyFormatInfo } from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import { decodeRocePacket, encodeRocePacket, rocePath, roceFormats } from "./index.js";
import type { RocePathOptions } from "./index.js";

interface Vector {
  format: string;
  note: string;
  source: string;
  hex: string;
  path?: RocePathOptions;
  value: Record<string, unknown>;
}

const vectors = JSON.parse(
  readFileSync(new URL("../test/vectors/transport.json", import.meta.url), "utf8"),
) as Vector[];
const formats = new Map<string, AnyFormatInfo>(roceFormats.map((f) => [f.id, f]));

describe("roce golden vectors (test/vectors/transport.json)", () => {
  for (const v of vectors) {
    it(`${v.format}: ${v.note}`, () => {
      expect(v.source).toMatch(/roce\.md §\d/);
      const format = formats.get(v.format)!;
      const bytes = fromHex(v.hex);
      const decoded = valueToJson(format.decode(bytes)) as Record<string, unknown>;
      for (const [field, expected] of Object.entries(v.value))
        expect(decoded[field], `field "${field}"`).toEqual(expected);
      expect(Object.keys(decoded).sort()).toEqual(Object.keys(v.value).sort());
      expect(toHex(format.encode(format.fromJson(v.value)))).toBe(v.hex);
      if (v.path !== undefined) {
        const path = rocePath(v.path);
        const packet = decodeRocePacket(bytes, path);
        const padCnt = v.value["padCnt"] as number;
        const withPad = v.value["payload"] as string;
        expect(toHex(packet.payload)).toBe(withPad.slice(0, withPad.length - 2 * padCnt));
        expect(toHex(encodeRocePacket(packet, path))).toBe(v.hex);
        const bad = bytes.slice();
        bad[1] = bad[1]! ^ 0x80; // SE
        expect(() => decodeRocePacket(bad, path)).toThrow(/"icrc" expected 0x/);
      }
    });
  }
});
