/**
 * The SRIO side of the PCIe–SRIO bridge emulator: an SRIO switch routing packets by destination
 * ID to emulated processing nodes, each a memory and a small register space (SYSTEM.md §2,
 * "Topology": host + bridge, 4x SRIO to a switch board, then several FPGA processing boards).
 *
 * Packets travel between the blocks as encoded bytes (`encodeSrioPacket`, RapidIO 4.1 Part 6
 * §2.4) on {@link SrioLink}s: each packet occupies its link for the physical-layer packet length
 * plus one control symbol (docs/reference/srio.md §4, §10) and is acknowledged by the link
 * partner (ackIDs, packet-accepted / packet-retry / packet-not-accepted, RapidIO 4.1 Part 6 §6.8). Every receiver decodes what it gets with `decodeSrioPacket`,
 * so the wire format is exercised end to end.
 *
 * @module
 */
import { describeValue } from "@rashpa/bits";
import {
  TRANSACTION_STATUS,
  decodeReadSize,
  decodeSrioPacket,
  decodeSrioWrite,
  encodeSrioPacket,
  maintenanceByteOffset,
  responsePriority,
  splitSrioAddress,
  srioByteAddress,
} from "@rashpa/srio";
import type { SrioPacket, TransportType } from "@rashpa/srio";
import { EmulatorFieldError } from "../field-error.js";
import { SrioLink } from "./link-layer.js";
import type { SrioControlSymbolFormat, SrioLinkSpeed } from "./link-layer.js";
import type { Simulator } from "../sim/simulator.js";
import type { Rate, SimTime } from "../sim/time.js";

/** A malformed network configuration or an access outside a node's memory. */
export class SrioNetworkError extends EmulatorFieldError {
  /** Always `"SrioNetworkError"`. */
  override readonly name = "SrioNetworkError";
}

/** Where an SRIO packet is delivered: a function given the encoded packet. */
export type SrioPacketSink = (bytes: Uint8Array) => void;

/** How the emulator's SRIO links serialise (from `srioThroughput`, srio.md §10). */
export interface SrioLinkTiming {
  /** Coded bytes per second × 8 after line coding and clock compensation. */
  readonly bitsPerSecond: Rate;
  /**
   * Control-symbol format: 4 bytes per packet for CS24, 8 for CS48/CS64 (srio.md §5), and the
   * ackID width of the link-level flow control (Part 6 §6.6.2).
   */
  readonly controlSymbol: SrioControlSymbolFormat;
}

/**
 * Node register offsets within the node's register window (this project's design): writing
 * them makes the node send `length` bytes of its memory from `sourceLo` as SWRITEs to `replyTo`
 * (the stream read of SYSTEM.md §2, "register writes make the remote SRIO device issue SWRITEs").
 */
export const NODE_REGISTERS = {
  /** The node's identification word (reads `0x4e4f4445`, "NODE"). */
  ident: 0x00,
  /** Source byte address in the node's memory, low 32 bits. */
  sourceLo: 0x04,
  /** Number of bytes to stream (a multiple of 8). */
  length: 0x08,
  /** Writing here starts the stream to the device ID written (bits 15:0). */
  go: 0x0c,
  /** A scratch register, read and written by tests and examples. */
  scratch: 0x10,
  /** DOORBELLs received. */
  doorbells: 0x14,
  /** Info of the last DOORBELL. */
  lastDoorbell: 0x18,
} as const;

/** Options of a {@link ProcessingNode}. */
export interface ProcessingNodeOptions {
  /** The node's device ID. */
  readonly deviceId: number;
  /** Bytes of memory at SRIO address 0. */
  readonly memoryBytes: number;
  /**
   * The buffer holding the node's memory (e.g. a `SharedArrayBuffer` a receiving thread reads
   * with no copy); `memoryBytes` long. @defaultValue a new zeroed `ArrayBuffer`
   */
  readonly buffer?: ArrayBufferLike;
  /**
   * SRIO byte address of the node's 32-bit register window (register reads/writes of SYSTEM.md §2).
   * @defaultValue 0x2_0000_0000 (bit 33, above any memory)
   */
  readonly registerBase?: bigint;
  /** Time from a request arriving to its response leaving (node logic). */
  readonly responseLatencyPs: SimTime;
  /** SWRITE payload bytes of the streams the node sends (srio.md §4: at most 256). */
  readonly swriteBytes?: number;
}

