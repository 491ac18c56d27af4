import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  formatByteSize,
  layoutPaths,
  loadSpecDir,
  loadSpecFile,
  loadSpecText,
  SpecError,
  valueFields,
} from "./index.js";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const descriptors = `${repo}specs/rashpa/descriptors.yaml`;

describe("loadSpecFile on the RASHPA descriptors spec", () => {
  const model = loadSpecFile(descriptors, repo);

  it("names the file relative to the repository and reads the header", () => {
    expect(model.file).toBe("specs/rashpa/descriptors.yaml");
    expect(model.id).toBe("rashpa.descriptors");
    expect(model.package).toBe("descriptors");
  });

  it("gives every format a global id and the BTD 32 bytes", () => {
    expect(model.formats.map((f) => f.id)).toEqual([
      "rashpa.btd",
      "rashpa.atu-entry",
      "rashpa.event",
      "rashpa.btd-fifo-control",
      "rashpa.btd-fifo-status",
    ]);
    const btd = model.formats[0]!;
    expect(formatByteSize(btd)).toBe(32);
    expect(layoutPaths(btd).map((p) => p.name)).toEqual(["dma", "roi", "inline"]);
    expect(valueFields(layoutPaths(btd)[1]!).map((f) => f.name)).toEqual([
      "size",
      "kind",
      "channel",
      "sof",
      "eof",
      "eoa",
      "notify",
      "block",
      "source",
      "frame",
      "lineBytes",
      "pitch",
      "atuIndex",
      "offset",
    ]);
  });

  it("resolves enum names in conditions to their values", () => {
    const sw = model.formats[0]!.items.find((i) => i.kind === "switch");
    expect(sw?.kind === "switch" && sw.cases.map((c) => c.when["kind"])).toEqual([
      [0, 2],
      [1],
      [3],
    ]);
  });

  it("loads the register map with LSB-0 fields", () => {
    const map = model.registerMaps[0]!;
    const regs = map.blocks[0]!.nodes;
    expect(regs.map((r) => r.name)).toEqual(["control", "data", "status"]);
    const status = regs[2]!;
    expect(
      status.kind === "register" && status.fields.find((f) => f.name === "level"),
    ).toMatchObject({ msb: 6, lsb: 2 });
  });
});

describe("loadSpecDir", () => {
  it("loads every spec of the repository", () => {
    const models = loadSpecDir(`${repo}specs`, repo);
    expect(models.length).toBeGreaterThan(0);
    expect(models.flatMap((m) => m.formats).some((f) => f.id === "rashpa.btd")).toBe(true);
  });
});

describe("loadSpecText errors", () => {
  it("reports all problems of a file at once, in file order", () => {
    const text = readFileSync(descriptors, "utf8")
      .replace("{ name: size, bits: 32, at: 0,", "{ name: size, bits: 33, at: 0,")
      .replace("{ name: channel, bits: 8, doc", "{ name: channel, bits: 8, colour: red, doc");
    let err: unknown;
    try {
      loadSpecText(text, "x.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpecError);
    const messages = (err as SpecError).diagnostics.map((d) => d.message);
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(
      messages.some((m) => m.includes('"formats.btd.fields[1].at" expected bit offset 33')),
    ).toBe(true);
    expect(messages.some((m) => m.includes('unknown key "colour"'))).toBe(true);
  });
});

describe("memories naming a format of another spec by id", () => {
  const lib = `spec: lib.entries
title: Library
package: lib
byteOrder: big-endian
bitOrder: msb0
formats:
  entry:
    title: Entry
    fields:
      - { name: address, bits: 64 }
  record:
    title: Record
    fields:
      - { name: count, bits: 8 }
      - payload: data
        length: { field: count }
`;
  const user = (format: string, entryBytes = 8): string => `spec: user.map
title: User
package: user
byteOrder: big-endian
bitOrder: msb0
formats:
  own:
    title: Own
    fields:
      - { name: value, bits: 32 }
registers:
  regs:
    title: Registers
    blocks:
      - name: main
        offset: 0x0
        registers:
          - memory: table
            offset: 0x0
            entries: 4
            entryBytes: ${entryBytes}
            format: ${format}
`;
  const messages = (f: () => unknown): string[] => {
    try {
      f();
    } catch (e) {
      if (e instanceof SpecError) return e.diagnostics.map((d) => d.message);
      throw e;
    }
    return [];
  };
  const libModel = loadSpecText(lib, "lib.yaml");
  const memory = (m: ReturnType<typeof loadSpecText>): unknown =>
    m.registerMaps[0]!.blocks[0]!.nodes[0];

  it("resolve against the formats passed in and keep the id", () => {
    const m = loadSpecText(user("lib.entry"), "user.yaml", { formats: libModel.formats });
    expect(memory(m)).toMatchObject({ kind: "memory", format: "lib.entry", entryBytes: 8 });
  });

  it("record a format of the same spec by its global id, named either way", () => {
    expect(memory(loadSpecText(user("own", 4), "user.yaml"))).toMatchObject({ format: "user.own" });
    expect(memory(loadSpecText(user("user.own", 4), "user.yaml"))).toMatchObject({
      format: "user.own",
    });
  });

  it("report an id no loaded spec defines, a size mismatch and a variable-size format", () => {
    expect(messages(() => loadSpecText(user("lib.entry"), "user.yaml"))).toEqual([
      'user.yaml:22:21: "registers.regs.blocks[0].registers[0].format" expected a format of this spec or the id of a format of a spec loaded with it (user.own), got "lib.entry"',
    ]);
    expect(
      messages(() =>
        loadSpecText(user("lib.entry", 16), "user.yaml", { formats: libModel.formats }),
      ),
    ).toEqual([
      'user.yaml:21:25: "registers.regs.blocks[0].registers[0].entryBytes" expected 8 bytes, the size of format "lib.entry", got 16',
    ]);
    expect(
      messages(() => loadSpecText(user("lib.record"), "user.yaml", { formats: libModel.formats })),
    ).toEqual([
      'user.yaml:22:21: "registers.regs.blocks[0].registers[0].format" expected a format of fixed size for memory entries, got format "lib.record" of variable size',
    ]);
  });

  it("resolve in loadSpecDir whatever the file order", () => {
    const dir = mkdtempSync(join(tmpdir(), "spec-refs-"));
    try {
      writeFileSync(join(dir, "a-user.yaml"), user("lib.entry"));
      writeFileSync(join(dir, "z-lib.yaml"), lib);
      const models = loadSpecDir(dir, dir);
      expect(models.map((m) => m.id)).toEqual(["user.map", "lib.entries"]);
      expect(memory(models[0]!)).toMatchObject({ format: "lib.entry" });
      writeFileSync(join(dir, "a-user.yaml"), user("lib.entri"));
      expect(messages(() => loadSpecDir(dir, dir))).toEqual([
        'a-user.yaml:22:21: "registers.regs.blocks[0].registers[0].format" expected a format of this spec or the id of a format of a spec loaded with it (lib.entry, lib.record, user.own), got "lib.entri"',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
