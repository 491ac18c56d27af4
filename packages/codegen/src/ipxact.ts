/**
 * IP-XACT (IEEE 1685-2014) export and import of register maps.
 *
 * Each register map becomes one `ipxact:component` with one `ipxact:memoryMap`. A block
 * becomes an `ipxact:addressBlock` (usage `register`) holding its registers and register files;
 * a memory becomes an `ipxact:addressBlock` of its own (usage `memory`, one row per entry), since
 * address blocks do not nest, and names its parent block in a vendor extension. Element order
 * follows the 2014 schema's sequences.
 *
 * Mapping of access properties (IEEE 1685-2014 §6.11.9–6.11.10 and SystemRDL 2.0 §9):
 *
 * | SystemRDL | IP-XACT |
 * |---|---|
 * | `sw` r / w / rw / w1 / rw1 | `access` read-only / write-only / read-write / writeOnce / read-writeOnce |
 * | `onwrite` woclr / woset / wot / wzc / wzs / wzt / wclr / wset | `modifiedWriteValue` oneToClear / oneToSet / oneToToggle / zeroToClear / zeroToSet / zeroToToggle / clear / set |
 * | `onread` rclr / rset | `readAction` clear / set |
 * | `hw` w or rw | `volatile` true |
 * | reset | `resets/reset/value` |
 * | enum | `enumeratedValues` |
 *
 * What IP-XACT 2014 cannot say is kept in `ipxact:vendorExtensions` under the namespace
 * `urn:rashpa:ipxact` (prefix `rashpa`): `hw` access, `sw` `na`, `singlepulse`, the enum's
 * name, array strides other than the element size, a memory's entry format and parent block,
 * and the spec file. With them, {@link importIpxact} gives back exactly the map's
 * `RegisterMapInfo`.
 *
 * @module
 */
import type {
  HwAccess,
  MemoryInfo,
  OnRead,
  OnWrite,
  RegFileInfo,
  RegisterFieldInfo,
  RegisterInfo,
  RegisterMapInfo,
  RegisterNodeInfo,
  SwAccess,
} from "@rashpa/registers";
import type { RegisterMapModel, SpecModel } from "@rashpa/spec";
import { XMLParser } from "fast-xml-parser";
import { registerMapInfo } from "./ts-registers.js";

/** The IP-XACT 1685-2014 namespace. */
export const IPXACT_2014_NS = "http://www.accellera.org/XMLSchema/IPXACT/1685-2014";
/** The namespace of this project's vendor extensions. */
export const RASHPA_IPXACT_NS = "urn:rashpa:ipxact";

const SW_TO_ACCESS: Record<Exclude<SwAccess, "na">, string> = {
  r: "read-only",
  w: "write-only",
  rw: "read-write",
  w1: "writeOnce",
  rw1: "read-writeOnce",
};
const ONWRITE_TO_MWV: Record<OnWrite, string> = {
  woclr: "oneToClear",
  woset: "oneToSet",
  wot: "oneToToggle",
  wzc: "zeroToClear",
  wzs: "zeroToSet",
  wzt: "zeroToToggle",
  wclr: "clear",
  wset: "set",
};
const ONREAD_TO_ACTION: Record<OnRead, string> = { rclr: "clear", rset: "set" };
const invert = <K extends string>(m: Record<K, string>): Record<string, K> =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k])) as Record<string, K>;
const ACCESS_TO_SW = invert(SW_TO_ACCESS);
const MWV_TO_ONWRITE = invert(ONWRITE_TO_MWV);
const ACTION_TO_ONREAD = invert(ONREAD_TO_ACTION);

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

class Xml {
  readonly lines: string[] = [];
  #depth = 0;
  open(tag: string, attrs = ""): this {
    this.lines.push(`${"  ".repeat(this.#depth)}<${tag}${attrs}>`);
    this.#depth++;
    return this;
  }
  close(tag: string): this {
    this.#depth--;
    this.lines.push(`${"  ".repeat(this.#depth)}</${tag}>`);
    return this;
  }
  leaf(tag: string, value: string | number | boolean): this {
    this.lines.push(`${"  ".repeat(this.#depth)}<${tag}>${esc(String(value))}</${tag}>`);
    return this;
  }
}

