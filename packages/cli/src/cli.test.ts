import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";
import { ALL_FORMATS } from "./index.js";

const BTD_HEX = "0000100012900003000012345678000000070100000004000005000000002000";
const BTD_JSON = {
  size: 4096,
  kind: "roi",
  channel: 2,
  sof: true,
  eof: false,
  eoa: false,
  notify: true,
  block: 3,
  layout: "roi",
  source: "0x12345678",
  frame: 7,
  lineBytes: 256,
  pitch: 1024,
  atuIndex: 5,
  offset: "0x2000",
};

describe("rashpa formats", () => {
  it("lists every format id with its size", async () => {
    const r = await run(["formats"]);
    expect(r.code).toBe(0);
    for (const f of ALL_FORMATS) expect(r.out).toContain(f.id);
    expect(r.out).toMatch(/^rashpa\.btd\s+32 B\s+Block Transfer Descriptor \(BTD\)$/m);
  });

  it("prints a stable JSON shape with --json", async () => {
    const r = await run(["formats", "--json"]);
    const list = JSON.parse(r.out) as { id: string; bytes: number | null; variants: string[] }[];
    expect(list.find((f) => f.id === "rashpa.btd")).toEqual({
      id: "rashpa.btd",
      title: "Block Transfer Descriptor (BTD)",
      bytes: 32,
      spec: "specs/rashpa/descriptors.yaml",
      variants: ["dma", "roi", "inline"],
    });
  });
});

