/**
 * The PCIe side of the PCIe–SRIO bridge (SYSTEM.md §2, "PCIe module": RIFFA-like DMA channels)
 * as PCIe transaction-layer packets on the link to the host's root complex, and the host's side
 * of that link: its memory and the root complex answering memory reads.
 *
 * - **Bridge → host data** (uploads: values of register reads, stream-read data) are posted
 *   memory writes: `planWrite` cuts them by Max_Payload_Size and 4 KiB boundaries
 *   (docs/reference/pcie.md §8.1), one MWr TLP each (`memoryWrite`).
 * - **Host → bridge data** (downloads: instruction words and stream-write data) are memory
 *   reads: `planRead` cuts them by Max_Read_Request_Size (§8.1), the bridge keeps at most
 *   `outstandingReads` requests (tags) outstanding (§11.2.2), and the root complex answers each
 *   request `pcieReadLatencyNs` after it arrives with completions of one Read Completion
 *   Boundary each (`CompletionPlan` / `completionTlps`, §8.2, the model of `pcieThroughput`),
 *   which a `ReadAssembler` checks and collects.
 * - **Interrupts** are MSI posted writes of the message data to the message address
 *   (pcie.md §10.3), sent when an enabled interrupt source of the bridge rises.
 *
 * Every TLP occupies its direction of the link for its header, payload and 8 bytes of framing
 * (STP, sequence number, LCRC, END; pcie.md §7, `TLP_FRAMING_BYTES`) at the lane rate after line
 * coding (§11.1). On the wire path each TLP is built, encoded with `encodeTlp`, decoded with
 * `decodeTlp` on the other side and optionally captured (pcap LINKTYPE_USER0,
 * `encodePcieCaptureRecord`, stamped at the TLP's end); on the fast path the TLPs are counted
 * from the plans and the data is copied once per transfer. Both paths give the same host
 * memory, the same downloaded bytes and the same times.
 *
 * Not modelled: flow-control credits (the bridge and the root complex advertise infinite
 * credits), DLLPs (Ack/UpdateFC ride the other direction, pcie.md §11.2.1) and ECRC.
 *
 * @module
 */
import {
  CompletionPlan,
  ReadAssembler,
  TLP_FRAMING_BYTES,
  completionTlps,
  decodeTlp,
  emptySlice,
  encodeTlp,
  memoryRead,
  memoryWrite,
  planRead,
  planWrite,
} from "@rashpa/pcie";
import type { MemoryWriteTlp, TlpSlice, TransferPlan } from "@rashpa/pcie";
import { PcieSwitch } from "../host-memory.js";
import type { HostMemory } from "../host-memory.js";
import { encodePcieCaptureRecord } from "../pcap.js";
import type { PcapWriter } from "../pcap.js";
import { SerialLink } from "../sim/link.js";
import type { Simulator } from "../sim/simulator.js";
import type { Rate, SimTime } from "../sim/time.js";
import { EmulatorFieldError } from "../field-error.js";

/** A wrong PCIe configuration of the bridge, or a transfer outside the host memory. */
export class BridgePcieError extends EmulatorFieldError {
  /** Always `"BridgePcieError"`. */
  override readonly name = "BridgePcieError";
}

/** Which of the two speeds moves the PCIe data (see the module comment). */
export type BridgePcieSpeed = "fast" | "wire";

/** An MSI target: the message address and data the bridge writes to interrupt the host (pcie.md §10.3). */
export interface BridgeMsi {
  /** Message address. @defaultValue 0xFEE0_0000 */
  readonly address: bigint;
  /** Message data (16 bits, written little-endian in the first two bytes of one DW). */
  readonly data: number;
}

