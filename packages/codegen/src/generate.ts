/**
 * Generation of every output of every spec, and the drift check that CI runs: generated
 * files are committed, and regenerating must reproduce them byte for byte.
 *
 * Outputs of a spec `specs/<dir>/<base>.yaml` for package `<pkg>`:
 * - `packages/<pkg>/src/gen/<base>.ts` — codecs and `FormatInfo` records,
 * - `packages/<pkg>/src/gen/<base>.arb.ts` — fast-check arbitraries,
 * - `packages/<pkg>/src/gen/c/<base>.h` and `<base>-selfcheck.c` — C header and self-check,
 * - `packages/<pkg>/src/gen/<base>.md` — the reference page,
 * - `packages/<pkg>/src/gen/pages/<id>.md` — a page of the reference site per format and per
 *   register map, with SVG diagrams,
 * - `packages/<pkg>/src/gen/ipxact/<map>.xml` — an IP-XACT 1685-2014 component per register map.
 *
 * Outputs of the specs together: `packages/emulator/src/gen/wireshark/rashpa.lua`, the Wireshark
 * Lua dissectors of the emulator's captures (see `wireshark-lua.ts`), when the specs define the
 * formats it dissects.
 *
 * @module
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
  rmSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { loadSpecDir } from "@rashpa/spec";
import type { SpecModel } from "@rashpa/spec";
import { generateCHeader, generateCSelfCheck } from "./c-header.js";
import { generateIpxact } from "./ipxact.js";
import { generateMarkdown } from "./markdown.js";
import { sitePagePath, specBaseName } from "./names.js";
import { generateFormatPage, generateRegisterMapPage, registerMapId } from "./site-pages.js";
import { generateTsArbitraries } from "./ts-arbitraries.js";
import { generateTsCodecs } from "./ts-codec.js";
import { WIRESHARK_LUA_PATH, generateWiresharkLua } from "./wireshark-lua.js";

/** One generated file, with its path relative to the repository root. */
export interface GeneratedFile {
  /** Path relative to the repository root, with `/` separators. */
  readonly path: string;
  /** Complete text of the file. */
  readonly content: string;
}

/** Directory (relative to the repository root) receiving the generated files of a spec. */
export function genDir(spec: SpecModel): string {
  return `packages/${spec.package}/src/gen`;
}

/**
 * Every output of one spec.
 *
 * @param spec - a loaded spec
 * @param formatPackages - package of every format id of the specs loaded together, so that a
 *   register map's page links a memory to the page of its entry format in another package
 */
export function generateSpec(
  spec: SpecModel,
  formatPackages: ReadonlyMap<string, string> = new Map(
    spec.formats.map((f) => [f.id, spec.package]),
  ),
): GeneratedFile[] {
  const dir = genDir(spec);
  const base = specBaseName(spec.file);
  return [
    { path: `${dir}/${base}.ts`, content: generateTsCodecs(spec) },
    { path: `${dir}/${base}.arb.ts`, content: generateTsArbitraries(spec) },
    { path: `${dir}/c/${base}.h`, content: generateCHeader(spec) },
    { path: `${dir}/c/${base}-selfcheck.c`, content: generateCSelfCheck(spec) },
    { path: `${dir}/${base}.md`, content: generateMarkdown(spec) },
    ...spec.registerMaps.map((m) => ({
      path: `${dir}/ipxact/${m.name}.xml`,
      content: generateIpxact(spec, m),
    })),
    ...spec.formats.map((f) => ({
      path: `${dir}/${sitePagePath(f.id)}`,
      content: generateFormatPage(spec, f),
    })),
    ...spec.registerMaps.map((m) => ({
      path: `${dir}/${sitePagePath(registerMapId(spec, m))}`,
      content: generateRegisterMapPage(spec, m, formatPackages),
    })),
  ];
}

/**
 * Outputs generated from all specs together (the Wireshark Lua script), empty when the specs
 * lack the formats they need.
 *
 * @param specs - every loaded spec
 */
export function generateCombined(specs: readonly SpecModel[]): GeneratedFile[] {
  const lua = generateWiresharkLua(specs);
  return lua === undefined ? [] : [{ path: WIRESHARK_LUA_PATH, content: lua }];
}

/**
 * Loads every spec under `<root>/specs` and generates all outputs.
 *
 * @param root - repository root
 * @throws SpecError when a spec has problems
 */
export function generateAll(root: string): {
  /** Every spec under `<root>/specs`, in sorted path order. */
  specs: SpecModel[];
  /** Every output of every spec. */
  files: GeneratedFile[];
} {
  const specs = loadSpecDir(join(root, "specs"), root);
  const formatPackages = new Map(
    specs.flatMap((s) => s.formats.map((f) => [f.id, s.package] as const)),
  );
  return {
    specs,
    files: [...specs.flatMap((s) => generateSpec(s, formatPackages)), ...generateCombined(specs)],
  };
}

/** Writes generated files under `root` and removes stale files from the `src/gen` directories. */
export function writeGenerated(root: string, files: readonly GeneratedFile[]): void {
  for (const stale of staleFiles(root, files)) rmSync(join(root, stale));
  for (const f of files) {
    const p = join(root, f.path);
    mkdirSync(dirname(p), { recursive: true });
    if (!existsSync(p) || readFileSync(p, "utf8") !== f.content) writeFileSync(p, f.content);
  }
}

/**
 * Files whose committed content differs from what generation produces (missing, changed or
 * stale), relative to `root`. Empty when everything is up to date.
 */
export function driftedFiles(root: string, files: readonly GeneratedFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const p = join(root, f.path);
    if (!existsSync(p) || readFileSync(p, "utf8") !== f.content) out.push(f.path);
  }
  return [...out, ...staleFiles(root, files)];
}

function staleFiles(root: string, files: readonly GeneratedFile[]): string[] {
  const expected = new Set(files.map((f) => f.path));
  const dirs = new Set(
    files.map((f) => f.path.slice(0, f.path.indexOf("/src/gen/") + "/src/gen".length)),
  );
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    if (!existsSync(abs)) return;
    for (const name of readdirSync(abs)) {
      const r = `${rel}/${name}`;
      if (statSync(join(root, r)).isDirectory()) walk(r);
      else if (!expected.has(r)) out.push(r);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}