/** What went wrong on purpose: answer the next requests ERROR or RETRY. */
export interface NodeFault {
  /** ERROR applies to any request with a response; RETRY to DOORBELLs (srio.md §2.1). */
  readonly status: "error" | "retry";
  /** How many requests to answer so. */
  readonly count: number;
}

const DEFAULT_REGISTER_BASE = 0x2_0000_0000n;

/**
 * An emulated processing node (an FPGA board of SYSTEM.md §2): memory written by SWRITE and
 * NWRITE/NWRITE_R, a register window answering NREAD and NWRITE_R, CAR/CSR words answering
 * MAINTENANCE (hop count 0), DOORBELLs answered DONE, and a stream engine that SWRITEs its
 * memory to a requester. ERROR/RETRY answers are injectable ({@link ProcessingNode.injectFault})
 * and counted.
 */
export class ProcessingNode {
  /** The node's device ID. */
  readonly deviceId: number;
  /** The node's memory (SRIO address 0 …). */
  readonly memory: Uint8Array;
  /** SRIO byte address of the register window. */
  readonly registerBase: bigint;
  /** The 32-bit registers ({@link NODE_REGISTERS}), by byte offset / 4. */
  readonly registers = new Uint32Array(16);
  /** CAR/CSR words by byte offset (maintenance space, srio.md §8). */
  readonly csr = new Map<number, number>();
  /** Requests answered with an injected ERROR or RETRY. */
  faultsAnswered = 0;
  /** Packets received, by ftype name. */
  readonly received = new Map<string, number>();
  /** Packets the node could not use (wrong address, bad size), each answered ERROR. */
  rejected = 0;
  readonly #sim: Simulator;
  readonly #latency: SimTime;
  readonly #swriteBytes: number;
  #faults: NodeFault[] = [];
  #goPending = false;
  #send: SrioPacketSink = () => undefined;

  /** @param sim - the simulator; @param options - ID, memory size, latency */
  constructor(sim: Simulator, options: ProcessingNodeOptions) {
    this.#sim = sim;
    this.deviceId = options.deviceId;
    if (options.buffer !== undefined && options.buffer.byteLength !== options.memoryBytes)
      throw new SrioNetworkError(
        "buffer",
        `a buffer of memoryBytes = ${options.memoryBytes} bytes`,
        `${options.buffer.byteLength} bytes`,
      );
    this.memory =
      options.buffer === undefined
        ? new Uint8Array(options.memoryBytes)
        : new Uint8Array(options.buffer);
    this.registerBase = options.registerBase ?? DEFAULT_REGISTER_BASE;
    this.#latency = options.responseLatencyPs;
    this.#swriteBytes = options.swriteBytes ?? 256;
    this.registers[NODE_REGISTERS.ident / 4] = 0x4e4f4445;
    // Base Device ID CSR (srio.md §8 offset 0x60), Device Identity CAR 0x00.
    this.csr.set(0x60, (this.deviceId & 0xff) << 16);
    this.csr.set(0x00, 0x0000_0074);
  }

  /** Connects the node's output (its link toward the switch). */
  connect(send: SrioPacketSink): void {
    this.#send = send;
  }

  /** Answers the next `fault.count` requests with ERROR (any) or RETRY (DOORBELLs only). */
  injectFault(fault: NodeFault): void {
    if (!Number.isInteger(fault.count) || fault.count < 1)
      throw new SrioNetworkError("fault.count", "an integer ≥ 1", describeValue(fault.count));
    this.#faults.push({ ...fault });
  }