function vendor(x: Xml, entries: readonly [string, string | number | boolean | undefined][]): void {
  const present = entries.filter(
    (e): e is [string, string | number | boolean] => e[1] !== undefined,
  );
  if (present.length === 0) return;
  x.open("ipxact:vendorExtensions");
  for (const [k, v] of present) x.leaf(`rashpa:${k}`, v);
  x.close("ipxact:vendorExtensions");
}

function emitField(x: Xml, f: RegisterFieldInfo): void {
  x.open("ipxact:field");
  x.leaf("ipxact:name", f.name);
  x.leaf("ipxact:description", f.doc);
  x.leaf("ipxact:bitOffset", f.lsb);
  if (f.reset !== undefined) {
    x.open("ipxact:resets").open("ipxact:reset");
    x.leaf("ipxact:value", `'h${f.reset.toString(16)}`);
    x.close("ipxact:reset").close("ipxact:resets");
  }
  x.leaf("ipxact:bitWidth", f.msb - f.lsb + 1);
  x.leaf("ipxact:volatile", f.hw === "w" || f.hw === "rw");
  if (f.sw !== "na") x.leaf("ipxact:access", SW_TO_ACCESS[f.sw]);
  if (f.enumMembers !== undefined) {
    x.open("ipxact:enumeratedValues");
    for (const m of f.enumMembers) {
      x.open("ipxact:enumeratedValue");
      x.leaf("ipxact:name", m.name);
      x.leaf("ipxact:value", m.value);
      x.close("ipxact:enumeratedValue");
    }
    x.close("ipxact:enumeratedValues");
  }
  if (f.onwrite !== undefined) x.leaf("ipxact:modifiedWriteValue", ONWRITE_TO_MWV[f.onwrite]);
  if (f.onread !== undefined) x.leaf("ipxact:readAction", ONREAD_TO_ACTION[f.onread]);
  vendor(x, [
    ["hw", f.hw],
    ["sw", f.sw === "na" ? "na" : undefined],
    ["singlepulse", f.singlepulse === true ? true : undefined],
    ["enum", f.enumName],
  ]);
  x.close("ipxact:field");
}

function emitRegister(x: Xml, r: RegisterInfo): void {
  x.open("ipxact:register");
  x.leaf("ipxact:name", r.name);
  x.leaf("ipxact:description", r.doc);
  if (r.count > 1) x.leaf("ipxact:dim", r.count);
  x.leaf("ipxact:addressOffset", `'h${r.offset.toString(16)}`);
  x.leaf("ipxact:size", r.width);
  for (const f of r.fields) emitField(x, f);
  vendor(x, [["stride", r.count > 1 && r.stride !== r.width / 8 ? r.stride : undefined]]);
  x.close("ipxact:register");
}

function emitRegFile(x: Xml, rf: RegFileInfo): void {
  x.open("ipxact:registerFile");
  x.leaf("ipxact:name", rf.name);
  x.leaf("ipxact:description", rf.doc);
  if (rf.count > 1) x.leaf("ipxact:dim", rf.count);
  x.leaf("ipxact:addressOffset", `'h${rf.offset.toString(16)}`);
  x.leaf("ipxact:range", `'h${rf.stride.toString(16)}`);
  for (const r of rf.registers) emitRegister(x, r);
  x.close("ipxact:registerFile");
}

function blockRange(nodes: readonly RegisterNodeInfo[]): number {
  let end = 4;
  for (const n of nodes) {
    if (n.kind === "register")
      end = Math.max(end, n.offset + (n.count - 1) * n.stride + n.width / 8);
    else if (n.kind === "regfile") end = Math.max(end, n.offset + n.count * n.stride);
  }
  return end;
}

