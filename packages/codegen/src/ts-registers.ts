/**
 * TypeScript generator for register maps: for every map of a spec, appended to the spec's
 * `src/gen/<spec>.ts`,
 * - `<MAP>_MAP`, the map's run-time description (`RegisterMapInfo` of `@rashpa/registers`),
 * - one `…Fields` interface per register, naming every field with its TypeScript value type
 *   (`boolean` for 1-bit fields, the enum's member names for enumerated fields, `number`
 *   otherwise),
 * - `<Map>Registers<M>`, the typed tree of blocks, register files, registers and memories,
 * - factories `<map>Registers(bus, base?)` and `<map>RegistersAsync(bus, base?)` that bind the
 *   map to a `Bus` / `AsyncBus` with `bindRegisters`.
 *
 * @module
 */
import type {
  RegFieldModel,
  RegisterMapModel,
  RegisterModel,
  RegNodeModel,
  SpecModel,
} from "@rashpa/spec";
import type {
  RegisterFieldInfo,
  RegisterInfo,
  RegisterMapInfo,
  RegisterNodeInfo,
} from "@rashpa/registers";
import type { Emitter } from "./_internals/emitter.js";
import { camelCase, docComment, pascalCase, screamingCase, sitePagePath } from "./names.js";

const READABLE = new Set(["r", "rw", "rw1"]);
const WRITABLE = new Set(["w", "rw", "w1", "rw1"]);
const HW_WRITABLE = new Set(["w", "rw"]);

/** Names of the generated symbols of a register map. */
export function registerMapNames(map: RegisterMapModel): {
  /** The `RegisterMapInfo` constant. */
  info: string;
  /** The tree type. */
  tree: string;
  /** The synchronous factory. */
  factory: string;
  /** The asynchronous factory. */
  asyncFactory: string;
  /** The hardware-side factory. */
  hardwareFactory: string;
} {
  return {
    info: `${screamingCase(map.name)}_MAP`,
    tree: `${pascalCase(map.name)}Registers`,
    factory: `${camelCase(map.name)}Registers`,
    asyncFactory: `${camelCase(map.name)}RegistersAsync`,
    hardwareFactory: `${camelCase(map.name)}RegistersHardware`,
  };
}

const lit = (v: unknown): string => JSON.stringify(v);
const hexLit = (v: number): string => `0x${v.toString(16)}`;

function oneLine(doc: string, fallback: string): string {
  const first = doc.trim().split("\n\n")[0]?.replace(/\s+/g, " ").trim() ?? "";
  return first === "" ? fallback : first;
}

function fieldInfoLiteral(f: RegFieldModel): string {
  const parts = [
    `name: ${lit(f.name)}`,
    `msb: ${f.msb}`,
    `lsb: ${f.lsb}`,
    `sw: ${lit(f.sw)}`,
    `hw: ${lit(f.hw)}`,
  ];
  if (f.onread !== undefined) parts.push(`onread: ${lit(f.onread)}`);
  if (f.onwrite !== undefined) parts.push(`onwrite: ${lit(f.onwrite)}`);
  if (f.singlepulse) parts.push("singlepulse: true");
  if (f.reset !== undefined) parts.push(`reset: ${hexLit(Number(f.reset))}`);
  if (f.enum !== undefined) {
    parts.push(`enumName: ${lit(f.enum.name)}`);
    parts.push(
      `enumMembers: [${f.enum.values.map((v) => `{ name: ${lit(v.name)}, value: ${Number(v.value)} }`).join(", ")}]`,
    );
  }
  parts.push(`doc: ${lit(oneLine(f.doc, f.name))}`);
  return `{ ${parts.join(", ")} }`;
}

function registerInfoLiteral(out: Emitter, r: RegisterModel, trailer: string): void {
  out.line(
    `{ kind: "register", name: ${lit(r.name)}, offset: ${hexLit(r.offset)}, count: ${r.count}, stride: ${hexLit(r.stride)}, width: ${r.width}, doc: ${lit(oneLine(r.doc, r.name))}, fields: [`,
  );
  out.indent(() => {
    for (const f of r.fields) out.line(`${fieldInfoLiteral(f)},`);
  });
  out.line(`] }${trailer}`);
}

