/**
 * A UDP relay that sits between the two ends of a connection and, from a seed, drops,
 * duplicates and reorders datagrams at random — the faults the reliable connection's PSN rules
 * and go-back-N retransmission recover from (docs/reference/roce.md §4).
 *
 * @module
 */
import { createSocket } from "node:dgram";
import type { RemoteInfo, Socket } from "node:dgram";
import type { UdpEndpoint } from "./transport.js";

/**
 * A deterministic pseudo-random generator (mulberry32) giving numbers in [0, 1) from a 32-bit
 * seed.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // the same sequence for the same seed
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Options of {@link LossyRelay.open}. */
export interface LossyRelayOptions {
  /** Seed of the fault decisions. */
  readonly seed: number;
  /** Probability that a datagram is dropped. */
  readonly drop: number;
  /** Probability that a datagram is sent twice. */
  readonly duplicate: number;
  /** Probability that a datagram is held back and sent after the next one of its direction. */
  readonly reorder: number;
  /** The back end (the receiver): where datagrams arriving at the front go. */
  readonly target: UdpEndpoint;
  /**
   * Address the relay's two sockets bind to.
   * @defaultValue "127.0.0.1"
   */
  readonly address?: string;
  /**
   * Whether the faults also hit the datagrams going back (ACKs and NAKs).
   * @defaultValue true
   */
  readonly bothWays?: boolean;
}

/** What a {@link LossyRelay} did. */
export interface LossyRelayStats {
  /** Datagrams received from either side. */
  received: number;
  /** Datagrams sent on (duplicates included). */
  forwarded: number;
  /** Datagrams dropped. */
  dropped: number;
  /** Datagrams sent twice. */
  duplicated: number;
  /** Datagrams held back behind a later one. */
  reordered: number;
}

interface Direction {
  readonly out: Socket;
  held: Buffer | undefined;
  heldTimer: ReturnType<typeof setTimeout> | undefined;
  to: { address: string; port: number } | undefined;
}

async function bound(address: string): Promise<Socket> {
  const s = createSocket({ type: address.includes(":") ? "udp6" : "udp4" });
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.bind(0, address, () => {
      s.off("error", reject);
      resolve();
    });
  });
  try {
    s.setRecvBufferSize(4 << 20);
    s.setSendBufferSize(4 << 20);
  } catch {
    // the kernel keeps its default sizes
  }
  s.on("error", () => {
    // a peer not listening yet: the datagram is lost, which is what this relay is for
  });
  return s;
}

/**
 * The relay: the front socket ({@link LossyRelay.frontPort}) takes datagrams from the sender and
 * sends them on to `target` from the back socket ({@link LossyRelay.backPort}); what the target
 * sends back to the back socket goes to the last sender seen at the front.
 */
export class LossyRelay {
  /** Counters. */
  readonly stats: LossyRelayStats = {
    received: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
  };
  private readonly random: () => number;
  private readonly forward: Direction;
  private readonly backward: Direction;

  private constructor(
    private readonly front: Socket,
    private readonly back: Socket,
    private readonly options: LossyRelayOptions,
  ) {
    this.random = seededRandom(options.seed);
    this.forward = { out: back, held: undefined, heldTimer: undefined, to: options.target };
    this.backward = { out: front, held: undefined, heldTimer: undefined, to: undefined };
    front.on("message", (msg: Buffer, from: RemoteInfo) => {
      this.backward.to = { address: from.address, port: from.port };
      this.take(this.forward, msg, true);
    });
    back.on("message", (msg: Buffer) => this.take(this.backward, msg, options.bothWays ?? true));
  }

  /** Opens the relay's two sockets. */
  static async open(options: LossyRelayOptions): Promise<LossyRelay> {
    for (const k of ["drop", "duplicate", "reorder"] as const) {
      const p = options[k];
      if (!(p >= 0 && p <= 1)) throw new RangeError(`"${k}" expected a probability 0..1, got ${p}`);
    }
    const address = options.address ?? "127.0.0.1";
    return new LossyRelay(await bound(address), await bound(address), options);
  }

  /** Port the sender sends to. */
  get frontPort(): number {
    return this.front.address().port;
  }

  /** Port the target receives from and sends back to. */
  get backPort(): number {
    return this.back.address().port;
  }

  private emit(d: Direction, msg: Buffer): void {
    if (d.to === undefined) return;
    d.out.send(msg, d.to.port, d.to.address);
    this.stats.forwarded++;
  }

  private release(d: Direction): void {
    if (d.held === undefined) return;
    const msg = d.held;
    d.held = undefined;
    if (d.heldTimer !== undefined) clearTimeout(d.heldTimer);
    d.heldTimer = undefined;
    this.emit(d, msg);
  }

  private take(d: Direction, msg: Buffer, faults: boolean): void {
    this.stats.received++;
    if (!faults) {
      this.emit(d, msg);
      return;
    }
    const r = this.random();
    const { drop, duplicate, reorder } = this.options;
    if (r < drop) {
      this.stats.dropped++;
      return;
    }
    if (r < drop + reorder && d.held === undefined) {
      this.stats.reordered++;
      d.held = msg;
      // sent after the next datagram of this direction, or after 1 ms if none comes
      d.heldTimer = setTimeout(() => this.release(d), 1);
      return;
    }
    this.emit(d, msg);
    if (r < drop + reorder + duplicate) {
      this.stats.duplicated++;
      this.emit(d, msg);
    }
    this.release(d);
  }

  /** Closes both sockets. */
  async close(): Promise<void> {
    for (const d of [this.forward, this.backward])
      if (d.heldTimer !== undefined) clearTimeout(d.heldTimer);
    await Promise.all(
      [this.front, this.back].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}
