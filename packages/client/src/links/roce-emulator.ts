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
 * - Receiver side, the opening thread (or a receiver worker, `receiverThread: "worker"`): one
 *   `RcReceiver` per receiver on its own UDP socket (bound to `receivers[].link.ip`), whose
 *   registered memory region is the receiver arena — a `SharedArrayBuffer`, VA =
 *   `receivers[].base` — checking ICRC, PSN order, R_Key and bounds before writing each
 *   payload (roce.md §4–§5). Each completion with immediate data is the link's interrupt:
 *   `onInterrupt({ slot: immediate, atPs })`.
 * - Registers are not carried over RoCE in this emulation: they travel as the PCIe link's
 *   messages (read / write, answered in order).
 * - Time: the controller keeps its simulated PCIe timing model (event-record timestamps,
 *   {@link LinkIdle.atPs}); the RoCE packets move in wall-clock time over loopback sockets, so
 *   an interrupt's `atPs` is wall-clock time since the link was opened, not simulated.
 *
 * @module
 */
import {
  LossyRelay,
  type LossyRelayStats,
  type Pmtu,
  type RcReceiverStats,
  type RcSenderStats,
  type RoceCaptureRecord,
} from "@rashpa/roce";
import type { AcquisitionConfig } from "../config.js";
import { openDeviceLink, startLinkWorker, type DeviceLink } from "./device-link.js";
import { LinkError, type Link, type LinkInterrupt } from "./link.js";
import type {
  ReceiverReply,
  ReceiverRequest,
  RoceConnectionInit,
  RoceDeviceInit,
  RoceDeviceReply,
} from "./roce-protocol.js";
import type { RemoteReceiverHandle } from "./remote-receivers.js";
import { roceConnectionOf } from "./roce-connections.js";
import { openResponders, type ResponderSpec, type RespondersInit } from "./roce-responders.js";

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
  /** Simulated time the device runs between two looks at its messages, ps (default 1 ms). */
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
   * Where the responders run: `"opening"` (default) the thread that opens the link, or
   * `"worker"` a worker thread of their own writing into the same shared arenas, its
   * interrupts posted to the opening thread.
   */
  readonly receiverThread?: "opening" | "worker";
  /**
   * Keep every datagram the receivers take and send (data packets as received, ACKs and NAKs
   * as sent), in {@link EmulatedRoceLink.capture}, for `writeRocePcap`.
   */
  readonly capture?: boolean;
  /**
   * Receivers served by other processes (`listenForReceivers`, `openRemoteReceiver`): their
   * connections go to the UDP port each announced, and this link has no memory for them.
   * The event ring's receiver must be served here (its records are read in this process).
   */
  readonly remote?: ReadonlyMap<string, RemoteReceiverHandle>;
}

/** Counters of an {@link EmulatedRoceLink}. */
export interface RoceLinkStats {
  /** Per receiver: the requester's counters. */
  readonly senders: readonly RcSenderStats[];
  /** Per receiver served in this process: the responder's counters. */
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
  /** Counters of the connections (and relays): live while open, final once closed. */
  stats(): Promise<RoceLinkStats>;
  /**
   * The captured datagrams with their paths, in the order taken, when `capture` was asked
   * (with `receiverThread: "worker"`, filled when the link closes).
   */
  readonly capture: readonly RoceCaptureRecord[] | undefined;
}

/** The receiver side, wherever it runs. */
interface ReceiverSide {
  readonly ports: readonly number[];
  connect(remotes: readonly { address: string; port: number }[]): Promise<void>;
  stats(): Promise<readonly RcReceiverStats[]>;
  readonly capture: readonly RoceCaptureRecord[] | undefined;
  /** Closes the sockets; returns the final counters and capture. */
  close(): Promise<{
    stats: readonly RcReceiverStats[];
    capture: readonly RoceCaptureRecord[] | undefined;
  }>;
}

/** The responders in this thread. */
async function receiversHere(
  init: RespondersInit,
  interrupt: (irq: LinkInterrupt) => void,
): Promise<ReceiverSide> {
  const r = await openResponders(init, interrupt);
  return {
    ports: r.ports,
    connect: (remotes) => r.connect(remotes),
    stats: () => Promise.resolve(r.stats()),
    capture: r.capture,
    async close() {
      await r.close();
      return { stats: r.stats(), capture: r.capture };
    },
  };
}