function nodeInfoLiteral(out: Emitter, n: RegNodeModel): void {
  switch (n.kind) {
    case "register":
      registerInfoLiteral(out, n, ",");
      return;
    case "memory":
      out.line(
        `{ kind: "memory", name: ${lit(n.name)}, offset: ${hexLit(n.offset)}, entries: ${n.entries}, entryBytes: ${n.entryBytes}, ${n.format === undefined ? "" : `format: ${lit(n.format)}, `}sw: ${lit(n.sw)}, doc: ${lit(oneLine(n.doc, n.name))} },`,
      );
      return;
    case "regfile":
      out.line(
        `{ kind: "regfile", name: ${lit(n.name)}, offset: ${hexLit(n.offset)}, count: ${n.count}, stride: ${hexLit(n.stride)}, doc: ${lit(oneLine(n.doc, n.name))}, registers: [`,
      );
      out.indent(() => {
        for (const r of n.registers) registerInfoLiteral(out, r, ",");
      });
      out.line("] },");
  }
}

function fieldType(f: RegFieldModel): string {
  if (f.enum !== undefined) return `${pascalCase(f.enum.name)} | number`;
  return f.msb === f.lsb ? "boolean" : "number";
}

function fieldsInterfaceName(map: RegisterMapModel, path: readonly string[]): string {
  return `${pascalCase(map.name)}${path.map(pascalCase).join("")}Fields`;
}

function fieldDoc(f: RegFieldModel): string {
  const bits = f.msb === f.lsb ? `bit ${f.lsb}` : `bits ${f.msb}:${f.lsb}`;
  const effects = [
    f.onread === undefined ? "" : `, onread ${f.onread}`,
    f.onwrite === undefined ? "" : `, onwrite ${f.onwrite}`,
    f.singlepulse ? ", singlepulse" : "",
    f.reset === undefined ? "" : `, reset 0x${f.reset.toString(16)}`,
  ].join("");
  return `${oneLine(f.doc, f.name)} (${bits}, sw ${f.sw}, hw ${f.hw}${effects})`;
}

function emitFieldsInterface(
  out: Emitter,
  map: RegisterMapModel,
  path: readonly string[],
  r: RegisterModel,
  seePage: string,
): string {
  const name = fieldsInterfaceName(map, path);
  out.raw(
    docComment(
      `Fields of register \`${path.join(".")}\` of map \`${map.name}\`: ${oneLine(r.doc, r.name)}${seePage}`,
    ),
  );
  out.block(`export interface ${name} {`, () => {
    for (const f of r.fields) {
      out.raw(docComment(fieldDoc(f), "  "));
      out.line(`readonly ${f.name}: ${fieldType(f)};`);
    }
  });
  out.line();
  return name;
}

function handleType(name: string, r: RegisterModel): string {
  const pick = (set: ReadonlySet<string>, side: "sw" | "hw"): string => {
    const names = r.fields.filter((f) => set.has(f[side])).map((f) => lit(f.name));
    return names.length === 0 ? `Pick<${name}, never>` : `Pick<${name}, ${names.join(" | ")}>`;
  };
  const read = `M extends "hardware" ? ${name} : ${pick(READABLE, "sw")}`;
  const write = `M extends "hardware" ? ${pick(HW_WRITABLE, "hw")} : ${pick(WRITABLE, "sw")}`;
  return `RegisterHandle<${read}, ${write}, M>`;
}

/** Whether the spec has register maps (and so needs `@rashpa/registers`). */
export function hasRegisterMaps(spec: SpecModel): boolean {
  return spec.registerMaps.length > 0;
}

/** Emits every register map of the spec. */
export function emitRegisterMaps(out: Emitter, spec: SpecModel): void {
  for (const map of spec.registerMaps) emitRegisterMap(out, spec, map);
}

