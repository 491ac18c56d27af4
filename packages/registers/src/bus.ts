/**
 * The bus a register map is reached through: 32-bit reads and writes by byte address, in a
 * synchronous form (an emulator's register file, a memory-mapped BAR in the same process) and
 * an asynchronous one (a device over a link, a worker thread).
 *
 * @module
 */

/** Synchronous 32-bit register bus. Addresses are byte addresses, 4-byte aligned. */
export interface Bus {
  /**
   * Which side of the registers the bus reaches: `"software"` (default) — accesses have the
   * fields' software side effects; `"hardware"` — a register-file model's hardware view (raw
   * values, writes limited to hardware-writable fields). Accessors bound to a hardware bus read
   * every field and write the fields whose `hw` access allows it.
   */
  readonly side?: "software" | "hardware";
  /** Reads the 32-bit register at `address`; returns an unsigned value. */
  read32(address: number): number;
  /** Writes the 32-bit register at `address`. */
  write32(address: number, value: number): void;
}

/** Asynchronous 32-bit register bus. Addresses are byte addresses, 4-byte aligned. */
export interface AsyncBus {
  /** Reads the 32-bit register at `address`; resolves to an unsigned value. */
  read32(address: number): Promise<number>;
  /** Writes the 32-bit register at `address`. */
  write32(address: number, value: number): Promise<void>;
}

/**
 * How registers are accessed: software access returning values directly (`"sync"`) or
 * promises (`"async"`), or the hardware side of a register-file model (`"hardware"`,
 * synchronous: every field readable, hardware-writable fields writable).
 */
export type AccessMode = "sync" | "async" | "hardware";

/** `T` for synchronous access, `Promise<T>` for asynchronous access. */
export type Access<M extends AccessMode, T> = M extends "async" ? Promise<T> : T;

/** The bus type of an access mode. */
export type BusOf<M extends AccessMode> = M extends "async"
  ? AsyncBus
  : M extends "hardware"
    ? HardwareBus
    : Bus;

/** The hardware side of a register-file model (`RegisterFile.hardwareBus`). */
export interface HardwareBus extends Bus {
  /** Always `"hardware"`: accessors bound to this bus take the hardware view. */
  readonly side: "hardware";
}

/**
 * A bus that shifts every address by `base`: a register map placed at `base` in a larger
 * address space (a BAR, a configuration space).
 */
export function offsetBus(bus: Bus, base: number): Bus {
  return {
    read32: (a) => bus.read32(base + a),
    write32: (a, v) => bus.write32(base + a, v),
  };
}

/**
 * A synchronous bus used through the asynchronous interface: lets code written for
 * {@link AsyncBus} run on an emulator's register file.
 */
export function asyncBus(bus: Bus): AsyncBus {
  return {
    read32: (a) => Promise.resolve(bus.read32(a)),
    write32: (a, v) => {
      bus.write32(a, v);
      return Promise.resolve();
    },
  };
}
