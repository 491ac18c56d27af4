/**
 * The PCIe–SRIO bridge emulator (SYSTEM.md §2): a PCIe module with RIFFA-like DMA channels, an
 * SRIO module with five interfaces, and the bridge module executing instruction words
 * (`bridge.instruction`, specs/bridge/instructions.yaml) and the instruction registers of
 * `PCIE_SRIO_BRIDGE_MAP` (specs/bridge/registers.yaml), in simulated time.
 *
 * - Control instructions (register read/write, maintenance read/write, DOORBELL) become NREAD,
 *   NWRITE_R, MAINTENANCE or DOORBELL packets; TX_active is raised; the response is matched by
 *   a `TransactionTable` (srio.md §2.1); TX_done rises and a DMA upload of length 1 returns the
 *   value or the response.
 * - Stream write: an NWRITE_R of LEN to the node's `length` register (the setup), then the DMA
 *   download of LEN, sent as 256-byte SWRITEs (`planSwriteStream` / `swriteStreamPackets`).
 * - Stream read: NWRITE_Rs to the node's `sourceLo`, `length` and `go` registers make it SWRITE
 *   LEN bytes to the bridge, uploaded by DMA.
 * - One `srioPacketArbiter` per port: pending DOORBELL/NWRITE_R/NREAD/maintenance packets of a
 *   higher priority than the stream go between two SWRITE packets.
 * - Every instruction passes the fixed conversion pipeline (9 cycles at 150 MHz, a
 *   {@link DelayLine}); packets cross the 64-bit datapath and the SRIO link, an {@link SrioLink}
 *   with ackIDs, acknowledgements, packet retry and error recovery (RapidIO 4.1 Part 6 §6.8,
 *   §6.9.1, §6.13.2).
 * - The host side is a {@link BridgePcieEndpoint}: each RIFFA transfer pays a setup, then
 *   downloads are memory reads of the host's send buffer (MRd requests and completions) and
 *   uploads memory writes into the host's receive buffer (MWr), each TLP timed on the PCIe link
 *   with its header and framing (docs/reference/pcie.md §7, §8); an enabled interrupt source
 *   that rises sends an MSI.
 * - Wrong instructions are tolerated: the fault is reported in the errors block (typed error
 *   captured in {@link BridgeCompletion.error}) and the state machine returns to idle.
 *
 * @module
 */
import { CodecError, describeValue, fieldMessage } from "@rashpa/bits";
import { INSTRUCTION_OPCODE_NAMES, decodeInstruction } from "@rashpa/descriptors";
import type { Instruction, InstructionOpcode } from "@rashpa/descriptors";
import {
  PCIE_SRIO_BRIDGE_MAP,
  RegisterFile,
  pcieSrioBridgeRegisters,
  pcieSrioBridgeRegistersHardware,
} from "@rashpa/registers";
import type { PcieSrioBridgeRegisters } from "@rashpa/registers";
import {
  TRANSACTION_STATUS,
  TransactionTable,
  decodeSrioPacket,
  decodeSrioWrite,
  encodeReadSize,
  encodeSrioPacket,
  encodeWriteSize,
  planSwriteStream,
  splitMaintenanceOffset,
  splitSrioAddress,
  srioPacketArbiter,
  swriteStreamPackets,
} from "@rashpa/srio";
import type {
  AnySrioPacket,
  BridgeArbiter,
  SrioPacket,
  SrioRequestInfo,
  SrioResponseInfo,
  SwriteStreamPackets,
} from "@rashpa/srio";
import { HostMemory } from "../host-memory.js";
import type { PcapWriter } from "../pcap.js";
import { DelayLine } from "../sim/delay.js";
import { SerialLink } from "../sim/link.js";
import type { Simulator } from "../sim/simulator.js";
import { cyclesToPs } from "../sim/time.js";
import type { SimTime } from "../sim/time.js";
import { NODE_REGISTERS, SrioNetworkError, transportType } from "./network.js";
import type { SrioSwitch } from "./network.js";
import { SrioLink } from "./link-layer.js";
import { BridgePcieEndpoint, BridgePcieError } from "./pcie-endpoint.js";
import type { BridgeMsi } from "./pcie-endpoint.js";
import { bridgeTiming } from "./parameters.js";
import type { BridgeParameters, BridgeTiming } from "./parameters.js";

/** Why an instruction failed. */
export type BridgeFailure =
  | "bad-instruction"
  | "disabled"
  | "response-error"
  | "timeout"
  | "retry-exhausted"
  | "stream-length";

/** A bridge instruction refused or failed: `reason` names the fault (errors.status bit). */
export class BridgeInstructionError extends CodecError {
  /** Always `"BridgeInstructionError"`. */
  override readonly name = "BridgeInstructionError";
  /** The fault. */
  readonly reason: BridgeFailure;

  /** @param reason - the fault; @param path - field; @param expected - want; @param found - got */
  constructor(reason: BridgeFailure, path: string, expected: string, found: string) {
    super(fieldMessage(path, expected, found), { path, expected, found });
    this.reason = reason;
  }
}

/** What the host receives for each instruction (the DMA upload and the status). */
export interface BridgeCompletion {
  /** The instruction's tag (0 when the word could not be decoded). */
  readonly tag: number;
  /** Its opcode, or `null` when unknown. */
  readonly opcode: InstructionOpcode | null;
  /** `"done"` (TX_done) or `"failed"`. */
  readonly status: "done" | "failed";
  /** The error when failed. */
  readonly error?: BridgeInstructionError;
  /** Status field of the SRIO response, when one came. */
  readonly responseStatus?: number;
  /** The uploaded bytes: 4 (big-endian value or response status) or LEN of a stream read. */
  readonly data: Uint8Array;
  /** Simulated time the host submitted it. */
  readonly submittedAt: SimTime;
  /** Simulated time the host has its completion (after the upload). */
  readonly completedAt: SimTime;
}

