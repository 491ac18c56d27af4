/**
 * Typed access to a register map over a bus. `bindRegisters(map, bus)` builds a tree that
 * mirrors the map — blocks, register files (arrays), registers (arrays), fields, memories —
 * whose leaves read and write through the bus with the access rules of `fields.ts`.
 * Generated code wraps it in a typed factory per map (e.g. `configSpaceRegisters(bus)`), so
 * users write:
 *
 * ```ts
 * const regs = configSpaceRegisters(bus);
 * regs.pcieCap.devctl.fields.mps.write("b256");   // read-modify-write, safe for this register
 * regs.pcieCap.devsta.fields.correctableError.write(true); // write-one-to-clear: 1 in this bit, neutral 0 elsewhere
 * regs.header.command.readFields();                 // { ioSpace: false, memorySpace: true, … }
 * ```
 *
 * @module
 */
import type { Access, AccessMode, AsyncBus, Bus, HardwareBus } from "./bus.js";
import { RegisterAccessError, RegisterAddressError } from "./errors.js";
import type { FieldValue } from "./fields.js";
import {
  decodeFieldValue,
  decodeRegisterValue,
  encodeFieldValue,
  fieldMask,
  fieldRaw,
  fieldWidth,
  isReadableField,
  neutralWriteRaw,
  planFieldWrite,
  resetValue,
  withFieldRaw,
} from "./fields.js";
import type { MemoryInfo, RegisterFieldInfo, RegisterInfo, RegisterMapInfo } from "./info.js";
import { propertyName } from "./locate.js";

/** Access to one field of a register. */
export interface FieldHandle<V, M extends AccessMode = "sync"> {
  /** The field's description. */
  readonly info: RegisterFieldInfo;
  /**
   * Reads the register and returns this field's value.
   *
   * @throws RegisterAccessError when the field is not readable (write-only fields never read back)
   */
  read(): Access<M, V>;
  /**
   * Writes the field and leaves the other fields as they are, reading the register first only
   * when some other field is plain storage (see `planFieldWrite`).
   *
   * @throws RegisterAccessError when that cannot be done safely
   * @throws RegisterValueError when the value does not fit the field
   */
  write(value: V): Access<M, void>;
}

/** Access to one register. `R` are its readable fields, `W` its writable fields. */
export interface RegisterHandle<R, W, M extends AccessMode = "sync"> {
  /** Byte address on the bus (map base included). */
  readonly address: number;
  /** Path in the map, e.g. `bgu.channel[2].control`. */
  readonly path: string;
  /** The register's description. */
  readonly info: RegisterInfo;
  /** Reads the raw 32-bit value (with the register's read side effects, if any). */
  read(): Access<M, number>;
  /** Writes a raw 32-bit value. */
  write(value: number): Access<M, void>;
  /** Reads the register and decodes its readable fields. */
  readFields(): Access<M, R>;
  /**
   * Writes the whole register from named fields in one bus write. Fields not given take a
   * value that changes nothing when there is one (0 for write-one-to-clear fields, …) and their
   * reset value otherwise.
   */
  writeFields(fields: Partial<W>): Access<M, void>;
  /** Read-modify-write of the given fields (see {@link FieldHandle.write}), in one bus write. */
  modify(fields: Partial<W>): Access<M, void>;
  /** Per-field access. */
  readonly fields: { readonly [K in keyof (R & W)]: FieldHandle<(R & W)[K], M> };
}

/** Access to a memory (table) of the map, one entry at a time. */
export interface MemoryHandle<M extends AccessMode = "sync"> {
  /** Byte address of entry 0 on the bus. */
  readonly address: number;
  /** The memory's description. */
  readonly info: MemoryInfo;
  /**
   * Reads entry `index` as bytes: word k of the entry (at `address + index·entryBytes + 4k`)
   * gives bytes 4k..4k+3, most significant byte first (the byte order of the entry format).
   *
   * @throws RegisterAddressError when `index` is out of range
   */
  readEntry(index: number): Access<M, Uint8Array>;
  /**
   * Writes entry `index` from bytes (same layout as {@link readEntry}).
   *
   * @throws RegisterAddressError when `index` is out of range or the length is not `entryBytes`
   */
  writeEntry(index: number, bytes: Uint8Array): Access<M, void>;
}

