/**
 * Every layout feature of the spec language, generated and put through the codec laws, the
 * C self-check and golden vectors.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fromHex, toHex, DecodeError, EncodeError } from "@rashpa/bits";
import type { FormatInfo } from "@rashpa/bits";
import {
  codecLaws,
  compileSelfCheck,
  hasGcc,
  lawSeed,
  runSelfCheck,
  selfCheckVectors,
} from "@rashpa/laws";
import { layoutPaths, loadSpecText } from "@rashpa/spec";
import type fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  generateCHeader,
  generateCSelfCheck,
  generateTsArbitraries,
  generateTsCodecs,
} from "../src/index.js";
import { generateFixture, pkgDir, typecheck } from "./fixture.test-helpers.js";

const fx = generateFixture("features");
afterAll(() => fx.cleanup());
const mod = (await import(join(fx.dir, "features.ts"))) as Record<string, unknown>;
const arbs = (await import(join(fx.dir, "features.arb.ts"))) as Record<string, unknown>;
const formats = mod["featuresFormats"] as FormatInfo<unknown>[];
const arbitraries = arbs["featuresArbitraries"] as Record<string, fc.Arbitrary<unknown>>;

for (const f of formats) codecLaws(f, arbitraries[f.id]!);

const PACKET = formats.find((f) => f.id === "fx.packet")!;
const STREAM = formats.find((f) => f.id === "fx.stream")!;
const TINY = formats.find((f) => f.id === "fx.tiny")!;

describe("golden vectors", () => {
  it("packs a 24-bit format MSB first", () => {
    expect(toHex(TINY.encode({ a: 1, b: 2 }))).toBe("020002");
    expect(TINY.decode(fromHex("ff ff ff"))).toEqual({ a: 127, b: 0x1ffff });
  });

  it("selects variants on two fields, first match wins, with a default case", () => {
    // fmt=1 op=read: short-read; magic 0xa5; address 30 bits; no digest.
    const shortRead = {
      fmt: 1,
      op: "read",
      hasDigest: false,
      length: 0,
      tag: 9,
      kind: "short-read",
      address: 0x3fffffff,
    };
    expect(toHex(PACKET.encode(shortRead))).toBe("200009a5fffffffc");
    expect(PACKET.decode(fromHex("200009a5fffffffc"))).toEqual(shortRead);
    // fmt=4 op=read falls through to the default case.
    const other = PACKET.decode(fromHex("800009a5 0009"));
    expect(other).toMatchObject({ kind: "other", fmt: 4, op: "read", code: 1, flags: 1 });
  });

  it("sizes a payload by its length field, with 0 meaning 1024 units", () => {
    const w = {
      fmt: 0,
      op: "write",
      hasDigest: true,
      length: 1,
      tag: 0,
      kind: "write",
      address: 5n,
      data: fromHex("deadbeef"),
      digest: 0x01020304,
    };
    const b = PACKET.encode(w);
    expect(toHex(b)).toBe("0600" + "40a5" + "0000000000000005" + "deadbeef" + "01020304");
    expect(PACKET.decode(b)).toEqual(w);
    expect(PACKET.byteLength({ ...w, length: 0, data: new Uint8Array(4096) })).toBe(
      4 + 8 + 4096 + 4,
    );
  });

  it("takes the remainder as payload and leaves the trailer", () => {
    const s = STREAM.decode(fromHex("00000000 00000000 0a 0102030405060708 aabbcc 1234"));
    expect(s).toMatchObject({ channel: 0, wide: 0n, odd: 0, body: fromHex("aabbcc"), crc: 0x1234 });
  });

  it("ignores a reserved field marked ignore, but checks the others", () => {
    expect(PACKET.decode(fromHex("210009a5fffffffc"))).toMatchObject({ kind: "short-read" });
    expect(() => PACKET.decode(fromHex("200009a5fffffffd"))).toThrow(
      '"rsvd1" expected 0x0 (reserved), got 0x1 at byte 7',
    );
    expect(() => PACKET.decode(fromHex("200009a4fffffffc"))).toThrow(
      '"magic" expected 0xa5 (const), got 0xa4 at byte 3',
    );
  });

  it("names the field and byte offset of a truncated input", () => {
    expect(() => PACKET.decode(fromHex("200009a5ff"))).toThrow(DecodeError);
    expect(() => PACKET.decode(fromHex("200009a5ff"))).toThrow(
      '"packet.address" expected 4 bytes, got 1 at byte 4',
    );
    expect(() => PACKET.decode(fromHex("0400 40a5 0000000000000005 dead"))).toThrow(
      '"packet.data" expected 4 bytes, got 2 at byte 12',
    );
  });

  it("rejects a payload whose length disagrees with its length field", () => {
    const w = {
      fmt: 0,
      op: "write",
      hasDigest: false,
      length: 2,
      tag: 0,
      kind: "write",
      address: 5n,
      data: fromHex("deadbeef"),
    };
    expect(() => PACKET.encode(w)).toThrow(EncodeError);
    expect(() => PACKET.encode(w)).toThrow('"data" expected 8 bytes (length × 4), got <4 bytes>');
  });

  it("rejects a tag that the discriminants do not select", () => {
    const bad = {
      fmt: 1,
      op: "read",
      hasDigest: false,
      length: 0,
      tag: 9,
      kind: "long-read",
      address: 1,
    };
    expect(() => PACKET.encode(bad)).toThrow(
      '"kind" expected "short-read" (selected by fmt, op), got "long-read"',
    );
  });

  it("derives the tag from the discriminants when JSON omits it", () => {
    expect(
      PACKET.fromJson({ fmt: 2, op: "read", hasDigest: false, length: 0, tag: 1, address: "0x10" }),
    ).toMatchObject({ kind: "long-read", address: 16n });
  });
});

describe("regressions found by random specs", () => {
  const SIZED = formats.find((f) => f.id === "fx.sized")!;
  const C_NAMES = formats.find((f) => f.id === "fx.c-names")!;

  it("generates TypeScript that typechecks under the repository's strict tsconfig", () => {
    const r = typecheck(fx.dir, ["*.ts"]);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  it("leaves out of the arbitraries a layout variant that no value selects", () => {
    expect(
      layoutPaths(fx.spec.formats.find((f) => f.name === "sized")!).map((p) => p.name),
    ).toEqual(["three-small", "three-no-small", "any-small", "any-no-small"]);
    expect(arbs["arbSizedThreeSmall"]).toBeUndefined();
    expect(arbs["arbSizedAnyNoSmall"]).toBeDefined();
    // A count that no case names (4) takes the last variant, whatever maxBytes says.
    expect(SIZED.variantOf(SIZED.decode(fromHex("04" + "00".repeat(16))))).toBe(3);
  });

  it("reads enum members past 4096 from JSON by name and by value", () => {
    const v = { long: true, default: 5, wide: "high", dataLen: 1, data: fromHex("aa") };
    expect(C_NAMES.fromJson({ ...v, wide: "high", data: "aa" })).toEqual(v);
    expect(C_NAMES.fromJson({ ...v, wide: 0xabcd, data: "aa" })).toEqual(v);
    expect(() => C_NAMES.fromJson({ ...v, wide: 2, data: "aa" })).toThrow(
      '"wide" expected one of low, high, got 2',
    );
  });

  it("names the arbitraries of a spec file with a digit after a dash", () => {
    const spec = loadSpecText(
      [
        "spec: t.x",
        "title: T",
        "package: codegen",
        "byteOrder: big-endian",
        "bitOrder: msb0",
        "formats:",
        "  f:",
        "    title: F",
        "    fields:",
        "      - { name: a, bits: 8 }",
      ].join("\n"),
      "test/wire-2.yaml",
    );
    expect(generateTsArbitraries(spec)).toContain("export const wire2Arbitraries:");
  });

  it("generates TypeScript that typechecks for a spec without formats", () => {
    const spec = loadSpecText(
      [
        "spec: t.regs",
        "title: T",
        "package: codegen",
        "byteOrder: big-endian",
        "bitOrder: msb0",
        "enums:",
        "  E:",
        "    bits: 2",
        "    values:",
        "      - { name: a, value: 0 }",
        "registers:",
        "  m:",
        "    title: M",
        "    blocks:",
        "      - name: b",
        "        offset: 0",
        "        registers:",
        "          - name: r",
        "            offset: 0",
        "            fields:",
        '              - { name: f, bits: "1:0", enum: E, reset: 0 }',
      ].join("\n"),
      "test/regs.yaml",
    );
    mkdirSync(join(pkgDir, ".test-gen"), { recursive: true });
    const dir = mkdtempSync(join(pkgDir, ".test-gen", "regs-"));
    try {
      writeFileSync(join(dir, "regs.ts"), generateTsCodecs(spec));
      writeFileSync(join(dir, "regs.arb.ts"), generateTsArbitraries(spec));
      const r = typecheck(dir, ["*.ts"]);
      expect(r.output).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("escapes C keywords and gives a payload length member a free name", () => {
    const h = readFileSync(join(fx.dir, "c", "features.h"), "utf8");
    expect(h).toContain("bool long_;");
    expect(h).toContain("uint32_t default_;");
    expect(h).toContain("uint32_t data_len;");
    expect(h).toContain("size_t data_len_;");
  });
});

describe.runIf(hasGcc())("generated C self-check of unusual specs", () => {
  const header = [
    "spec: t.c",
    "title: T",
    "package: codegen",
    "byteOrder: big-endian",
    "bitOrder: msb0",
    "formats:",
  ];

  function selfCheck(spec: string, lines: readonly string[]): ReturnType<typeof runSelfCheck> {
    const model = loadSpecText([...header, spec].join("\n"), "test/t.yaml");
    mkdirSync(join(pkgDir, ".test-gen"), { recursive: true });
    const dir = mkdtempSync(join(pkgDir, ".test-gen", "c-"));
    try {
      writeFileSync(join(dir, "t.h"), generateCHeader(model));
      writeFileSync(join(dir, "t-selfcheck.c"), generateCSelfCheck(model));
      const build = compileSelfCheck(dir, "t");
      try {
        return runSelfCheck(build.exe, lines);
      } finally {
        build.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("compiles without byte strings in the spec", () => {
    const r = selfCheck(
      ["  f:", "    title: F", "    fields:", "      - { name: a, bits: 8 }"].join("\n"),
      ["t.f 0 2a 2a"],
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("t.c: 1 vectors ok");
  });

  it("compiles for a spec without formats (enums and registers only)", () => {
    const r = selfCheck(
      [
        "  {}",
        "enums:",
        "  E:",
        "    bits: 2",
        "    values:",
        "      - { name: a, value: 0 }",
      ].join("\n"),
      [],
    );
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("t.c: 0 vectors ok");
  });

  it("reads values larger than 64 KiB", () => {
    const spec = [
      "  big:",
      "    title: Big",
      "    fields:",
      "      - { name: count, bits: 16 }",
      "      - { payload: data, length: { field: count, unit: 2 } }",
    ].join("\n");
    const data = "ab".repeat(65536);
    const r = selfCheck(spec, [`t.big 0 8000${data} 8000 ${data}`]);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("t.c: 1 vectors ok");
  });

  it("compiles where gcc -O1 followed an error code into memcmp (fixtures/gcc-overread.yaml)", async () => {
    const g = generateFixture("gcc-overread");
    try {
      const m = (await import(join(g.dir, "gcc-overread.ts"))) as Record<string, unknown>;
      const a = (await import(join(g.dir, "gcc-overread.arb.ts"))) as Record<string, unknown>;
      const build = compileSelfCheck(join(g.dir, "c"), "gcc-overread");
      try {
        const lines = selfCheckVectors(
          m["gccOverreadFormats"] as FormatInfo<unknown>[],
          a["gccOverreadArbitraries"] as Record<string, fc.Arbitrary<unknown>>,
          50,
          lawSeed(),
        );
        const r = runSelfCheck(build.exe, lines);
        expect(r.stderr).toBe("");
        expect(r.stdout.trim()).toBe(`fixture.gcc-overread: ${lines.length} vectors ok`);
      } finally {
        build.cleanup();
      }
    } finally {
      g.cleanup();
    }
  });
});

describe.runIf(hasGcc())("generated C for every layout feature", () => {
  it("compiles warning-free and agrees with the TypeScript codec", () => {
    const build = compileSelfCheck(join(fx.dir, "c"), "features");
    try {
      const lines = selfCheckVectors(formats, arbitraries, 300, lawSeed());
      const r = runSelfCheck(build.exe, lines);
      expect(r.stderr).toBe("");
      expect(r.stdout.trim()).toBe(`fixture.features: ${lines.length} vectors ok`);
    } finally {
      build.cleanup();
    }
  });
});

describe("Markdown page", () => {
  it("draws a diagram per variant and lists every field", () => {
    const md = readFileSync(join(fx.dir, "features.md"), "utf8");
    expect(md).toContain("### Variant `long-read-digest-part`");
    expect(md).toContain("### Variant `long-read-no-digest-part`");
    expect(md).toContain("| fmt | op  |");
    expect(md).toContain("| 96.. | `data` | `length` × 4 (0 means 1024) bytes | payload |");
  });
});