/** Options of a {@link BridgePcieEndpoint}. */
export interface BridgePcieEndpointOptions {
  /** PCIe generation 1–5 (framed TLPs; Gen6 flit mode is not modelled). */
  readonly generation: number;
  /** Lanes. */
  readonly width: number;
  /** Max_Payload_Size in bytes (MWr payload and largest completion). */
  readonly maxPayloadSize: number;
  /** Max_Read_Request_Size in bytes. */
  readonly maxReadRequestSize: number;
  /** Read Completion Boundary: the root complex returns one completion per RCB (64 or 128). */
  readonly readCompletionBoundary: number;
  /** Read requests the bridge keeps outstanding (tags). */
  readonly outstandingReads: number;
  /** Time from a read request's arrival at the root complex to its first completion leaving. */
  readonly readLatencyPs: SimTime;
  /** The host memory the DMA reads and writes. */
  readonly host: HostMemory;
  /** Speed. */
  readonly speed: BridgePcieSpeed;
  /** The bridge's Requester ID (bus, device, function). */
  readonly requesterId: number;
  /** The root complex's Completer ID. */
  readonly completerId: number;
  /** The MSI the bridge sends. */
  readonly msi: BridgeMsi;
  /** Wire path: pcap (LINKTYPE_USER0) receiving every TLP both ways. */
  readonly capture?: PcapWriter;
  /** Port number in the capture pseudo-header. @defaultValue 0 */
  readonly capturePort?: number;
}

/** TLPs and bytes of the bridge's PCIe link, the same on both speeds. */
export interface BridgePcieCounters {
  /** Memory write TLPs (uploads). */
  memoryWrites: number;
  /** Memory read requests (downloads). */
  memoryReads: number;
  /** Completions with data. */
  completions: number;
  /** MSI writes. */
  interrupts: number;
  /** Bytes of those TLPs on the link, framing included. */
  wireBytes: number;
}

/** One download in progress. */
interface Read {
  readonly address: bigint;
  readonly plan: TransferPlan;
  readonly buffer: Uint8Array;
  readonly assembler: ReadAssembler | undefined;
  readonly onArrive: (received: number) => void;
  next: number;
  received: number;
}

/**
 * The bridge's PCIe endpoint and the host behind it (see the module comment).
 */
