/**
 * C output for register maps, appended to the spec's header: for every register (of every
 * block and register file)
 * - `<P>_OFFSET` — byte offset from the map base; for arrays `<P>_OFFSET(i)` (and
 *   `<P>_OFFSET(i, j)` for an array inside a register file), with `_COUNT` and `_STRIDE`;
 * - `<P>_RESET` — the reset value of the whole register (fields without one count as 0);
 * - per field `<P>_<FIELD>_SHIFT`, `_WIDTH`, `_MASK`, `_RESET` (when given), and
 *   `<P>_<FIELD>_GET(reg)` / `<P>_<FIELD>_SET(reg, value)` macros;
 * and for memories `_OFFSET`, `_ENTRIES`, `_ENTRY_BYTES` and `_ENTRY_OFFSET(i)`.
 * `<P>` is `<ID PREFIX>_<MAP>_<BLOCK>[_<REGFILE>]_<REGISTER>` in upper snake case.
 *
 * The self-check program, run with `--registers`, prints one line per register instance
 * (`reg <path> <offset> <reset>`, arrays expanded through the `_OFFSET` macros) and one per
 * field (`field <path> <shift> <width> <mask>`), in the shape `@rashpa/laws` compares with the
 * TypeScript description of the map.
 *
 * @module
 */
import type { RegFieldModel, RegisterMapModel, RegisterModel, SpecModel } from "@rashpa/spec";
import type { Emitter } from "./_internals/emitter.js";
import { camelCase, screamingCase } from "./names.js";

const u32 = (v: number): string => `0x${(v >>> 0).toString(16)}u`;

function fieldMask(f: RegFieldModel): number {
  const w = f.msb - f.lsb + 1;
  return (w >= 32 ? 0xffff_ffff : ((1 << w) - 1) << f.lsb) >>> 0;
}

function registerReset(r: RegisterModel): number {
  let v = 0;
  for (const f of r.fields)
    if (f.reset !== undefined) v = (v | ((Number(f.reset) << f.lsb) & fieldMask(f))) >>> 0;
  return v;
}

function mapPrefix(spec: SpecModel, map: RegisterMapModel): string {
  return screamingCase(`${spec.idPrefix}_${map.name}`);
}

interface RegisterSite {
  /** Macro prefix. */
  readonly P: string;
  /** The register. */
  readonly r: RegisterModel;
  /** Path printed by the self-check, with `%u` for indices. */
  readonly path: string;
  /** Offset expression (C) given the index variables. */
  readonly offsetExpr: string;
  /** Index variables and their bounds, outermost first. */
  readonly loops: readonly { readonly v: string; readonly count: number }[];
}

function registerSites(spec: SpecModel, map: RegisterMapModel): RegisterSite[] {
  const M = mapPrefix(spec, map);
  const sites: RegisterSite[] = [];
  for (const b of map.blocks) {
    const B = `${M}_${screamingCase(b.name)}`;
    for (const n of b.nodes) {
      if (n.kind === "register") {
        const P = `${B}_${screamingCase(n.name)}`;
        const path = `${camelCase(b.name)}.${camelCase(n.name)}`;
        if (n.count === 1) sites.push({ P, r: n, path, offsetExpr: `${P}_OFFSET`, loops: [] });
        else
          sites.push({
            P,
            r: n,
            path: `${path}[%u]`,
            offsetExpr: `${P}_OFFSET(i)`,
            loops: [{ v: "i", count: n.count }],
          });
      } else if (n.kind === "regfile") {
        for (const r of n.registers) {
          const P = `${B}_${screamingCase(n.name)}_${screamingCase(r.name)}`;
          const path = `${camelCase(b.name)}.${camelCase(n.name)}[%u].${camelCase(r.name)}`;
          if (r.count === 1)
            sites.push({
              P,
              r,
              path,
              offsetExpr: `${P}_OFFSET(i)`,
              loops: [{ v: "i", count: n.count }],
            });
          else
            sites.push({
              P,
              r,
              path: `${path}[%u]`,
              offsetExpr: `${P}_OFFSET(i, j)`,
              loops: [
                { v: "i", count: n.count },
                { v: "j", count: r.count },
              ],
            });
        }
      }
    }
  }
  return sites;
}