interface Ops {
  read(address: number): unknown;
  write(address: number, value: number): unknown;
  then<T, U>(v: T, f: (x: Awaited<T>) => U): unknown;
  /** Runs `f`; an error it throws is thrown (sync) or becomes a rejected promise (async). */
  guard(f: () => unknown): unknown;
}

function syncOps(bus: Bus): Ops {
  return {
    read: (a) => bus.read32(a) >>> 0,
    write: (a, v) => bus.write32(a, v >>> 0),
    then: (v, f) => f(v as never),
    guard: (f) => f(),
  };
}

function asyncOps(bus: AsyncBus): Ops {
  return {
    read: (a) => bus.read32(a).then((v) => v >>> 0),
    write: (a, v) => bus.write32(a, v >>> 0),
    then: (v, f) => (v as Promise<unknown>).then(f as (x: unknown) => unknown),
    guard: (f) => {
      try {
        return Promise.resolve(f());
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    },
  };
}

function writeBaseFor(r: RegisterInfo, given: ReadonlySet<string>): number {
  let v = resetValue(r);
  for (const f of r.fields) {
    if (given.has(f.name)) continue;
    const n = neutralWriteRaw(f);
    if (n !== undefined) v = withFieldRaw(f, v, n);
  }
  return v;
}

interface Given {
  /** Names of the fields given, in the order given, joined by "," (the plan cache key). */
  key: string;
  bits: number;
  mask: number;
}

/**
 * A field as `encodeGiven` needs it, in one object shape for every field (field descriptions
 * differ in their optional members, and reading them in a hot loop is slow in V8).
 */
interface CompiledField {
  readonly info: RegisterFieldInfo;
  readonly lsb: number;
  readonly width: number;
  readonly mask: number;
  readonly max: number;
  readonly members: ReadonlyMap<string, number> | undefined;
}

function compileField(f: RegisterFieldInfo): CompiledField {
  const width = fieldWidth(f);
  return {
    info: f,
    lsb: f.lsb,
    width,
    mask: fieldMask(f),
    max: 2 ** width - 1,
    members:
      f.enumMembers === undefined
        ? undefined
        : new Map(f.enumMembers.map((m) => [m.name, m.value])),
  };
}

/** `encodeFieldValue` for the values it accepts; anything else goes to it (and its error). */
function encodeCompiled(c: CompiledField, value: unknown, path: string): number {
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 0 && value <= c.max) return value;
  } else if (typeof value === "boolean") {
    if (c.width === 1) return value ? 1 : 0;
  } else if (typeof value === "string" && c.members !== undefined) {
    const v = c.members.get(value);
    if (v !== undefined) return v;
  }
  return encodeFieldValue(c.info, value, path);
}

function encodeGiven(
  r: RegisterInfo,
  byName: ReadonlyMap<string, CompiledField>,
  path: string,
  fields: Readonly<Record<string, unknown>>,
): Given {
  let key = "";
  let bits = 0;
  let mask = 0;
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined) continue;
    const c = byName.get(name);
    if (c === undefined)
      throw new RegisterAccessError(
        path,
        name,
        `no such field (fields: ${r.fields.map((x) => x.name).join(", ")})`,
      );
    key = key === "" ? name : `${key},${name}`;
    bits = (bits & ~c.mask) | ((encodeCompiled(c, value, path) << c.lsb) & c.mask);
    mask |= c.mask;
  }
  return { key, bits: bits >>> 0, mask: mask >>> 0 };
}

/** Access rules of one side of the registers. */
interface Side {
  readable(f: RegisterFieldInfo): boolean;
  plan(
    r: RegisterInfo,
    path: string,
    changing: ReadonlySet<string>,
  ): { keepMask: number; base: number };
  decode(r: RegisterInfo, value: number): Record<string, FieldValue>;
}

const SOFTWARE: Side = {
  readable: isReadableField,
  plan: planFieldWrite,
  decode: decodeRegisterValue,
};

