/**
 * The register-file model: a {@link Bus} that behaves like the registers of real hardware, for
 * emulators and tests. Software reads and writes (`read32`/`write32`) follow each field's
 * SystemRDL properties (SystemRDL 2.0 §9.4–9.8):
 *
 * | property | software read | software write |
 * |---|---|---|
 * | `sw: r` | value | ignored |
 * | `sw: w` | reads 0 | stores |
 * | `sw: rw` | value | stores |
 * | `sw: w1` / `rw1` | (0 / value) | stores the first write after reset only |
 * | `sw: na` | reads 0 | ignored |
 * | `onread: rclr` / `rset` | value, then clears / sets the field | — |
 * | `onwrite: woclr` / `woset` / `wot` | — | 1 bits clear / set / toggle |
 * | `onwrite: wzc` / `wzs` / `wzt` | — | 0 bits clear / set / toggle |
 * | `onwrite: wclr` / `wset` | — | any write clears / sets the field |
 * | `singlepulse` | reads 0 | 1 bits pulse for one cycle (reported to listeners, not stored) |
 *
 * Bits outside every field read 0 and ignore writes. The hardware model sees and drives the
 * registers through {@link RegisterFile.hardwareBus} (raw values, no side effects, writes limited
 * to fields whose `hw` access allows them) — bind it with the generated factory for typed
 * hardware-side access — and observes software accesses with {@link RegisterFile.onWrite},
 * {@link RegisterFile.watch} and {@link RegisterFile.onRead}.
 *
 * @module
 */
import type { Bus, HardwareBus } from "./bus.js";
import { RegisterAddressError } from "./errors.js";
import { fieldMask, resetValue } from "./fields.js";
import type { MemoryInfo, RegisterFieldInfo, RegisterInfo, RegisterMapInfo } from "./info.js";
import { memoryInstances, registerInstances } from "./locate.js";

/** A software write seen by the hardware model. */
export interface RegisterWriteEvent {
  /** Register path, e.g. `bgu.channel[2].control`. */
  readonly path: string;
  /** Byte address relative to the map base. */
  readonly address: number;
  /** The register's description. */
  readonly register: RegisterInfo;
  /** The raw value software wrote. */
  readonly written: number;
  /** Stored value before the write. */
  readonly before: number;
  /** Stored value after the write (what software reads next, before read side effects). */
  readonly after: number;
  /** Bits of `singlepulse` fields written with 1: the one-cycle pulses (not stored). */
  readonly pulses: number;
}

/** A software read about to be served, so the hardware model can update the value first. */
export interface RegisterReadEvent {
  /** Register path. */
  readonly path: string;
  /** Byte address relative to the map base. */
  readonly address: number;
  /** The register's description. */
  readonly register: RegisterInfo;
}

/** A software write into a memory (table) of the map. */
export interface MemoryWriteEvent {
  /** Memory path, e.g. `atu.entries`. */
  readonly path: string;
  /** The memory's description. */
  readonly memory: MemoryInfo;
  /** Index of the entry the written word belongs to. */
  readonly entry: number;
  /** Byte offset of the word within the entry. */
  readonly offset: number;
  /** The word written. */
  readonly value: number;
}

/** Options of a {@link RegisterFile}. */
export interface RegisterFileOptions {
  /**
   * What a software access to an address without a register does: `"error"` (default) throws a
   * `RegisterAddressError`, as an emulator should make such bugs loud; `"ignore"` reads 0 and
   * drops writes, as many buses do.
   */
  readonly unmapped?: "error" | "ignore";
}

interface Slot {
  readonly path: string;
  readonly address: number;
  readonly register: RegisterInfo;
  readonly index: number;
  /** Bits software reads back. */
  readonly readMask: number;
  /** Per field, precomputed. */
  readonly fields: readonly { info: RegisterFieldInfo; mask: number }[];
  /** Bits of fields hardware may write. */
  readonly hwWriteMask: number;
  /** Reset value. */
  readonly reset: number;
}

