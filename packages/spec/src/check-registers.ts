/**
 * Semantic checks of register maps (SystemRDL 2.0 vocabulary): field ranges and overlaps,
 * reset values, access combinations, register alignment, array strides, overlapping
 * registers and blocks, memory entry formats.
 *
 * @module
 */
import type { SpecSource, YamlPath } from "./_internals/source.js";
import type {
  BlockModel,
  EnumModel,
  FormatModel,
  MemoryModel,
  RegFieldModel,
  RegFileModel,
  RegisterMapModel,
  RegisterModel,
  RegNodeModel,
} from "./model.js";
import { bitCount } from "./check-format.js";
import { formatPath } from "./diagnostics.js";
import { formatByteSize } from "./layout.js";
import type { BlockRaw, RegFieldRaw, RegisterMapRaw, RegisterRaw, RegNodeRaw } from "./schema.js";

/** An address range `[start, end)` and where it was declared. */
interface Extent {
  readonly start: number;
  readonly end: number;
  readonly label: string;
  readonly path: YamlPath;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
/** Above this many array elements, overlap checks use the array's whole span. */
const MAX_ENUMERATED_ELEMENTS = 4096;

/**
 * A memory whose `format` names a format of another spec by its global id
 * (`<idPrefix>.<format name>`): checked once every spec loaded together is known, by
 * {@link checkFormatReferences}.
 */
export interface FormatReference {
  /** YAML path of the memory. */
  readonly path: YamlPath;
  /** The format id as written. */
  readonly id: string;
  /** The memory's `entryBytes`, which must equal the format's size. */
  readonly entryBytes: number;
}

/** What the checks of a map need besides the map: where formats are, where to defer references. */
export interface RegisterMapContext {
  /** Enums of the spec, by name (`undefined`: declared with problems). */
  readonly enums: ReadonlyMap<string, EnumModel | undefined>;
  /** Formats of the spec, by name (`undefined`: declared with problems). */
  readonly formats: ReadonlyMap<string, FormatModel | undefined>;
  /** The spec's id prefix, which turns a format name into its global id. */
  readonly idPrefix: string;
  /** Receives the references to formats of other specs, checked later. */
  readonly references: FormatReference[];
}

/** Checks one register map; reports problems to `src`. */
export function checkRegisterMap(
  src: SpecSource,
  name: string,
  raw: RegisterMapRaw,
  ctx: RegisterMapContext,
): RegisterMapModel {
  const path: YamlPath = ["registers", name];
  const width = raw.width ?? 32;
  const names = new Set<string>();
  const blocks: BlockModel[] = [];
  const extents: Extent[] = [];
  raw.blocks.forEach((b, i) => {
    const bp: YamlPath = [...path, "blocks", i];
    if (names.has(b.name))
      src.reportText([...bp, "name"], "a block name not used before in this map", `"${b.name}"`);
    names.add(b.name);
    const block = checkBlock(src, bp, b, width, ctx);
    blocks.push(block);
    const span = nodesSpan(block.nodes);
    if (span > 0)
      extents.push({
        start: block.offset,
        end: block.offset + span,
        label: `block "${b.name}"`,
        path: [...bp, "offset"],
      });
  });
  reportOverlaps(src, extents, "a block");
  return {
    name,
    title: raw.title,
    doc: raw.doc ?? "",
    width,
    bitOrder: "lsb0",
    blocks,
    loc: src.loc(path, true),
  };
}

function checkBlock(
  src: SpecSource,
  bp: YamlPath,
  raw: BlockRaw,
  width: number,
  ctx: RegisterMapContext,
): BlockModel {
  const nodes = checkNodes(src, [...bp, "registers"], raw.registers, width, ctx);
  return { name: raw.name, offset: raw.offset, doc: raw.doc ?? "", nodes, loc: src.loc(bp) };
}

function checkNodes(
  src: SpecSource,
  path: YamlPath,
  raws: readonly RegNodeRaw[],
  width: number,
  ctx: RegisterMapContext,
): RegNodeModel[] {
  const names = new Set<string>();
  const nodes: RegNodeModel[] = [];
  const extents: Extent[] = [];
  raws.forEach((raw, i) => {
    const p: YamlPath = [...path, i];
    const nodeName = "regfile" in raw ? raw.regfile : "memory" in raw ? raw.memory : raw.name;
    const nameKey = "regfile" in raw ? "regfile" : "memory" in raw ? "memory" : "name";
    if (names.has(nodeName))
      src.reportText([...p, nameKey], "a name not used before at this level", `"${nodeName}"`);
    names.add(nodeName);
    let node: RegNodeModel;
    if ("regfile" in raw) {
      const regs = checkNodes(
        src,
        [...p, "registers"],
        raw.registers,
        width,
        ctx,
      ) as RegisterModel[];
      const size = nodesSpan(regs);
      if (raw.stride < size)
        src.reportText(
          [...p, "stride"],
          `a stride of at least ${size} bytes (one element of the register file)`,
          String(raw.stride),
        );
      node = {
        kind: "regfile",
        name: raw.regfile,
        offset: raw.offset,
        count: raw.count,
        stride: raw.stride,
        size,
        doc: raw.doc ?? "",
        registers: regs,
        loc: src.loc(p),
      } satisfies RegFileModel;
    } else if ("memory" in raw) {
      node = checkMemory(src, p, raw, ctx);
    } else {
      node = checkRegister(src, p, raw, width, ctx.enums);
    }
    nodes.push(node);
    addExtents(extents, node, p);
  });
  reportOverlaps(src, extents, "a register");
  return nodes;
}

function checkMemory(
  src: SpecSource,
  p: YamlPath,
  raw: Extract<RegNodeRaw, { memory: string }>,
  ctx: RegisterMapContext,
): MemoryModel {
  let format: string | undefined;
  if (raw.format !== undefined && raw.format.includes(".")) {
    // The global id of a format, possibly of another spec: checked once all specs are known.
    format = raw.format;
    ctx.references.push({ path: p, id: raw.format, entryBytes: raw.entryBytes });
  } else if (raw.format !== undefined) {
    format = `${ctx.idPrefix}.${raw.format}`;
    const f = ctx.formats.get(raw.format);
    if (!ctx.formats.has(raw.format))
      src.reportText(
        [...p, "format"],
        `a format of this spec (${[...ctx.formats.keys()].join(", ") || "none"})`,
        `"${raw.format}"`,
      );
    else if (f) checkEntryFormat(src, p, raw.format, f, raw.entryBytes);
  }
  return {
    kind: "memory",
    name: raw.memory,
    offset: raw.offset,
    entries: raw.entries,
    entryBytes: raw.entryBytes,
    format,
    sw: raw.sw ?? "rw",
    doc: raw.doc ?? "",
    loc: src.loc(p),
  };
}

/** A memory's entry format must have a fixed size of `entryBytes`. */
function checkEntryFormat(
  src: SpecSource,
  p: YamlPath,
  written: string,
  f: FormatModel,
  entryBytes: number,
): void {
  const size = formatByteSize(f);
  if (size === undefined)
    src.reportText(
      [...p, "format"],
      "a format of fixed size for memory entries",
      `format "${written}" of variable size`,
    );
  else if (size !== entryBytes)
    src.reportText(
      [...p, "entryBytes"],
      `${size} bytes, the size of format "${written}"`,
      String(entryBytes),
    );
}

/**
 * Checks the memories that name a format by global id against the formats known when the
 * spec is loaded: its own and those of the specs loaded with it.
 *
 * @param src - the spec's source, which receives the problems
 * @param references - the references collected by {@link checkRegisterMap}
 * @param known - formats by global id (`undefined`: declared with problems, already reported)
 */
export function checkFormatReferences(
  src: SpecSource,
  references: readonly FormatReference[],
  known: ReadonlyMap<string, FormatModel | undefined>,
): void {
  for (const r of references) {
    const f = known.get(r.id);
    if (!known.has(r.id))
      src.reportText(
        [...r.path, "format"],
        `a format of this spec or the id of a format of a spec loaded with it (${[...known.keys()].sort().join(", ") || "none"})`,
        `"${r.id}"`,
      );
    else if (f) checkEntryFormat(src, r.path, r.id, f, r.entryBytes);
  }
}

function checkRegister(
  src: SpecSource,
  p: YamlPath,
  raw: RegisterRaw,
  mapWidth: number,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): RegisterModel {
  const width = raw.width ?? mapWidth;
  const bytes = width / 8;
  if (raw.offset % bytes !== 0)
    src.reportText(
      [...p, "offset"],
      `an offset aligned to ${bytes} bytes (the register width)`,
      hex(raw.offset),
    );
  const count = raw.count ?? 1;
  const stride = raw.stride ?? bytes;
  if (raw.stride !== undefined && raw.count === undefined)
    src.reportText(
      [...p, "stride"],
      'a "count" with "stride" (arrays only)',
      `stride ${raw.stride} without count`,
      true,
    );
  if (stride < bytes || stride % bytes !== 0)
    src.reportText([...p, "stride"], `a multiple of ${bytes} bytes`, String(stride));
  const fields: RegFieldModel[] = [];
  const used: { msb: number; lsb: number; name: string }[] = [];
  const names = new Set<string>();
  raw.fields.forEach((f, i) => {
    const fp: YamlPath = [...p, "fields", i];
    if (names.has(f.name))
      src.reportText(
        [...fp, "name"],
        "a field name not used before in this register",
        `"${f.name}"`,
      );
    names.add(f.name);
    const field = checkRegField(src, fp, f, width, enums);
    if (field) {
      const clash = used.find((u) => field.lsb <= u.msb && u.lsb <= field.msb);
      if (clash)
        src.reportText(
          [...fp, "bits"],
          `bits not overlapping field "${clash.name}" (${clash.msb}:${clash.lsb})`,
          `${field.msb}:${field.lsb}`,
        );
      used.push({ msb: field.msb, lsb: field.lsb, name: field.name });
      fields.push(field);
    }
  });
  return {
    kind: "register",
    name: raw.name,
    offset: raw.offset,
    count,
    stride,
    width,
    doc: raw.doc ?? "",
    fields,
    loc: src.loc(p),
  };
}

function checkRegField(
  src: SpecSource,
  fp: YamlPath,
  raw: RegFieldRaw,
  width: number,
  enums: ReadonlyMap<string, EnumModel | undefined>,
): RegFieldModel | undefined {
  let msb: number;
  let lsb: number;
  if (typeof raw.bits === "number") msb = lsb = raw.bits;
  else {
    const [a, b] = raw.bits.split(":").map(Number) as [number, number];
    msb = a;
    lsb = b;
  }
  if (msb < lsb) {
    src.reportText([...fp, "bits"], '"msb:lsb" with msb >= lsb', String(raw.bits));
    return undefined;
  }
  if (msb >= width) {
    src.reportText(
      [...fp, "bits"],
      `bits within the ${width}-bit register (${width - 1}:0)`,
      String(raw.bits),
    );
    return undefined;
  }
  const fw = msb - lsb + 1;
  const sw = raw.sw ?? "rw";
  const hw = raw.hw ?? "r";
  const readable = sw === "r" || sw === "rw" || sw === "rw1";
  const writable = sw !== "r" && sw !== "na";
  if (raw.onread !== undefined && !readable)
    src.reportText(
      [...fp, "onread"],
      "onread only on a software-readable field",
      `onread: ${raw.onread} with sw: ${sw}`,
      true,
    );
  if (raw.onwrite !== undefined && !writable)
    src.reportText(
      [...fp, "onwrite"],
      "onwrite only on a software-writable field",
      `onwrite: ${raw.onwrite} with sw: ${sw}`,
      true,
    );
  if (raw.singlepulse === true && (!writable || fw !== 1))
    src.reportText(
      [...fp, "singlepulse"],
      "singlepulse only on a writable 1-bit field",
      `sw: ${sw}, ${bitCount(fw)}`,
      true,
    );
  if (sw === "r" && (hw === "r" || hw === "na") && raw.reset === undefined)
    src.reportText(
      [...fp, "hw"],
      'a read-only field that hardware writes (hw: w or rw) or a "reset" constant',
      `sw: r, hw: ${hw} and no reset`,
      true,
    );
  if (raw.reset !== undefined && raw.reset >= 1n << BigInt(fw))
    src.reportText(
      [...fp, "reset"],
      `a reset value that fits in ${bitCount(fw)} (at most ${(1n << BigInt(fw)) - 1n})`,
      raw.reset.toString(),
    );
  let enumModel: EnumModel | undefined;
  if (raw.enum !== undefined) {
    enumModel = enums.get(raw.enum);
    if (!enums.has(raw.enum))
      src.reportText(
        [...fp, "enum"],
        `one of the enums declared in this spec (${[...enums.keys()].join(", ") || "none"})`,
        `"${raw.enum}"`,
      );
    else if (enumModel && enumModel.bits > fw)
      src.reportText(
        [...fp, "enum"],
        `an enum of at most ${bitCount(fw)} (the field width)`,
        `enum ${enumModel.name} of ${bitCount(enumModel.bits)}`,
      );
  }
  return {
    name: raw.name,
    msb,
    lsb,
    sw,
    hw,
    onread: raw.onread,
    onwrite: raw.onwrite,
    singlepulse: raw.singlepulse ?? false,
    reset: raw.reset,
    enum: enumModel,
    doc: raw.doc ?? "",
    loc: src.loc(fp),
  };
}

function elementBytes(n: RegNodeModel): number {
  return n.kind === "register"
    ? n.width / 8
    : n.kind === "regfile"
      ? n.size
      : n.entries * n.entryBytes;
}

function nodeEnd(n: RegNodeModel): number {
  const count = n.kind === "memory" ? 1 : n.count;
  const stride = n.kind === "memory" ? 0 : n.stride;
  return n.offset + (count - 1) * stride + elementBytes(n);
}

/** Bytes from offset 0 to the end of the last node. */
function nodesSpan(nodes: readonly RegNodeModel[]): number {
  return nodes.reduce((m, n) => Math.max(m, nodeEnd(n)), 0);
}

function addExtents(into: Extent[], n: RegNodeModel, p: YamlPath): void {
  const size = elementBytes(n);
  const label = `${n.kind} "${n.name}"`;
  const count = n.kind === "memory" ? 1 : n.count;
  const stride = n.kind === "memory" ? size : n.stride;
  if (count > MAX_ENUMERATED_ELEMENTS) {
    into.push({ start: n.offset, end: nodeEnd(n), label, path: [...p, "offset"] });
    return;
  }
  for (let i = 0; i < count; i++) {
    const start = n.offset + i * stride;
    into.push({
      start,
      end: start + size,
      label: count > 1 ? `${label}[${i}]` : label,
      path: [...p, "offset"],
    });
  }
}

function reportOverlaps(src: SpecSource, extents: Extent[], what: string): void {
  const sorted = [...extents].sort((a, b) => a.start - b.start || a.end - b.end);
  let reach: Extent | undefined;
  for (const cur of sorted) {
    // Elements of one array overlapping each other are reported by its stride check.
    if (reach && cur.start < reach.end && formatPath(reach.path) !== formatPath(cur.path)) {
      const [later, other] =
        src.loc(reach.path).line > src.loc(cur.path).line ? [reach, cur] : [cur, reach];
      src.reportText(
        later.path,
        `${what} not overlapping ${other.label} (${hex(other.start)}..${hex(other.end - 1)})`,
        `${later.label} at ${hex(later.start)}..${hex(later.end - 1)}`,
      );
    }
    if (!reach || cur.end > reach.end) reach = cur;
  }
}
