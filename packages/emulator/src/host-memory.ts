/**
 * Receiver (backend computer) memory as the emulator sees it: a region of physical address
 * space backed by one buffer — an `ArrayBuffer`, or a `SharedArrayBuffer` so that a receiving
 * thread sees the data without copying — and the PCIe switch that routes memory writes to
 * the right receiver by address window (SYSTEM.md §1: multiple destinations through PCIe
 * switches; PCI Express memory requests are address-routed, pcie.md §1).
 *
 * @module
 */
import type { MemoryWriteTlp } from "@rashpa/pcie";

/** An access outside every receiver window, or outside a region: the completer would answer Unsupported Request (pcie.md §3). */
export class MemoryRouteError extends Error {
  /** Stable error name. */
  override readonly name = "MemoryRouteError";
  /**
   * @param address - first byte of the access
   * @param length - bytes accessed
   * @param reason - what is wrong
   */
  constructor(
    /** First byte of the access (physical address). */
    readonly address: bigint,
    /** Bytes accessed. */
    readonly length: number,
    reason: string,
  ) {
    super(`0x${address.toString(16)} +${length}: ${reason}`);
  }
}

/** A region of a receiver's physical memory. */
export class HostMemory {
  /** Name, for messages (e.g. `detector-pc`). */
  readonly name: string;
  /** Physical address of byte 0. */
  readonly base: bigint;
  /** The bytes; a view of the backing buffer. */
  readonly bytes: Uint8Array;
  /** `base` as a number, or −1 when the region reaches past 2^53 (then bigints are used). */
  readonly #baseNumber: number;
  /** Whether {@link HostMemory.write} is this class's own (a subclass may forward writes). */
  readonly #ownWrite: boolean;

  /**
   * @param name - a name for messages
   * @param base - physical address of byte 0
   * @param sizeOrBuffer - size in bytes (a new zeroed `ArrayBuffer`) or an existing buffer
   */
  constructor(name: string, base: bigint, sizeOrBuffer: number | ArrayBufferLike) {
    if (base < 0n) throw new MemoryRouteError(base, 0, "base address must not be negative");
    this.name = name;
    this.base = base;
    this.bytes =
      typeof sizeOrBuffer === "number"
        ? new Uint8Array(sizeOrBuffer)
        : new Uint8Array(sizeOrBuffer);
    this.#baseNumber =
      base + BigInt(this.bytes.length) <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(base) : -1;
    this.#ownWrite = this.write === HostMemory.prototype.write;
  }

  /** Size in bytes. */
  get size(): number {
    return this.bytes.length;
  }

  /** Whether `[address, address + length)` lies inside the region. */
  contains(address: bigint, length: number): boolean {
    const b = this.#baseNumber;
    if (b >= 0 && address <= MAX_SAFE) {
      // Numbers: no bigint arithmetic per access (the wire path routes every TLP).
      const a = Number(address);
      return a >= b && a + length <= b + this.bytes.length;
    }
    return (
      address >= this.base && address + BigInt(length) <= this.base + BigInt(this.bytes.length)
    );
  }

  /** {@link HostMemory.contains} of an address below 2^53 given as a number. */
  containsNumber(at: number, length: number): boolean {
    const b = this.#baseNumber;
    if (b >= 0) return at >= b && at + length <= b + this.bytes.length;
    return this.contains(BigInt(at), length);
  }

  /**
   * Offset of `address` in {@link bytes}.
   *
   * @throws MemoryRouteError when `[address, address + length)` is not inside the region
   */
  offsetOf(address: bigint, length: number): number {
    if (!this.contains(address, length))
      throw new MemoryRouteError(
        address,
        length,
        `outside ${this.name} [0x${this.base.toString(16)}, 0x${(this.base + BigInt(this.bytes.length)).toString(16)})`,
      );
    return this.#baseNumber >= 0 ? Number(address) - this.#baseNumber : Number(address - this.base);
  }

  /**
   * Copies `data` to `address` (one bulk copy). A {@link PcieSwitch} writes through this method
   * only (fast-path writes and every MWr whose enabled bytes form one run), so a subclass can
   * stand for memory reached further on — e.g. through an RDMA NIC or an SRIO bridge.
   *
   * @throws MemoryRouteError when the range is outside the region
   */
  write(address: bigint, data: Uint8Array): void {
    this.bytes.set(data, this.offsetOf(address, data.length));
  }

