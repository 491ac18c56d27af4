/**
 * Markdown reference page of a spec: conventions, enums, and for every format a bit-field
 * diagram per variant (32 bits a row, in the style of the IETF packet diagrams) and a field
 * table; register maps with a diagram per register (MSB left, bits numbered LSB 0) and a
 * field table with each field's access semantics.
 *
 * @module
 */
import type {
  EnumModel,
  FieldModel,
  FormatModel,
  PayloadModel,
  RegisterMapModel,
  RegisterModel,
  RegNodeModel,
  SpecModel,
} from "@rashpa/spec";
import { formatByteSize, layoutPaths } from "@rashpa/spec";
import type { LayoutPath } from "@rashpa/spec";
import { generatedHeader } from "./ts-codec.js";

const hex = (n: number, digits = 4): string => `0x${n.toString(16).padStart(digits, "0")}`;
/** Text made safe for one Markdown table cell. */
export const cell = (s: string): string =>
  s
    .trim()
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|");

/**
 * Renders a bit-field diagram of fixed fields, 32 bits a row (MSB first, bit 0 left).
 *
 * @param fields - consecutive fields from bit 0
 * @returns the diagram lines
 */
export function bitDiagram(fields: readonly { name: string; bits: number }[]): string[] {
  const total = fields.reduce((a, f) => a + f.bits, 0);
  const rows = Math.ceil(total / 32);
  const border = (n: number): string => `+${"-+".repeat(n)}`;
  const lines = [
    ` ${Array.from({ length: 32 }, (_, i) => (i % 10 === 0 ? String(i / 10) : " ")).join(" ")}`,
    ` ${Array.from({ length: 32 }, (_, i) => String(i % 10)).join(" ")}`,
    border(32),
  ];
  let bit = 0;
  const segs: { row: number; start: number; len: number; name: string }[] = [];
  for (const f of fields) {
    let left = f.bits;
    let at = bit;
    while (left > 0) {
      const row = Math.floor(at / 32);
      const start = at % 32;
      const len = Math.min(left, 32 - start);
      segs.push({ row, start, len, name: f.name });
      at += len;
      left -= len;
    }
    bit += f.bits;
  }
  for (let r = 0; r < rows; r++) {
    const inRow = segs.filter((s) => s.row === r);
    let line = "|";
    let width = 0;
    for (const s of inRow) {
      const room = s.len * 2 - 1;
      let label = s.name.length > room ? s.name.slice(0, room) : s.name;
      if (room >= 1 && label.length === 0) label = "";
      const pad = room - label.length;
      line += " ".repeat(Math.floor(pad / 2)) + label + " ".repeat(pad - Math.floor(pad / 2)) + "|";
      width = s.start + s.len;
    }
    lines.push(line);
    lines.push(border(width));
  }
  return lines;
}

/**
 * Renders a register diagram: one row of `width` bits, most significant on the left, numbered
 * LSB 0 as register fields are; bits outside every field are shown as reserved (`-`).
 *
 * @param width - register width in bits
 * @param fields - the register's fields
 * @returns the diagram lines
 */
export function registerDiagram(
  width: number,
  fields: readonly { name: string; msb: number; lsb: number }[],
): string[] {
  const rows: string[] = [];
  for (let top = width - 1; top >= 0; top -= 32) {
    const bottom = Math.max(0, top - 31);
    const n = top - bottom + 1;
    const bits = Array.from({ length: n }, (_, i) => top - i);
    const border = `+${"-+".repeat(n)}`;
    rows.push(` ${bits.map((b) => String(Math.floor(b / 10))).join(" ")}`);
    rows.push(` ${bits.map((b) => String(b % 10)).join(" ")}`);
    rows.push(border);
    let line = "|";
    let bit = top;
    const inRow = fields
      .filter((f) => f.lsb <= top && f.msb >= bottom)
      .sort((a, b) => b.msb - a.msb);
    const cellOf = (label: string, len: number): string => {
      const room = len * 2 - 1;
      const text = label.length > room ? label.slice(0, room) : label;
      const pad = room - text.length;
      return `${" ".repeat(Math.floor(pad / 2))}${text}${" ".repeat(pad - Math.floor(pad / 2))}|`;
    };
    for (const f of inRow) {
      const hi = Math.min(f.msb, top);
      const lo = Math.max(f.lsb, bottom);
      if (hi < bit) line += cellOf("-", bit - hi);
      line += cellOf(f.name, hi - lo + 1);
      bit = lo - 1;
    }
    if (bit >= bottom) line += cellOf("-", bit - bottom + 1);
    rows.push(line, border);
  }
  return rows;
}