export class BridgePcieEndpoint {
  /** Bridge → host: MWr, MRd and MSI TLPs. */
  readonly up: SerialLink;
  /** Host → bridge: completions. */
  readonly down: SerialLink;
  /** The host memory. */
  readonly host: HostMemory;
  /** TLP counters. */
  readonly counters: BridgePcieCounters = {
    memoryWrites: 0,
    memoryReads: 0,
    completions: 0,
    interrupts: 0,
    wireBytes: 0,
  };
  /** Times at which MSI writes reached the host, in order. */
  readonly interruptTimes: SimTime[] = [];
  readonly #sim: Simulator;
  readonly #o: BridgePcieEndpointOptions;
  readonly #switch: PcieSwitch;
  readonly #slice: TlpSlice = emptySlice();
  readonly #reads: Read[] = [];
  readonly #freeTags: number[];
  // Completions on the down link, in order (the link is FIFO): their read and byte counts.
  readonly #cplRead: Read[] = [];
  readonly #cplLast: boolean[] = [];
  readonly #cplTag: number[] = [];
  readonly #cplTlp: (Uint8Array | undefined)[] = [];
  #cplHead = 0;
  readonly #onCompletion = (): void => this.#completionArrives();
  // Fast path: read requests on the up link or in the root complex, in order (the link is FIFO
  // and the latency fixed).
  readonly #mrdRead: Read[] = [];
  readonly #mrdAddress: bigint[] = [];
  readonly #mrdBytes: number[] = [];
  readonly #mrdTag: number[] = [];
  #mrdHead = 0;
  readonly #onRequestServed = (): void => this.#requestServed();
  readonly #onRequestArrives = (): void => {
    this.#sim.scheduleAfter(this.#o.readLatencyPs, this.#onRequestServed);
  };

  /**
   * @param sim - the simulator
   * @param options - link, sizes, latency, host memory, speed, IDs
   * @throws BridgePcieError for a generation outside 1–5 or sizes `planRead`/`CompletionPlan` refuse
   */
  constructor(sim: Simulator, options: BridgePcieEndpointOptions) {
    const g = options.generation;
    if (!Number.isInteger(g) || g < 1 || g > 5)
      throw new BridgePcieError("pcieGeneration", "1–5 (framed TLPs)", String(g));
    this.#sim = sim;
    this.#o = options;
    this.host = options.host;
    this.#switch = new PcieSwitch([{ name: options.host.name, memory: options.host }]);
    // Checks MPS, RCB and the completion size once.
    new CompletionPlan(0n, 0, {
      mps: options.maxPayloadSize,
      rcb: options.readCompletionBoundary,
      completionBytes: options.readCompletionBoundary,
    });
    const rate = pcieLaneRate(g, options.width);
    this.up = new SerialLink(sim, {
      name: "pcie-up",
      bitsPerSecond: rate,
      overheadBytes: TLP_FRAMING_BYTES,
    });
    this.down = new SerialLink(sim, {
      name: "pcie-down",
      bitsPerSecond: rate,
      overheadBytes: TLP_FRAMING_BYTES,
    });
    const n = options.outstandingReads;
    this.#freeTags = Array.from({ length: n }, (_, i) => n - 1 - i);
  }

  /**
   * DMA write of `source[offset, offset + length)` to host `address` as MWr TLPs (pcie.md
   * §8.1); `onEnd` runs when the last TLP has left the link (the host has the data).
   *
   * @throws MemoryRouteError when the range is outside the host memory
   */
  write(
    address: bigint,
    source: Uint8Array,
    offset: number,
    length: number,
    onEnd?: () => void,
  ): void {
    this.host.offsetOf(address, length);
    const plan = planWrite(address, length, this.#o.maxPayloadSize);
    const wire = this.#o.speed === "wire";
    if (!wire && length > 0) this.host.write(address, source.subarray(offset, offset + length));
    const s = this.#slice;
    for (let i = 0; i < plan.count; i++) {
      plan.tlpAt(i, s);
      const a = plan.addressAt(s.offset);
      const last = i === plan.count - 1 ? onEnd : undefined;
      if (wire) {
        const o = offset + s.offset;
        const bytes = encodeTlp(
          memoryWrite(a, source.subarray(o, o + s.byteLength), {
            requesterId: this.#o.requesterId,
          }),
        );
        this.#countUp(bytes.length);
        this.counters.memoryWrites++;
        this.up.transmit(bytes.length, (t) => {
          this.#capture(t.end, "upstream", bytes);
          this.#switch.deliver(decodeTlp(bytes) as MemoryWriteTlp);
          last?.();
        });
      } else {
        const n = (a >= 0x1_0000_0000n ? 16 : 12) + s.lengthDw * 4;
        this.#countUp(n);
        this.counters.memoryWrites++;
        this.up.transmit(n, last === undefined ? undefined : () => last());
      }
    }
    if (plan.count === 0) onEnd?.();
  }

  /** An MSI: a posted write of the message data to the message address (pcie.md §10.3). */
  interrupt(): void {
    const { address, data } = this.#o.msi;
    this.counters.interrupts++;
    if (this.#o.speed === "wire") {
      const payload = Uint8Array.of(data & 0xff, (data >>> 8) & 0xff, 0, 0);
      const bytes = encodeTlp(memoryWrite(address, payload, { requesterId: this.#o.requesterId }));
      this.#countUp(bytes.length);
      this.up.transmit(bytes.length, (t) => {
        this.#capture(t.end, "upstream", bytes);
        const tlp = decodeTlp(bytes) as MemoryWriteTlp;
        if (BigInt(tlp.address) << 2n !== address)
          throw new BridgePcieError("msi.address", String(address), String(tlp.address));
        this.interruptTimes.push(t.end);
      });
      return;
    }
    const n = (address >= 0x1_0000_0000n ? 16 : 12) + 4;
    this.#countUp(n);
    this.up.transmit(n, (t) => this.interruptTimes.push(t.end));
  }

  /**
   * DMA read of `destination.length` bytes at host `address` into `destination` as MRd
   * requests and completions; `onArrive(received)` runs after each completion with the number
   * of leading bytes that have arrived (completions arrive in address order).
   *
   * @throws MemoryRouteError when the range is outside the host memory
   */
  read(address: bigint, destination: Uint8Array, onArrive: (received: number) => void): void {
    const length = destination.length;
    this.host.offsetOf(address, length);
    const plan = planRead(address, length, this.#o.maxReadRequestSize);
    const wire = this.#o.speed === "wire";
    const assembler = wire
      ? new ReadAssembler(length, this.#o.requesterId, { rcb: this.#o.readCompletionBoundary })
      : undefined;
    const buffer = destination;
    // Fast path: the host does not change the buffer during the transfer; one copy.
    if (!wire && length > 0) buffer.set(this.host.view(address, length));
    this.#reads.push({ address, plan, buffer, assembler, onArrive, next: 0, received: 0 });
    if (length === 0) this.#sim.scheduleAfter(0, () => onArrive(0));
    this.#issueReads();
  }

  /** Sends read requests while a tag is free (pcie.md §11.2.2), oldest read first. */
  #issueReads(): void {
    const s = this.#slice;
    while (this.#freeTags.length > 0) {
      while (this.#reads.length > 0 && this.#reads[0]!.next >= this.#reads[0]!.plan.count)
        this.#reads.shift();
      const r = this.#reads[0];
      if (r === undefined) return;
      const tag = this.#freeTags.pop()!;
      r.plan.tlpAt(r.next++, s);
      const a = r.plan.addressAt(s.offset);
      const offset = s.offset;
      const len = s.byteLength;
      this.counters.memoryReads++;
      if (r.assembler !== undefined) {
        r.assembler.expect(tag, a, len, offset);
        const bytes = encodeTlp(memoryRead(a, len, { requesterId: this.#o.requesterId, tag }));
        this.#countUp(bytes.length);
        this.up.transmit(bytes.length, (t) => {
          this.#capture(t.end, "upstream", bytes);
          const req = decodeTlp(bytes);
          if (!("firstBe" in req) || (req.tlpType !== "mrd-32" && req.tlpType !== "mrd-64"))
            throw new BridgePcieError("tlpType", "an MRd with byte enables", req.tlpType);
          this.#sim.scheduleAfter(this.#o.readLatencyPs, () =>
            this.#complete(r, requestAddress(req), requestBytes(req), req.tag),
          );
        });
      } else {
        const n = a >= 0x1_0000_0000n ? 16 : 12;
        this.#countUp(n);
        this.#mrdRead.push(r);
        this.#mrdAddress.push(a);
        this.#mrdBytes.push(len);
        this.#mrdTag.push(tag);
        this.up.transmit(n, this.#onRequestArrives);
      }
    }
  }

  /** Fast path: the root complex answers the oldest request. */
  #requestServed(): void {
    const i = this.#mrdHead++;
    const r = this.#mrdRead[i]!;
    const a = this.#mrdAddress[i]!;
    const len = this.#mrdBytes[i]!;
    const tag = this.#mrdTag[i]!;
    if (this.#mrdHead === this.#mrdRead.length) {
      this.#mrdRead.length = 0;
      this.#mrdAddress.length = 0;
      this.#mrdBytes.length = 0;
      this.#mrdTag.length = 0;
      this.#mrdHead = 0;
    }
    this.#complete(r, a, len, tag);
  }

  /** The root complex answers a request: its completions go down the link (pcie.md §8.2). */
  #complete(r: Read, address: bigint, length: number, tag: number): void {
    const rcb = this.#o.readCompletionBoundary;
    const plan = new CompletionPlan(address, length, {
      mps: this.#o.maxPayloadSize,
      rcb,
      completionBytes: rcb,
    });
    if (r.assembler !== undefined) {
      const data = this.host.view(address, length);
      let i = 0;
      for (const cpl of completionTlps(plan, data, {
        completerId: this.#o.completerId,
        requesterId: this.#o.requesterId,
        tag,
      })) {
        const bytes = encodeTlp(cpl);
        this.#queueCompletion(r, bytes.length, ++i === plan.count, tag, bytes);
      }
      return;
    }
    const s = this.#slice;
    for (let i = 0; i < plan.count; i++) {
      plan.tlpAt(i, s);
      this.#queueCompletion(r, 12 + s.lengthDw * 4, i === plan.count - 1, tag, undefined);
    }
  }

  #queueCompletion(
    r: Read,
    tlpBytes: number,
    last: boolean,
    tag: number,
    bytes: Uint8Array | undefined,
  ): void {
    this.counters.completions++;
    this.counters.wireBytes += tlpBytes + TLP_FRAMING_BYTES;
    this.#cplRead.push(r);
    this.#cplLast.push(last);
    this.#cplTag.push(tag);
    this.#cplTlp.push(bytes);
    this.down.transmit(tlpBytes, this.#onCompletion);
  }

  #completionArrives(): void {
    const i = this.#cplHead++;
    const r = this.#cplRead[i]!;
    const last = this.#cplLast[i]!;
    const tag = this.#cplTag[i]!;
    const bytes = this.#cplTlp[i];
    if (this.#cplHead === this.#cplRead.length) {
      this.#cplRead.length = 0;
      this.#cplLast.length = 0;
      this.#cplTag.length = 0;
      this.#cplTlp.length = 0;
      this.#cplHead = 0;
    }
    if (bytes !== undefined && r.assembler !== undefined) {
      this.#capture(this.#sim.now(), "downstream", bytes);
      const before = r.assembler.receivedBytes;
      r.assembler.accept(decodeTlp(bytes));
      r.received = r.assembler.receivedBytes;
      r.buffer.set(r.assembler.data.subarray(before, r.received), before);
    } else {
      // The bytes of this completion: what the slice of its request returned.
      r.received += this.#fastCompletionBytes(r);
    }
    if (last) this.#freeTags.push(tag);
    r.onArrive(r.received);
    if (last) this.#issueReads();
  }

  /** Payload bytes of the next fast-path completion of `r`. */
  #fastCompletionBytes(r: Read): number {
    // Completions of one read arrive in address order: each carries up to the next RCB
    // boundary of the host address, or the rest of its request.
    const rcb = this.#o.readCompletionBoundary;
    const at = r.address + BigInt(r.received);
    const toBoundary = rcb - Number(at % BigInt(rcb));
    const reqEnd = this.#requestEnd(r, r.received);
    return Math.min(toBoundary, reqEnd - r.received);
  }

  /** Offset (in the read) where the request holding byte `offset` ends. */
  #requestEnd(r: Read, offset: number): number {
    const s = r.plan.tlpAt(r.plan.indexOf(offset), this.#slice);
    return s.offset + s.byteLength;
  }

  #countUp(tlpBytes: number): void {
    this.counters.wireBytes += tlpBytes + TLP_FRAMING_BYTES;
  }

  #capture(at: SimTime, direction: "upstream" | "downstream", tlp: Uint8Array): void {
    this.#o.capture?.writePacket(
      at,
      encodePcieCaptureRecord({ direction, port: this.#o.capturePort ?? 0, tlp }),
    );
  }
}

/**
 * Exact lane rate after line coding (pcie.md §11.1: 8b/10b for Gen1–2, 128b/130b for Gen3–5).
 */
export function pcieLaneRate(generation: number, width: number): Rate {
  if (generation <= 2) return generation * 2e9 * width;
  const gt = [0, 0, 0, 8e9, 16e9, 32e9][generation]!;
  return { numerator: gt * width * 128, denominator: 130 };
}

/** Byte address of the first enabled byte of a decoded MRd (pcie.md §2: address[63:2] and First DW BE). */
function requestAddress(tlp: { address: number | bigint; firstBe: number }): bigint {
  return (BigInt(tlp.address) << 2n) + BigInt(lead(tlp.firstBe));
}

/** Bytes a decoded MRd asks for: Length DWs less the disabled leading and trailing bytes. */
function requestBytes(tlp: { length: number; firstBe: number; lastBe: number }): number {
  const dws = tlp.length === 0 ? 1024 : tlp.length;
  const lastBe = dws === 1 ? tlp.firstBe : tlp.lastBe;
  let tail = 0;
  while (tail < 4 && (lastBe & (8 >> tail)) === 0) tail++;
  return dws * 4 - lead(tlp.firstBe) - tail;
}

function lead(be: number): number {
  let n = 0;
  while (n < 4 && (be & (1 << n)) === 0) n++;
  return n;
}
