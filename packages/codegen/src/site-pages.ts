/**
 * Pages of the reference site: one Markdown page per packet format and one per register map,
 * with SVG bit-field diagrams ({@link formatSvg}, {@link registerSvg}), field tables, enum
 * tables and, for registers, the access of every field. TypeDoc renders them as project
 * documents beside the API reference (front matter `group` places them in its navigation);
 * they link to the generated API symbols, and the generated symbols link back to them.
 *
 * Written to `packages/<pkg>/src/gen/pages/<id>.md`, where `<id>` is the format's global id
 * (`pcie.tlp`) or the register map's (`rashpa.controller`, as `rashpa regs` names it).
 *
 * @module
 */
import type {
  EnumModel,
  FieldModel,
  FormatModel,
  PayloadModel,
  RegFieldModel,
  RegisterMapModel,
  RegNodeModel,
  SpecModel,
} from "@rashpa/spec";
import { formatByteSize, layoutPaths } from "@rashpa/spec";
import { access, cell, enumSection, fieldTable, variantCondition } from "./markdown.js";
import { formatSvg, registerSvg } from "./svg.js";
import { enumNames, formatNames, generatedHeader } from "./ts-codec.js";
import { registerMapNames } from "./ts-registers.js";
export { PAGES_DIR, sitePagePath } from "./names.js";

/** Front-matter group of packet-format pages in the site's navigation. */
export const FORMAT_PAGE_GROUP = "Packet formats";

/** Front-matter group of register-map pages in the site's navigation. */
export const REGISTER_PAGE_GROUP = "Register maps";

/** Global id of a register map: `<idPrefix>.<map name>` (the id `rashpa regs` lists). */
export function registerMapId(spec: SpecModel, map: RegisterMapModel): string {
  return `${spec.idPrefix}.${map.name}`;
}

/**
 * Short access mnemonic of a register field, from its SystemRDL properties: `RW`, `RO`, `WO`,
 * `W1C` (`onwrite: woclr`), `W1S` (`woset`), `W1T` (`wot`), `W0C`/`W0S`/`W0T` (`wzc`, `wzs`,
 * `wzt`), `WC`/`WS` (`wclr`, `wset`), `RC`/`RS` for read side effects (`onread: rclr`,
 * `rset`), `W1`/`RW1` (writable once after reset), `NA`; `+P` when a write of 1 pulses
 * (`singlepulse`).
 *
 * @param f - a register field
 */
export function accessMnemonic(f: RegFieldModel): string {
  const onwrite: Record<string, string> = {
    woclr: "W1C",
    woset: "W1S",
    wot: "W1T",
    wzc: "W0C",
    wzs: "W0S",
    wzt: "W0T",
    wclr: "WC",
    wset: "WS",
  };
  const base: Record<string, string> = {
    r: "RO",
    w: "WO",
    rw: "RW",
    w1: "W1",
    rw1: "RW1",
    na: "NA",
  };
  const parts: string[] = [];
  if (f.onwrite !== undefined) {
    // A readable field keeps its read side; the write side is the side effect.
    if (f.sw === "rw" || f.sw === "rw1") parts.push(`R/${onwrite[f.onwrite]!}`);
    else parts.push(onwrite[f.onwrite]!);
  } else parts.push(base[f.sw] ?? f.sw.toUpperCase());
  if (f.onread === "rclr") parts.push("RC");
  if (f.onread === "rset") parts.push("RS");
  let out = parts.join(", ");
  if (f.singlepulse) out += "+P";
  return out;
}

const ACCESS_LEGEND =
  "Access: `RO` read-only, `WO` write-only, `RW` read-write, `W1`/`RW1` writable once after reset, " +
  "`R/W1C` read, write 1 to clear (`W1S` set, `W1T` toggle; `W0C`/`W0S`/`W0T` on a write of 0; `WC`/`WS` any write clears/sets), " +
  "`RC`/`RS` a read clears/sets, `+P` a write of 1 pulses for one cycle (`singlepulse`). " +
  "The SystemRDL 2.0 properties of the spec (`sw`, `hw`, `onread`, `onwrite`, `singlepulse`) are in the table.";

/** Relative link from one package's pages directory to a page of another (or the same) package. */
function pageHref(fromPackage: string, toPackage: string, id: string): string {
  return fromPackage === toPackage
    ? `./${id}.md`
    : `../../../../${toPackage}/src/gen/pages/${id}.md`;
}

/** Link to the spec file from a page (`packages/<pkg>/src/gen/pages/`). */
function specHref(spec: SpecModel): string {
  return `../../../../../${spec.file}`;
}

function frontMatter(title: string, group: string): string[] {
  return ["---", `title: ${title}`, `group: ${group}`, "---"];
}

