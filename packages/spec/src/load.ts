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
import { bitCount, checkFormat } from "./check-format.js";
import { checkFormatReferences, checkRegisterMap } from "./check-registers.js";
import type { FormatReference } from "./check-registers.js";
import { layoutPaths } from "./layout.js";
import { SpecError } from "./diagnostics.js";
import type { EnumModel, FormatModel, RegisterMapModel, SpecModel } from "./model.js";
import { EnumRaw, FormatRaw, RegisterMapRaw, SpecHeaderRaw, strictRecord } from "./schema.js";

/** Options of {@link loadSpecText} and {@link loadSpecFile}. */
export interface LoadSpecOptions {
  /**
   * Formats of other specs, already loaded (e.g. `loadSpecFile(...).formats`), that memories
   * of this spec may name by global id (`format: rashpa.atu-entry`). {@link loadSpecDir}
   * passes every format of the directory.
   *
   * @defaultValue none: only the spec's own formats can be named
   */
  readonly formats?: Iterable<FormatModel>;
}

/**
 * Parses and checks spec text.
 *
 * @param text - YAML text of the spec file
 * @param file - name used in messages (a path relative to the repository root)
 * @param options - formats of other specs that memories may name
 * @returns the checked model
 * @throws {@link SpecError} listing every problem, each as `file:line:col`
 * @example
 * ```ts
 * const model = loadSpecText(readFileSync("specs/rashpa/descriptors.yaml", "utf8"), "specs/rashpa/descriptors.yaml");
 * ```
 */
export function loadSpecText(text: string, file: string, options: LoadSpecOptions = {}): SpecModel {
  const parsed = parseSpec(text, file);
  const known = new Map<string, FormatModel | undefined>();
  for (const f of options.formats ?? []) known.set(f.id, f);
  for (const [id, f] of parsed.formatsById) known.set(id, f);
  return finishSpec(parsed, known);
}

/** A spec checked except for its references to formats of other specs. */
interface ParsedSpec {
  readonly src: SpecSource;
  readonly file: string;
  readonly header: SpecHeaderRaw | undefined;
  readonly idPrefix: string;
  readonly enums: ReadonlyMap<string, EnumModel | undefined>;
  readonly formats: ReadonlyMap<string, FormatModel | undefined>;
  /** The spec's formats by global id. */
  readonly formatsById: ReadonlyMap<string, FormatModel | undefined>;
  readonly registerMaps: readonly RegisterMapModel[];
  readonly references: readonly FormatReference[];
}

function parseSpec(text: string, file: string): ParsedSpec {
  const src = new SpecSource(file, text);
  if (src.diagnostics.length > 0) throw new SpecError(src.diagnostics);
  const header = validate(src, [], SpecHeaderRaw, src.value);
  const root = (typeof src.value === "object" && src.value !== null ? src.value : {}) as Record<
    string,
    unknown
  >;

  // Maps hold every declared name; `undefined` marks one whose definition has problems
  // (already reported), so that its users do not add "unknown enum/format" errors.
  const enums = new Map<string, EnumModel | undefined>();
  for (const [name, value] of section(src, root, "enums", "PascalCase enum name", PASCAL)) {
    const e = validate(src, ["enums", name], EnumRaw, value);
    enums.set(name, e && checkEnum(src, name, e));
  }

  const idPrefix = header?.idPrefix ?? header?.spec.split(".")[0] ?? "spec";
  const formats = new Map<string, FormatModel | undefined>();
  const clean: FormatModel[] = [];
  for (const [name, value] of section(src, root, "formats", "kebab-case format name", KEBAB)) {
    const f = validate(src, ["formats", name], FormatRaw, value);
    const problems = src.diagnostics.length;
    const model = f && checkFormat(src, name, f, idPrefix, enums);
    formats.set(name, model);
    // Type names of formats with problems (a duplicate case name, say) would only repeat them.
    if (model && src.diagnostics.length === problems) clean.push(model);
  }
  checkTypeNames(src, enums, clean);

  const references: FormatReference[] = [];
  const registerMaps: RegisterMapModel[] = [];
  for (const [name, value] of section(
    src,
    root,
    "registers",
    "kebab-case register map name",
    KEBAB,
  )) {
    const m = validate(src, ["registers", name], RegisterMapRaw, value);
    if (m)
      registerMaps.push(checkRegisterMap(src, name, m, { enums, formats, idPrefix, references }));
  }
  const formatsById = new Map([...formats].map(([name, f]) => [`${idPrefix}.${name}`, f]));
  return { src, file, header, idPrefix, enums, formats, formatsById, registerMaps, references };
}

