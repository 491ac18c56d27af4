/**
 * Addresses of a register map: every register instance with its byte address and path, the
 * register at an address, and a human description of a register value.
 *
 * @module
 */
import { RegisterAddressError } from "./errors.js";
import { decodeFieldValue, fieldRaw, isReadableField, fieldWidth } from "./fields.js";
import type { MemoryInfo, RegisterInfo, RegisterMapInfo } from "./info.js";

/** One register instance of a map. */
export interface RegisterInstance {
  /** Path in the map, with camelCase names and indices: `bgu.channel[2].control`. */
  readonly path: string;
  /** Byte address relative to the base of the map. */
  readonly address: number;
  /** The register's description. */
  readonly register: RegisterInfo;
}

/** One memory (table) of a map. */
export interface MemoryInstance {
  /** Path in the map: `atu.entries`. */
  readonly path: string;
  /** Byte address of entry 0 relative to the base of the map. */
  readonly address: number;
  /** The memory's description. */
  readonly memory: MemoryInfo;
}

/** Names seen so far (a map has a few hundred; binding a map asks for each of them). */
const propertyNames = new Map<string, string>();

/** camelCase of a kebab-case spec name (`link-status` → `linkStatus`). */
export function propertyName(kebab: string): string {
  let name = propertyNames.get(kebab);
  if (name === undefined) {
    name = kebab.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    propertyNames.set(kebab, name);
  }
  return name;
}

const instanceCache = new WeakMap<RegisterMapInfo, readonly RegisterInstance[]>();

/** Every register instance of the map (arrays expanded), in address order. */
export function registerInstances(map: RegisterMapInfo): readonly RegisterInstance[] {
  const cached = instanceCache.get(map);
  if (cached !== undefined) return cached;
  const out: RegisterInstance[] = [];
  const addRegister = (r: RegisterInfo, prefix: string, base: number): void => {
    const name = `${prefix}${propertyName(r.name)}`;
    if (r.count === 1) out.push({ path: name, address: base + r.offset, register: r });
    else
      for (let i = 0; i < r.count; i++)
        out.push({ path: `${name}[${i}]`, address: base + r.offset + i * r.stride, register: r });
  };
  for (const b of map.blocks) {
    const prefix = `${propertyName(b.name)}.`;
    for (const n of b.nodes) {
      if (n.kind === "register") addRegister(n, prefix, b.offset);
      else if (n.kind === "regfile")
        for (let i = 0; i < n.count; i++)
          for (const r of n.registers)
            addRegister(
              r,
              `${prefix}${propertyName(n.name)}[${i}].`,
              b.offset + n.offset + i * n.stride,
            );
    }
  }
  out.sort((a, b) => a.address - b.address);
  instanceCache.set(map, out);
  return out;
}

/** Every memory of the map, in declaration order. */
export function memoryInstances(map: RegisterMapInfo): readonly MemoryInstance[] {
  const out: MemoryInstance[] = [];
  for (const b of map.blocks)
    for (const n of b.nodes)
      if (n.kind === "memory")
        out.push({
          path: `${propertyName(b.name)}.${propertyName(n.name)}`,
          address: b.offset + n.offset,
          memory: n,
        });
  return out;
}

/**
 * The register instance whose first byte is at `address` (relative to the map base).
 *
 * @throws RegisterAddressError when no register starts there
 */
export function registerAt(map: RegisterMapInfo, address: number): RegisterInstance {
  const all = registerInstances(map);
  let lo = 0;
  let hi = all.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = all[mid]!;
    if (r.address === address) return r;
    if (r.address < address) lo = mid + 1;
    else hi = mid - 1;
  }
  const inside = all.find((r) => address > r.address && address < r.address + r.register.width / 8);
  if (inside !== undefined)
    throw new RegisterAddressError(
      map.id,
      address,
      `inside ${inside.path} (at 0x${inside.address.toString(16)}), not at its start`,
    );
  const mem = memoryInstances(map).find(
    (m) => address >= m.address && address < m.address + m.memory.entries * m.memory.entryBytes,
  );
  if (mem !== undefined)
    throw new RegisterAddressError(
      map.id,
      address,
      `in memory ${mem.path}, entry ${Math.floor((address - mem.address) / mem.memory.entryBytes)}`,
    );
  throw new RegisterAddressError(map.id, address, "no register at this address");
}

const hex = (v: number, digits: number): string => `0x${v.toString(16).padStart(digits, "0")}`;

/**
 * A one-line description of a register value, for logs and the CLI:
 * `header.command @ 0x004 = 0x00000006: ioSpace=false memorySpace=true …`. Write-only fields
 * are not shown (their value cannot be read back); enumerated fields show the member name.
 *
 * @param map - the register map
 * @param address - byte address of the register relative to the map base
 * @param value - the register's raw value
 * @throws RegisterAddressError when no register starts at `address`
 */
export function describeRegister(map: RegisterMapInfo, address: number, value: number): string {
  const inst = registerAt(map, address);
  const r = inst.register;
  const fields = r.fields.filter(isReadableField).map((f) => {
    const raw = fieldRaw(f, value);
    const v = decodeFieldValue(f, raw);
    const shown = typeof v === "number" ? (fieldWidth(f) > 4 ? hex(v, 0) : String(v)) : String(v);
    return `${f.name}=${shown}`;
  });
  const digits = Math.max(3, (registerInstances(map).at(-1)?.address ?? 0).toString(16).length);
  return `${inst.path} @ ${hex(inst.address, digits)} = ${hex(value >>> 0, r.width / 4)}${fields.length > 0 ? `: ${fields.join(" ")}` : ""}`;
}