describe("rashpa decode / encode", () => {
  it("decodes a BTD into JSON with the spec's field names", async () => {
    const r = await run(["decode", "rashpa.btd", BTD_HEX]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(BTD_JSON);
  });

  it("encodes that JSON back to the same hex (round trip)", async () => {
    const r = await run(["encode", "rashpa.btd", JSON.stringify(BTD_JSON)]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${BTD_HEX}\n`);
  });

  it("reads hex and JSON from standard input when the argument is omitted", async () => {
    expect((await run(["decode", "rashpa.btd", "--compact"], `${BTD_HEX}\n`)).out).toBe(
      `${JSON.stringify(BTD_JSON)}\n`,
    );
    expect((await run(["encode", "rashpa.btd"], JSON.stringify(BTD_JSON))).out).toBe(
      `${BTD_HEX}\n`,
    );
  });

  it("accepts separators in hex and numeric enum values in JSON", async () => {
    const spaced = BTD_HEX.replace(/(.{8})/g, "$1 ").trim();
    expect(JSON.parse((await run(["decode", "rashpa.btd", spaced])).out)).toEqual(BTD_JSON);
    expect(
      (await run(["encode", "rashpa.btd", JSON.stringify({ ...BTD_JSON, kind: 1, offset: 8192 })]))
        .out,
    ).toBe(`${BTD_HEX}\n`);
  });

  const errors: [string, string[], string, RegExp][] = [
    [
      "unknown format",
      ["decode", "rashpa.nope", "00"],
      "",
      /^rashpa: unknown format "rashpa\.nope" \(see rashpa formats\)\n$/,
    ],
    ["missing format", ["decode"], "", /^rashpa: missing <format>/],
    [
      "bad hex",
      ["decode", "rashpa.btd", "00zz"],
      "",
      /^rashpa: invalid hex digit 'z' at character 2\n$/,
    ],
    [
      "truncated input",
      ["decode", "rashpa.btd", "0000"],
      "",
      /^rashpa: "btd" expected 32 bytes, got 2 at byte 0\n$/,
    ],
    [
      "reserved bits set",
      ["decode", "rashpa.btd", `${BTD_HEX.slice(0, 11)}1${BTD_HEX.slice(12)}`],
      "",
      /^rashpa: "rsvd0" expected 0x0 \(reserved\), got 0x1 at byte 5\n$/,
    ],
    [
      "trailing bytes",
      ["decode", "rashpa.btd", `${BTD_HEX}00`],
      "",
      /^rashpa: rashpa\.btd takes 32 bytes, the input has 33/,
    ],
    ["malformed JSON", ["encode", "rashpa.btd", "{size:"], "", /^rashpa: the input is not JSON: /],
    [
      "field out of range",
      ["encode", "rashpa.btd", JSON.stringify({ ...BTD_JSON, channel: 16 })],
      "",
      /^rashpa: "channel" expected an integer 0\.\.15, got 16 \(0x10\)\n$/,
    ],
    [
      "bad enum member",
      ["encode", "rashpa.btd", JSON.stringify({ ...BTD_JSON, kind: "video" })],
      "",
      /^rashpa: "kind" expected one of image, roi, metadata, inline, got "video"\n$/,
    ],
    [
      "missing field",
      ["encode", "rashpa.btd", JSON.stringify({ ...BTD_JSON, pitch: undefined })],
      "",
      /^rashpa: "pitch" expected an integer 0\.\.4294967295, got undefined\n$/,
    ],
    [
      "JSON not an object",
      ["encode", "rashpa.btd", "[1]"],
      "",
      /^rashpa: "btd" expected an object, got /,
    ],
    ["empty stdin", ["encode", "rashpa.btd"], "  ", /^rashpa: missing JSON input/],
    [
      "unknown option",
      ["decode", "rashpa.btd", BTD_HEX, "--fast"],
      "",
      /^rashpa: unknown option --fast\n$/,
    ],
    ["unknown command", ["frobnicate"], "", /^rashpa: unknown command "frobnicate"/],
  ];
  for (const [what, argv, stdin, message] of errors) {
    it(`fails with one line on stderr and status 1: ${what}`, async () => {
      const r = await run(argv, stdin);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split("\n")).toHaveLength(1);
    });
  }
});

describe("rashpa demo", () => {
  it("round-trips every structure it builds", async () => {
    const r = await run(["demo"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/all \d+ structures round-trip: ok/);
    expect(r.out).toContain("rashpa decode rashpa.btd ");
  });
});

describe("the rashpa executable", () => {
  const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

  it("exits 1 with a single stderr line and no stack trace", () => {
    const r = spawnSync(process.execPath, [bin, "decode", "rashpa.btd", "zz"], {
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("rashpa: invalid hex digit 'z' at character 0\n");
  });

  it("decodes then encodes through pipes", () => {
    const d = spawnSync(process.execPath, [bin, "decode", "rashpa.btd", BTD_HEX], {
      encoding: "utf8",
    });
    expect(d.status).toBe(0);
    const e = spawnSync(process.execPath, [bin, "encode", "rashpa.btd"], {
      encoding: "utf8",
      input: d.stdout,
    });
    expect(e.status).toBe(0);
    expect(e.stdout).toBe(`${BTD_HEX}\n`);
  });
});

describe("rashpa decode / encode of PCIe formats (@rashpa/pcie)", () => {
  // MWr 3DW with ECRC, as in packages/pcie/test/vectors/tlp.json (pcie.md §1.1–§1.3, §6).
  const MWR_HEX = "400080020008003ffedc00401122334455667788bc8841f2";
  const MWR_JSON = {
    fmt: "data-3dw",
    type: "mem",
    t9: false,
    tc: 0,
    t8: false,
    ido: false,
    ln: false,
    th: false,
    td: true,
    ep: false,
    ro: false,
    ns: false,
    at: "untranslated",
    length: 2,
    tlpType: "mwr-32",
    requesterId: 8,
    tag: 0,
    lastBe: 3,
    firstBe: 15,
    address: 0xfedc0040 / 4,
    ph: "bidirectional",
    data: "1122334455667788",
    ecrc: 0xbc8841f2,
  };

  it("lists the PCIe formats", async () => {
    const r = await run(["formats"]);
    for (const id of ["pcie.tlp", "pcie.tlp-prefix", "pcie.dllp"]) expect(r.out).toContain(id);
  });

  it("decodes a TLP given as hex (rashpa decode pcie.tlp <hex>)", async () => {
    const r = await run(["decode", "pcie.tlp", MWR_HEX]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(MWR_JSON);
  });

  it("encodes that JSON back to the same hex", async () => {
    const r = await run(["encode", "pcie.tlp", JSON.stringify(MWR_JSON)]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${MWR_HEX}\n`);
  });

  it("decodes a DLLP (Ack of sequence 0x123, pcie.md §5)", async () => {
    const r = await run(["decode", "pcie.dllp", "00000123e285"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      typeHigh: 0,
      typeLow: 0,
      dllpType: "ack",
      sequence: 0x123,
      crc: 0xe285,
    });
  });

  it("rejects a TLP whose payload is shorter than Length says", async () => {
    const r = await run(["decode", "pcie.tlp", MWR_HEX.slice(0, 32)]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^rashpa: .*\n$/);
  });
});