/**
 * The IP-XACT 1685-2014 component of a register map (see the module comment).
 *
 * The component's VLNV is `rashpa` : the spec's id prefix : the map name : `version` (default
 * `1.0`, the revision of the map's layout).
 *
 * @param spec - the spec holding the map
 * @param map - the map
 * @param version - component version
 */
export function generateIpxact(spec: SpecModel, map: RegisterMapModel, version = "1.0"): string {
  const info = registerMapInfo(spec, map);
  const x = new Xml();
  x.lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  x.lines.push(
    `<!-- @generated by @rashpa/codegen from ${spec.file} — do not edit; run \`npm run generate\`. -->`,
  );
  x.open(
    "ipxact:component",
    ` xmlns:ipxact="${IPXACT_2014_NS}" xmlns:rashpa="${RASHPA_IPXACT_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${IPXACT_2014_NS} ${IPXACT_2014_NS}/index.xsd"`,
  );
  x.leaf("ipxact:vendor", "rashpa");
  x.leaf("ipxact:library", spec.idPrefix);
  x.leaf("ipxact:name", map.name);
  x.leaf("ipxact:version", version);
  x.open("ipxact:memoryMaps").open("ipxact:memoryMap");
  x.leaf("ipxact:name", map.name);
  x.leaf("ipxact:description", info.title);
  for (const b of info.blocks) {
    const regs = b.nodes.filter((n) => n.kind !== "memory");
    x.open("ipxact:addressBlock");
    x.leaf("ipxact:name", b.name);
    x.leaf("ipxact:description", b.doc);
    x.leaf("ipxact:baseAddress", `'h${b.offset.toString(16)}`);
    x.leaf("ipxact:range", `'h${blockRange(regs).toString(16)}`);
    x.leaf("ipxact:width", info.width);
    x.leaf("ipxact:usage", "register");
    for (const n of regs) {
      if (n.kind === "register") emitRegister(x, n);
      else if (n.kind === "regfile") emitRegFile(x, n);
    }
    x.close("ipxact:addressBlock");
    for (const m of b.nodes.filter((n): n is MemoryInfo => n.kind === "memory")) {
      x.open("ipxact:addressBlock");
      x.leaf("ipxact:name", `${b.name}.${m.name}`);
      x.leaf("ipxact:description", m.doc);
      x.leaf("ipxact:baseAddress", `'h${(b.offset + m.offset).toString(16)}`);
      x.leaf("ipxact:range", `'h${(m.entries * m.entryBytes).toString(16)}`);
      x.leaf("ipxact:width", m.entryBytes * 8);
      x.leaf("ipxact:usage", "memory");
      if (m.sw !== "na") x.leaf("ipxact:access", SW_TO_ACCESS[m.sw]);
      vendor(x, [
        ["block", b.name],
        ["offset", m.offset],
        ["format", m.format],
        ["sw", m.sw === "na" ? "na" : undefined],
      ]);
      x.close("ipxact:addressBlock");
    }
  }
  x.close("ipxact:memoryMap").close("ipxact:memoryMaps");
  vendor(x, [
    ["title", info.title],
    ["spec", info.spec],
    ["width", info.width],
  ]);
  x.close("ipxact:component");
  return `${x.lines.join("\n")}\n`;
}