  #takeFault(isDoorbell: boolean): number | undefined {
    const f = this.#faults[0];
    if (f === undefined || (f.status === "retry" && !isDoorbell)) return undefined;
    if (f.count === 1) this.#faults.shift();
    else this.#faults[0] = { ...f, count: f.count - 1 };
    this.faultsAnswered++;
    return f.status === "error" ? TRANSACTION_STATUS.ERROR : TRANSACTION_STATUS.RETRY;
  }

  /** Delivers one encoded packet to the node (decoded with `decodeSrioPacket`). */
  receive(bytes: Uint8Array): void {
    const p = decodeSrioPacket(bytes);
    this.received.set(p.ftype, (this.received.get(p.ftype) ?? 0) + 1);
    switch (p.ftype) {
      case "streaming-write":
      case "write":
        this.#write(p);
        return;
      case "request":
        if ("rdsize" in p) this.#nread(p);
        return;
      case "maintenance":
        this.#maintenance(p);
        return;
      case "doorbell":
        if ("info" in p) this.#doorbell(p);
        return;
      default:
        return;
    }
  }

  #respond(packet: Record<string, unknown>): void {
    const bytes = encodeSrioPacket(packet as unknown as SrioPacket);
    this.#sim.scheduleAfter(this.#latency, () => this.#send(bytes));
  }

  #response(
    req: SrioPacket & { srcTid: number },
    status: number,
    data?: Uint8Array,
  ): Record<string, unknown> {
    const pr = responsePriority({ prio: req.prio, crf: req.crf });
    return {
      ackId: 0,
      vc: 0,
      crf: pr.crf,
      prio: pr.prio,
      tt: req.tt,
      ftype: "response",
      destinationId: req.sourceId,
      sourceId: this.deviceId,
      ttype: data === undefined ? "no-data" : "with-data",
      status,
      targetTid: req.srcTid,
      ...(data === undefined ? {} : { payload: data }),
    };
  }

  #regIndex(address: bigint, bytes: number): number | undefined {
    const off = address - this.registerBase;
    if (off < 0n || off >= BigInt(this.registers.length * 4) || bytes !== 4 || (off & 3n) !== 0n)
      return undefined;
    return Number(off) / 4;
  }

  #write(p: SrioPacket): void {
    const w = decodeSrioWrite(p);
    const needsResponse = p.ftype === "write" && "ttype" in p && p.ttype === "nwrite-r";
    const fault = needsResponse ? this.#takeFault(false) : undefined;
    let ok = true;
    if (fault === undefined) {
      const reg = this.#regIndex(w.address, w.data.length);
      if (reg !== undefined) this.#registerWrite(reg, w.data);
      else if (w.address + BigInt(w.data.length) <= BigInt(this.memory.length))
        this.memory.set(w.data, Number(w.address));
      else {
        ok = false;
        this.rejected++;
      }
    }
    if (needsResponse && "srcTid" in p) {
      const status = fault ?? (ok ? TRANSACTION_STATUS.DONE : TRANSACTION_STATUS.ERROR);
      this.#respond(this.#response(p, status));
    }
    // The write response goes before the stream it starts (else it would queue behind LEN bytes).
    if (this.#goPending) {
      this.#goPending = false;
      this.#startStream(this.registers[NODE_REGISTERS.go / 4]! & 0xffff);
    }
  }

  #registerWrite(index: number, data: Uint8Array): void {
    const v = ((data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!) >>> 0;
    if (index === NODE_REGISTERS.ident / 4) return;
    this.registers[index] = v;
    if (index === NODE_REGISTERS.go / 4) this.#goPending = true;
  }

  #startStream(replyTo: number): void {
    const source = this.registers[NODE_REGISTERS.sourceLo / 4]!;
    const length = this.registers[NODE_REGISTERS.length / 4]!;
    if (source + length > this.memory.length || length % 8 !== 0) {
      this.rejected++;
      return;
    }
    // The node SWRITEs to the requester's receive window at address 0 (its I/O target).
    // The node's link paces the packets: all are offered at once and queue back to back.
    const t = this.#latency;
    for (let off = 0; off < length; off += this.#swriteBytes) {
      const n = Math.min(this.#swriteBytes, length - off);
      const a = splitSrioAddress(BigInt(off));
      const bytes = encodeSrioPacket({
        ackId: 0,
        vc: 0,
        crf: 0,
        prio: 0,
        tt: "dev8",
        ftype: "streaming-write",
        destinationId: replyTo,
        sourceId: this.deviceId,
        address: a.address,
        xamsbs: a.xamsbs,
        payload: this.memory.slice(source + off, source + off + n),
      });
      this.#sim.scheduleAfter(t, () => this.#send(bytes));
    }
  }

  #nread(p: SrioPacket & { rdsize: number; wdptr: number; address: number; xamsbs: number }): void {
    const req = p as SrioPacket & { srcTid: number };
    const fault = this.#takeFault(false);
    if (fault !== undefined) {
      this.#respond(this.#response(req, fault));
      return;
    }
    const size = decodeReadSize(p.rdsize, p.wdptr);
    const dw = srioByteAddress({ address: p.address, xamsbs: p.xamsbs });
    const address = dw + BigInt(size.firstLane);
    const wire = size.bytes < 8 ? 8 : size.bytes;
    const data = new Uint8Array(wire);
    const reg = this.#regIndex(address, size.bytes);
    if (reg !== undefined) {
      const v = this.registers[reg]!;
      const o = size.firstLane;
      data[o] = v >>> 24;
      data[o + 1] = (v >>> 16) & 0xff;
      data[o + 2] = (v >>> 8) & 0xff;
      data[o + 3] = v & 0xff;
    } else if (dw + BigInt(wire) <= BigInt(this.memory.length)) {
      data.set(this.memory.subarray(Number(dw), Number(dw) + wire));
    } else {
      this.rejected++;
      this.#respond(this.#response(req, TRANSACTION_STATUS.ERROR));
      return;
    }
    this.#respond(this.#response(req, TRANSACTION_STATUS.DONE, data));
  }

  #maintenance(p: SrioPacket): void {
    const m = p as SrioPacket & {
      ttype: string;
      srcTid: number;
      configOffset: number;
      wdptr: number;
      payload?: Uint8Array;
    };
    if (m.ttype !== "read-request" && m.ttype !== "write-request") return;
    const fault = this.#takeFault(false);
    const offset = maintenanceByteOffset(m);
    const isRead = m.ttype === "read-request";
    let payload: Uint8Array | undefined;
    if (fault === undefined && isRead) {
      payload = new Uint8Array(8);
      const v = this.csr.get(offset) ?? 0;
      new DataView(payload.buffer).setUint32(m.wdptr * 4, v);
    } else if (fault === undefined && m.payload !== undefined) {
      this.csr.set(
        offset,
        new DataView(m.payload.buffer, m.payload.byteOffset).getUint32(m.wdptr * 4),
      );
    }
    this.#respond(maintenanceResponse(m, this.deviceId, fault ?? TRANSACTION_STATUS.DONE, payload));
  }

  #doorbell(p: SrioPacket & { info: number; srcTid: number }): void {
    const fault = this.#takeFault(true);
    if (fault === undefined) {
      this.registers[NODE_REGISTERS.doorbells / 4]!++;
      this.registers[NODE_REGISTERS.lastDoorbell / 4] = p.info;
    }
    this.#respond(this.#response(p, fault ?? TRANSACTION_STATUS.DONE));
  }
}