/** The hardware side: every field readable, no side effects; only `hw: w`/`rw` fields writable. */
const HARDWARE: Side = {
  readable: () => true,
  plan(r, path, changing) {
    let keepMask = 0;
    for (const f of r.fields) {
      if (!changing.has(f.name)) {
        keepMask |= withFieldRaw(f, 0, 0xffff_ffff);
        continue;
      }
      if (f.hw !== "w" && f.hw !== "rw")
        throw new RegisterAccessError(
          path,
          f.name,
          `hardware access is "${f.hw}", not writable by hardware`,
        );
    }
    return { keepMask: keepMask >>> 0, base: 0 };
  },
  decode(r, value) {
    const out: Record<string, FieldValue> = {};
    for (const f of r.fields) out[f.name] = decodeFieldValue(f, fieldRaw(f, value));
    return out;
  },
};

function bindRegister(
  ops: Ops,
  side: Side,
  r: RegisterInfo,
  path: string,
  address: number,
): unknown {
  if (r.width !== 32)
    throw new RegisterAccessError(
      path,
      undefined,
      `register width ${r.width} cannot be accessed over a 32-bit bus`,
    );
  // Built on first use: most registers of a bound map are never written, or never by field.
  let compiled: Map<string, CompiledField> | undefined;
  const fieldsByName = (): Map<string, CompiledField> =>
    (compiled ??= new Map(r.fields.map((f) => [f.name, compileField(f)])));
  // Plans and write bases depend only on which fields are written: computed once per set.
  const plans = new Map<string, { keepMask: number; base: number }>();
  const bases = new Map<string, number>();
  const namesOf = (g: Given): Set<string> => new Set(g.key === "" ? [] : g.key.split(","));
  const planOf = (g: Given): { keepMask: number; base: number } => {
    let plan = plans.get(g.key);
    if (plan === undefined) {
      plan = side.plan(r, path, namesOf(g));
      plans.set(g.key, plan);
    }
    return plan;
  };
  const baseOf = (g: Given): number => {
    let base = bases.get(g.key);
    if (base === undefined) {
      base = writeBaseFor(r, namesOf(g));
      bases.set(g.key, base);
    }
    return base;
  };
  const modify = (fields: Readonly<Record<string, unknown>>): unknown =>
    ops.guard(() => {
      const g = encodeGiven(r, fieldsByName(), path, fields);
      const plan = planOf(g);
      const merge = (current: number): unknown =>
        ops.write(
          address,
          ((current & plan.keepMask) | (plan.base & ~plan.keepMask & ~g.mask) | g.bits) >>> 0,
        );
      return plan.keepMask === 0
        ? merge(0)
        : ops.then(ops.read(address), (v) => merge(v as number));
    });
  const makeFieldHandles = (): Record<string, unknown> => {
    const handles: Record<string, unknown> = {};
    for (const f of r.fields) {
      handles[f.name] = {
        info: f,
        read: () =>
          ops.guard(() => {
            if (!isReadableField(f))
              throw new RegisterAccessError(
                path,
                f.name,
                `software access is "${f.sw}": the field cannot be read back`,
              );
            return ops.then(ops.read(address), (v) =>
              decodeFieldValue(f, fieldRaw(f, v as number)),
            );
          }),
        write: (value: FieldValue) => modify({ [f.name]: value }),
      };
    }
    return handles;
  };
  return {
    address,
    path,
    info: r,
    read: () => ops.read(address),
    write: (value: number) => ops.write(address, value),
    readFields: () => ops.then(ops.read(address), (v) => side.decode(r, v as number)),
    writeFields: (fields: Readonly<Record<string, unknown>>) =>
      ops.guard(() => {
        const g = encodeGiven(r, fieldsByName(), path, fields);
        return ops.write(address, ((baseOf(g) & ~g.mask) | g.bits) >>> 0);
      }),
    modify,
    fields: makeFieldHandles(),
  };
}