/** API link of a generated symbol, resolved by TypeDoc in the package's module. */
function api(spec: SpecModel, name: string): string {
  return `{@link @rashpa/${spec.package}!${name} ${name}}`;
}

/** Enums used by some field of a format, in the spec's order. */
function formatEnums(spec: SpecModel, f: FormatModel): EnumModel[] {
  const used = new Set<EnumModel>();
  for (const p of layoutPaths(f))
    for (const e of p.elements) if (e.kind === "field" && e.enum) used.add(e.enum);
  return spec.enums.filter((e) => used.has(e));
}

function diagrams(
  lines: string[],
  f: FormatModel,
  variant: string,
  elements: readonly (FieldModel | PayloadModel)[],
): void {
  let run: FieldModel[] = [];
  let byte: number | undefined = 0;
  let afterPayload = false;
  const flush = (): void => {
    if (run.length === 0) return;
    const bits = run.reduce((a, x) => a + x.bits, 0);
    lines.push(
      `<div class="rashpa-diagram">${formatSvg(
        run.map((x) => ({
          name: x.name,
          bits: x.bits,
          kind: x.type === "reserved" ? "reserved" : x.type === "const" ? "const" : "field",
        })),
        `${f.id}${variant ? ` variant ${variant}` : ""}: ${afterPayload ? "fields after the payload" : "header"}`,
        byte,
      )}</div>`,
      "",
    );
    if (byte !== undefined) byte += bits / 8;
    run = [];
  };
  for (const e of elements) {
    if (e.kind === "field") {
      run.push(e);
      continue;
    }
    flush();
    const len =
      e.length.kind === "field"
        ? `\`${e.length.field}\`${e.length.unit === 1 ? "" : ` × ${e.length.unit}`} bytes${e.length.zeroMeans !== undefined ? ` (0 means ${e.length.zeroMeans})` : ""}`
        : "the rest of the input";
    lines.push(`Then the payload \`${e.name}\`: ${len}.`, "");
    byte = undefined;
    afterPayload = true;
  }
  flush();
}

/**
 * The site page of one packet format.
 *
 * @param spec - the spec declaring the format
 * @param f - the format
 * @returns the page text (Markdown with front matter and inline SVG)
 */
