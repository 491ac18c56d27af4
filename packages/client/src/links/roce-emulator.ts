/**
 * The emulated RoCEv2 link — RASHPA over Ethernet (docs/system.md, "RASHPA": RoCE as the
 * future link): the controller's DMA writes leave as RDMA WRITEs over UDP (RoCEv2,
 * docs/reference/roce.md §1) and land in receivers that may sit in other threads or
 * processes.
 *
 * - Device side, a worker thread (`roce-device-worker.ts`): the RASHPA controller emulator
 *   whose switch ports are RDMA NIC memories. Each memory write becomes an RDMA WRITE on a
 *   reliable connection to its receiver (`RcSender` of `@rashpa/roce`: one queue pair per
 *   receiver, DestQP = `receivers[].link.qpn`, R_Key = `receivers[].link.rkey`, VA = the bus
 *   address, roce.md §2–§4) sent from a real UDP socket; an event-record write is an RDMA
 *   WRITE with Immediate whose immediate data is the record's ring slot. A record waits until
 *   the writes posted before it on the other connections are acknowledged, so a frame always
 *   arrives before the record announcing it.
 * - Receiver side, this thread: one `RcReceiver` per receiver on its own UDP socket (bound to
 *   `receivers[].link.ip`), whose registered memory region is the receiver arena — a
 *   `SharedArrayBuffer`, VA = `receivers[].base` — checking ICRC, PSN order, R_Key and bounds
 *   before writing each payload (roce.md §4–§5). Each completion with immediate data is the
 *   link's interrupt: `onInterrupt({ slot: immediate, atPs })`.
 * - Registers are not carried over RoCE in this emulation: they travel as the PCIe link's
 *   messages (read / write, answered in order).
 * - Time: the controller keeps its simulated PCIe timing model (event-record timestamps,
 *   {@link LinkIdle.atPs}); the RoCE packets move in wall-clock time over loopback sockets, so
 *   an interrupt's `atPs` is wall-clock time since the link was opened, not simulated.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { AsyncBus } from "@rashpa/registers";
import {
  LossyRelay,
  RcReceiver,
  UdpTransport,
  reversePath,
  rocePath,
  type DatagramTransport,
  type LossyRelayStats,
  type Pmtu,
  type RcReceiverStats,
  type RcSenderStats,
  type RoceCaptureRecord,
  type RocePath,
} from "@rashpa/roce";
import type { AcquisitionConfig } from "../config.js";
import { LinkError, type Link, type LinkIdle, type LinkInterrupt } from "./link.js";
import type {
  RoceConnectionInit,
  RoceDeviceInit,
  RoceDeviceReply,
  RoceDeviceRequest,
} from "./roce-protocol.js";

/** Faults a {@link LossyRelay} inserts between the device and each receiver. */
export interface RoceRelayOptions {
  /** Seed of the fault decisions (receiver i's relay uses `seed + i`). */
  readonly seed: number;
  /** Probability that a datagram is dropped. */
  readonly drop: number;
  /** Probability that a datagram is sent twice. */
  readonly duplicate: number;
  /** Probability that a datagram is held back behind the next one. */
  readonly reorder: number;
}

/** Options of {@link openEmulatedRoceLink}. */
export interface EmulatedRoceOptions {
  /** Emulator speed (default `"fast"`). */
  readonly speed?: "fast" | "wire";
  /** Simulated time the device runs between two looks at its messages, ps (default 20 µs). */
  readonly slicePs?: number;
  /** Path MTU of every connection (default 4096, roce.md §3). */
  readonly pmtu?: Pmtu;
  /** The device's IP address, where its sockets bind (default `127.0.0.1`). */
  readonly deviceIp?: string;
  /** Requester window, packets (default 256). */
  readonly window?: number;
  /** Local ACK timeout before going back N, ms (default 10). */
  readonly timeoutMs?: number;
  /** Retries without progress before the link fails (default 1000). */
  readonly retryLimit?: number;
  /** A lossy relay on each connection (drops, duplicates, reorders datagrams from a seed). */
  readonly relay?: RoceRelayOptions;
  /**
   * Keep every datagram the receivers take and send (data packets as received, ACKs and NAKs
   * as sent), in {@link EmulatedRoceLink.capture}, for `writeRocePcap`.
   */
  readonly capture?: boolean;
}

/** Counters of an {@link EmulatedRoceLink}. */
export interface RoceLinkStats {
  /** Per receiver: the requester's counters at the device's last idle report, or at close. */
  readonly senders: readonly RcSenderStats[];
  /** Per receiver: the responder's counters. */
  readonly receivers: readonly RcReceiverStats[];
  /** Per receiver: the relay's counters, when a relay is in the path. */
  readonly relays: readonly LossyRelayStats[] | undefined;
}

