/**
 * Loading spec files: YAML → structural validation (io-ts) → semantic checks → model.
 * All problems of a file are collected and thrown together as one {@link SpecError}.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as t from "io-ts";
import { SpecSource } from "./_internals/source.js";
import type { YamlPath } from "./_internals/source.js";
import { checkFormat } from "./check-format.js";
import { checkRegisterMap } from "./check-registers.js";
import { SpecError } from "./diagnostics.js";
import type { EnumModel, FormatModel, RegisterMapModel, SpecModel } from "./model.js";
import { EnumRaw, FormatRaw, RegisterMapRaw, SpecHeaderRaw, strictRecord } from "./schema.js";

/**
 * Parses and checks spec text.
 *
 * @param text - YAML text of the spec file
 * @param file - name used in messages (a path relative to the repository root)
 * @returns the checked model
 * @throws {@link SpecError} listing every problem, each as `file:line:col`
 * @example
 * ```ts
 * const model = loadSpecText(readFileSync("specs/rashpa/descriptors.yaml", "utf8"), "specs/rashpa/descriptors.yaml");
 * ```
 */
export function loadSpecText(text: string, file: string): SpecModel {
  const src = new SpecSource(file, text);
  if (src.diagnostics.length > 0) throw new SpecError(src.diagnostics);
  const header = validate(src, [], SpecHeaderRaw, src.value);
  const root = (typeof src.value === "object" && src.value !== null ? src.value : {}) as Record<string, unknown>;

  const enums = new Map<string, EnumModel>();
  const rawEnums = validate(src, ["enums"], strictRecord("enum names (PascalCase)", /^[A-Z][a-zA-Z0-9]*$/, t.unknown), root["enums"] ?? {});
  for (const [name, value] of Object.entries(rawEnums ?? {})) {
    const e = validate(src, ["enums", name], EnumRaw, value);
    if (e) enums.set(name, checkEnum(src, name, e));
  }

  const idPrefix = header?.idPrefix ?? header?.spec.split(".")[0] ?? "spec";
  const formats = new Map<string, FormatModel>();
  const rawFormats = validate(src, ["formats"], strictRecord("format names (kebab-case)", /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, t.unknown), root["formats"] ?? {});
  for (const [name, value] of Object.entries(rawFormats ?? {})) {
    const f = validate(src, ["formats", name], FormatRaw, value);
    if (f) formats.set(name, checkFormat(src, name, f, idPrefix, enums));
  }

  const registerMaps: RegisterMapModel[] = [];
  const rawMaps = validate(src, ["registers"], strictRecord("register map names (kebab-case)", /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, t.unknown), root["registers"] ?? {});
  for (const [name, value] of Object.entries(rawMaps ?? {})) {
    const m = validate(src, ["registers", name], RegisterMapRaw, value);
    if (m) registerMaps.push(checkRegisterMap(src, name, m, enums, formats));
  }

  if (src.diagnostics.length > 0 || !header) {
    const sorted = [...src.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
    throw new SpecError(sorted);
  }
  return {
    id: header.spec,
    file,
    title: header.title,
    doc: header.doc ?? "",
    source: header.source ?? "",
    package: header.package,
    idPrefix,
    byteOrder: header.byteOrder,
    bitOrder: header.bitOrder,
    enums: [...enums.values()],
    formats: [...formats.values()],
    registerMaps,
  };
}

/**
 * Reads and checks one spec file.
 *
 * @param path - path of the YAML file
 * @param root - directory that messages are relative to (default: the working directory)
 * @throws {@link SpecError} listing every problem
 */
export function loadSpecFile(path: string, root: string = process.cwd()): SpecModel {
  return loadSpecText(readFileSync(path, "utf8"), relative(root, path).split("\\").join("/"));
}

/**
 * Loads every `*.yaml` spec under a directory (recursively, in sorted order). Problems of
 * all files are gathered into one {@link SpecError}.
 */
export function loadSpecDir(dir: string, root: string = process.cwd()): SpecModel[] {
  const files = listYaml(dir);
  const models: SpecModel[] = [];
  const problems: SpecError[] = [];
  for (const f of files) {
    try {
      models.push(loadSpecFile(f, root));
    } catch (e) {
      if (e instanceof SpecError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length > 0) throw new SpecError(problems.flatMap((p) => p.diagnostics));
  checkGlobalIds(models);
  return models;
}

function listYaml(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listYaml(p));
    else if (name.endsWith(".yaml") || name.endsWith(".yml")) out.push(p);
  }
  return out;
}

function checkGlobalIds(models: readonly SpecModel[]): void {
  const seen = new Map<string, FormatModel>();
  const problems = [];
  for (const m of models) {
    for (const f of m.formats) {
      const prev = seen.get(f.id);
      if (prev) {
        problems.push({
          file: f.loc.file,
          line: f.loc.line,
          col: f.loc.col,
          path: `formats.${f.name}`,
          expected: "a format id unique across all specs",
          found: `"${f.id}" (also defined at ${prev.loc.file}:${prev.loc.line})`,
          message: `${f.loc.file}:${f.loc.line}:${f.loc.col}: "formats.${f.name}" expected a format id unique across all specs, got "${f.id}" (also defined at ${prev.loc.file}:${prev.loc.line})`,
        });
      } else seen.set(f.id, f);
    }
  }
  if (problems.length > 0) throw new SpecError(problems);
}

function checkEnum(src: SpecSource, name: string, raw: EnumRaw): EnumModel {
  const p: YamlPath = ["enums", name];
  const names = new Set<string>();
  const values = new Map<bigint, string>();
  raw.values.forEach((v, i) => {
    const vp: YamlPath = [...p, "values", i];
    if (names.has(v.name)) src.reportText([...vp, "name"], `a member name not used before in enum ${name}`, `"${v.name}"`);
    names.add(v.name);
    if (v.value >= 1n << BigInt(raw.bits))
      src.reportText([...vp, "value"], `a value that fits in ${raw.bits} bits (at most ${(1n << BigInt(raw.bits)) - 1n})`, v.value.toString());
    const prev = values.get(v.value);
    if (prev !== undefined) src.reportText([...vp, "value"], `a value not used before in enum ${name}`, `${v.value} (already "${prev}")`);
    values.set(v.value, v.name);
  });
  return {
    name,
    bits: raw.bits,
    doc: raw.doc ?? "",
    values: raw.values.map((v) => ({ name: v.name, value: Number(v.value), doc: v.doc ?? "" })),
    loc: src.loc(p, true),
  };
}

/** Runs an io-ts codec and turns its failures into diagnostics at the right nodes. */
function validate<A>(src: SpecSource, base: YamlPath, codec: t.Type<A, unknown, unknown>, value: unknown): A | undefined {
  const r = codec.validate(value, [{ key: "", type: codec, actual: value }]);
  if (r._tag === "Right") return r.right;
  for (const e of r.left) {
    // Walk the context down to the first union: a union's members add keys of their own
    // (member indices), and "expected" is best said by the union's name.
    const path: (string | number)[] = [...base];
    let node: unknown = value;
    let stop = e.context[e.context.length - 1]!;
    for (const c of e.context.slice(1)) {
      if (Array.isArray(node) && /^\d+$/.test(c.key)) {
        path.push(Number(c.key));
        node = node[Number(c.key)];
      } else if (node && typeof node === "object" && !Array.isArray(node) && c.key in node) {
        path.push(c.key);
        node = (node as Record<string, unknown>)[c.key];
      }
      if (c.type instanceof t.UnionType) {
        stop = c;
        break;
      }
    }
    if (stop.type instanceof t.UnionType) {
      src.report(path, stop.type.name, stop.actual);
    } else if (e.message?.startsWith("unknownKey:")) {
      src.reportText(path, e.message.slice("unknownKey:".length), `unknown key "${String(stop.key)}"`, true);
    } else if (e.message?.startsWith("badKey:")) {
      src.reportText(path, e.message.slice("badKey:".length), `"${String(stop.key)}"`, true);
    } else {
      src.report(path, stop.type.name, e.value);
    }
  }
  // Deduplicate union noise: keep the first message per path.
  dedupe(src);
  return undefined;
}

function dedupe(src: SpecSource): void {
  const seen = new Set<string>();
  const keep = src.diagnostics.filter((d) => {
    const k = `${d.line}:${d.col}:${d.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  src.diagnostics.splice(0, src.diagnostics.length, ...keep);
}

