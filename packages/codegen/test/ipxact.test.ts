/**
 * IP-XACT export of every register map: re-importing the XML gives back the map's
 * description node for node, the element order follows the IEEE 1685-2014 schema sequences,
 * and broken documents are reported with the element path.
 *
 * The 1685-2014 XSD itself is not in the npm or Debian registries, so the schema check here is
 * the sequence table below (transcribed from the schema's content models for the elements the
 * exporter writes) rather than `xmllint --schema`.
 */
import { join } from "node:path";
import type { RegisterMapInfo } from "@rashpa/registers";
import { loadSpecDir, loadSpecFile } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { generateIpxact, importIpxact, IpxactError, registerMapInfo } from "../src/index.js";
import { pkgDir } from "./fixture.test-helpers.js";

const root = join(pkgDir, "../..");
const specs: SpecModel[] = [
  ...loadSpecDir(join(root, "specs"), root),
  loadSpecFile(join(pkgDir, "test/fixtures/registers.yaml"), pkgDir),
];
const maps = specs.flatMap((spec) => spec.registerMaps.map((map) => ({ spec, map })));

/** Nodes in address order: IP-XACT lists memories as address blocks of their own. */
function normalize(info: RegisterMapInfo): RegisterMapInfo {
  return {
    ...info,
    blocks: info.blocks.map((b) => ({
      ...b,
      nodes: [...b.nodes].sort((x, y) => x.offset - y.offset),
    })),
  };
}

describe("IP-XACT export", () => {
  it("covers every register map of the specs", () => {
    expect(maps.map((m) => `${m.spec.idPrefix}.${m.map.name}`)).toEqual(
      expect.arrayContaining(["pcie.config-space", "rashpa.btd-fifo", "fixture.dev"]),
    );
  });

  it.each(maps.map((m) => [`${m.spec.idPrefix}.${m.map.name}`, m] as const))(
    "%s re-imports to the same description, node for node",
    (_id, { spec, map }) => {
      const xml = generateIpxact(spec, map);
      expect(importIpxact(xml, spec.idPrefix)).toEqual(normalize(registerMapInfo(spec, map)));
    },
  );

  // Child sequences of the IEEE 1685-2014 schema for the elements written (ipxact: prefix dropped).
  const SEQUENCE: Record<string, readonly string[]> = {
    component: [
      "vendor",
      "library",
      "name",
      "version",
      "busInterfaces",
      "memoryMaps",
      "model",
      "description",
      "vendorExtensions",
    ],
    memoryMaps: ["memoryMap"],
    memoryMap: [
      "name",
      "displayName",
      "description",
      "isPresent",
      "addressBlock",
      "memoryRemap",
      "addressUnitBits",
      "shared",
      "vendorExtensions",
    ],
    addressBlock: [
      "name",
      "displayName",
      "description",
      "isPresent",
      "baseAddress",
      "typeIdentifier",
      "range",
      "width",
      "usage",
      "volatile",
      "access",
      "parameters",
      "register",
      "registerFile",
      "vendorExtensions",
    ],
    registerFile: [
      "name",
      "displayName",
      "description",
      "isPresent",
      "dim",
      "addressOffset",
      "typeIdentifier",
      "range",
      "register",
      "registerFile",
      "parameters",
      "vendorExtensions",
    ],
    register: [
      "name",
      "displayName",
      "description",
      "isPresent",
      "dim",
      "addressOffset",
      "typeIdentifier",
      "size",
      "volatile",
      "access",
      "field",
      "alternateRegisters",
      "parameters",
      "vendorExtensions",
    ],
    field: [
      "name",
      "displayName",
      "description",
      "isPresent",
      "bitOffset",
      "resets",
      "typeIdentifier",
      "bitWidth",
      "volatile",
      "access",
      "enumeratedValues",
      "modifiedWriteValue",
      "writeValueConstraint",
      "readAction",
      "testable",
      "reserved",
      "vendorExtensions",
    ],
    resets: ["reset"],
    reset: ["value", "mask"],
    enumeratedValues: ["enumeratedValue"],
    enumeratedValue: ["name", "displayName", "description", "value", "vendorExtensions"],
  };
  // Register files and registers may interleave in an address block (an xs:choice).
  const CHOICE = new Set(["register", "registerFile"]);

  function checkOrder(
    nodes: readonly Record<string, unknown>[],
    parent: string,
    problems: string[],
  ): void {
    const seq = SEQUENCE[parent];
    let last = -1;
    for (const n of nodes) {
      const tag = Object.keys(n).find((k) => k !== ":@" && k !== "#text");
      if (tag === undefined) continue;
      const local = tag.replace(/^ipxact:/, "");
      if (tag.startsWith("rashpa:")) {
        if (parent !== "vendorExtensions") problems.push(`${tag} outside vendorExtensions`);
        continue;
      }
      if (seq !== undefined) {
        const at = seq.indexOf(local);
        if (at < 0) problems.push(`<${local}> not allowed in <${parent}>`);
        else if (at < last && !(CHOICE.has(local) && CHOICE.has(seq[last]!)))
          problems.push(`<${local}> after <${seq[last]}> in <${parent}>`);
        else last = Math.max(last, at);
      }
      const children = n[tag];
      if (Array.isArray(children))
        checkOrder(children as Record<string, unknown>[], local, problems);
    }
  }

  it.each(maps.map((m) => [`${m.spec.idPrefix}.${m.map.name}`, m] as const))(
    "%s follows the 1685-2014 element order",
    (_id, { spec, map }) => {
      const xml = generateIpxact(spec, map);
      const ordered = new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(
        xml,
      ) as Record<string, unknown>[];
      const problems: string[] = [];
      checkOrder(ordered, "document", problems);
      expect(problems).toEqual([]);
      expect(xml).toContain('xmlns:ipxact="http://www.accellera.org/XMLSchema/IPXACT/1685-2014"');
    },
  );
});

describe("IP-XACT import of broken documents", () => {
  const { spec, map } = maps.find((m) => m.map.name === "dev")!;
  const good = generateIpxact(spec, map);

  it.each([
    ["not XML", "<ipxact:component", /document: not well-formed XML/],
    ["no component", '<?xml version="1.0"?><other/>', /document: no <ipxact:component> element/],
    [
      "an unknown access value",
      good.replace(
        "<ipxact:access>read-write</ipxact:access>",
        "<ipxact:access>read-sometimes</ipxact:access>",
      ),
      /memoryMap\/addressBlock\[global\]\/register\[control\]\/field\[enable\]: unknown access "read-sometimes"/,
    ],
    [
      "a field without bitWidth",
      good.replace(/<ipxact:bitWidth>16<\/ipxact:bitWidth>/, ""),
      /register\[id\]\/field\[version\]: missing <ipxact:bitWidth>/,
    ],
    [
      "a bad number",
      good.replace(
        "<ipxact:addressOffset>'h8</ipxact:addressOffset>",
        "<ipxact:addressOffset>eight</ipxact:addressOffset>",
      ),
      /register\[pending\]: expected a number, got "eight"/,
    ],
    [
      "a memory whose block is gone",
      good.replace("<rashpa:block>dma</rashpa:block>", "<rashpa:block>gone</rashpa:block>"),
      /parent block "gone" not found/,
    ],
  ])("reports %s with the element path", (_what, xml, message) => {
    expect(() => importIpxact(xml)).toThrow(IpxactError);
    expect(() => importIpxact(xml)).toThrow(message);
  });
});