function bindMemory(ops: Ops, m: MemoryInfo, path: string, address: number): unknown {
  if (m.entryBytes % 4 !== 0)
    throw new RegisterAccessError(
      path,
      undefined,
      `entries of ${m.entryBytes} bytes cannot be accessed as 32-bit words`,
    );
  const entryAddress = (index: number): number => {
    if (!Number.isInteger(index) || index < 0 || index >= m.entries)
      throw new RegisterAddressError(
        path,
        address,
        `entry index ${index} out of range 0..${m.entries - 1}`,
      );
    return address + index * m.entryBytes;
  };
  return {
    address,
    info: m,
    readEntry: (index: number) =>
      ops.guard(() => {
        const at = entryAddress(index);
        const out = new Uint8Array(m.entryBytes);
        const view = new DataView(out.buffer);
        const step = (k: number): unknown =>
          k >= m.entryBytes
            ? out
            : ops.then(ops.read(at + k), (w) => {
                view.setUint32(k, w as number);
                return step(k + 4);
              });
        return step(0);
      }),
    writeEntry: (index: number, bytes: Uint8Array) =>
      ops.guard(() => {
        const at = entryAddress(index);
        if (bytes.length !== m.entryBytes)
          throw new RegisterAddressError(
            path,
            at,
            `entry needs ${m.entryBytes} bytes, got ${bytes.length}`,
          );
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const step = (k: number): unknown =>
          k >= m.entryBytes
            ? undefined
            : ops.then(ops.write(at + k, view.getUint32(k)), () => step(k + 4));
        return step(0);
      }),
  };
}

function bindTree(ops: Ops, side: Side, map: RegisterMapInfo, base: number): unknown {
  const bindReg = (r: RegisterInfo, prefix: string, at: number): unknown => {
    const name = `${prefix}${propertyName(r.name)}`;
    if (r.count === 1) return bindRegister(ops, side, r, name, at + r.offset);
    return Object.freeze(
      Array.from({ length: r.count }, (_, i) =>
        bindRegister(ops, side, r, `${name}[${i}]`, at + r.offset + i * r.stride),
      ),
    );
  };
  const root: Record<string, unknown> = {};
  for (const b of map.blocks) {
    const blockName = propertyName(b.name);
    const block: Record<string, unknown> = {};
    const at = base + b.offset;
    for (const n of b.nodes) {
      const key = propertyName(n.name);
      if (n.kind === "register") block[key] = bindReg(n, `${blockName}.`, at);
      else if (n.kind === "memory")
        block[key] = bindMemory(ops, n, `${blockName}.${key}`, at + n.offset);
      else
        block[key] = Object.freeze(
          Array.from({ length: n.count }, (_, i) => {
            const el: Record<string, unknown> = {};
            for (const r of n.registers)
              el[propertyName(r.name)] = bindReg(
                r,
                `${blockName}.${key}[${i}].`,
                at + n.offset + i * n.stride,
              );
            return Object.freeze(el);
          }),
        );
    }
    root[blockName] = Object.freeze(block);
  }
  return Object.freeze(root);
}

/**
 * The last binding made ({@link bindRegisters}): a model binds the same register file in several
 * places one after the other. One entry only — a table of buses would keep every register file
 * alive or, weakly held, make the collector work through every bound tree.
 */
let lastBinding:
  { bus: Bus | HardwareBus; map: RegisterMapInfo; base: number; tree: unknown } | undefined;

/**
 * Binds a register map to a synchronous bus. Generated code calls this and gives the result
 * its map's type; use the generated factory rather than this function.
 *
 * @param map - the map's description
 * @param bus - the bus
 * @param base - bus address of the map's offset 0
 * @throws RegisterAccessError when a register is not 32 bits wide or a memory entry is not a whole number of words
 */
export function bindRegisters(map: RegisterMapInfo, bus: Bus | HardwareBus, base = 0): unknown {
  // The bound tree is frozen and calls the bus at each access, so one binding per bus, map
  // and base serves every caller (a model binds the same register file in several places).
  const last = lastBinding;
  if (last !== undefined && last.bus === bus && last.map === map && last.base === base)
    return last.tree;
  const tree = bindTree(syncOps(bus), bus.side === "hardware" ? HARDWARE : SOFTWARE, map, base);
  // A hardware binding (the model's own) does not replace the software one callers repeat.
  if (bus.side !== "hardware") lastBinding = { bus, map, base, tree };
  return tree;
}

/**
 * Binds a register map to an asynchronous bus (every access returns a promise).
 *
 * @param map - the map's description
 * @param bus - the bus
 * @param base - bus address of the map's offset 0
 * @throws RegisterAccessError as {@link bindRegisters}
 */
export function bindRegistersAsync(map: RegisterMapInfo, bus: AsyncBus, base = 0): unknown {
  return bindTree(asyncOps(bus), SOFTWARE, map, base);
}