  /**
   * {@link HostMemory.write} at an address below 2^53 given as a number: the same bytes, with no
   * bigint when the region's bounds are numbers. A subclass that overrides `write` still sees
   * every write through it.
   *
   * @throws MemoryRouteError when the range is outside the region
   */
  writeNumber(at: number, data: Uint8Array): void {
    const b = this.#baseNumber;
    if (this.#ownWrite && b >= 0 && at >= b && at + data.length <= b + this.bytes.length)
      this.bytes.set(data, at - b);
    else this.write(BigInt(at), data);
  }

  /**
   * A view (no copy) of `length` bytes at `address`.
   *
   * @throws MemoryRouteError when the range is outside the region
   */
  view(address: bigint, length: number): Uint8Array {
    const o = this.offsetOf(address, length);
    return this.bytes.subarray(o, o + length);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Largest Address field (address[63:2]) whose address is below 2^53. */
const MAX_SAFE_DW = BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 4));

/** The byte address of a TLP's Address field (address[63:2]). */
function wordAddress(field: bigint | number): bigint {
  return BigInt(field) << 2n;
}

/** Bytes disabled below the first enabled byte of a 4-bit byte-enable mask. */
function disabledBelow(be: number): number {
  let n = 0;
  while (n < 4 && (be & (1 << n)) === 0) n++;
  return n;
}

/** Bytes disabled above the last enabled byte of a 4-bit byte-enable mask. */
function disabledAbove(be: number): number {
  let n = 0;
  while (n < 4 && (be & (8 >> n)) === 0) n++;
  return n;
}

/** Whether a byte-enable mask has its enabled bytes in one run from bit `lead` (or none). */
function contiguous(be: number, lead: number): boolean {
  const run = be >>> lead;
  return (run & (run + 1)) === 0;
}

/** A poisoned memory write a {@link PcieSwitch} received and did not apply. */
export interface PoisonedWrite {
  /** The port (receiver) it was routed to. */
  readonly port: string;
  /** First enabled byte address. */
  readonly address: bigint;
  /** Enabled bytes. */
  readonly length: number;
}

/** One downstream port of the switch: the receiver memory and the address window routed to it. */
export interface SwitchPort {
  /** Port name, for messages and statistics. */
  readonly name: string;
  /** The receiver memory behind the port; its range is the port's address window. */
  readonly memory: HostMemory;
}

/**
 * A PCI Express switch routing memory writes by address to the receiver whose window holds
 * them (each port's window is its memory's range; windows must not overlap). Applies the byte
 * enables of the TLP (pcie.md §2: First DW BE / Last DW BE) so partial double-words write only
 * their enabled bytes.
 */
export class PcieSwitch {
  /** The downstream ports, sorted by window base. */
  readonly ports: readonly SwitchPort[];
  /** Payload bytes delivered per port, in {@link PcieSwitch.ports} order. */
  readonly #delivered: number[];
  /**
   * Poisoned memory writes received (EP = 1, pcie.md §2), in arrival order: the receiver logs
   * each one as an error and leaves its memory unchanged, so poisoned data is never used as
   * good data.
   */
  readonly poisoned: PoisonedWrite[] = [];

  /**
   * @param ports - downstream ports
   * @throws MemoryRouteError when two windows overlap
   */
  constructor(ports: readonly SwitchPort[]) {
    const sorted = [...ports].sort((a, b) => (a.memory.base < b.memory.base ? -1 : 1));
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!.memory;
      const cur = sorted[i]!.memory;
      if (prev.base + BigInt(prev.size) > cur.base)
        throw new MemoryRouteError(
          cur.base,
          cur.size,
          `window of ${cur.name} overlaps ${prev.name}`,
        );
    }
    this.ports = sorted;
    this.#delivered = sorted.map(() => 0);
  }