interface MemorySlot {
  readonly path: string;
  readonly address: number;
  readonly memory: MemoryInfo;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

const SW_READS = new Set(["r", "rw", "rw1"]);
const SW_WRITES = new Set(["w", "rw", "w1", "rw1"]);
const HW_WRITES = new Set(["w", "rw"]);

function softwareWrite(stored: number, written: number, f: RegisterFieldInfo, m: number): number {
  switch (f.onwrite) {
    case "woclr":
      return stored & ~(written & m);
    case "woset":
      return stored | (written & m);
    case "wot":
      return stored ^ (written & m);
    case "wzc":
      return stored & ~(~written & m);
    case "wzs":
      return stored | (~written & m);
    case "wzt":
      return stored ^ (~written & m);
    case "wclr":
      return stored & ~m;
    case "wset":
      return stored | m;
    default:
      return (stored & ~m) | (written & m);
  }
}

/** The slots of a map (immutable; every register file of the map shares them) and their index by address. */
interface Layout {
  readonly slots: readonly Slot[];
  readonly byAddress: ReadonlyMap<number, Slot>;
  readonly byPath: ReadonlyMap<string, Slot>;
}

const layouts = new WeakMap<RegisterMapInfo, Layout>();

/** The {@link Layout} of a map, worked out once per map (an emulator makes a register file per run). */
function layoutOf(map: RegisterMapInfo): Layout {
  let layout = layouts.get(map);
  if (layout !== undefined) return layout;
  const slots: Slot[] = registerInstances(map).map((inst, index) => {
    const fields = inst.register.fields.map((info) => ({ info, mask: fieldMask(info) }));
    let readMask = 0;
    let hwWriteMask = 0;
    for (const f of fields) {
      if (SW_READS.has(f.info.sw) && f.info.singlepulse !== true) readMask |= f.mask;
      if (HW_WRITES.has(f.info.hw)) hwWriteMask |= f.mask;
    }
    return {
      ...inst,
      index,
      fields,
      readMask: readMask >>> 0,
      hwWriteMask: hwWriteMask >>> 0,
      reset: resetValue(inst.register),
    };
  });
  layout = {
    slots,
    byAddress: new Map(slots.map((s) => [s.address, s])),
    byPath: new Map(slots.map((s) => [s.path, s])),
  };
  layouts.set(map, layout);
  return layout;
}

const patternCache = new Map<string, RegExp>();

function pathMatches(pattern: string, path: string): boolean {
  if (!pattern.includes("[*]")) return pattern === path;
  let re = patternCache.get(pattern);
  if (re !== undefined) return re.test(path);
  if (patternCache.size > 256) patternCache.clear();
  re = new RegExp(
    `^${pattern
      .split("[*]")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("\\[\\d+\\]")}$`,
  );
  patternCache.set(pattern, re);
  return re.test(path);
}

/**
 * Registers and memories of one map instance, with hardware behaviour (see the module
 * comment). Implements {@link Bus} for software; addresses are relative to the map base.
 */
export class RegisterFile implements Bus {
  /** The map this file implements. */
  readonly map: RegisterMapInfo;
  readonly #values: Uint32Array;
  readonly #writtenOnce: Uint32Array;
  readonly #slots: readonly Slot[];
  readonly #byAddress: ReadonlyMap<number, Slot>;
  readonly #byPath: ReadonlyMap<string, Slot>;
  readonly #memories: MemorySlot[];
  readonly #unmapped: "error" | "ignore";
  readonly #writeListeners: { pattern: string | undefined; fn: (e: RegisterWriteEvent) => void }[] =
    [];
  readonly #readListeners: { pattern: string; fn: (e: RegisterReadEvent) => void }[] = [];
  readonly #memoryListeners: ((e: MemoryWriteEvent) => void)[] = [];
  // The listeners of each register, in registration order, worked out on first use and
  // dropped whenever a listener is added or removed: an access calls only its own listeners.
  #writeBySlot: (((e: RegisterWriteEvent) => void)[] | undefined)[] = [];
  #readBySlot: (((e: RegisterReadEvent) => void)[] | undefined)[] = [];

  /**
   * The hardware side: a {@link Bus} over the same storage with no side effects. Reads return
   * the stored value of every field; writes change only fields whose `hw` access is `w` or `rw`
   * (the bits of other fields are kept). Bind it with a generated factory for typed access.
   */
  readonly hardwareBus: HardwareBus;