function emitRegisterMap(out: Emitter, spec: SpecModel, map: RegisterMapModel): void {
  const names = registerMapNames(map);
  // The map's exported symbols link to its page of the reference site.
  const mapId = `${spec.idPrefix}.${map.name}`;
  const seePage = `\n\n@see [\`${mapId}\` reference page](./${sitePagePath(mapId)})`;
  const handles = new Map<RegisterModel, string>();
  for (const b of map.blocks)
    for (const n of b.nodes) {
      if (n.kind === "register")
        handles.set(n, handleType(emitFieldsInterface(out, map, [b.name, n.name], n, seePage), n));
      else if (n.kind === "regfile")
        for (const r of n.registers)
          handles.set(
            r,
            handleType(emitFieldsInterface(out, map, [b.name, n.name, r.name], r, seePage), r),
          );
    }

  const regType = (r: RegisterModel): string =>
    r.count === 1 ? handles.get(r)! : `readonly ${handles.get(r)!}[]`;

  out.raw(
    docComment(
      `Typed access to register map \`${map.name}\` (${map.title}) of \`${spec.file}\`, as built by {@link ${names.factory}} (\`M\` = \`"sync"\`), {@link ${names.asyncFactory}} (\`M\` = \`"async"\`) and, for a register-file model's hardware side, {@link ${names.hardwareFactory}} (\`M\` = \`"hardware"\`).${seePage}`,
    ),
  );
  out.block(`export interface ${names.tree}<M extends AccessMode = "sync"> {`, () => {
    for (const b of map.blocks) {
      out.raw(
        docComment(
          `Block \`${b.name}\` at 0x${b.offset.toString(16)}: ${oneLine(b.doc, b.name)}`,
          "  ",
        ),
      );
      out.block(
        `readonly ${camelCase(b.name)}: {`,
        () => {
          for (const n of b.nodes) {
            const at = `0x${(b.offset + n.offset).toString(16)}`;
            out.raw(docComment(`\`${n.name}\` at ${at}: ${oneLine(n.doc, n.name)}`, "    "));
            if (n.kind === "register") out.line(`readonly ${camelCase(n.name)}: ${regType(n)};`);
            else if (n.kind === "memory")
              out.line(`readonly ${camelCase(n.name)}: MemoryHandle<M>;`);
            else
              out.block(
                `readonly ${camelCase(n.name)}: readonly {`,
                () => {
                  for (const r of n.registers) {
                    out.raw(
                      docComment(
                        `\`${r.name}\` at +0x${r.offset.toString(16)}: ${oneLine(r.doc, r.name)}`,
                        "      ",
                      ),
                    );
                    out.line(`readonly ${camelCase(r.name)}: ${regType(r)};`);
                  }
                },
                "}[];",
              );
          }
        },
        "};",
      );
    }
  });
  out.line();

  out.raw(
    docComment(
      `Description of register map \`${map.name}\` (${map.title}), from \`${spec.file}\`: offsets, fields, access and reset values.${seePage}`,
    ),
  );
  out.line(`export const ${names.info}: RegisterMapInfo = {`);
  out.indent(() => {
    out.line(`id: ${lit(`${spec.idPrefix}.${map.name}`)},`);
    out.line(`title: ${lit(map.title)},`);
    out.line(`width: ${map.width},`);
    out.line(`spec: ${lit(spec.file)},`);
    out.line("blocks: [");
    out.indent(() => {
      for (const b of map.blocks) {
        out.line(
          `{ name: ${lit(b.name)}, offset: ${hexLit(b.offset)}, doc: ${lit(oneLine(b.doc, b.name))}, nodes: [`,
        );
        out.indent(() => {
          for (const n of b.nodes) nodeInfoLiteral(out, n);
        });
        out.line("] },");
      }
    });
    out.line("],");
  });
  out.line("};");
  out.line();

  out.raw(
    docComment(
      `Binds register map \`${map.name}\` to a synchronous bus.\n\n@param bus - the bus\n@param base - bus address of the map's offset 0\n@throws RegisterAccessError when a register cannot be accessed over a 32-bit bus${seePage}`,
    ),
  );
  out.block(`export function ${names.factory}(bus: Bus, base = 0): ${names.tree}<"sync"> {`, () => {
    out.line(`return bindRegisters(${names.info}, bus, base) as ${names.tree}<"sync">;`);
  });
  out.line();
  out.raw(
    docComment(
      `Binds register map \`${map.name}\` to an asynchronous bus: every access returns a promise.\n\n@param bus - the bus\n@param base - bus address of the map's offset 0\n@throws RegisterAccessError when a register cannot be accessed over a 32-bit bus${seePage}`,
    ),
  );
  out.block(
    `export function ${names.asyncFactory}(bus: AsyncBus, base = 0): ${names.tree}<"async"> {`,
    () => {
      out.line(`return bindRegistersAsync(${names.info}, bus, base) as ${names.tree}<"async">;`);
    },
  );
  out.line();
  out.raw(
    docComment(
      `Binds register map \`${map.name}\` to the hardware side of a register-file model (\`new RegisterFile(${names.info}).hardwareBus\`): every field readable without side effects, hardware-writable fields writable.\n\n@param bus - the hardware bus\n@param base - bus address of the map's offset 0\n@throws RegisterAccessError when a register cannot be accessed over a 32-bit bus${seePage}`,
    ),
  );
  out.block(
    `export function ${names.hardwareFactory}(bus: HardwareBus, base = 0): ${names.tree}<"hardware"> {`,
    () => {
      out.line(`return bindRegisters(${names.info}, bus, base) as ${names.tree}<"hardware">;`);
    },
  );
  out.line();
}

