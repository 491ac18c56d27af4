/**
 * `rashpa regs`: the register maps generated from the specs, from the command line.
 *
 * - `rashpa regs [--json]` — every map: id, title, number of registers;
 * - `rashpa regs <map> [--json]` — the map's registers: address, path, reset value and fields
 *   with their bits and access;
 * - `rashpa regs <map> decode <register> <value> [--json]` — a register value decoded into its
 *   named fields; `<register>` is a path (`pcieCap.devctlDevsta`, `bgu.channel[2].control`) or
 *   a byte address (`0x48`), `<value>` a number (`0x2810`, `10256`).
 *
 * JSON shapes (stable): the list is `[{ id, title, registers }]`; a map is
 * `{ id, title, registers: [{ path, address, reset, fields: [{ name, msb, lsb, sw, hw, onread?,
 * onwrite?, singlepulse?, reset?, enum? }] }] }`; a decode is `{ map, path, address, value,
 * fields: { name: value } }` with enumerated fields by member name, 1-bit fields as booleans
 * and write-only fields left out.
 *
 * @module
 */
import type { RegisterInstance, RegisterMapInfo } from "@rashpa/registers";
import {
  RegisterAddressError,
  decodeRegisterValue,
  describeRegister,
  registerAt,
  registerInstances,
  resetValue,
} from "@rashpa/registers";
import { CliError } from "./cli.js";
import type { CliIo } from "./cli.js";
import { ALL_REGISTER_MAPS } from "./registry.js";

const hex = (v: number, digits = 0): string => `0x${v.toString(16).padStart(digits, "0")}`;

function findMap(id: string): RegisterMapInfo {
  const m = ALL_REGISTER_MAPS.find((x) => x.id === id);
  if (m === undefined)
    throw new CliError(
      `unknown register map "${id}" (known: ${ALL_REGISTER_MAPS.map((x) => x.id).join(", ")})`,
    );
  return m;
}

function parseNumber(text: string, what: string): number {
  const t = text.trim();
  const v = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(v) || v < 0 || v > 0xffff_ffff)
    throw new CliError(`${what} expected a 32-bit number (decimal or 0x hex), got "${text}"`);
  return v;
}

function findRegister(map: RegisterMapInfo, ref: string): RegisterInstance {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(ref)) {
    try {
      return registerAt(map, parseNumber(ref, "<register>"));
    } catch (e) {
      if (e instanceof RegisterAddressError) throw new CliError(e.message);
      throw e;
    }
  }
  const inst = registerInstances(map).find((r) => r.path === ref);
  if (inst === undefined) {
    const near = registerInstances(map)
      .map((r) => r.path)
      .filter((p) => p.replace(/\[\d+\]/g, "") === ref.replace(/\[\d+\]/g, ""));
    throw new CliError(
      `${map.id} has no register "${ref}"${near.length > 0 ? ` (did you mean ${near.slice(0, 3).join(", ")}…?)` : " (see rashpa regs " + map.id + ")"}`,
    );
  }
  return inst;
}

function access(f: RegisterInstance["register"]["fields"][number]): string {
  return [
    `sw ${f.sw}`,
    `hw ${f.hw}`,
    f.onread ?? "",
    f.onwrite ?? "",
    f.singlepulse === true ? "singlepulse" : "",
  ]
    .filter((x) => x !== "")
    .join(", ");
}

function mapJson(map: RegisterMapInfo): unknown {
  return {
    id: map.id,
    title: map.title,
    registers: registerInstances(map).map((r) => ({
      path: r.path,
      address: r.address,
      reset: resetValue(r.register),
      // The field descriptions are already the JSON shape, less the doc and enum members,
      // with the enum's name as `enum`.
      fields: r.register.fields.map(({ doc: _doc, enumMembers: _members, enumName, ...f }) => ({
        ...f,
        ...(enumName !== undefined ? { enum: enumName } : {}),
      })),
    })),
  };
}

/**
 * Runs `rashpa regs …`.
 *
 * @param args - positional arguments after `regs`
 * @param flags - options (`--json`)
 * @throws CliError on a usage error, an unknown map or register, or a bad value
 */
export function regsCommand(args: readonly string[], flags: ReadonlySet<string>, io: CliIo): void {
  for (const f of flags) if (f !== "--json") throw new CliError(`unknown option ${f}`);
  const json = flags.has("--json");
  const [id, verb, ref, value, ...extra] = args;
  if (id === undefined) {
    const rows = ALL_REGISTER_MAPS.map((m) => ({
      id: m.id,
      title: m.title,
      registers: registerInstances(m).length,
    }));
    if (json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    else
      for (const r of rows)
        io.stdout(`${r.id.padEnd(28)} ${String(r.registers).padStart(5)}  ${r.title}\n`);
    return;
  }
  const map = findMap(id);
  if (verb === undefined) {
    if (json) {
      io.stdout(`${JSON.stringify(mapJson(map), null, 2)}\n`);
      return;
    }
    const all = registerInstances(map);
    const digits = Math.max(3, (all.at(-1)?.address ?? 0).toString(16).length);
    for (const r of all) {
      io.stdout(`${hex(r.address, digits)}  ${r.path}  reset ${hex(resetValue(r.register), 8)}\n`);
      for (const f of r.register.fields) {
        const bits = f.msb === f.lsb ? `${f.lsb}` : `${f.msb}:${f.lsb}`;
        io.stdout(`    ${bits.padStart(5)}  ${f.name.padEnd(28)} ${access(f)}\n`);
      }
    }
    return;
  }
  if (verb !== "decode") throw new CliError(`regs: unknown action "${verb}" (known: decode)`);
  if (ref === undefined || value === undefined)
    throw new CliError("regs decode needs <register> <value>");
  if (extra.length > 0)
    throw new CliError(`regs decode takes two arguments, got ${2 + extra.length}`);
  const inst = findRegister(map, ref);
  const v = parseNumber(value, "<value>");
  if (json)
    io.stdout(
      `${JSON.stringify(
        {
          map: map.id,
          path: inst.path,
          address: inst.address,
          value: v,
          fields: decodeRegisterValue(inst.register, v),
        },
        null,
        2,
      )}\n`,
    );
  else io.stdout(`${describeRegister(map, inst.address, v)}\n`);
}