/** Options of a {@link PcieSrioBridge}. */
export interface PcieSrioBridgeOptions {
  /** The physical parameters (e.g. `BRIDGE_2017_GEN2X4_SRIO5G.parameters`). */
  readonly parameters: BridgeParameters;
  /** The switch the bridge's SRIO port is cabled to. */
  readonly network: SrioSwitch;
  /** The bridge's SRIO device ID (written to srio.device-id). */
  readonly deviceId: number;
  /**
   * SRIO byte address of the nodes' register window ({@link NODE_REGISTERS}).
   * @defaultValue 0x2_0000_0000
   */
  readonly nodeRegisterBase?: bigint;
  /** Optional capture of every SRIO packet the bridge sends and receives (link type LINKTYPE_SRIO, USER2 149). */
  readonly pcap?: PcapWriter;
  /**
   * `"fast"` (default): the PCIe TLPs are counted from their plans and the data copied once per
   * transfer, the SRIO link protocol runs on numbers; `"wire"`: every TLP and every control
   * symbol is encoded and decoded, and every SRIO packet carries its ackID. Same memories,
   * counters and times.
   */
  readonly speed?: "fast" | "wire";
  /**
   * The host memory holding the RIFFA send buffer (first half: what the bridge downloads) and
   * receive buffer (second half: what it uploads).
   * @defaultValue 2 MiB at 0x8000_0000
   */
  readonly hostMemory?: HostMemory;
  /** Wire path only: pcap (LINKTYPE_USER0) of every TLP on the bridge's PCIe link. */
  readonly tlpCapture?: PcapWriter;
  /** The MSI the bridge writes when an enabled interrupt source rises. @defaultValue address 0xFEE0_0000, data 0 */
  readonly msi?: BridgeMsi;
  /** Called with each completion. */
  readonly onCompletion?: (c: BridgeCompletion) => void;
}

/** A posted memory write handed to {@link PcieSrioBridge.postedWrite}. */
export interface BridgePostedWrite {
  /** Destination node's device ID. */
  readonly destId: number;
  /** 16-bit device IDs (transport type dev16). @defaultValue false */
  readonly dev16?: boolean;
  /** SRIO byte address in the node. */
  readonly address: bigint;
  /** The bytes (kept, not copied, until sent). */
  readonly data: Uint8Array;
  /** Called when the switch has accepted the write's last packet (Part 6 §3.4.1). */
  readonly onSent?: () => void;
}

/** A DOORBELL handed to {@link PcieSrioBridge.postedDoorbell}. */
export interface BridgePostedDoorbell {
  /** Destination node's device ID. */
  readonly destId: number;
  /** 16-bit device IDs (transport type dev16). @defaultValue false */
  readonly dev16?: boolean;
  /** The DOORBELL's 16-bit info field. */
  readonly info: number;
  /** Called with the status of the node's response (`TRANSACTION_STATUS`; −1 on timeout). */
  readonly onAnswer?: (status: number) => void;
}

interface Job {
  readonly ins: Instruction;
  readonly submittedAt: SimTime;
  /** The stream-write bytes as the download fills them (the bridge's copy of the host buffer). */
  readonly data?: Uint8Array;
  /** Stream-write bytes the download has delivered so far. */
  readonly arrived: { bytes: number };
}

interface Pending extends SrioRequestInfo {
  readonly job: Job;
  readonly onDone: (status: number, payload: Uint8Array | undefined) => void;
  readonly packet: SrioPacket;
  retries: number;
  sentAt: SimTime;
}

const CHANNEL = {
  "io-initiator": 0,
  "io-target": 1,
  "message-initiator": 2,
  maintenance: 4,
} as const;
/** {@link SrioLink} tag of the SWRITEs of a stream write. */
const STREAM_TAG = 1;
/** {@link SrioLink} tag of the packets of a posted write. */
const POSTED_TAG = 2;

/** A ring buffer of the host memory (the RIFFA send or receive buffer). */
interface Ring {
  readonly base: bigint;
  readonly size: number;
  next: number;
}
const FOREVER = 2 ** 52;

/**
 * The PCIe–SRIO bridge (see the module comment). The host side is {@link PcieSrioBridge.submit}
 * (an instruction word on a RIFFA channel, with the stream data of a stream write) or the
 * instruction registers of {@link PcieSrioBridge.registers}.
 */
export class PcieSrioBridge {
  /** The bridge's register file (host view: software bus). */
  readonly registers: RegisterFile;
  /** Typed software view of the registers, as the host driver uses them. */
  readonly regs: PcieSrioBridgeRegisters<"sync">;
  /** The resolved timing. */
  readonly timing: BridgeTiming;
  /** Completions in order. */
  readonly completions: BridgeCompletion[] = [];
  /** The SRIO link bridge → switch, with its link-level protocol (the switch's input port answers). */
  readonly port: SrioLink;
  /** The serialisation of {@link PcieSrioBridge.port}. */
  readonly txLink: SerialLink;
  /** The PCIe endpoint, its link and the host memory behind it. */
  readonly pcie: BridgePcieEndpoint;
  /** PCIe upstream (MWr, MRd, MSI). */
  readonly pcieUp: SerialLink;
  /** PCIe downstream (completions). */
  readonly pcieDown: SerialLink;
  readonly #sim: Simulator;
  readonly #o: PcieSrioBridgeOptions;
  readonly #hw: PcieSrioBridgeRegisters<"hardware">;
  readonly #arbiter: BridgeArbiter<AnySrioPacket>;
  #table: TransactionTable<Pending>;
  #tableCycles = -1;
  readonly #pipeline: DelayLine<() => void>;
  readonly #txDatapath: SerialLink;
  readonly #rxDatapath: SerialLink;
  readonly #inbound: SrioLink;
  readonly #nodeBase: bigint;
  readonly #sendRing: Ring;
  readonly #recvRing: Ring;
  #irqLevel = 0;
  #txBusy = false;
  #streamIds = new Set<AnySrioPacket>();
  #controlQueue: Job[] = [];
  #controlActive = false;
  #streamQueue: Job[] = [];
  #streamActive = false;
  #streamDepth = 0;
  #streamRx: ((bytes: Uint8Array, offset: number) => void) | undefined;
  #hostBuffer: Uint8Array = new Uint8Array(0);