/** The type column of a field table: `uint`, `enum X`, `reserved = 0x0`, … */
export function fieldType(f: FieldModel): string {
  if (f.type === "enum") return `enum ${f.enum!.name}`;
  if (f.type === "reserved")
    return `reserved = ${hex(Number(f.value ?? 0n), 1)}${f.ignore ? " (ignored on decode)" : ""}`;
  if (f.type === "const") return `const = ${hex(Number(f.value ?? 0n), 1)}`;
  return f.type;
}

function pathSection(lines: string[], path: LayoutPath): void {
  const runs: (FieldModel | PayloadModel)[][] = [[]];
  for (const e of path.elements) {
    if (e.kind === "payload") runs.push([e], []);
    else runs[runs.length - 1]!.push(e);
  }
  lines.push("```");
  for (const run of runs) {
    if (run.length === 0) continue;
    const first = run[0]!;
    if (first.kind === "payload") {
      const len =
        first.length.kind === "field"
          ? `${first.length.field}${first.length.unit === 1 ? "" : ` x ${first.length.unit}`} bytes`
          : "rest of the input";
      lines.push(`| ${first.name} (${len}) ...`);
      continue;
    }
    lines.push(...bitDiagram(run as FieldModel[]));
  }
  lines.push("```", "");
  fieldTable(lines, path);
}

/**
 * Appends the field table of one variant of a format: bit range (MSB 0; `+n` after a
 * payload, relative to its end), field, width, type and description.
 *
 * @param lines - the page being built
 * @param path - one variant of a format
 */
export function fieldTable(lines: string[], path: LayoutPath): void {
  lines.push("| bits | field | width | type | description |", "|---|---|---|---|---|");
  let bit: number | undefined = 0;
  let rel = 0;
  for (const e of path.elements) {
    if (e.kind === "payload") {
      const len =
        e.length.kind === "field"
          ? `\`${e.length.field}\`${e.length.unit === 1 ? "" : ` × ${e.length.unit}`}${e.length.zeroMeans !== undefined ? ` (0 means ${e.length.zeroMeans})` : ""}`
          : "remainder";
      lines.push(
        `| ${bit === undefined ? `+${rel}` : bit}.. | \`${e.name}\` | ${len} bytes | payload | ${cell(e.doc)} |`,
      );
      bit = undefined;
      rel = 0;
      continue;
    }
    const at = bit === undefined ? `+${rel}` : String(bit);
    const end = bit === undefined ? `+${rel + e.bits - 1}` : String(bit + e.bits - 1);
    lines.push(
      `| ${e.bits === 1 ? at : `${at}..${end}`} | \`${e.name}\` | ${e.bits} | ${fieldType(e)} | ${cell(e.doc)} |`,
    );
    if (bit !== undefined) bit += e.bits;
    rel += e.bits;
  }
  lines.push("");
}

/** A discriminant value as written in the spec: the enum member name, true/false, or the number. */
function valueName(path: LayoutPath, field: string, value: number): string {
  const f = path.elements.find((e): e is FieldModel => e.kind === "field" && e.name === field);
  if (f?.type === "bool") return value === 1 ? "true" : "false";
  return f?.enum?.values.find((m) => m.value === value)?.name ?? String(value);
}

function formatSection(lines: string[], f: FormatModel): void {
  const size = formatByteSize(f);
  lines.push(`## \`${f.id}\` — ${f.title}`, "");
  if (f.doc.trim() !== "") lines.push(f.doc.trim(), "");
  lines.push(
    `Size: ${size === undefined ? "variable" : `${size} bytes`}.${f.source ? ` Source: ${f.source}.` : ""}`,
    "",
  );
  const paths = layoutPaths(f);
  for (const p of paths) {
    if (paths.length > 1)
      lines.push(`### Variant \`${p.name}\``, "", `Selected by: ${variantCondition(p)}.`, "");
    pathSection(lines, p);
  }
}

/**
 * What selects one variant of a format, as Markdown: each switch's case with the discriminant
 * values that select it, and the optional parts left out.
 *
 * @param p - one variant of a format
 */