/** A problem in an IP-XACT document given to {@link importIpxact}. */
export class IpxactError extends Error {
  /** Stable error name. */
  override readonly name = "IpxactError";
  /**
   * @param path - element path, e.g. `memoryMap/addressBlock[header]/register[id]`
   * @param message - what is wrong
   */
  constructor(
    /** Element path where the problem is. */
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

type Node = Record<string, unknown>;

const list = (v: unknown): Node[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node];

function text(n: Node, key: string, path: string): string {
  const v = n[key];
  if (v === undefined) throw new IpxactError(path, `missing <ipxact:${key}>`);
  if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean")
    throw new IpxactError(path, `<ipxact:${key}> must hold text`);
  return String(v);
}

function optText(n: Node, key: string): string | undefined {
  const v = n[key];
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean"
    ? String(v)
    : undefined;
}

/** Parses an IP-XACT number: decimal, `'h…`/`'d…`/`'b…` (SystemVerilog) or `0x…`. */
function num(value: string, path: string): number {
  const t = value.trim().replace(/_/g, "");
  let m: RegExpMatchArray | null;
  let v = NaN;
  if ((m = /^(?:\d+)?'([hdbo])([0-9a-fA-F]+)$/.exec(t)))
    v = parseInt(m[2]!, { h: 16, d: 10, b: 2, o: 8 }[m[1] as "h" | "d" | "b" | "o"]);
  else if (/^0x[0-9a-fA-F]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^\d+$/.test(t)) v = Number(t);
  if (!Number.isSafeInteger(v)) throw new IpxactError(path, `expected a number, got "${value}"`);
  return v;
}

function vendorOf(n: Node): Node {
  const ve = n["vendorExtensions"];
  return ve !== undefined && typeof ve === "object" ? (ve as Node) : {};
}

function importField(n: Node, path: string): RegisterFieldInfo {
  const name = text(n, "name", path);
  const p = `${path}/field[${name}]`;
  const lsb = num(text(n, "bitOffset", p), p);
  const width = num(text(n, "bitWidth", p), p);
  const ve = vendorOf(n);
  const access = optText(n, "access");
  const swVendor = optText(ve, "sw");
  let sw: SwAccess;
  if (swVendor === "na") sw = "na";
  else if (access === undefined) sw = "rw";
  else {
    const s = ACCESS_TO_SW[access];
    if (s === undefined) throw new IpxactError(p, `unknown access "${access}"`);
    sw = s;
  }
  const hwText = optText(ve, "hw");
  const volatile = optText(n, "volatile") === "true";
  const hw: HwAccess =
    hwText === "r" || hwText === "w" || hwText === "rw" || hwText === "na"
      ? hwText
      : volatile
        ? "w"
        : "r";
  const mwv = optText(n, "modifiedWriteValue");
  const action = optText(n, "readAction");
  const resets = list((n["resets"] as Node | undefined)?.["reset"]);
  const resetText = resets[0] === undefined ? undefined : text(resets[0], "value", p);
  const ev = list((n["enumeratedValues"] as Node | undefined)?.["enumeratedValue"]);
  const enumName = optText(ve, "enum");
  const field: RegisterFieldInfo = {
    name,
    msb: lsb + width - 1,
    lsb,
    sw,
    hw,
    ...(action !== undefined ? { onread: mapped(ACTION_TO_ONREAD, action, p, "readAction") } : {}),
    ...(mwv !== undefined && mwv !== "modify"
      ? { onwrite: mapped(MWV_TO_ONWRITE, mwv, p, "modifiedWriteValue") }
      : {}),
    ...(optText(ve, "singlepulse") === "true" ? { singlepulse: true as const } : {}),
    ...(resetText !== undefined ? { reset: num(resetText, p) } : {}),
    ...(enumName !== undefined ? { enumName } : {}),
    ...(ev.length > 0
      ? {
          enumMembers: ev.map((e) => ({
            name: text(e, "name", `${p}/enumeratedValue`),
            value: num(text(e, "value", `${p}/enumeratedValue`), p),
          })),
        }
      : {}),
    doc: optText(n, "description") ?? "",
  };
  return field;
}

function mapped<T>(table: Record<string, T>, key: string, path: string, what: string): T {
  const v = table[key];
  if (v === undefined) throw new IpxactError(path, `unknown ${what} "${key}"`);
  return v;
}

function importRegister(n: Node, path: string): RegisterInfo {
  const name = text(n, "name", path);
  const p = `${path}/register[${name}]`;
  const width = num(text(n, "size", p), p);
  const count = n["dim"] === undefined ? 1 : num(text(n, "dim", p), p);
  const stride = optText(vendorOf(n), "stride");
  return {
    kind: "register",
    name,
    offset: num(text(n, "addressOffset", p), p),
    count,
    stride: stride === undefined ? width / 8 : num(stride, p),
    width,
    doc: optText(n, "description") ?? "",
    fields: list(n["field"]).map((f) => importField(f, p)),
  };
}

/**
 * Reads an IP-XACT 1685-2014 component written by {@link generateIpxact} (or any component
 * using the same subset) back into a register map description.
 *
 * @param xml - the document
 * @param idPrefix - prefix of the map id (defaults to the component's `library`)
 * @throws IpxactError naming the element path of the first problem
 */
export function importIpxact(xml: string, idPrefix?: string): RegisterMapInfo {
  const parser = new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    isArray: (name) =>
      ["addressBlock", "register", "registerFile", "field", "enumeratedValue", "reset"].includes(
        name,
      ),
  });
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (e) {
    throw new IpxactError("document", `not well-formed XML: ${(e as Error).message}`);
  }
  const comp = doc["component"] as Node | undefined;
  if (comp === undefined) throw new IpxactError("document", "no <ipxact:component> element");
  const mm = (comp["memoryMaps"] as Node | undefined)?.["memoryMap"] as Node | undefined;
  if (mm === undefined) throw new IpxactError("component", "no <ipxact:memoryMap>");
  const ve = vendorOf(comp);
  const mapName = text(mm, "name", "memoryMap");
  const blocks: { name: string; offset: number; doc: string; nodes: RegisterNodeInfo[] }[] = [];
  const memories: { block: string; node: MemoryInfo }[] = [];
  for (const ab of list(mm["addressBlock"])) {
    const name = text(ab, "name", "memoryMap");
    const p = `memoryMap/addressBlock[${name}]`;
    const base = num(text(ab, "baseAddress", p), p);
    if (optText(ab, "usage") === "memory") {
      const abv = vendorOf(ab);
      const block = optText(abv, "block");
      if (block === undefined)
        throw new IpxactError(p, "memory without its rashpa:block extension");
      const entryBytes = num(text(ab, "width", p), p) / 8;
      const access = optText(ab, "access");
      const format = optText(abv, "format");
      memories.push({
        block,
        node: {
          kind: "memory",
          name: name.startsWith(`${block}.`) ? name.slice(block.length + 1) : name,
          offset: num(text(abv, "offset", p), p),
          entries: num(text(ab, "range", p), p) / entryBytes,
          entryBytes,
          ...(format !== undefined ? { format } : {}),
          sw:
            optText(abv, "sw") === "na"
              ? "na"
              : access === undefined
                ? "rw"
                : mapped(ACCESS_TO_SW, access, p, "access"),
          doc: optText(ab, "description") ?? "",
        },
      });
      continue;
    }
    const nodes: RegisterNodeInfo[] = [
      ...list(ab["register"]).map((r) => importRegister(r, p)),
      ...list(ab["registerFile"]).map((rf): RegFileInfo => {
        const rfName = text(rf, "name", p);
        const rp = `${p}/registerFile[${rfName}]`;
        return {
          kind: "regfile",
          name: rfName,
          offset: num(text(rf, "addressOffset", rp), rp),
          count: rf["dim"] === undefined ? 1 : num(text(rf, "dim", rp), rp),
          stride: num(text(rf, "range", rp), rp),
          doc: optText(rf, "description") ?? "",
          registers: list(rf["register"]).map((r) => importRegister(r, rp)),
        };
      }),
    ];
    blocks.push({ name, offset: base, doc: optText(ab, "description") ?? "", nodes });
  }
  for (const m of memories) {
    const b = blocks.find((x) => x.name === m.block);
    if (b === undefined)
      throw new IpxactError(
        `memoryMap/addressBlock[${m.block}.${m.node.name}]`,
        `parent block "${m.block}" not found`,
      );
    b.nodes.push(m.node);
  }
  for (const b of blocks) b.nodes.sort((a, c) => a.offset - c.offset);
  const library = optText(comp, "library") ?? "";
  return {
    id: `${idPrefix ?? library}.${mapName}`,
    title: optText(ve, "title") ?? optText(mm, "description") ?? mapName,
    width: num(optText(ve, "width") ?? "32", "component"),
    spec: optText(ve, "spec") ?? "",
    blocks,
  };
}