/** Emits the register-map macros of a spec into its header. */
export function emitCRegisterMaps(out: Emitter, spec: SpecModel): void {
  for (const map of spec.registerMaps) {
    const M = mapPrefix(spec, map);
    out.line(
      `/* Register map ${spec.idPrefix}.${map.name}: ${map.title}. Offsets in bytes from the map base; field bits LSB 0. */`,
    );
    for (const b of map.blocks) {
      const B = `${M}_${screamingCase(b.name)}`;
      out.line(`#define ${B}_OFFSET ${u32(b.offset)}`);
      for (const n of b.nodes) {
        const at = b.offset + n.offset;
        if (n.kind === "memory") {
          const P = `${B}_${screamingCase(n.name)}`;
          out.line(`#define ${P}_OFFSET ${u32(at)}`);
          out.line(`#define ${P}_ENTRIES ${n.entries}u`);
          out.line(`#define ${P}_ENTRY_BYTES ${n.entryBytes}u`);
          out.line(`#define ${P}_ENTRY_OFFSET(i) (${u32(at)} + (uint32_t)(i) * ${n.entryBytes}u)`);
        } else if (n.kind === "regfile") {
          const RF = `${B}_${screamingCase(n.name)}`;
          out.line(`#define ${RF}_COUNT ${n.count}u`);
          out.line(`#define ${RF}_STRIDE ${u32(n.stride)}`);
        }
      }
    }
    for (const s of registerSites(spec, map)) {
      const { P, r } = s;
      const { at: first, outerStride } = locate(map, r);
      if (s.loops.length === 0) out.line(`#define ${P}_OFFSET ${u32(first)}`);
      else {
        if (s.loops.length === 1 && r.count > 1) {
          out.line(`#define ${P}_COUNT ${r.count}u`);
          out.line(`#define ${P}_STRIDE ${u32(r.stride)}`);
          out.line(`#define ${P}_OFFSET(i) (${u32(first)} + (uint32_t)(i) * ${u32(r.stride)})`);
        } else if (s.loops.length === 1) {
          out.line(`#define ${P}_OFFSET(i) (${u32(first)} + (uint32_t)(i) * ${u32(outerStride)})`);
        } else {
          out.line(`#define ${P}_COUNT ${r.count}u`);
          out.line(`#define ${P}_STRIDE ${u32(r.stride)}`);
          out.line(
            `#define ${P}_OFFSET(i, j) (${u32(first)} + (uint32_t)(i) * ${u32(outerStride)} + (uint32_t)(j) * ${u32(r.stride)})`,
          );
        }
      }
      out.line(`#define ${P}_RESET ${u32(registerReset(r))}`);
      for (const f of r.fields) {
        const F = `${P}_${screamingCase(f.name)}`;
        out.line(`#define ${F}_SHIFT ${f.lsb}u`);
        out.line(`#define ${F}_WIDTH ${f.msb - f.lsb + 1}u`);
        out.line(`#define ${F}_MASK ${u32(fieldMask(f))}`);
        if (f.reset !== undefined) out.line(`#define ${F}_RESET ${u32(Number(f.reset))}`);
        out.line(`#define ${F}_GET(reg) (((uint32_t)(reg) & ${F}_MASK) >> ${F}_SHIFT)`);
        out.line(
          `#define ${F}_SET(reg, value) (((uint32_t)(reg) & ~${F}_MASK) | (((uint32_t)(value) << ${F}_SHIFT) & ${F}_MASK))`,
        );
      }
    }
    out.line();
  }
}

function locate(map: RegisterMapModel, r: RegisterModel): { at: number; outerStride: number } {
  for (const b of map.blocks)
    for (const n of b.nodes) {
      if (n === r) return { at: b.offset + n.offset, outerStride: 0 };
      if (n.kind === "regfile" && n.registers.includes(r))
        return { at: b.offset + n.offset + r.offset, outerStride: n.stride };
    }
  throw new Error(`register ${r.name} is not in map ${map.name}`);
}

/**
 * Emits the `--registers` table function of the self-check program (`print_registers`), which
 * prints the lines described in the module comment.
 */
export function emitCRegisterTable(out: Emitter, spec: SpecModel): void {
  out.block("static void print_registers(void) {", () => {
    for (const map of spec.registerMaps) {
      const id = `${spec.idPrefix}.${map.name}`;
      for (const s of registerSites(spec, map)) {
        const args = s.loops.map((l) => l.v);
        const print = `printf("reg ${id} ${s.path} 0x%x 0x%x\\n", ${[...args.map((a) => `(unsigned)${a}`), `(unsigned)(${s.offsetExpr})`, `(unsigned)${s.P}_RESET`].join(", ")});`;
        let body = print;
        for (const l of [...s.loops].reverse())
          body = `for (uint32_t ${l.v} = 0; ${l.v} < ${l.count}u; ${l.v}++) { ${body} }`;
        out.line(body);
        const path = s.path.replace(/\[%u\]/g, "[]");
        for (const f of s.r.fields) {
          const F = `${s.P}_${screamingCase(f.name)}`;
          out.line(
            `printf("field ${id} ${path}.${f.name} %u %u 0x%x\\n", (unsigned)${F}_SHIFT, (unsigned)${F}_WIDTH, (unsigned)${F}_MASK);`,
          );
        }
      }
    }
  });
  out.line();
}