/** A maintenance response to `m` from `sourceId` (hop count 0xFF, Part 8 §2.2; srio.md §2.3). */
function maintenanceResponse(
  m: SrioPacket & { ttype: string; srcTid: number },
  sourceId: number,
  status: number,
  payload: Uint8Array | undefined,
): Record<string, unknown> {
  const pr = responsePriority({ prio: m.prio, crf: m.crf });
  const read = m.ttype === "read-request";
  return {
    ackId: 0,
    vc: 0,
    crf: pr.crf,
    prio: pr.prio,
    tt: m.tt,
    ftype: "maintenance",
    destinationId: m.sourceId,
    sourceId,
    ttype: read ? "read-response" : "write-response",
    sizeOrStatus: status,
    targetTid: m.srcTid,
    hopCount: 0xff,
    ...(read && status === TRANSACTION_STATUS.DONE
      ? { payload }
      : read
        ? { payload: new Uint8Array(0) }
        : {}),
  };
}

/** Options of an {@link SrioSwitch}. */
export interface SrioSwitchOptions {
  /** The switch's device ID (answers maintenance with hop count 0). */
  readonly deviceId: number;
  /** Serialisation of every port's link. */
  readonly link: SrioLinkTiming;
  /** Fixed cut-through latency from a packet's end on ingress to its start on egress. */
  readonly latencyPs: SimTime;
  /** Speed of every port's link-level protocol ({@link SrioLink}). @defaultValue `"fast"` */
  readonly speed?: SrioLinkSpeed;
}

/**
 * An SRIO switch: routes each packet by its destination ID to the port of that device
 * (docs/reference/srio.md §1 transport layer); a maintenance request with hop count 0 is for the
 * switch itself (answered from its CAR/CSR words), one with a larger hop count is forwarded with
 * hop count − 1 (srio.md §2.3; RapidIO 4.1 Part 8 §2). A packet for an unknown device is dropped
 * and counted (`unroutable`). Each egress port, and each node's link toward the switch, is an
 * {@link SrioLink} with ackIDs and packet-accepted / packet-retry / packet-not-accepted
 * (RapidIO 4.1 Part 6 §6.8–§6.13).
 */
