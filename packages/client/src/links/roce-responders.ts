/**
 * The receiver side of {@link openEmulatedRoceLink}, run in the opening thread or in a receiver
 * worker (`roce-receiver-worker.ts`): one `RcReceiver` of `@rashpa/roce` per receiver on its
 * own UDP socket, whose registered memory region is the receiver arena (a `SharedArrayBuffer`,
 * VA = the arena's bus base, R_Key = the receiver's), and whose completions with immediate
 * data are the link's interrupts (immediate = ring slot).
 *
 * @module
 */
import {
  RcReceiver,
  UdpTransport,
  reversePath,
  rocePath,
  type DatagramTransport,
  type Pmtu,
  type RcReceiverStats,
  type RoceCaptureRecord,
  type RocePath,
} from "@rashpa/roce";
import type { LinkInterrupt } from "./link.js";

/** One receiver's responder. */
export interface ResponderSpec {
  /** Receiver name. */
  readonly name: string;
  /** Bus address of the arena's first byte: the memory region's VA. */
  readonly base: bigint;
  /** The arena (shared with the opening thread, or this process's own memory). */
  readonly buffer: ArrayBufferLike;
  /** The receiver's IP address (its socket binds there). */
  readonly ip: string;
  /** The receiver's QP. */
  readonly qpn: number;
  /** R_Key of the memory region. */
  readonly rkey: number;
  /** The device's QP of this connection. */
  readonly deviceQpn: number;
  /** UDP source port in the connection's path (covered by the ICRC). */
  readonly sourcePort: number;
}

/** What the responders are opened with. */
export interface RespondersInit {
  /** One per receiver, in connection order. */
  readonly receivers: readonly ResponderSpec[];
  /** The device's IP address (the data direction's source). */
  readonly deviceIp: string;
  /** Path MTU. */
  readonly pmtu: Pmtu;
  /** `process.hrtime.bigint()` when the link opened: interrupts' `atPs` count from it. */
  readonly startedNs: bigint;
  /** Whether to keep every datagram taken and sent. */
  readonly capture: boolean;
}

/** The responders of a link. */
export interface Responders {
  /** Local UDP port of each receiver's socket. */
  readonly ports: readonly number[];
  /** Connects each socket to its peer (the device's socket, or a relay's back socket). */
  connect(remotes: readonly { readonly address: string; readonly port: number }[]): Promise<void>;
  /** The responders' counters. */
  stats(): RcReceiverStats[];
  /** The captured datagrams (when asked), in the order taken. */
  readonly capture: RoceCaptureRecord[] | undefined;
  /** Closes the sockets. */
  close(): Promise<void>;
}

/** The path of receiver `r`'s connection (data direction: device → receiver). */
export function responderPath(deviceIp: string, r: ResponderSpec): RocePath {
  return rocePath({ source: deviceIp, destination: r.ip, sourcePort: r.sourcePort });
}

/** A transport that keeps a copy of each datagram with its path. */
function capturing(
  inner: DatagramTransport,
  dataPath: RocePath,
  out: RoceCaptureRecord[],
  startedNs: bigint,
): DatagramTransport {
  const ackPath = reversePath(dataPath);
  const at = (): bigint => process.hrtime.bigint() - startedNs;
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
 * Opens a socket per receiver (bound to its IP) and its responder.
 *
 * @param init - the receivers and the connection parameters
 * @param onInterrupt - called with each completion's immediate data as the ring slot
 * @returns the responders, their sockets not yet connected
 * @throws Error when a socket cannot be bound
 */
export async function openResponders(
  init: RespondersInit,
  onInterrupt: (irq: LinkInterrupt) => void,
): Promise<Responders> {
  const transports: UdpTransport[] = [];
  try {
    for (const r of init.receivers) transports.push(await UdpTransport.open({ address: r.ip }));
  } catch (e) {
    await Promise.all(transports.map((t) => t.close()));
    throw e;
  }
  const capture: RoceCaptureRecord[] | undefined = init.capture ? [] : undefined;
  const receivers = init.receivers.map((r, i) => {
    const path = responderPath(init.deviceIp, r);
    const t = transports[i]!;
    return new RcReceiver({
      transport: capture === undefined ? t : capturing(t, path, capture, init.startedNs),
      path,
      localQp: r.qpn,
      remoteQp: r.deviceQpn,
      pmtu: init.pmtu,
      regions: [{ va: r.base, rKey: r.rkey, bytes: new Uint8Array(r.buffer) }],
      onCompletion: (c) =>
        onInterrupt({
          slot: c.immediate,
          atPs: Number(process.hrtime.bigint() - init.startedNs) * 1000,
        }),
    });
  });
  return {
    ports: transports.map((t) => t.port),
    async connect(remotes) {
      for (const [i, t] of transports.entries())
        await t.connect(remotes[i]!.address, remotes[i]!.port);
    },
    stats: () => receivers.map((r) => ({ ...r.stats })),
    capture,
    async close() {
      await Promise.all(receivers.map((r) => r.close()));
    },
  };
}