/** Where each symbol that generated register code uses is defined inside `@rashpa/registers`. */
const REGISTER_SYMBOLS: readonly (readonly [
  name: string,
  module: string,
  kind: "value" | "type",
])[] = [
  ["bindRegisters", "bind", "value"],
  ["bindRegistersAsync", "bind", "value"],
  ["AccessMode", "bus", "type"],
  ["AsyncBus", "bus", "type"],
  ["Bus", "bus", "type"],
  ["HardwareBus", "bus", "type"],
  ["MemoryHandle", "bind", "type"],
  ["RegisterHandle", "bind", "type"],
  ["RegisterMapInfo", "info", "type"],
];

/**
 * Import lines for the `@rashpa/registers` symbols that emitted code uses. Code generated into
 * `@rashpa/registers` itself (a spec with `package: registers`, whose output goes to
 * `packages/registers/src/gen/`) cannot import the package by name, so it imports the
 * defining modules relatively (`../bind.js`, `../bus.js`, `../info.js`).
 *
 * @param text - the emitted code
 * @param pkg - the workspace package the code is generated into (the spec's `package`)
 */
export function registerImports(text: string, pkg?: string): string[] {
  const used = REGISTER_SYMBOLS.filter(([n]) => new RegExp(`\\b${n}\\b`).test(text));
  const lines = (kind: "value" | "type", from: (module: string) => string): string[] => {
    const byModule = new Map<string, string[]>();
    for (const [n, m, k] of used) {
      if (k !== kind) continue;
      const key = from(m);
      byModule.set(key, [...(byModule.get(key) ?? []), n]);
    }
    return [...byModule].map(
      ([m, names]) =>
        `import ${kind === "type" ? "type " : ""}{ ${names.join(", ")} } from "${m}";`,
    );
  };
  const from = pkg === "registers" ? (m: string) => `../${m}.js` : () => "@rashpa/registers";
  return [...lines("value", from), ...lines("type", from)];
}

function fieldInfo(f: RegFieldModel): RegisterFieldInfo {
  return {
    name: f.name,
    msb: f.msb,
    lsb: f.lsb,
    sw: f.sw,
    hw: f.hw,
    ...(f.onread !== undefined ? { onread: f.onread } : {}),
    ...(f.onwrite !== undefined ? { onwrite: f.onwrite } : {}),
    ...(f.singlepulse ? { singlepulse: true as const } : {}),
    ...(f.reset !== undefined ? { reset: Number(f.reset) } : {}),
    ...(f.enum !== undefined
      ? {
          enumName: f.enum.name,
          enumMembers: f.enum.values.map((v) => ({ name: v.name, value: Number(v.value) })),
        }
      : {}),
    doc: oneLine(f.doc, f.name),
  };
}

function registerInfo(r: RegisterModel): RegisterInfo {
  return {
    kind: "register",
    name: r.name,
    offset: r.offset,
    count: r.count,
    stride: r.stride,
    width: r.width,
    doc: oneLine(r.doc, r.name),
    fields: r.fields.map(fieldInfo),
  };
}

function nodeInfo(n: RegNodeModel): RegisterNodeInfo {
  switch (n.kind) {
    case "register":
      return registerInfo(n);
    case "memory":
      return {
        kind: "memory",
        name: n.name,
        offset: n.offset,
        entries: n.entries,
        entryBytes: n.entryBytes,
        ...(n.format !== undefined ? { format: n.format } : {}),
        sw: n.sw,
        doc: oneLine(n.doc, n.name),
      };
    case "regfile":
      return {
        kind: "regfile",
        name: n.name,
        offset: n.offset,
        count: n.count,
        stride: n.stride,
        doc: oneLine(n.doc, n.name),
        registers: n.registers.map(registerInfo),
      };
  }
}

/**
 * The run-time description of a register map, as the generated `<MAP>_MAP` constant holds it
 * (the same object the generated literal evaluates to).
 *
 * @param spec - the spec holding the map
 * @param map - the map
 */
export function registerMapInfo(spec: SpecModel, map: RegisterMapModel): RegisterMapInfo {
  return {
    id: `${spec.idPrefix}.${map.name}`,
    title: map.title,
    width: map.width,
    spec: spec.file,
    blocks: map.blocks.map((b) => ({
      name: b.name,
      offset: b.offset,
      doc: oneLine(b.doc, b.name),
      nodes: b.nodes.map(nodeInfo),
    })),
  };
}