  /**
   * @param map - the map to implement (a generated `<MAP>_MAP`)
   * @param options - behaviour on unmapped addresses
   */
  constructor(map: RegisterMapInfo, options: RegisterFileOptions = {}) {
    this.map = map;
    this.#unmapped = options.unmapped ?? "error";
    const layout = layoutOf(map);
    this.#slots = layout.slots;
    this.#byAddress = layout.byAddress;
    this.#byPath = layout.byPath;
    this.#values = new Uint32Array(this.#slots.length);
    this.#writtenOnce = new Uint32Array(this.#slots.length);
    this.#memories = memoryInstances(map).map((m) => {
      const bytes = new Uint8Array(m.memory.entries * m.memory.entryBytes);
      return { ...m, bytes, view: new DataView(bytes.buffer) };
    });
    this.reset();
    const hardwareRead = (a: number): number => this.#values[this.#slot(a, "hardware").index]!;
    const hardwareWrite = (a: number, v: number): void => {
      const s = this.#slot(a, "hardware");
      const old = this.#values[s.index]!;
      this.#values[s.index] = ((old & ~s.hwWriteMask) | (v & s.hwWriteMask)) >>> 0;
    };
    this.hardwareBus = { side: "hardware", read32: hardwareRead, write32: hardwareWrite };
  }

  /** Puts every register at its reset value (fields without one at 0) and clears the memories. */
  reset(): void {
    for (const s of this.#slots) this.#values[s.index] = s.reset;
    this.#writtenOnce.fill(0);
    for (const m of this.#memories) m.bytes.fill(0);
  }

  /** The bytes of a memory (e.g. the ATU table), shared with the register file: the hardware model reads entries here. */
  memory(path: string): Uint8Array {
    const m = this.#memories.find((x) => x.path === path);
    if (m === undefined)
      throw new RegisterAddressError(
        this.map.id,
        -1,
        `no memory "${path}" (memories: ${this.#memories.map((x) => x.path).join(", ") || "none"})`,
      );
    return m.bytes;
  }

  /**
   * Software read (see the module comment for what each field returns and its side effects).
   *
   * @throws RegisterAddressError for an address without a register (unless `unmapped: "ignore"`)
   */
  read32(address: number): number {
    const mem = this.#memoryAt(address);
    if (mem !== undefined) {
      if (mem.memory.sw === "w" || mem.memory.sw === "na") return 0;
      return mem.view.getUint32(address - mem.address);
    }
    const s = this.#slotOrNull(address);
    if (s === undefined) return 0;
    const readers = (this.#readBySlot[s.index] ??= this.#readListeners
      .filter((l) => pathMatches(l.pattern, s.path))
      .map((l) => l.fn));
    if (readers.length > 0) {
      const e = { path: s.path, address: s.address, register: s.register };
      for (const fn of readers) fn(e);
    }
    const stored = this.#values[s.index]!;
    let after = stored;
    for (const f of s.fields) {
      if (f.info.onread === "rclr") after &= ~f.mask;
      else if (f.info.onread === "rset") after |= f.mask;
    }
    this.#values[s.index] = after >>> 0;
    return (stored & s.readMask) >>> 0;
  }

  /**
   * Software write (see the module comment), then the write listeners.
   *
   * @throws RegisterAddressError for an address without a register (unless `unmapped: "ignore"`)
   */
  write32(address: number, value: number): void {
    const v = value >>> 0;
    const mem = this.#memoryAt(address);
    if (mem !== undefined) {
      if (mem.memory.sw === "r" || mem.memory.sw === "na") return;
      const off = address - mem.address;
      mem.view.setUint32(off, v);
      const entry = Math.floor(off / mem.memory.entryBytes);
      for (const l of this.#memoryListeners)
        l({
          path: mem.path,
          memory: mem.memory,
          entry,
          offset: off - entry * mem.memory.entryBytes,
          value: v,
        });
      return;
    }
    const s = this.#slotOrNull(address);
    if (s === undefined) return;
    const before = this.#values[s.index]!;
    let after = before;
    let pulses = 0;
    let once = this.#writtenOnce[s.index]!;
    for (const f of s.fields) {
      const sw = f.info.sw;
      if (!SW_WRITES.has(sw)) continue;
      if (sw === "w1" || sw === "rw1") {
        if ((once & f.mask) !== 0) continue;
        once |= f.mask;
      }
      if (f.info.singlepulse === true) {
        pulses |= v & f.mask;
        after &= ~f.mask;
        continue;
      }
      after = softwareWrite(after, v, f.info, f.mask);
    }
    this.#writtenOnce[s.index] = once >>> 0;
    this.#values[s.index] = after >>> 0;
    const event: RegisterWriteEvent = {
      path: s.path,
      address: s.address,
      register: s.register,
      written: v,
      before,
      after: after >>> 0,
      pulses: pulses >>> 0,
    };
    const writers = (this.#writeBySlot[s.index] ??= this.#writeListeners
      .filter((l) => l.pattern === undefined || pathMatches(l.pattern, s.path))
      .map((l) => l.fn));
    for (const fn of writers) fn(event);
  }

  /**
   * Calls `listener` after every software write to any register.
   *
   * @returns a function that removes the listener
   */
  onWrite(listener: (e: RegisterWriteEvent) => void): () => void {
    return this.#add(this.#writeListeners, { pattern: undefined, fn: listener });
  }

  /**
   * Calls `listener` after every software write to the registers matching `path`
   * (`bgu.channel[2].control`, or `bgu.channel[*].control` for every element).
   *
   * @returns a function that removes the listener
   * @throws RegisterAddressError when no register matches `path`
   */
  watch(path: string, listener: (e: RegisterWriteEvent) => void): () => void {
    this.#checkPattern(path);
    return this.#add(this.#writeListeners, { pattern: path, fn: listener });
  }

  /**
   * Calls `listener` before every software read of the registers matching `path`, so the
   * hardware model can bring the value up to date (e.g. a counter of simulated time).
   *
   * @returns a function that removes the listener
   * @throws RegisterAddressError when no register matches `path`
   */
  onRead(path: string, listener: (e: RegisterReadEvent) => void): () => void {
    this.#checkPattern(path);
    return this.#add(this.#readListeners, { pattern: path, fn: listener });
  }

  /**
   * Calls `listener` after every software write into a memory of the map.
   *
   * @returns a function that removes the listener
   */
  onMemoryWrite(listener: (e: MemoryWriteEvent) => void): () => void {
    return this.#add(this.#memoryListeners, listener);
  }

  #add<T>(list: T[], item: T): () => void {
    list.push(item);
    this.#writeBySlot = [];
    this.#readBySlot = [];
    return () => {
      const i = list.indexOf(item);
      if (i >= 0) list.splice(i, 1);
      this.#writeBySlot = [];
      this.#readBySlot = [];
    };
  }

  #checkPattern(path: string): void {
    if (
      path.includes("[*]")
        ? !this.#slots.some((s) => pathMatches(path, s.path))
        : !this.#byPath.has(path)
    )
      throw new RegisterAddressError(this.map.id, -1, `no register matches "${path}"`);
  }

  #memoryAt(address: number): MemorySlot | undefined {
    for (const m of this.#memories)
      if (address >= m.address && address < m.address + m.bytes.length) {
        if (address % 4 !== 0)
          throw new RegisterAddressError(this.map.id, address, "unaligned 32-bit access");
        return m;
      }
    return undefined;
  }

  #slotOrNull(address: number): Slot | undefined {
    const s = this.#byAddress.get(address);
    if (s !== undefined) return s;
    if (this.#unmapped === "ignore" && address % 4 === 0) return undefined;
    return this.#slot(address, "software");
  }

  #slot(address: number, side: string): Slot {
    const s = this.#byAddress.get(address);
    if (s !== undefined) return s;
    throw new RegisterAddressError(
      this.map.id,
      address,
      address % 4 !== 0
        ? `unaligned 32-bit ${side} access`
        : `no register at this address (${side} access)`,
    );
  }
}