export function variantCondition(p: LayoutPath): string {
  return p.choices
    .map((c) => {
      if (c.caseIndex < 0) return `optional part \`${c.switch.name}\` absent`;
      const cs = c.switch.cases[c.caseIndex]!;
      const cond = Object.entries(cs.when)
        .map(([k, v]) => `\`${k}\` ∈ {${v.map((x) => valueName(p, k, x)).join(", ")}}`)
        .join(" and ");
      return `${c.switch.tag ? `\`${c.switch.tag}\` = "${cs.name}"` : `\`${cs.name}\``}${cond ? ` when ${cond}` : " (default)"}`;
    })
    .join("; ");
}

/**
 * Appends the table of an enum: value, member name, description.
 *
 * @param lines - the page being built
 * @param e - the enum
 */
export function enumSection(lines: string[], e: EnumModel): void {
  lines.push(`### Enum ${e.name} (${e.bits} bits)`, "");
  if (e.doc.trim() !== "") lines.push(e.doc.trim(), "");
  lines.push("| value | name | description |", "|---|---|---|");
  for (const v of e.values) lines.push(`| ${v.value} | \`${v.name}\` | ${cell(v.doc)} |`);
  lines.push("");
}

/** The access of a register field as SystemRDL properties: `sw rw, hw r, onwrite woclr`. */
export function access(f: RegisterModel["fields"][number]): string {
  const parts = [`sw ${f.sw}`, `hw ${f.hw}`];
  if (f.onread) parts.push(`onread ${f.onread}`);
  if (f.onwrite) parts.push(`onwrite ${f.onwrite}`);
  if (f.singlepulse) parts.push("singlepulse");
  return parts.join(", ");
}

function registerSection(lines: string[], m: RegisterMapModel): void {
  lines.push(`## Register map \`${m.name}\` — ${m.title}`, "");
  if (m.doc.trim() !== "") lines.push(m.doc.trim(), "");
  lines.push(
    `Registers are ${m.width} bits wide; field bits are numbered from the least significant (bit 0).`,
    "",
  );
  const emitNode = (n: RegNodeModel, base: number, prefix: string): void => {
    if (n.kind === "memory") {
      lines.push(
        `### ${hex(base + n.offset)} \`${prefix}${n.name}\` — memory, ${n.entries} × ${n.entryBytes} bytes${n.format ? ` (format \`${n.format}\`)` : ""}`,
        "",
      );
      if (n.doc) lines.push(n.doc.trim(), "");
      return;
    }
    if (n.kind === "regfile") {
      for (const r of n.registers)
        emitNode(
          r,
          base + n.offset,
          `${prefix}${n.name}[0..${n.count - 1}] (stride ${hex(n.stride, 1)}).`,
        );
      return;
    }
    const arr = n.count > 1 ? `[0..${n.count - 1}] (stride ${hex(n.stride, 1)})` : "";
    lines.push(`### ${hex(base + n.offset)} \`${prefix}${n.name}${arr}\``, "");
    if (n.doc) lines.push(n.doc.trim(), "");
    lines.push("```", ...registerDiagram(n.width, n.fields), "```", "");
    lines.push("| bits | field | access | reset | description |", "|---|---|---|---|---|");
    for (const f of [...n.fields].sort((a, b) => b.msb - a.msb)) {
      const bits = f.msb === f.lsb ? String(f.lsb) : `${f.msb}:${f.lsb}`;
      const reset = f.reset === undefined ? "—" : `0x${f.reset.toString(16)}`;
      lines.push(
        `| ${bits} | \`${f.name}\` | ${access(f)} | ${reset} | ${cell(f.doc)}${f.enum ? ` (enum ${f.enum.name})` : ""} |`,
      );
    }
    lines.push("");
  };
  for (const b of m.blocks) {
    lines.push(`### Block \`${b.name}\` at ${hex(b.offset)}`, "");
    if (b.doc) lines.push(b.doc.trim(), "");
    for (const n of b.nodes) emitNode(n, b.offset, "");
  }
}

/**
 * Generates the Markdown reference page of a spec.
 *
 * @param spec - a loaded spec
 * @returns the page text
 */
export function generateMarkdown(spec: SpecModel): string {
  const lines: string[] = [];
  lines.push(`<!-- ${generatedHeader(spec, "").trim()} -->`, "");
  lines.push(`# ${spec.title}`, "");
  lines.push(
    `Spec \`${spec.id}\`, from \`${spec.file}\`.${spec.source ? ` Sources: ${spec.source}.` : ""}`,
    "",
  );
  if (spec.doc.trim() !== "") lines.push(spec.doc.trim(), "");
  lines.push(
    "Conventions: formats are big-endian and their bits are numbered from the most significant bit of byte 0 (bit 0). " +
      "Diagrams show 32 bits a row. Reserved fields must hold the value shown; decoders reject anything else unless the field is marked as ignored.",
    "",
  );
  if (spec.formats.length > 0) {
    lines.push("| format | title | bytes |", "|---|---|---|");
    for (const f of spec.formats)
      lines.push(`| \`${f.id}\` | ${f.title} | ${formatByteSize(f) ?? "variable"} |`);
    lines.push("");
  }
  if (spec.enums.length > 0) {
    lines.push("## Enums", "");
    for (const e of spec.enums) enumSection(lines, e);
  }
  for (const f of spec.formats) formatSection(lines, f);
  for (const m of spec.registerMaps) registerSection(lines, m);
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