export function generateFormatPage(spec: SpecModel, f: FormatModel): string {
  const n = formatNames(f);
  const size = formatByteSize(f);
  const paths = layoutPaths(f);
  const lines: string[] = [...frontMatter(f.id, FORMAT_PAGE_GROUP), ""];
  lines.push(`<!-- ${generatedHeader(spec, "").trim()} -->`, "");
  lines.push(`# ${f.id} — ${f.title}`, "");
  if (f.doc.trim() !== "") lines.push(f.doc.trim(), "");
  const variants =
    paths.length === 1
      ? "one"
      : paths.length <= 8
        ? paths.map((p) => `\`${p.name}\``).join(", ")
        : `${paths.length}, each below`;
  lines.push(
    `- **Size:** ${size === undefined ? "variable" : `${size} bytes`}; **variants:** ${variants}.`,
    `- **Source:** ${f.source ? cell(f.source) : "—"}.`,
    `- **Spec:** [\`${spec.file}\`](${specHref(spec)}) (spec \`${spec.id}\`), generated into \`@rashpa/${spec.package}\`.`,
    `- **API:** ${[n.decode, n.encode, n.encodeInto, n.byteLength, n.is, n.fromJson, n.info].map((x) => api(spec, x)).join(", ")}; type ${api(spec, n.type)}.`,
    `- **CLI:** \`rashpa decode ${f.id} <hex>\`, \`rashpa encode ${f.id} '<json>'\`.`,
    "",
  );
  lines.push(
    "Bits are numbered from the most significant bit of byte 0 (bit 0), 32 bits a row; the number at the left of a row is its byte offset " +
      "(`+n` after a payload: bytes from its end). Shaded boxes are reserved (darker) or constant fields.",
    "",
  );
  for (const p of paths) {
    if (paths.length > 1)
      lines.push(`## Variant ${p.name}`, "", `Selected by: ${variantCondition(p)}.`, "");
    else lines.push("## Layout", "");
    diagrams(lines, f, p.name, p.elements);
    fieldTable(lines, p);
  }
  const enums = formatEnums(spec, f);
  if (enums.length > 0) {
    lines.push("## Enums", "");
    for (const e of enums) {
      enumSection(lines, e);
      lines.push(`In the API: type ${api(spec, e.name)}, ${api(spec, enumNames(e).names)}.`, "");
    }
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}

/**
 * The site page of one register map.
 *
 * @param spec - the spec declaring the map
 * @param m - the register map
 * @param formatPackages - package of each format id, to link memories to their entry format
 * @returns the page text (Markdown with front matter and inline SVG)
 */
export function generateRegisterMapPage(
  spec: SpecModel,
  m: RegisterMapModel,
  formatPackages: ReadonlyMap<string, string> = new Map(),
): string {
  const names = registerMapNames(m);
  const id = registerMapId(spec, m);
  const lines: string[] = [...frontMatter(id, REGISTER_PAGE_GROUP), ""];
  lines.push(`<!-- ${generatedHeader(spec, "").trim()} -->`, "");
  lines.push(`# ${id} — ${m.title}`, "");
  if (m.doc.trim() !== "") lines.push(m.doc.trim(), "");
  lines.push(
    `- **Width:** ${m.width} bits; field bits numbered from the least significant (bit 0).`,
    `- **Spec:** [\`${spec.file}\`](${specHref(spec)}) (spec \`${spec.id}\`), generated into \`@rashpa/${spec.package}\`.`,
    `- **API:** ${[names.info, names.factory, names.asyncFactory, names.hardwareFactory].map((x) => api(spec, x)).join(", ")}; type ${api(spec, names.tree)}.`,
    `- **CLI:** \`rashpa regs ${id}\`, \`rashpa regs ${id} decode <register> <value>\`.`,
    "",
    ACCESS_LEGEND,
    "",
  );
  const hex = (v: number, digits = 4): string => `0x${v.toString(16).padStart(digits, "0")}`;
  const enums = new Set<EnumModel>();
  const emit = (node: RegNodeModel, base: number, prefix: string): void => {
    if (node.kind === "memory") {
      const fmt = node.format;
      const pkg = fmt === undefined ? undefined : formatPackages.get(fmt);
      const fmtText =
        fmt === undefined
          ? ""
          : pkg === undefined
            ? `, entry format \`${fmt}\``
            : `, entry format [\`${fmt}\`](${pageHref(spec.package, pkg, fmt)})`;
      lines.push(
        `### ${hex(base + node.offset)} ${prefix}${node.name}`,
        "",
        `Memory: ${node.entries} entries of ${node.entryBytes} bytes, software access \`${node.sw}\`${fmtText}.`,
        "",
      );
      if (node.doc.trim() !== "") lines.push(node.doc.trim(), "");
      return;
    }
    if (node.kind === "regfile") {
      lines.push(
        `### ${hex(base + node.offset)} ${prefix}${node.name}[0..${node.count - 1}]`,
        "",
        `Register file: ${node.count} elements, stride ${hex(node.stride, 1)}; offsets below are those of element 0.`,
        "",
      );
      if (node.doc.trim() !== "") lines.push(node.doc.trim(), "");
      for (const r of node.registers) emit(r, base + node.offset, `${prefix}${node.name}[i].`);
      return;
    }
    const arr = node.count > 1 ? `[0..${node.count - 1}]` : "";
    lines.push(`### ${hex(base + node.offset)} ${prefix}${node.name}${arr}`, "");
    if (node.count > 1)
      lines.push(`Array of ${node.count} registers, stride ${hex(node.stride, 1)}.`, "");
    if (node.doc.trim() !== "") lines.push(node.doc.trim(), "");
    lines.push(
      `<div class="rashpa-diagram">${registerSvg(
        node.width,
        node.fields.map((f) => ({
          name: f.name,
          msb: f.msb,
          lsb: f.lsb,
          access: accessMnemonic(f),
        })),
        `${id} ${prefix}${node.name} (${node.width} bits)`,
      )}</div>`,
      "",
    );
    lines.push(
      "| bits | field | access | SystemRDL | reset | description |",
      "|---|---|---|---|---|---|",
    );
    for (const f of [...node.fields].sort((a, b) => b.msb - a.msb)) {
      if (f.enum) enums.add(f.enum);
      const bits = f.msb === f.lsb ? String(f.lsb) : `${f.msb}:${f.lsb}`;
      const reset = f.reset === undefined ? "—" : `0x${f.reset.toString(16)}`;
      lines.push(
        `| ${bits} | \`${f.name}\` | ${accessMnemonic(f)} | ${access(f)} | ${reset} | ${cell(f.doc)}${f.enum ? ` (enum \`${f.enum.name}\`)` : ""} |`,
      );
    }
    lines.push("");
  };
  for (const b of m.blocks) {
    lines.push(`## Block ${b.name} at ${hex(b.offset)}`, "");
    if (b.doc.trim() !== "") lines.push(b.doc.trim(), "");
    for (const node of b.nodes) emit(node, b.offset, "");
  }
  const used = spec.enums.filter((e) => enums.has(e));
  if (used.length > 0) {
    lines.push("## Enums", "");
    for (const e of used) {
      enumSection(lines, e);
      lines.push(`In the API: type ${api(spec, e.name)}, ${api(spec, enumNames(e).names)}.`, "");
    }
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