/** A {@link Link} over RoCEv2, with its connections' counters and optional capture. */
export interface EmulatedRoceLink extends Link {
  /** Always `"roce"`. */
  readonly kind: "roce";
  /** Receiver names, in connection order. */
  readonly receivers: readonly string[];
  /** Counters of the connections (and relays). */
  stats(): RoceLinkStats;
  /** The captured datagrams with their paths, in the order taken (when `capture` was asked). */
  readonly capture: readonly RoceCaptureRecord[] | undefined;
}

/** The worker module: the built file beside this one (tests run from the sources). */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL("../../dist/links/roce-device-worker.js", here)
    : new URL("./roce-device-worker.js", here);
}

/** First UDP source port written in the connections' paths (receiver i: + i). */
const SOURCE_PORT = 49152;
/** Device QP of receiver i's connection: this + i. */
const DEVICE_QPN = 0x100;

/** A transport that keeps a copy of each datagram with its path. */
function capturing(
  inner: DatagramTransport,
  dataPath: RocePath,
  out: RoceCaptureRecord[],
  start: bigint,
): DatagramTransport {
  const ackPath = reversePath(dataPath);
  const at = (): bigint => process.hrtime.bigint() - start;
  return {
    send(bytes, offset = 0, length = bytes.length - offset) {
      out.push({ packet: bytes.slice(offset, offset + length), path: ackPath, timeNs: at() });
      inner.send(bytes, offset, length);
    },
    onDatagram(handler) {
      inner.onDatagram((bytes) => {
        out.push({ packet: bytes.slice(), path: dataPath, timeNs: at() });
        handler(bytes);
      });
    },
    close: () => inner.close(),
  };
}

/**
 * Opens an emulated RoCEv2 link for the receivers of `config` whose link kind is `roce`: one
 * `SharedArrayBuffer` arena and one reliable connection per receiver, the controller emulator
 * (on the configuration's PCIe `link` timing) in a worker thread sending over UDP sockets, the
 * receivers' responders in this thread.
 *
 * @param config - a checked acquisition configuration
 * @param options - speed, path MTU, retransmission, relay, capture
 * @returns the link, ready for register accesses
 * @throws LinkError when no receiver is reached over RoCE, or a socket cannot be opened
 * @example
 * ```ts
 * const link = await openEmulatedRoceLink(config, { pmtu: 1024 });
 * const acq = await Acquisition.start(link, config);
 * for await (const e of acq) if (e.type === "frame") use(e.bytes);
 * await acq.close();
 * ```
 */