/** The responders in a receiver worker. */
async function receiversInWorker(
  init: RespondersInit,
  interrupt: (irq: LinkInterrupt) => void,
  fail: (e: Error) => void,
): Promise<ReceiverSide> {
  const worker = startLinkWorker("roce-receiver-worker.js", init);
  const waiting = new Map<string, (m: ReceiverReply) => void>();
  const wait = (key: string): Promise<ReceiverReply> =>
    new Promise((resolve) => waiting.set(key, resolve));
  let failed: Error | undefined;
  let closing = false;
  /** A fault ends every wait with a `fault` reply. */
  const onFail = (e: Error): void => {
    failed ??= e;
    if (!closing) fail(e);
    for (const w of waiting.values()) w({ kind: "fault", message: e.message });
    waiting.clear();
  };
  const ask = async (m: ReceiverRequest, key: string): Promise<ReceiverReply> => {
    if (failed !== undefined) throw failed;
    const reply = wait(key);
    worker.postMessage(m);
    return reply;
  };
  worker.on("message", (m: ReceiverReply) => {
    if (m.kind === "interrupt") interrupt({ slot: m.slot, atPs: m.atPs });
    else if (m.kind === "fault") onFail(new Error(`receiver: ${m.message}`));
    else {
      const key = m.kind === "stats" ? `stats ${m.id}` : m.kind;
      const w = waiting.get(key);
      waiting.delete(key);
      w?.(m);
    }
  });
  worker.on("error", onFail);
  worker.on("exit", (code) => onFail(new Error(`receiver worker exited with code ${code}`)));
  const ready = await wait("ready");
  if (ready.kind !== "ready") {
    await worker.terminate();
    throw failed ?? new Error("receiver worker did not start");
  }
  let nextId = 0;
  return {
    ports: ready.ports,
    async connect(remotes) {
      const m = await ask({ op: "connect", remotes }, "connected");
      if (m.kind !== "connected") throw failed ?? new Error("receiver worker did not connect");
    },
    async stats() {
      const id = nextId++;
      const m = await ask({ op: "stats", id }, `stats ${id}`);
      return m.kind === "stats" ? m.stats : [];
    },
    capture: undefined,
    async close() {
      closing = true;
      const m =
        failed === undefined
          ? await ask({ op: "close" }, "closed").catch(() => undefined)
          : undefined;
      await worker.terminate();
      return m?.kind === "closed"
        ? { stats: m.stats, capture: m.capture }
        : { stats: [], capture: undefined };
    },
  };
}