/** Checks the references to other specs' formats, then throws every problem or returns the model. */
function finishSpec(p: ParsedSpec, known: ReadonlyMap<string, FormatModel | undefined>): SpecModel {
  const { src, header } = p;
  checkFormatReferences(src, p.references, known);
  if (src.diagnostics.length > 0 || !header) {
    const sorted = [...src.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
    throw new SpecError(sorted);
  }
  return {
    id: header.spec,
    file: p.file,
    title: header.title,
    doc: header.doc ?? "",
    source: header.source ?? "",
    package: header.package,
    idPrefix: p.idPrefix,
    byteOrder: header.byteOrder,
    bitOrder: header.bitOrder,
    enums: [...p.enums.values()].filter((e) => e !== undefined),
    formats: [...p.formats.values()].filter((f) => f !== undefined),
    registerMaps: p.registerMaps,
  };
}

const PASCAL = /^[A-Z][a-zA-Z0-9]*$/;
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Checks that a top-level section is a mapping with well-formed names, and returns all its
 * entries (a badly named entry is still checked, so that every problem shows in one run).
 */
function section(
  src: SpecSource,
  root: Record<string, unknown>,
  key: string,
  keyName: string,
  keyPattern: RegExp,
): [string, unknown][] {
  const value = root[key] ?? {};
  validate(src, [key], strictRecord(keyName, keyPattern, t.unknown), value);
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? Object.entries(value)
    : [];
}

/**
 * Reads and checks one spec file.
 *
 * @param path - path of the YAML file
 * @param root - directory that messages are relative to (default: the working directory)
 * @throws {@link SpecError} listing every problem
 */
export function loadSpecFile(
  path: string,
  root: string = process.cwd(),
  options: LoadSpecOptions = {},
): SpecModel {
  return loadSpecText(readFileSync(path, "utf8"), relFile(root, path), options);
}

function relFile(root: string, path: string): string {
  return relative(root, path).split("\\").join("/");
}

/**
 * Loads every `*.yaml` spec under a directory (recursively, in sorted order). Problems of
 * all files are gathered into one {@link SpecError}. A memory of one spec may name the format
 * of another by global id: every file is checked first, then those references.
 */
export function loadSpecDir(dir: string, root: string = process.cwd()): SpecModel[] {
  const files = listYaml(dir);
  const parsed: ParsedSpec[] = [];
  const models: SpecModel[] = [];
  const problems: SpecError[] = [];
  const guard = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof SpecError) problems.push(e);
      else throw e;
    }
  };
  for (const f of files)
    guard(() => parsed.push(parseSpec(readFileSync(f, "utf8"), relFile(root, f))));
  const known = new Map<string, FormatModel | undefined>();
  for (const p of parsed) for (const [id, f] of p.formatsById) if (!known.has(id)) known.set(id, f);
  for (const p of parsed) guard(() => models.push(finishSpec(p, known)));
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