export async function openEmulatedRoceLink(
  config: AcquisitionConfig,
  options: EmulatedRoceOptions = {},
): Promise<EmulatedRoceLink> {
  const pmtu = options.pmtu ?? 4096;
  const name = `emulated-roce ${config.link} pmtu ${pmtu}`;
  const deviceIp = options.deviceIp ?? "127.0.0.1";
  const chosen = config.receivers.flatMap((r) => (r.link.kind === "roce" ? [r] : []));
  if (chosen.length === 0) throw new LinkError(name, "no receiver has link kind roce");
  const started = process.hrtime.bigint();
  const capture: RoceCaptureRecord[] | undefined = options.capture === true ? [] : undefined;

  const transports: UdpTransport[] = [];
  const relays: LossyRelay[] = [];
  const closeSockets = async (): Promise<void> => {
    await Promise.all([...transports.map((t) => t.close()), ...relays.map((r) => r.close())]);
  };
  const receivers = chosen.map((r, i) => {
    const link = r.link as { kind: "roce"; ip: string; qpn: number; rkey?: number };
    return {
      name: r.name,
      base: r.base,
      buffer: new SharedArrayBuffer(r.memory),
      ip: link.ip,
      qpn: link.qpn,
      rkey: link.rkey ?? 0,
      deviceQpn: DEVICE_QPN + i,
      path: rocePath({ source: deviceIp, destination: link.ip, sourcePort: SOURCE_PORT + i }),
    };
  });
  const remotePorts: number[] = [];
  try {
    for (const [i, r] of receivers.entries()) {
      const t = await UdpTransport.open({ address: r.ip });
      transports.push(t);
      if (options.relay === undefined) remotePorts.push(t.port);
      else {
        const relay = await LossyRelay.open({
          ...options.relay,
          seed: (options.relay.seed + i) >>> 0,
          target: { address: r.ip, port: t.port },
          address: r.ip,
        });
        relays.push(relay);
        remotePorts.push(relay.frontPort);
      }
    }
  } catch (e) {
    await closeSockets();
    throw new LinkError(
      name,
      `cannot open a socket: ${e instanceof Error ? e.message : String(e)}`,
    );
  }

  const connections: RoceConnectionInit[] = receivers.map((r, i) => ({
    name: r.name,
    base: r.base,
    size: r.buffer.byteLength,
    ip: r.ip,
    remotePort: remotePorts[i]!,
    qpn: r.qpn,
    deviceQpn: r.deviceQpn,
    rkey: r.rkey,
    sourcePort: SOURCE_PORT + i,
  }));
  const init: RoceDeviceInit = {
    connections,
    deviceIp,
    link: config.link,
    speed: options.speed ?? "fast",
    slicePs: options.slicePs ?? 20_000_000,
    pmtu,
    window: options.window ?? 256,
    timeoutMs: options.timeoutMs ?? 10,
    retryLimit: options.retryLimit ?? 1000,
  };
  // The device loads the built packages (under a test runner that resolves workspace
  // packages to their sources, the worker must not inherit that resolution).
  const worker = new Worker(workerUrl(), {
    workerData: init,
    execArgv: process.execArgv.filter((a) => !a.startsWith("--conditions") && a !== "-C"),
  });
  const memories = new Map(receivers.map((r) => [r.name, new Uint8Array(r.buffer)]));
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const irqListeners: ((irq: LinkInterrupt) => void)[] = [];
  const idleListeners: ((idle: LinkIdle) => void)[] = [];
  let senderStats: readonly RcSenderStats[] = [];
  let nextId = 0;
  let closed = false;
  let failure: Error | undefined;
  let ready: ((ports: readonly number[]) => void) | undefined;
  let notReady: ((e: Error) => void) | undefined;
  const devicePorts = new Promise<readonly number[]>((resolve, reject) => {
    ready = resolve;
    notReady = reject;
  });

  const fail = (e: Error): void => {
    failure ??= new LinkError(name, `device failed: ${e.message}`);
    notReady?.(failure);
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  worker.on("message", (m: RoceDeviceReply) => {
    switch (m.kind) {
      case "ready":
        ready?.(m.ports);
        break;
      case "idle":
        for (const l of [...idleListeners]) l({ atPs: m.atPs });
        break;
      case "sender-stats": {
        senderStats = m.stats;
        if (m.id === undefined) break;
        const p = pending.get(m.id);
        pending.delete(m.id);
        p?.resolve(0);
        break;
      }
      case "fault":
        fail(new Error(m.message));
        break;
      case "msi":
        // The RoCE device interrupts through immediate data, never by message.
        break;
      default: {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.kind === "value") p?.resolve(m.value);
        else p?.reject(new LinkError(name, `${m.name}: ${m.message}`));
      }
    }
  });
  worker.on("error", fail);
  worker.on("exit", (code) => {
    if (!closed) fail(new Error(`worker exited with code ${code}`));
  });
  let ports: readonly number[];
  try {
    ports = await devicePorts;
  } catch (e) {
    await worker.terminate();
    await closeSockets();
    throw e;
  }

  // The responders: each arena a memory region at VA = its bus base.
  const responders = receivers.map((r, i) => {
    const t = transports[i]!;
    return new RcReceiver({
      transport: capture === undefined ? t : capturing(t, r.path, capture, started),
      path: r.path,
      localQp: r.qpn,
      remoteQp: r.deviceQpn,
      pmtu,
      regions: [{ va: r.base, rKey: r.rkey, bytes: memories.get(r.name)! }],
      onCompletion: (c) => {
        const atPs = Number(process.hrtime.bigint() - started) * 1000;
        for (const l of [...irqListeners]) l({ slot: c.immediate, atPs });
      },
    });
  });
  for (const [i, r] of receivers.entries()) {
    const relay = relays[i];
    await transports[i]!.connect(
      relay === undefined ? deviceIp : r.ip,
      relay?.backPort ?? ports[i]!,
    );
  }

  const request = (r: RoceDeviceRequest): Promise<number> => {
    if (closed) return Promise.reject(new LinkError(name, "the link is closed"));
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      pending.set(r.id, { resolve, reject });
      worker.postMessage(r);
    });
  };
  const bus: AsyncBus = {
    read32: (address) => request({ op: "read", id: nextId++, address }),
    write32: async (address, value) => {
      await request({ op: "write", id: nextId++, address, value: value >>> 0 });
    },
  };
  const subscribe = <T>(list: T[], l: T): (() => void) => {
    list.push(l);
    return () => {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
    };
  };
  return {
    kind: "roce",
    name,
    bus,
    receivers: receivers.map((r) => r.name),
    capture,
    memory(receiver) {
      const m = memories.get(receiver);
      if (m === undefined)
        throw new LinkError(
          name,
          `no receiver "${receiver}" (receivers: ${[...memories.keys()].join(", ")})`,
        );
      return m;
    },
    onInterrupt: (l) => subscribe(irqListeners, l),
    onIdle: (l) => subscribe(idleListeners, l),
    stats: () => ({
      senders: senderStats,
      receivers: responders.map((r) => ({ ...r.stats })),
      relays: options.relay === undefined ? undefined : relays.map((r) => ({ ...r.stats })),
    }),
    async close() {
      if (closed) return;
      // The requesters' final counters, unless the device failed.
      if (failure === undefined) await request({ op: "stats", id: nextId++ }).catch(() => 0);
      closed = true;
      for (const p of pending.values()) p.reject(new LinkError(name, "the link is closed"));
      pending.clear();
      await worker.terminate();
      await Promise.all(responders.map((r) => r.close()));
      await closeSockets();
    },
  };
}
