import { readFileSync } from "node:fs";
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