/** `atu-entry` → `AtuEntry`, the way generated code names types. */
function pascal(kebab: string): string {
  return kebab
    .split("-")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/**
 * Generated code declares one type (TypeScript type, C struct) per enum (its name), per
 * format (`atu-entry` → `AtuEntry`) and per layout variant of a format (`btd` variant `dma`
 * → `BtdDma`): two of them with one name would not compile. An enum `Kind` beside a format
 * `kind`, a format `frame-read` beside the variant `read` of a format `frame`, or variants
 * `a` then `b-c` beside `a-b` then `c` are reported on the later format.
 */
function checkTypeNames(
  src: SpecSource,
  enums: ReadonlyMap<string, EnumModel | undefined>,
  formats: readonly FormatModel[],
): void {
  const taken = new Map<string, string>();
  for (const [name, e] of enums) if (e) taken.set(name, `enum ${name}`);
  for (const f of formats) {
    const name = f.name;
    const own: [string, string][] = [[pascal(name), `format "${name}"`]];
    for (const p of layoutPaths(f))
      if (p.name !== "")
        own.push([pascal(name) + pascal(p.name), `variant "${p.name}" of format "${name}"`]);
    for (const [type, what] of own) {
      const prev = taken.get(type);
      if (prev === undefined) taken.set(type, what);
      else
        src.reportText(
          ["formats", name],
          "a name whose generated type is not taken",
          `type ${type} of ${what} (taken by ${prev})`,
          true,
        );
    }
  }
}

function checkEnum(src: SpecSource, name: string, raw: EnumRaw): EnumModel {
  const p: YamlPath = ["enums", name];
  const names = new Set<string>();
  const values = new Map<bigint, string>();
  raw.values.forEach((v, i) => {
    const vp: YamlPath = [...p, "values", i];
    if (names.has(v.name))
      src.reportText(
        [...vp, "name"],
        `a member name not used before in enum ${name}`,
        `"${v.name}"`,
      );
    names.add(v.name);
    if (v.value >= 1n << BigInt(raw.bits))
      src.reportText(
        [...vp, "value"],
        `a value that fits in ${bitCount(raw.bits)} (at most ${(1n << BigInt(raw.bits)) - 1n})`,
        v.value.toString(),
      );
    const prev = values.get(v.value);
    if (prev !== undefined)
      src.reportText(
        [...vp, "value"],
        `a value not used before in enum ${name}`,
        `${v.value} (already "${prev}")`,
      );
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
function validate<A>(
  src: SpecSource,
  base: YamlPath,
  codec: t.Type<A, unknown, unknown>,
  value: unknown,
): A | undefined {
  const r = codec.validate(value, [{ key: "", type: codec, actual: value }]);
  if (r._tag === "Right") return r.right;
  const first = src.diagnostics.length;
  for (const e of r.left) {
    // Walk the context down to the first union: a union's members add keys of their own
    // (member indices), and "expected" is best said by the union's name.
    // A required key that is absent is named in the path and reported at its mapping.
    const path: (string | number)[] = [...base];
    let node: unknown = value;
    let stop = e.context[e.context.length - 1]!;
    let missing: string | undefined;
    for (const c of e.context.slice(1)) {
      if (Array.isArray(node) && /^\d+$/.test(c.key)) {
        path.push(Number(c.key));
        node = node[Number(c.key)];
      } else if (node && typeof node === "object" && !Array.isArray(node)) {
        path.push(c.key);
        if (!(c.key in node)) {
          missing = c.key;
          stop = c;
          break;
        }
        node = (node as Record<string, unknown>)[c.key];
      }
      if (c.type instanceof t.UnionType) {
        stop = c;
        break;
      }
    }
    if (missing !== undefined) {
      src.reportText(path, stop.type.name, `no "${missing}" key`);
    } else if (stop.type instanceof t.UnionType) {
      src.report(path, stop.type.name, stop.actual);
    } else if (e.message?.startsWith("unknownKey:")) {
      src.reportText(
        path,
        e.message.slice("unknownKey:".length),
        `unknown key "${String(stop.key)}"`,
        true,
      );
    } else if (e.message?.startsWith("badKey:")) {
      src.reportText(path, e.message.slice("badKey:".length), `"${String(stop.key)}"`, true);
    } else {
      src.report(path, stop.type.name, e.value);
    }
  }
  // Deduplicate union noise: keep the first message per path (among this call's only, so
  // that distinct problems found earlier at the same token all stay).
  dedupe(src, first);
  return undefined;
}

function dedupe(src: SpecSource, first: number): void {
  const seen = new Set<string>();
  const keep = src.diagnostics.slice(first).filter((d) => {
    const k = `${d.line}:${d.col}:${d.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  src.diagnostics.splice(first, src.diagnostics.length - first, ...keep);
}