  /** Payload bytes delivered per port name (a snapshot). */
  get delivered(): ReadonlyMap<string, number> {
    return new Map(this.ports.map((p, i) => [p.name, this.#delivered[i]!]));
  }

  /**
   * The port whose window holds `[address, address + length)`.
   *
   * @throws MemoryRouteError when no window holds the whole range (Unsupported Request)
   */
  route(address: bigint, length: number): SwitchPort {
    return this.ports[this.#portOf(address, length)]!;
  }

  /** {@link PcieSwitch.route}, as the index of the port in {@link PcieSwitch.ports}. */
  #portOf(address: bigint, length: number): number {
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++) if (ports[i]!.memory.contains(address, length)) return i;
    throw new MemoryRouteError(
      address,
      length,
      "no switch port window holds this range (Unsupported Request)",
    );
  }

  /** {@link PcieSwitch.route} of an address below 2^53 given as a number, as a port index. */
  #portOfNumber(at: number, length: number): number {
    const ports = this.ports;
    for (let i = 0; i < ports.length; i++)
      if (ports[i]!.memory.containsNumber(at, length)) return i;
    throw new MemoryRouteError(
      BigInt(at),
      length,
      "no switch port window holds this range (Unsupported Request)",
    );
  }

  /**
   * Writes `data` at `address` on the port that holds it (the fast path: no TLP materialised).
   *
   * @returns the port written
   * @throws MemoryRouteError when no window holds the range
   */
  write(address: bigint, data: Uint8Array): SwitchPort {
    const i = this.#portOf(address, data.length);
    const port = this.ports[i]!;
    port.memory.write(address, data);
    this.#delivered[i]! += data.length;
    return port;
  }

  /**
   * Receives a poisoned memory write on the fast path (EP = 1, pcie.md §2), as
   * {@link PcieSwitch.deliver} does for a TLP with EP set: routed, logged in
   * {@link PcieSwitch.poisoned}, its data not written.
   *
   * @returns the port that logged it
   * @throws MemoryRouteError when no window holds the range
   */
  writePoisoned(address: bigint, length: number): SwitchPort {
    const port = this.route(address, length);
    this.poisoned.push({ port: port.name, address, length });
    return port;
  }

  /**
   * Delivers a memory write TLP (the wire path): routes it by address and writes the bytes its
   * byte enables select; a poisoned TLP (EP = 1) is logged in {@link PcieSwitch.poisoned} and
   * its data not written.
   *
   * @returns the port written
   * @throws MemoryRouteError when no window holds the TLP's range
   */
  deliver(tlp: MemoryWriteTlp): SwitchPort {
    // The Address field holds address[63:2] (pcie.md §2); the byte enables place the bytes.
    // Below 2^53 the address is worked out as a number: no bigint per TLP on the wire path.
    const field: bigint | number = tlp.address;
    const at =
      typeof field === "number" ? field * 4 : field <= MAX_SAFE_DW ? Number(field) * 4 : -1;
    const data = tlp.data;
    const pi =
      at >= 0
        ? this.#portOfNumber(at, data.length)
        : this.#portOf(BigInt(field) << 2n, data.length);
    const port = this.ports[pi]!;
    const dws = data.length >>> 2;
    // A one-DW TLP carries its enables in First DW BE (Last DW BE is 0); longer TLPs enable
    // every byte of the middle double-words (pcie.md §2).
    const lastBe = dws === 1 ? tlp.firstBe : tlp.lastBe;
    const lead = disabledBelow(tlp.firstBe);
    const tail = disabledAbove(lastBe);
    if ((tlp as { readonly ep: boolean }).ep) {
      // EP = 1: logged as an error, the data is not written (pcie.md §2).
      this.poisoned.push({
        port: port.name,
        address: wordAddress(field) + BigInt(lead),
        length: data.length - lead - tail,
      });
      return port;
    }
    let written = 0;
    const oneRun =
      dws === 1
        ? contiguous(tlp.firstBe, lead)
        : tlp.firstBe >>> lead === 0xf >>> lead && lastBe === 0xf >>> tail;
    const run = lead === 0 && tail === 0 ? data : data.subarray(lead, data.length - tail);
    if (oneRun && lead + tail < data.length) {
      // Enabled bytes in one run (every MWr a DMA engine makes): one write through the memory,
      // which a memory forwarding elsewhere (a NIC, a bridge) may take over.
      if (at >= 0) port.memory.writeNumber(at + lead, run);
      else port.memory.write(wordAddress(field) + BigInt(lead), run);
      written = run.length;
    } else {
      const dst = port.memory.bytes;
      const o = port.memory.offsetOf(wordAddress(field), data.length);
      for (let dw = 0; dw < dws; dw++) {
        const be = dw === 0 ? tlp.firstBe : dw === dws - 1 ? lastBe : 0xf;
        for (let b = 0; b < 4; b++)
          if (be & (1 << b)) {
            dst[o + dw * 4 + b] = data[dw * 4 + b]!;
            written++;
          }
      }
    }
    this.#delivered[pi]! += written;
    return port;
  }
}
