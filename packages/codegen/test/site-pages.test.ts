/**
 * The pages of the reference site: SVG bit-field diagrams drawn to scale (MSB 0 rows of 32 bits
 * for formats, MSB-left LSB 0 rows for registers, reserved gaps shaded), access mnemonics from
 * the SystemRDL properties, and the page text with its links to the API and the spec.
 */
import { loadSpecText } from "@rashpa/spec";
import type { RegFieldModel } from "@rashpa/spec";
import { describe, expect, it } from "vitest";
import {
  accessMnemonic,
  formatSvg,
  generateFormatPage,
  generateRegisterMapPage,
  registerSvg,
} from "../src/index.js";

/** `<rect>` elements of an SVG as numbers. */
const rects = (svg: string): { x: number; y: number; w: number; h: number }[] =>
  [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map(
    (m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }),
  );

describe("formatSvg", () => {
  it("draws each field to scale, 32 bits a row, splitting a field across rows", () => {
    const svg = formatSvg(
      [
        { name: "kind", bits: 4, kind: "field" },
        { name: "rsvd", bits: 12, kind: "reserved" },
        { name: "address", bits: 32, kind: "field" },
        { name: "tag", bits: 16, kind: "const" },
      ],
      "t",
    );
    const r = rects(svg);
    // kind, rsvd, address in row 0 (16 bits) and row 1 (16 bits), tag.
    expect(r.map((b) => b.w / 22)).toEqual([4, 12, 16, 16, 16]);
    expect(r[0]!.x).toBe(44);
    expect(r[3]!.x).toBe(44); // the second half of address starts row 1
    expect(r[3]!.y).toBeGreaterThan(r[2]!.y);
    expect(svg).toContain('fill-opacity="0.18"'); // reserved
    expect(svg).toContain('fill-opacity="0.08"'); // constant
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg).not.toMatch(/\n\s*\n/); // no blank line: it must stay one Markdown HTML block
  });

  it("writes a name that does not fit across its box vertically, in a taller row", () => {
    const narrow = formatSvg([{ name: "poisoned", bits: 1, kind: "field" }], "t");
    const wide = formatSvg([{ name: "poisoned", bits: 31, kind: "field" }], "t");
    expect(narrow).toContain("rotate(-90)");
    expect(wide).not.toContain("rotate(-90)");
    expect(rects(narrow)[0]!.h).toBeGreaterThan(rects(wide)[0]!.h);
  });

  it("escapes names for XML", () => {
    expect(formatSvg([{ name: "a<b&c", bits: 32, kind: "field" }], 'x"y')).toContain(
      "a&lt;b&amp;c",
    );
  });
});

describe("registerSvg", () => {
  it("puts the most significant bit at the left and shades the bits of no field", () => {
    const svg = registerSvg(
      32,
      [
        { name: "low", msb: 3, lsb: 0, access: "RW" },
        { name: "high", msb: 31, lsb: 24, access: "RO" },
      ],
      "t",
    );
    const r = rects(svg);
    // high (31:24), reserved gap (23:4), low (3:0), left to right.
    expect(r.map((b) => b.w / 22)).toEqual([8, 20, 4]);
    expect(r[0]!.x).toBeLessThan(r[2]!.x);
    expect(svg).toContain("bits 23:4: reserved");
    expect(svg).toContain(">RO<");
    expect(svg).toContain(">RW<");
  });

  it("draws a 64-bit register as two rows", () => {
    const r = rects(registerSvg(64, [{ name: "value", msb: 63, lsb: 0, access: "RW" }], "t"));
    expect(r).toHaveLength(2);
    expect(r[1]!.y).toBeGreaterThan(r[0]!.y);
  });
});

describe("accessMnemonic", () => {
  const field = (over: Partial<RegFieldModel>): RegFieldModel =>
    ({
      name: "f",
      msb: 0,
      lsb: 0,
      sw: "rw",
      hw: "r",
      onread: undefined,
      onwrite: undefined,
      singlepulse: false,
      reset: 0n,
      enum: undefined,
      doc: "",
      ...over,
    }) as RegFieldModel;
  it("names SystemRDL access as register tables do", () => {
    expect(accessMnemonic(field({}))).toBe("RW");
    expect(accessMnemonic(field({ sw: "r", hw: "w" }))).toBe("RO");
    expect(accessMnemonic(field({ sw: "rw", onwrite: "woclr" }))).toBe("R/W1C");
    expect(accessMnemonic(field({ sw: "w", onwrite: "woset" }))).toBe("W1S");
    expect(accessMnemonic(field({ sw: "w", singlepulse: true }))).toBe("WO+P");
    expect(accessMnemonic(field({ sw: "r", hw: "w", onread: "rclr" }))).toBe("RO, RC");
  });
});

const SPEC = `
spec: fx.site
title: Site fixture
package: fixture
byteOrder: big-endian
bitOrder: msb0
enums:
  Kind:
    bits: 4
    values:
      - { name: data, value: 0, doc: "Data." }
      - { name: ack, value: 1, doc: "Acknowledgement." }
formats:
  frame:
    title: A frame
    source: Test §1
    fields:
      - { name: kind, bits: 4, enum: Kind, doc: "What it is." }
      - { name: rsvd0, bits: 4, type: reserved, value: 0 }
      - { name: length, bits: 8, doc: "Payload bytes." }
      - { payload: data, length: { field: length }, doc: "The payload." }
registers:
  ctl:
    title: Control
    blocks:
      - name: main
        offset: 0
        registers:
          - name: status
            offset: 0
            fields:
              - { name: done, bits: 0, sw: rw, hw: w, onwrite: woclr, reset: 0, doc: "Done." }
              - { name: kind, bits: "7:4", sw: r, hw: w, enum: Kind, doc: "Kind." }
          - memory: table
            offset: 0x100
            entries: 4
            entryBytes: 2
`;

describe("site pages", () => {
  const spec = loadSpecText(SPEC, "specs/fx/site.yaml");

  it("give a format its diagram, field table, enums, API links and spec link", () => {
    const page = generateFormatPage(spec, spec.formats[0]!);
    expect(page.startsWith("---\ntitle: fx.frame\ngroup: Packet formats\n---\n")).toBe(true);
    expect(page).toContain("# fx.frame — A frame");
    expect(page).toContain('<div class="rashpa-diagram"><svg');
    expect(page).toContain("| `kind` | 4 | enum Kind | What it is. |");
    expect(page).toContain("Then the payload `data`: `length` bytes.");
    expect(page).toContain("### Enum Kind (4 bits)");
    expect(page).toContain("{@link @rashpa/fixture!decodeFrame decodeFrame}");
    expect(page).toContain("[`specs/fx/site.yaml`](../../../../../specs/fx/site.yaml)");
  });

  it("give a register map its diagrams and each field's access, and link memories to their format", () => {
    const page = generateRegisterMapPage(spec, spec.registerMaps[0]!);
    expect(page.startsWith("---\ntitle: fx.ctl\ngroup: Register maps\n---\n")).toBe(true);
    expect(page).toContain("### 0x0000 status");
    expect(page).toContain("| 0 | `done` | R/W1C | sw rw, hw w, onwrite woclr | 0x0 | Done. |");
    expect(page).toContain(">done R/W1C<"); // a 1-bit field: name and access written vertically
    expect(page).toContain("{@link @rashpa/fixture!CTL_MAP CTL_MAP}");
    expect(page).toContain("Memory: 4 entries of 2 bytes");
    expect(page).toContain("### Enum Kind (4 bits)");
  });
});