export class SrioSwitch {
  /** The switch's device ID. */
  readonly deviceId: number;
  /** The switch's own CAR/CSR words by byte offset. */
  readonly csr = new Map<number, number>();
  /** Packets with no route. */
  unroutable = 0;
  /** Packets forwarded. */
  forwarded = 0;
  readonly #sim: Simulator;
  readonly #options: SrioSwitchOptions;
  readonly #ports = new Map<number, SrioLink>();
  readonly #uplinks = new Map<number, SrioLink>();

  /** @param sim - the simulator; @param options - ID, link timing, latency */
  constructor(sim: Simulator, options: SrioSwitchOptions) {
    this.#sim = sim;
    this.#options = options;
    this.deviceId = options.deviceId;
    this.csr.set(0x00, 0x0000_0035); // Device Identity CAR (an emulated switch)
    this.csr.set(0x60, (options.deviceId & 0xff) << 16);
  }

  /** A link of this switch's timing and speed delivering to `deliver`. */
  link(name: string, deliver: SrioPacketSink): SrioLink {
    return new SrioLink(this.#sim, {
      name,
      bitsPerSecond: this.#options.link.bitsPerSecond,
      controlSymbol: this.#options.link.controlSymbol,
      speed: this.#options.speed ?? "fast",
      deliver,
    });
  }

  /** Adds a port toward `deviceId`, delivering to `sink` each packet its receiver accepts. */
  attach(deviceId: number, sink: SrioPacketSink): void {
    if (this.#ports.has(deviceId))
      throw new SrioNetworkError("deviceId", "a device ID not yet attached", String(deviceId));
    this.#ports.set(deviceId, this.link(`switch→${deviceId}`, sink));
  }

  /** Attaches a node both ways (the node's link toward the switch included). */
  attachNode(node: ProcessingNode): void {
    this.attach(node.deviceId, (b) => node.receive(b));
    const up = this.link(`${node.deviceId}→switch`, (b) => this.receive(b));
    this.#uplinks.set(node.deviceId, up);
    node.connect((b) => up.send(b));
  }

  /** The egress link toward `deviceId` (its receiver is that device's input port), if attached. */
  port(deviceId: number): SrioLink | undefined {
    return this.#ports.get(deviceId);
  }

  /** The link from node `deviceId` to the switch (its receiver is the switch's input port), if attached. */
  uplink(deviceId: number): SrioLink | undefined {
    return this.#uplinks.get(deviceId);
  }

  /** A packet arrives on an ingress port (its last byte received). */
  receive(bytes: Uint8Array): void {
    const p = decodeSrioPacket(bytes) as SrioPacket & {
      ttype?: string;
      hopCount?: number;
      srcTid?: number;
    };
    let out = bytes;
    if (p.ftype === "maintenance" && (p.ttype === "read-request" || p.ttype === "write-request")) {
      if (p.hopCount === 0) {
        this.#answerMaintenance(p as SrioPacket & { ttype: string; srcTid: number });
        return;
      }
      out = encodeSrioPacket({ ...p, hopCount: p.hopCount! - 1 });
    }
    this.#route(p.destinationId, out);
  }

  #route(destId: number, bytes: Uint8Array): void {
    const port = this.#ports.get(destId);
    if (port === undefined) {
      this.unroutable++;
      return;
    }
    this.forwarded++;
    this.#sim.scheduleAfter(this.#options.latencyPs, () => port.send(bytes));
  }

  #answerMaintenance(m: SrioPacket & { ttype: string; srcTid: number }): void {
    const q = m as unknown as { configOffset: number; wdptr: number; payload?: Uint8Array };
    const offset = maintenanceByteOffset(q);
    let payload: Uint8Array | undefined;
    if (m.ttype === "read-request") {
      payload = new Uint8Array(8);
      new DataView(payload.buffer).setUint32(q.wdptr * 4, this.csr.get(offset) ?? 0);
    } else if (q.payload !== undefined) {
      this.csr.set(
        offset,
        new DataView(q.payload.buffer, q.payload.byteOffset).getUint32(q.wdptr * 4),
      );
    }
    // A switch has no device ID of its own on the path: it answers as the request's target
    // (the response's sourceID is the request's destinationID).
    const r = maintenanceResponse(m, m.destinationId, TRANSACTION_STATUS.DONE, payload);
    this.#route(m.sourceId, encodeSrioPacket(r as unknown as SrioPacket));
  }
}

/** The transport type of 8- or 16-bit device IDs. */
export function transportType(dev16: boolean): TransportType {
  return dev16 ? "dev16" : "dev8";
}