  /** @param sim - the simulator; @param options - parameters, network, device ID */
  constructor(sim: Simulator, options: PcieSrioBridgeOptions) {
    this.#sim = sim;
    this.#o = options;
    this.timing = bridgeTiming(options.parameters);
    this.#nodeBase = options.nodeRegisterBase ?? 0x2_0000_0000n;
    this.registers = new RegisterFile(PCIE_SRIO_BRIDGE_MAP);
    this.regs = pcieSrioBridgeRegisters(this.registers);
    this.#hw = pcieSrioBridgeRegistersHardware(this.registers.hardwareBus);
    const t = this.timing;
    this.#arbiter = srioPacketArbiter();
    this.#table = this.#newTable(0);
    this.#pipeline = new DelayLine(sim, t.pipelinePs, (fn) => fn());
    this.#txDatapath = new SerialLink(sim, {
      name: "bridge-tx-datapath",
      bitsPerSecond: t.datapathBitsPerSecond,
      overheadBytes: t.datapathOverheadBytes,
    });
    this.#rxDatapath = new SerialLink(sim, {
      name: "bridge-rx-datapath",
      bitsPerSecond: t.datapathBitsPerSecond,
      overheadBytes: t.datapathOverheadBytes,
    });
    const speed = options.speed ?? "fast";
    this.port = new SrioLink(sim, {
      name: "bridge→switch",
      bitsPerSecond: t.srioBitsPerSecond,
      controlSymbol: t.parameters.srioControlSymbol,
      speed,
      deliver: (b) => options.network.receive(b),
    });
    this.txLink = this.port.wire;
    this.port.onTransmit = (b, end) => options.pcap?.writePacket(end, b);
    this.port.onAccepted = (tag) => {
      if (tag === STREAM_TAG) this.#streamSent();
      else if (tag === POSTED_TAG) this.#postedAccepted();
    };
    const host = options.hostMemory ?? new HostMemory("host", 0x8000_0000n, 2 << 20);
    const half = Math.floor(host.size / 2);
    this.#sendRing = { base: host.base, size: half, next: 0 };
    this.#recvRing = { base: host.base + BigInt(half), size: host.size - half, next: 0 };
    const p = t.parameters;
    this.pcie = new BridgePcieEndpoint(sim, {
      generation: p.pcieGeneration,
      width: p.pcieWidth,
      maxPayloadSize: p.pcieMaxPayloadSize,
      maxReadRequestSize: p.pcieMaxReadRequestSize,
      readCompletionBoundary: t.pcieDownload.options.readCompletionBoundary,
      outstandingReads: t.pcieDownload.options.outstandingReads,
      readLatencyPs: t.pcieReadLatencyPs,
      host,
      speed,
      requesterId: 0x0100,
      completerId: 0x0000,
      msi: options.msi ?? { address: 0xfee0_0000n, data: 0 },
      ...(options.tlpCapture === undefined ? {} : { capture: options.tlpCapture }),
    });
    this.pcieUp = this.pcie.up;
    this.pcieDown = this.pcie.down;
    options.network.attach(options.deviceId, (b) => this.#receive(b));
    this.#inbound = options.network.port(options.deviceId)!;
    this.#inbound.onTransmit = (b, end) => options.pcap?.writePacket(end, b);
    this.#initRegisters();
    // The free-running cycle counter, brought up to date on each read of its low word.
    this.registers.onRead("performance.cyclesLo", () => {
      if (this.#frozen()) return;
      const c = this.#cycles(sim.now());
      this.#hw.performance.cyclesLo.modify({ value: c % 2 ** 32 });
      this.#hw.performance.cyclesHi.modify({ value: Math.floor(c / 2 ** 32) });
    });
    this.registers.watch("global.irqRaw", () => this.#irqStatus());
    this.registers.watch("global.irqEnable", () => this.#irqStatus());
    this.registers.watch("performance.control", (e) => {
      if ((e.written & 1) === 0) return;
      const perf = this.#hw.performance;
      for (const r of [perf.txBytesLo, perf.txBytesHi, perf.rxBytesLo, perf.rxBytesHi])
        r.modify({ value: 0 });
      perf.responseLatency.modify({ last: 0, max: 0 });
    });
    this.registers.watch("instruction.command", (e) => {
      if ((e.written & 0x8000_0000) !== 0) this.#fromRegisters();
    });
    // The link-level counters and ackIDs of the SRIO port (Part 6 §7.6.7), brought up to date on read.
    const s = this.#hw.srio;
    const out = this.port.counters;
    const inp = this.#inbound.counters;
    const counter = (path: string, r: CounterRegister, value: () => number): void => {
      this.registers.onRead(`srio.${path}`, () => r.modify({ value: value() >>> 0 }));
    };
    counter("packetRetries", s.packetRetries, () => out.packetRetries);
    counter("packetsNotAccepted", s.packetsNotAccepted, () => out.notAccepted);
    counter("retransmitted", s.retransmitted, () => out.retransmitted);
    counter("linkRequests", s.linkRequests, () => out.linkRequests);
    counter("inputRetries", s.inputRetries, () => inp.packetRetries);
    counter("inputErrors", s.inputErrors, () => inp.notAccepted);
    this.registers.onRead("srio.localAckId", () => {
      const o = this.port.ackIdStatus();
      s.localAckId.modify({
        outboundAckId: o.outbound & 0x3f,
        outstandingAckId: o.outstanding & 0x3f,
        inboundAckId: this.#inbound.ackIdStatus().inbound & 0x3f,
      });
    });
  }

  #initRegisters(): void {
    const hw = this.#hw;
    hw.channels.channel.forEach((c, n) => c.mapping.modify({ interface: n, pcieChannel: n + 1 }));
    this.regs.srio.deviceId.writeFields({ deviceId: this.#o.deviceId });
    hw.global.status.modify({ linkUp: true, pcieLinkUp: true });
    hw.srio.portErrorStatus.modify({ portUninitialized: false, portOk: true });
    const p = this.timing.parameters;
    hw.srio.portControl2.modify({
      selectedBaud:
        p.srioBaudGbaud === 6.25 ? "gbaud6p25" : p.srioBaudGbaud === 5 ? "gbaud5p0" : "gbaud3p125",
    } as never);
    hw.srio.portControl.modify({ initializedWidth: "x4", widthSupport: 1 } as never);
  }

  /**
   * The buffer the host passes with a stream write issued through the registers: at `go` the
   * driver copies its first LEN bytes into the send buffer of the host memory, from where the
   * bridge downloads them.
   */
  setHostBuffer(buffer: Uint8Array): void {
    this.#hostBuffer = buffer;
  }

  /**
   * A posted memory write (PCIe MWr) that reached the bridge's PCIe side inside an SRIO node's
   * window — a PCIe device (e.g. a RASHPA controller) writing straight into the node's memory:
   * the bytes, already in the bridge, go to node `destId` at SRIO byte address `address` as
   * 256-byte SWRITEs (RapidIO 4.1 Part 1 §3.5), with sub-double-word NWRITE head and tail
   * packets when the range is not double-word aligned (`planSwriteStream`, Part 1 §4.1.8). A
   * posted write has no response (PCIe posted semantics), so unlike a stream-write instruction
   * it sends no NWRITE_R setup of LEN and produces no {@link BridgeCompletion} and no interrupt;
   * and it does not wait for earlier writes to finish: each packet passes the conversion
   * pipeline and joins the arbiter as it comes, in its flow (bridge → node, priority 0), so
   * posted writes and streams to one node keep their order (Part 6 §6.11 rule 1) and share the
   * datapath and link with everything else the bridge sends. Counted in
   * `stream.swrite-packets` as the switch accepts them. While `global.control.enable` is 0 the
   * write is discarded and counted in {@link PcieSrioBridge.postedDiscarded}.
   *
   * @param write - destination, SRIO address and bytes (kept, not copied, until sent)
   * @returns the number of SRIO packets the write is sent as (0 when discarded)
   * @throws SrioStreamError when the range does not fit the SRIO address space
   */
  postedWrite(write: BridgePostedWrite): number {
    if (!this.#hw.global.control.readFields().enable) {
      this.postedDiscarded++;
      return 0;
    }
    const plan = planSwriteStream(write.address, write.data.length);
    const packets = swriteStreamPackets(plan, write.data, {
      tt: transportType(write.dev16 ?? false),
      destinationId: write.destId,
      sourceId: this.#o.deviceId,
      prio: 0,
    });
    const n = plan.count;
    if (n === 0) {
      const onSent = write.onSent;
      if (onSent !== undefined) this.#sim.scheduleAfter(0, onSent);
      return 0;
    }
    this.#posted.push({ remaining: n, onSent: write.onSent });
    for (let i = 0; i < n; i++) {
      const packet = packets.packetAt(i);
      this.#postedIds.add(packet);
      this.#pipeline.push(() => {
        this.#arbiter.enqueue(packet);
        this.#kick();
      });
    }
    return n;
  }

  /**
   * A completion DOORBELL after posted writes (e.g. the MSI of a PCIe device, written into the
   * bridge's doorbell window): a DOORBELL with `info` to node `destId` at priority 0, in the
   * flow of the posted writes to that node, so it arrives after them (srio.md §6: a DOORBELL
   * signalling that SWRITEs are complete goes at their priority; Part 6 §6.11). It passes the
   * conversion pipeline and is issued through the transaction table (so the node's DONE is
   * matched; RETRY is resent up to `errors.retry-limit`), but makes no completion and no
   * interrupt. Discarded and counted in {@link PcieSrioBridge.postedDiscarded} while
   * `global.control.enable` is 0.
   *
   * @param doorbell - destination, 16-bit info, optional callback when the node answers
   * @returns whether the DOORBELL was sent
   */
  postedDoorbell(doorbell: BridgePostedDoorbell): boolean {
    if (!this.#hw.global.control.readFields().enable) {
      this.postedDiscarded++;
      return false;
    }
    const ins: Instruction = {
      opcode: "doorbell",
      operands: "doorbell",
      priority: 0,
      dev16: doorbell.dev16 ?? false,
      tag: 0,
      destId: doorbell.destId,
      info: doorbell.info,
    };
    if (!Number.isInteger(doorbell.info) || doorbell.info < 0 || doorbell.info > 0xffff)
      throw new SrioNetworkError("info", "an integer 0..65535", String(doorbell.info));
    const job: Job = { ins, submittedAt: this.#sim.now(), arrived: { bytes: 0 } };
    const packet = this.#controlPacket(ins);
    const issue = (): void => {
      this.#doorbellsOut++;
      this.#issue(job, packet, (status) => {
        this.#doorbellsOut--;
        // A held DOORBELL goes when one is answered (later in its flow: the order is kept).
        this.#doorbellsHeld.shift()?.();
        doorbell.onAnswer?.(status);
      });
    };
    this.#pipeline.push(() => {
      // At most 128 outstanding (srcTID is 8 bits, srio.md §2); the rest wait.
      if (this.#doorbellsOut >= 128) this.#doorbellsHeld.push(issue);
      else issue();
    });
    return true;
  }

  #doorbellsOut = 0;
  readonly #doorbellsHeld: (() => void)[] = [];

  /** Posted writes discarded because `global.control.enable` was 0. */
  postedDiscarded = 0;
  /** Posted writes not yet accepted by the switch, oldest first (from `#postedHead`). */
  readonly #posted: { remaining: number; onSent: (() => void) | undefined }[] = [];
  #postedHead = 0;
  readonly #postedIds = new Set<AnySrioPacket>();

  /** The switch accepted a posted write's packet (they are accepted in the order sent). */
  #postedAccepted(): void {
    const s = this.#hw.stream.swritePackets;
    s.modify({ value: (s.readFields().value + 1) >>> 0 });
    const w = this.#posted[this.#postedHead]!;
    if (--w.remaining > 0) return;
    this.#postedHead++;
    if (this.#postedHead === this.#posted.length) {
      this.#posted.length = 0;
      this.#postedHead = 0;
    } else if (this.#postedHead >= 1024) {
      this.#posted.splice(0, this.#postedHead);
      this.#postedHead = 0;
    }
    w.onSent?.();
  }

  /**
   * The host sends an instruction word (16 bytes, `encodeInstruction`) on a RIFFA channel, with
   * the LEN bytes of a stream write after it in the same transfer: the driver places them in
   * the send buffer of the host memory, and the bridge downloads them by memory reads.
   *
   * @throws BridgePcieError when the transfer is larger than the send buffer (half the host memory)
   */
  submit(word: Uint8Array, data?: Uint8Array): void {
    const submittedAt = this.#sim.now();
    const bytes = 16 + (data?.length ?? 0);
    const address = this.#place(word, data);
    const arrived = { bytes: 0 };
    const buffer = new Uint8Array(bytes);
    let accepted = false;
    // One RIFFA transfer: setup, then the instruction word, then the data.
    this.#download(address, buffer, (received) => {
      if (!accepted && received >= 16) {
        accepted = true;
        const job = data === undefined ? undefined : buffer.subarray(16);
        this.#pipeline.push(() => this.#accept(buffer.subarray(0, 16), submittedAt, arrived, job));
      }
      if (received > 16) this.#streamData(arrived, received - 16);
    });
  }

  /** The host driver copies a transfer into the send buffer; returns its host address. */
  #place(head: Uint8Array | undefined, data?: Uint8Array): bigint {
    const n = (head?.length ?? 0) + (data?.length ?? 0);
    const address = this.#alloc(this.#sendRing, n, "send");
    const host = this.pcie.host;
    if (head !== undefined) host.write(address, head);
    if (data !== undefined) host.write(address + BigInt(head?.length ?? 0), data);
    return address;
  }

  /** Room for `n` bytes in a ring of the host memory, double-word aligned, wrapping at its end. */
  #alloc(ring: Ring, n: number, which: string): bigint {
    if (n > ring.size)
      throw new BridgePcieError(
        `${which}Buffer`,
        `a transfer of at most ${ring.size} bytes (half the host memory)`,
        `${n} bytes`,
      );
    if (ring.next + n > ring.size) ring.next = 0;
    const at = ring.base + BigInt(ring.next);
    ring.next += (n + 7) & ~7;
    return at;
  }

  #streamData(arrived: { bytes: number }, n: number): void {
    arrived.bytes = n;
    this.#feedStream();
  }

  #streamJob: Job | undefined;
  #streamPackets: SwriteStreamPackets | undefined;
  #streamNext = 0;
  #streamReady = false;

  /**
   * RIFFA download of `buffer.length` bytes at host `address`: the setup, then memory reads whose
   * completions fill `buffer`; `onArrive(received)` after each completion.
   */
  #download(address: bigint, buffer: Uint8Array, onArrive: (received: number) => void): void {
    this.#sim.scheduleAfter(this.timing.dmaSetupPs, () =>
      this.pcie.read(address, buffer, onArrive),
    );
  }

  /**
   * RIFFA upload of `value` into the host's receive buffer: the setup, then memory writes;
   * `done` receives the bytes as the host memory holds them after the last TLP.
   */
  #upload(value: Uint8Array, done: (data: Uint8Array) => void): void {
    const address = this.#alloc(this.#recvRing, value.length, "receive");
    this.#sim.scheduleAfter(this.timing.dmaSetupPs, () =>
      this.pcie.write(address, value, 0, value.length, () =>
        done(this.pcie.host.view(address, value.length).slice()),
      ),
    );
  }

  #accept(
    word: Uint8Array,
    submittedAt: SimTime,
    arrived: { bytes: number },
    data?: Uint8Array,
  ): void {
    let ins: Instruction;
    try {
      ins = decodeInstruction(word);
    } catch (e) {
      const err = new BridgeInstructionError(
        "bad-instruction",
        "instruction",
        "a valid bridge.instruction word",
        e instanceof Error ? e.message : describeValue(e),
      );
      this.#refuse(word[1] ?? 0, null, err, submittedAt);
      return;
    }
    this.#dispatch({ ins, submittedAt, arrived, ...(data === undefined ? {} : { data }) });
  }

  #fromRegisters(): void {
    const r = this.#hw.instruction;
    const cmd = r.command.readFields();
    const target = r.target.readFields();
    const now = this.#sim.now();
    const name = INSTRUCTION_OPCODE_NAMES[cmd.opcode];
    if (name === undefined) {
      const err = new BridgeInstructionError(
        "bad-instruction",
        "instruction.command.opcode",
        "1..7",
        String(cmd.opcode),
      );
      this.#pipeline.push(() => this.#refuse(cmd.tag, null, err, now));
      return;
    }
    const address =
      (BigInt(r.addressHi.readFields().address) << 32n) | BigInt(r.addressLo.readFields().address);
    const head = {
      opcode: name,
      priority: target.priority,
      dev16: target.dev16,
      tag: cmd.tag,
      destId: target.destId,
    };
    const m = r.maintenance.readFields();
    const value = r.writeData.readFields().value;
    const length = r.length.readFields().bytes;
    let ins: Instruction;
    switch (name) {
      case "register-read":
        ins = { ...head, opcode: name, operands: "register-read", address };
        break;
      case "register-write":
        ins = { ...head, opcode: name, operands: "register-write", address, data: value };
        break;
      case "stream-read":
      case "stream-write":
        ins = { ...head, opcode: name, operands: "stream", address, length };
        break;
      case "maintenance-read":
        ins = { ...head, opcode: name, operands: "maintenance-read", ...m };
        break;
      case "maintenance-write":
        ins = { ...head, opcode: name, operands: "maintenance-write", ...m, data: value };
        break;
      case "doorbell":
        ins = { ...head, opcode: name, operands: "doorbell", info: r.doorbell.readFields().info };
        break;
    }
    const host = name === "stream-write" ? this.#hostBuffer.subarray(0, length) : undefined;
    if (host !== undefined && host.length > this.#sendRing.size) {
      const err = new BridgeInstructionError(
        "stream-length",
        "instruction.length.bytes",
        `at most ${this.#sendRing.size} bytes (the host send buffer)`,
        String(host.length),
      );
      this.#pipeline.push(() => this.#refuse(cmd.tag, name, err, now));
      return;
    }
    const from = host === undefined ? 0n : this.#place(undefined, host);
    const data = host === undefined ? undefined : new Uint8Array(host.length);
    const arrived = { bytes: 0 };
    this.#pipeline.push(() => {
      this.#dispatch({ ins, submittedAt: now, arrived, ...(data === undefined ? {} : { data }) });
      // The register path's download starts with the instruction (no word to carry).
      if (data !== undefined)
        this.#download(from, data, (received) => this.#streamData(arrived, received));
    });
  }

  #dispatch(job: Job): void {
    const enabled = this.#hw.global.control.readFields().enable;
    if (!enabled) {
      this.#fail(job, new BridgeInstructionError("disabled", "global.control.enable", "1", "0"));
      return;
    }
    const op = job.ins.opcode;
    if (op === "stream-read" || op === "stream-write") {
      this.#streamQueue.push(job);
      this.#nextStream();
    } else {
      this.#controlQueue.push(job);
      this.#nextControl();
    }
  }

  #setIdle(): void {
    this.#hw.global.status.modify({ idle: !this.#controlActive && !this.#streamActive });
  }

  #nextControl(): void {
    if (this.#controlActive) return;
    const job = this.#controlQueue.shift();
    if (job === undefined) return;
    this.#controlActive = true;
    this.#setIdle();
    const ins = job.ins;
    this.#hw.instruction.status.modify({
      txActive: true,
      opcode: opcodeValue(ins.opcode),
      tag: ins.tag,
    });
    const finish = (status: number, payload: Uint8Array | undefined): void => {
      this.#hw.instruction.status.modify({
        txActive: false,
        ...(status >= 0 ? { responseStatus: status } : {}),
      });
      if (status !== TRANSACTION_STATUS.DONE) {
        this.#fail(job, this.#responseError(status), status);
      } else {
        const value = new Uint8Array(4);
        if (payload !== undefined && payload.length >= 4) value.set(payload.subarray(0, 4));
        const v = new DataView(value.buffer).getUint32(0);
        if (ins.opcode === "register-read" || ins.opcode === "maintenance-read")
          this.#hw.instruction.readData.modify({ value: v });
        this.#upload(value, (uploaded) => {
          this.#hw.instruction.status.modify({ txDone: true });
          this.#irq({ instructionDone: true });
          this.#complete(job, "done", uploaded, status);
        });
      }
      this.#controlActive = false;
      this.#setIdle();
      this.#nextControl();
    };
    this.#issue(job, this.#controlPacket(ins), (s, p) => {
      // The value of a sub-double-word read sits in its byte lanes (Part 1 §3.3).
      if (
        p !== undefined &&
        (ins.operands === "register-read" || ins.operands === "maintenance-read")
      ) {
        const lane =
          ins.operands === "register-read" ? Number(ins.address & 7n) : (ins.wordOffset & 1) * 4;
        finish(s, p.subarray(lane, lane + 4));
      } else finish(s, p);
    });
  }

  #responseError(status: number): BridgeInstructionError {
    if (status === -1)
      return new BridgeInstructionError(
        "timeout",
        "response",
        "a response before errors.timeout",
        "none",
      );
    if (status === TRANSACTION_STATUS.RETRY)
      return new BridgeInstructionError(
        "retry-exhausted",
        "response.status",
        "DONE within errors.retry-limit retries",
        "RETRY",
      );
    return new BridgeInstructionError(
      "response-error",
      "response.status",
      "DONE (0)",
      String(status),
    );
  }

  #header(ins: Instruction, prio: number): Record<string, unknown> {
    return {
      ackId: 0,
      vc: 0,
      crf: 0,
      prio,
      tt: transportType(ins.dev16),
      destinationId: ins.destId,
      sourceId: this.#o.deviceId,
    };
  }

  #controlPacket(ins: Instruction): SrioPacket {
    const prio = Math.min(ins.priority, 2);
    const h = this.#header(ins, prio);
    switch (ins.operands) {
      case "register-read": {
        const a = splitSrioAddress(ins.address);
        const s = encodeReadSize(4, a.firstLane);
        return {
          ...h,
          ftype: "request",
          ttype: "nread",
          rdsize: s.size,
          wdptr: s.wdptr,
          srcTid: 0,
          address: a.address,
          xamsbs: a.xamsbs,
        } as unknown as SrioPacket;
      }
      case "register-write":
        return this.#nwriteR(h, ins.address, ins.data);
      case "maintenance-read":
      case "maintenance-write": {
        const m = splitMaintenanceOffset(ins.wordOffset * 4);
        const write = ins.operands === "maintenance-write";
        const payload = new Uint8Array(8);
        if (ins.operands === "maintenance-write")
          new DataView(payload.buffer).setUint32(m.wdptr * 4, ins.data);
        return {
          ...h,
          ftype: "maintenance",
          ttype: write ? "write-request" : "read-request",
          sizeOrStatus: 0b1000,
          srcTid: 0,
          hopCount: ins.hopCount,
          configOffset: m.configOffset,
          wdptr: m.wdptr,
          ...(write ? { payload } : {}),
        } as unknown as SrioPacket;
      }
      case "stream":
        throw new SrioNetworkError("opcode", "a control instruction", ins.opcode);
      case "doorbell":
        return { ...h, ftype: "doorbell", srcTid: 0, info: ins.info } as unknown as SrioPacket;
    }
  }

  #nwriteR(h: Record<string, unknown>, address: bigint, value: number): SrioPacket {
    const a = splitSrioAddress(address);
    const s = encodeWriteSize(4, a.firstLane);
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setUint32(a.firstLane, value);
    return {
      ...h,
      ftype: "write",
      ttype: "nwrite-r",
      wrsize: s.size,
      wdptr: s.wdptr,
      srcTid: 0,
      address: a.address,
      xamsbs: a.xamsbs,
      payload,
    } as unknown as SrioPacket;
  }

  /** Issues a request through the transaction table and the arbiter. */
  #issue(
    job: Job,
    packet: SrioPacket,
    onDone: (status: number, p: Uint8Array | undefined) => void,
  ): void {
    const kind =
      packet.ftype === "request"
        ? "nread"
        : packet.ftype === "write"
          ? "nwrite-r"
          : packet.ftype === "doorbell"
            ? "doorbell"
            : "ttype" in packet && packet.ttype === "write-request"
              ? "maintenance-write"
              : "maintenance-read";
    const pending: Pending = {
      kind,
      srcId: this.#o.deviceId,
      destId: packet.destinationId,
      prio: packet.prio,
      byteLength: kind === "nread" || kind === "maintenance-read" ? 4 : 0,
      job,
      onDone,
      packet,
      retries: 0,
      sentAt: 0,
    };
    this.#send(pending);
  }

  #send(pending: Pending): void {
    const now = this.#sim.now();
    pending.sentAt = now;
    const cycles = this.#hw.errors.timeout.readFields().cycles;
    // errors.timeout applies from the next request issued with no request outstanding.
    if (cycles !== this.#tableCycles && this.#table.outstanding() === 0)
      this.#table = this.#newTable(cycles);
    const issued = this.#table.issue(pending, now);
    const packet = { ...pending.packet, srcTid: issued.tid } as SrioPacket;
    if (this.#tableCycles > 0) {
      const table = this.#table;
      this.#sim.schedule(issued.deadline, () => {
        for (const ev of table.expire(this.#sim.now())) {
          if (ev.type !== "timeout") continue;
          this.#hw.errors.timeoutCount.modify({
            value: this.#hw.errors.timeoutCount.readFields().value + 1,
          });
          this.#hw.instruction.status.modify({ timeout: true });
          this.#irq({ timeout: true });
          ev.request.onDone(-1, undefined);
        }
      });
    }
    this.#arbiter.enqueue(packet);
    this.#kick();
  }

  /** Adds `n` to a 64-bit counter held in two registers (unless performance counters are frozen). */
  #addBytes(lo: CounterRegister, hi: CounterRegister, n: number): void {
    if (this.#frozen()) return;
    const v = lo.readFields().value + n;
    lo.modify({ value: v % 2 ** 32 });
    if (v >= 2 ** 32) hi.modify({ value: (hi.readFields().value + 1) >>> 0 });
  }

  /** performance.control.freeze: every counter of the performance block holds. */
  #frozen(): boolean {
    return this.#hw.performance.control.readFields().freeze;
  }

  /** Sets irq-raw bits and refreshes irq-status = irq-raw AND irq-enable. */
  #irq(
    fields: Parameters<PcieSrioBridgeRegisters<"hardware">["global"]["irqRaw"]["modify"]>[0],
  ): void {
    this.#hw.global.irqRaw.modify(fields);
    this.#irqStatus();
  }

  #irqStatus(): void {
    const g = this.#hw.global;
    const bus = this.registers.hardwareBus;
    const level = bus.read32(g.irqRaw.address) & bus.read32(g.irqEnable.address);
    bus.write32(g.irqStatus.address, level);
    // The interrupt line rises: an MSI to the host (pcie.md §10.3).
    if (this.#irqLevel === 0 && level !== 0) this.pcie.interrupt();
    this.#irqLevel = level;
  }

  /** Bridge clock cycles in `ps`, rounded down. */
  #cycles(ps: SimTime): number {
    return Math.floor((ps * this.timing.parameters.clockMhz) / 1e6);
  }

  /** performance.response-latency: last and largest round trip, in cycles (saturating). */
  #responseLatency(ps: SimTime): void {
    if (this.#frozen()) return;
    const r = this.#hw.performance.responseLatency;
    const last = Math.min(0xffff, this.#cycles(ps));
    r.modify({ last, max: Math.max(last, r.readFields().max) });
  }

  /** A transaction table whose timeout is `cycles` bridge cycles (0: none). */
  #newTable(cycles: number): TransactionTable<Pending> {
    this.#tableCycles = cycles;
    return new TransactionTable<Pending>({
      localId: this.#o.deviceId,
      timeout: cycles === 0 ? FOREVER : cyclesToPs(cycles, this.timing.parameters.clockMhz * 1e6),
    });
  }

  /** Moves the next packet the arbiter chooses through the datapath, when it is free. */
  #kick(): void {
    if (this.#txBusy || this.#arbiter.pending === 0) return;
    const item = this.#arbiter.next();
    if (item === undefined) return;
    const packet =
      item.source === "queue" ? item.packet : item.stream.packets!.packetAt(item.segment.index);
    const stream = this.#streamIds.delete(packet);
    const posted = !stream && this.#postedIds.delete(packet);
    const sp = this.#streamPackets;
    if (
      !stream &&
      !posted &&
      sp !== undefined &&
      this.#streamDepth > 0 &&
      this.#streamDepth < sp.count
    ) {
      const v = this.#hw.stream.interleaved.readFields().value;
      this.#hw.stream.interleaved.modify({ value: v + 1 });
    }
    const bytes = encodeSrioPacket(packet);
    this.#txBusy = true;
    const payload = "payload" in packet ? Math.ceil(packet.payload.length / 8) * 8 : 0;
    this.#txDatapath.transmit(payload, () => {
      this.#txBusy = false;
      this.#countChannel(packet, payload);
      // A stream packet counts as sent when the switch's port accepts it (Part 6 §3.4.1).
      this.port.send(bytes, stream ? STREAM_TAG : posted ? POSTED_TAG : 0);
      this.#kick();
    });
  }

  #countChannel(packet: AnySrioPacket, payload: number): void {
    const ch =
      packet.ftype === "maintenance"
        ? CHANNEL.maintenance
        : packet.ftype === "doorbell"
          ? CHANNEL["message-initiator"]
          : CHANNEL["io-initiator"];
    this.#count(ch, payload);
    this.#addBytes(this.#hw.performance.txBytesLo, this.#hw.performance.txBytesHi, payload);
  }

  #count(ch: number, bytes: number): void {
    const c = this.#hw.channels.channel[ch]!;
    c.packets.modify({ value: (c.packets.readFields().value + 1) >>> 0 });
    const lo = c.bytesLo.readFields().value + bytes;
    c.bytesLo.modify({ value: lo >>> 0 });
    if (lo > 0xffff_ffff) c.bytesHi.modify({ value: c.bytesHi.readFields().value + 1 });
  }

  /** A packet from the switch, accepted by the bridge's input port. */
  #receive(bytes: Uint8Array): void {
    const p = decodeSrioPacket(bytes) as SrioPacket & Record<string, unknown>;
    if (p.ftype === "streaming-write") {
      const w = decodeSrioWrite(p);
      this.#rxDatapath.transmit(w.data.length, () => {
        this.#count(CHANNEL["io-target"], w.data.length);
        this.#addBytes(
          this.#hw.performance.rxBytesLo,
          this.#hw.performance.rxBytesHi,
          w.data.length,
        );
        this.#streamRx?.(w.data, Number(w.address));
      });
      return;
    }
    if (p.ftype === "doorbell") {
      this.#count(3, 0);
      this.#hw.global.doorbellReceived.modify({ info: p.info as number, sourceId: p.sourceId });
      this.#irq({ doorbellReceived: true });
      return;
    }
    const isMaint = p.ftype === "maintenance";
    if (p.ftype !== "response" && !isMaint) return;
    const ttype = p.ttype as string;
    if (isMaint && ttype !== "read-response" && ttype !== "write-response") return;
    const payload = p.payload as Uint8Array | undefined;
    const info: SrioResponseInfo = {
      kind: isMaint
        ? ttype === "read-response"
          ? "maintenance-read-response"
          : "maintenance-write-response"
        : "response",
      srcId: p.sourceId,
      destId: p.destinationId,
      targetTid: p.targetTid as number,
      status: (isMaint ? p.sizeOrStatus : p.status) as number,
      dataBytes: payload?.length ?? 0,
      prio: p.prio,
      crf: p.crf,
    };
    const ev = this.#table.accept(info, this.#sim.now());
    if (ev.type === "fault") {
      this.#hw.errors.status.modify({ unexpectedResponse: true });
      return;
    }
    if (ev.type === "timeout") return;
    const req = ev.request;
    if (ev.type === "retry" && req.retries < this.#hw.errors.retryLimit.readFields().count) {
      req.retries++;
      this.#send(req);
      return;
    }
    this.#responseLatency(this.#sim.now() - req.sentAt);
    req.onDone(info.status, payload);
  }

  #streamSent(): void {
    const s = this.#hw.stream.swritePackets;
    s.modify({ value: (s.readFields().value + 1) >>> 0 });
    this.#streamDepth -= 1;
    if (this.#streamDepth === 0 && this.#streamFinished !== undefined) this.#streamFinished();
  }

  #streamFinished: (() => void) | undefined;

  #nextStream(): void {
    if (this.#streamActive) return;
    const job = this.#streamQueue.shift();
    if (job === undefined) return;
    const ins = job.ins;
    if (ins.operands !== "stream") return;
    this.#streamActive = true;
    this.#setIdle();
    const done = (
      ok: boolean,
      data: Uint8Array,
      err?: BridgeInstructionError,
      status?: number,
    ): void => {
      this.#streamActive = false;
      this.#streamJob = undefined;
      this.#streamPackets = undefined;
      this.#streamRx = undefined;
      this.#streamFinished = undefined;
      this.#setIdle();
      if (ok) {
        this.#irq({ streamDone: true });
        this.#complete(job, "done", data, TRANSACTION_STATUS.DONE);
      } else this.#fail(job, err!, status);
      this.#nextStream();
    };
    const len = ins.length;
    const h = this.#header(ins, Math.min(ins.priority, 2));
    const reg = (off: number): bigint => this.#nodeBase + BigInt(off);
    if (ins.opcode === "stream-write") {
      const data = job.data ?? new Uint8Array(0);
      if (data.length !== len || len % 8 !== 0) {
        this.#hw.errors.status.modify({ streamLength: true });
        done(
          false,
          new Uint8Array(0),
          new BridgeInstructionError(
            "stream-length",
            "length",
            `LEN = ${data.length} bytes, a multiple of 8`,
            String(len),
          ),
        );
        return;
      }
      const plan = planSwriteStream(ins.address, len);
      this.#streamPackets = swriteStreamPackets(plan, data, {
        tt: transportType(ins.dev16),
        destinationId: ins.destId,
        sourceId: this.#o.deviceId,
        prio: 0,
      });
      this.#streamJob = job;
      this.#streamNext = 0;
      this.#streamReady = false;
      this.#streamDepth = plan.count;
      this.#streamFinished = () => done(true, new Uint8Array(4));
      // Setup: tell the node LEN (SYSTEM.md §2 stream write), then the SWRITEs may go.
      this.#issue(job, this.#nwriteR(h, reg(NODE_REGISTERS.length), len), (s) => {
        if (s !== TRANSACTION_STATUS.DONE) {
          done(false, new Uint8Array(0), this.#responseError(s), s);
          return;
        }
        this.#streamReady = true;
        if (plan.count === 0) done(true, new Uint8Array(4));
        else this.#feedStream();
      });
      return;
    }
    // Stream read: the node SWRITEs LEN bytes from ins.address to us; uploaded by DMA into
    // the host's receive buffer as they arrive.
    if (len > this.#recvRing.size) {
      this.#hw.errors.status.modify({ streamLength: true });
      done(
        false,
        new Uint8Array(0),
        new BridgeInstructionError(
          "stream-length",
          "length",
          `at most ${this.#recvRing.size} bytes (the host receive buffer)`,
          String(len),
        ),
      );
      return;
    }
    const target = this.#alloc(this.#recvRing, len, "receive");
    const buffer = new Uint8Array(len);
    let received = 0;
    let uploaded = 0;
    let setupDone = false;
    let waiting = 0;
    let failed = false;
    const uploadedAll = (): void => {
      waiting--;
      if (uploaded === len && waiting === 0) done(true, this.pcie.host.view(target, len).slice());
    };
    const pump = (): void => {
      if (!setupDone || failed) return;
      if (received > uploaded) {
        const n = received - uploaded;
        const from = uploaded;
        uploaded = received;
        waiting++;
        this.pcie.write(target + BigInt(from), buffer, from, n, uploadedAll);
      }
    };
    this.#streamRx = (bytes, offset) => {
      if (offset + bytes.length > len) {
        this.#hw.channels.channel[1]!.status.modify({ overflow: true });
        return;
      }
      buffer.set(bytes, offset);
      received += bytes.length;
      pump();
    };
    this.#sim.scheduleAfter(this.timing.dmaSetupPs, () => {
      setupDone = true;
      pump();
      if (len === 0) done(true, buffer);
    });
    const fail = (s: number): void => {
      if (failed) return;
      failed = true;
      done(false, new Uint8Array(0), this.#responseError(s), s);
    };
    const ok = (s: number): void => {
      if (s !== TRANSACTION_STATUS.DONE) fail(s);
    };
    this.#issue(
      job,
      this.#nwriteR(h, reg(NODE_REGISTERS.sourceLo), Number(ins.address & 0xffff_ffffn)),
      ok,
    );
    this.#issue(job, this.#nwriteR(h, reg(NODE_REGISTERS.length), len), ok);
    this.#issue(job, this.#nwriteR(h, reg(NODE_REGISTERS.go), this.#o.deviceId), ok);
  }

  /** Queues the stream packets whose bytes have arrived (after the conversion pipeline). */
  #feedStream(): void {
    const sp = this.#streamPackets;
    const job = this.#streamJob;
    if (sp === undefined || job === undefined || !this.#streamReady) return;
    const plan = sp.plan;
    const seg = plan.count > 0 ? plan.segmentAt(0) : undefined;
    while (this.#streamNext < plan.count) {
      const s = plan.segmentAt(this.#streamNext, seg);
      if (s.offset + s.byteLength > job.arrived.bytes) break;
      const packet = sp.packetAt(this.#streamNext++);
      this.#streamIds.add(packet);
      this.#pipeline.push(() => {
        this.#arbiter.enqueue(packet);
        this.#kick();
      });
    }
  }

  #refuse(
    tag: number,
    opcode: InstructionOpcode | null,
    err: BridgeInstructionError,
    submittedAt: SimTime,
  ): void {
    this.#hw.errors.status.modify({ badInstruction: true });
    this.#record(tag, opcode, err);
    const c: BridgeCompletion = {
      tag,
      opcode,
      status: "failed",
      error: err,
      data: new Uint8Array(0),
      submittedAt,
      completedAt: this.#sim.now(),
    };
    this.completions.push(c);
    this.#o.onCompletion?.(c);
  }

  #record(
    tag: number,
    opcode: InstructionOpcode | null,
    err: BridgeInstructionError,
    status?: number,
    destId = 0,
  ): void {
    const e = this.#hw.errors;
    const bits: Partial<Record<string, boolean>> = {
      "response-error": err.reason === "response-error",
      timeout: err.reason === "timeout",
      "retry-exhausted": err.reason === "retry-exhausted",
    };
    e.status.modify({
      ...(bits["response-error"] ? { responseError: true } : {}),
      ...(bits.timeout ? { responseTimeout: true } : {}),
      ...(bits["retry-exhausted"] ? { retryExhausted: true } : {}),
    });
    e.errorCount.modify({ value: (e.errorCount.readFields().value + 1) >>> 0 });
    if (!e.captureValid.readFields().valid) {
      e.capture.modify({
        opcode: opcode === null ? 0 : opcodeValue(opcode),
        tag,
        destId,
        ...(status !== undefined && status >= 0 ? { responseStatus: status } : {}),
      });
      e.captureValid.modify({ valid: true });
    }
    this.#hw.instruction.status.modify({ error: true, txActive: false });
    this.#irq({ instructionError: true });
  }

  #fail(job: Job, err: BridgeInstructionError, status?: number): void {
    this.#record(job.ins.tag, job.ins.opcode, err, status, job.ins.destId);
    const c: BridgeCompletion = {
      tag: job.ins.tag,
      opcode: job.ins.opcode,
      status: "failed",
      error: err,
      ...(status !== undefined && status >= 0 ? { responseStatus: status } : {}),
      data: new Uint8Array(0),
      submittedAt: job.submittedAt,
      completedAt: this.#sim.now(),
    };
    this.completions.push(c);
    this.#o.onCompletion?.(c);
  }

  #complete(job: Job, status: "done", data: Uint8Array, responseStatus: number): void {
    const c: BridgeCompletion = {
      tag: job.ins.tag,
      opcode: job.ins.opcode,
      status,
      responseStatus,
      data,
      submittedAt: job.submittedAt,
      completedAt: this.#sim.now(),
    };
    this.completions.push(c);
    this.#o.onCompletion?.(c);
  }
}

/** A hardware-side 32-bit counter register. */
type CounterRegister = PcieSrioBridgeRegisters<"hardware">["performance"]["txBytesLo"];

function opcodeValue(op: InstructionOpcode): number {
  return INSTRUCTION_OPCODE_NAMES.indexOf(op);
}