/**
 * Opens an emulated RoCEv2 link for the receivers of `config` whose link kind is `roce`: one
 * `SharedArrayBuffer` arena and one reliable connection per receiver, the controller emulator
 * (on the configuration's PCIe `link` timing) in a worker thread sending over UDP sockets, the
 * receivers' responders in this thread (or in a worker of their own). Receivers of other link
 * kinds are not reached by this link: it has no switch port for them.
 *
 * @param config - a checked acquisition configuration
 * @param options - speed, path MTU, retransmission, relay, receiver thread, capture
 * @returns the link, ready for register accesses
 * @throws LinkError when no receiver is reached over RoCE, or a socket or worker cannot start
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

  let senderStats: readonly RcSenderStats[] = [];
  // Interrupts come from the responders (immediate data), which start before the device.
  let device: DeviceLink | undefined;
  const early: Error[] = [];
  const fail = (e: Error): void => {
    if (device === undefined) early.push(e);
    else device.fail(`device failed: ${e.message}`);
  };
  const interrupt = (irq: LinkInterrupt): void => device?.raise(irq);

  const remote = options.remote ?? new Map<string, RemoteReceiverHandle>();
  for (const n of remote.keys())
    if (!chosen.some((r) => r.name === n))
      throw new LinkError(name, `remote receiver "${n}" is not a receiver reached over RoCE`);
  const events = config.events === undefined ? undefined : config.events.receiver;
  if (events !== undefined && remote.has(events))
    throw new LinkError(
      name,
      `the event ring's receiver "${events}" must be served in this process`,
    );
  if (remote.size > 0 && options.relay !== undefined)
    throw new LinkError(name, "a relay cannot be put in front of remote receivers");
  const specs: ResponderSpec[] = chosen.map((r) => {
    const c = roceConnectionOf(config, r.name)!;
    return {
      name: r.name,
      base: r.base,
      buffer: new SharedArrayBuffer(remote.has(r.name) ? 0 : r.memory),
      ip: c.ip,
      qpn: c.qpn,
      rkey: c.rkey,
      deviceQpn: c.deviceQpn,
      sourcePort: c.sourcePort,
    };
  });
  // The responders of this process; the remote ones run elsewhere.
  const local = specs.filter((r) => !remote.has(r.name));
  const respondersInit: RespondersInit = {
    receivers: local,
    deviceIp,
    pmtu,
    startedNs: process.hrtime.bigint(),
    capture: options.capture === true,
  };
  const relays: LossyRelay[] = [];
  let side: ReceiverSide | undefined;
  const closeSockets = async (): Promise<Awaited<ReturnType<ReceiverSide["close"]>>> => {
    const [last] = await Promise.all([side?.close(), ...relays.map((r) => r.close())]);
    return last ?? { stats: [], capture: undefined };
  };
  try {
    side =
      options.receiverThread === "worker"
        ? await receiversInWorker(respondersInit, interrupt, fail)
        : await receiversHere(respondersInit, interrupt);
    for (const [i, r] of local.entries())
      if (options.relay !== undefined)
        relays.push(
          await LossyRelay.open({
            ...options.relay,
            seed: (options.relay.seed + i) >>> 0,
            target: { address: r.ip, port: side.ports[i]! },
            address: r.ip,
          }),
        );
  } catch (e) {
    await closeSockets();
    throw new LinkError(
      name,
      `cannot open the receivers: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const receiverSide = side;

  /** Where the device sends receiver r's datagrams: a relay, a responder here, or a remote one. */
  const portOf = (r: ResponderSpec): number => {
    const handle = remote.get(r.name);
    if (handle !== undefined) return handle.port;
    const j = local.indexOf(r);
    return relays[j]?.frontPort ?? receiverSide.ports[j]!;
  };
  const connections: RoceConnectionInit[] = specs.map((r) => ({
    name: r.name,
    base: r.base,
    size: remote.has(r.name) ? chosen.find((c) => c.name === r.name)!.memory : r.buffer.byteLength,
    ip: r.ip,
    remotePort: portOf(r),
    qpn: r.qpn,
    deviceQpn: r.deviceQpn,
    rkey: r.rkey,
    sourcePort: r.sourcePort,
  }));
  const init: RoceDeviceInit = {
    connections,
    deviceIp,
    link: config.link,
    speed: options.speed ?? "fast",
    slicePs: options.slicePs ?? 1_000_000_000,
    pmtu,
    window: options.window ?? 256,
    timeoutMs: options.timeoutMs ?? 10,
    retryLimit: options.retryLimit ?? 1000,
  };
  let ports: readonly number[] = [];
  try {
    device = await openDeviceLink({
      kind: "roce",
      name,
      worker: "roce-device-worker.js",
      init,
      memories: new Map(local.map((r) => [r.name, new Uint8Array(r.buffer)])),
      ready: (m) => {
        if (m.kind !== "ready") return false;
        ports = (m as RoceDeviceReply & { kind: "ready" }).ports;
        return true;
      },
      onMessage: (m) => {
        const r = m as RoceDeviceReply;
        if (r.kind === "sender-stats") senderStats = r.stats;
        else if (r.kind === "fault") device?.fail(`device failed: ${r.message}`);
        else return false;
        return true;
      },
    });
    if (early.length > 0) device.fail(`device failed: ${early[0]!.message}`);
    // ports[i]: the device's socket of connection i (configuration order).
    await receiverSide.connect(
      local.map((r, j) => ({
        address: relays[j] === undefined ? deviceIp : r.ip,
        port: relays[j]?.backPort ?? ports[specs.indexOf(r)]!,
      })),
    );
    await Promise.all(
      specs.flatMap((r, i) => {
        const handle = remote.get(r.name);
        return handle === undefined ? [] : [handle.connect(deviceIp, ports[i]!)];
      }),
    );
  } catch (e) {
    await device?.close();
    await closeSockets();
    throw e instanceof LinkError ? e : new LinkError(name, String(e));
  }
  const dl = device;

  const relayStats = (): readonly LossyRelayStats[] | undefined =>
    options.relay === undefined ? undefined : relays.map((r) => ({ ...r.stats }));
  let final: RoceLinkStats | undefined;
  let capture = receiverSide.capture;
  return {
    kind: "roce",
    name,
    bus: dl.bus,
    receivers: specs.map((r) => r.name),
    get capture() {
      return capture;
    },
    memory(receiver) {
      if (remote.has(receiver))
        throw new LinkError(name, `receiver "${receiver}" is served by another process`);
      return dl.memory(receiver);
    },
    onInterrupt: (l) => dl.onInterrupt(l),
    onIdle: (l) => dl.onIdle(l),
    async stats() {
      if (final !== undefined) return final;
      await dl.request({ op: "stats" }).catch(() => 0);
      return {
        senders: senderStats,
        receivers: await receiverSide.stats().catch(() => []),
        relays: relayStats(),
      };
    },
    async close() {
      if (final !== undefined) return;
      // The device sends the requesters' final counters as it closes.
      await dl.close();
      const last = await closeSockets();
      capture = last.capture;
      final = { senders: senderStats, receivers: last.stats, relays: relayStats() };
    },
  };
}
