/**
 * Where RoCEv2 datagrams go: a small {@link DatagramTransport} interface, its implementation on
 * real Node `dgram` UDP sockets ({@link UdpTransport}; RoCEv2 rides on UDP, docs/reference/roce.md
 * §1), and an in-memory link whose delivery a test drives step by step ({@link MemoryLink}).
 *
 * @module
 */
import { createSocket } from "node:dgram";
import type { Socket } from "node:dgram";

/** Sends and receives whole datagrams (UDP payloads). */
export interface DatagramTransport {
  /**
   * Sends `bytes[offset..offset+length)` as one datagram. The bytes may be read after `send`
   * returns (a socket can queue them): the caller must not change them until the datagram has
   * certainly left — the reliable connection only rewrites a packet buffer once it is
   * acknowledged.
   */
  send(bytes: Uint8Array, offset?: number, length?: number): void;
  /** Sets the function called with each datagram received (one handler; a new one replaces it). */
  onDatagram(handler: (bytes: Uint8Array) => void): void;
  /** Stops sending and receiving. */
  close(): Promise<void>;
}

/** A UDP endpoint: IP address and port. */
export interface UdpEndpoint {
  /** IPv4 or IPv6 address. */
  readonly address: string;
  /** UDP port. */
  readonly port: number;
}

/** Options of {@link UdpTransport.open}. */
export interface UdpTransportOptions {
  /**
   * Local address to bind.
   * @defaultValue "127.0.0.1"
   */
  readonly address?: string;
  /**
   * Local port to bind; 0 picks a free one.
   * @defaultValue 0
   */
  readonly port?: number;
  /** Where datagrams go (the socket is connected to it); can also be set later with {@link UdpTransport.connect}. */
  readonly remote?: UdpEndpoint;
  /**
   * Receive buffer size asked of the kernel (it may grant less).
   * @defaultValue 4 MiB
   */
  readonly receiveBufferBytes?: number;
  /**
   * Send buffer size asked of the kernel (it may grant less).
   * @defaultValue 4 MiB
   */
  readonly sendBufferBytes?: number;
}

/**
 * A {@link DatagramTransport} on one Node `dgram` UDP socket (IPv4 or IPv6 by the bind address),
 * connected to its peer so that each `send` goes straight to the kernel without an address
 * lookup. Datagrams from other sources are dropped by the kernel once connected.
 */
export class UdpTransport implements DatagramTransport {
  private handler: ((bytes: Uint8Array) => void) | undefined;
  private closed = false;
  private connected = false;

  private constructor(private readonly socket: Socket) {
    socket.on("message", (msg: Buffer) => {
      if (this.handler !== undefined) this.handler(msg);
    });
    socket.on("error", () => {
      // Transient errors (ECONNREFUSED from an ICMP port unreachable while the peer is not up
      // yet) are losses: the reliable connection recovers them by retransmission.
    });
  }

  /**
   * Opens a socket bound to `options.address:options.port` (and connected to
   * `options.remote` when given).
   */
  static async open(options: UdpTransportOptions = {}): Promise<UdpTransport> {
    const address = options.address ?? "127.0.0.1";
    const socket = createSocket({ type: address.includes(":") ? "udp6" : "udp4" });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.port ?? 0, address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    try {
      socket.setRecvBufferSize(options.receiveBufferBytes ?? 4 << 20);
      socket.setSendBufferSize(options.sendBufferBytes ?? 4 << 20);
    } catch {
      // the kernel keeps its default sizes
    }
    const t = new UdpTransport(socket);
    if (options.remote !== undefined) await t.connect(options.remote.address, options.remote.port);
    return t;
  }

  /** The bound local port. */
  get port(): number {
    return this.socket.address().port;
  }

  /** The bound local address. */
  get address(): string {
    return this.socket.address().address;
  }

  /** Connects the socket to the peer every datagram is sent to. */
  async connect(address: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.connect(port, address, () => {
        this.socket.off("error", reject);
        resolve();
      });
    });
    this.connected = true;
  }

  /** Sends one datagram to the connected peer (dropped after {@link UdpTransport.close}). */
  send(bytes: Uint8Array, offset = 0, length = bytes.length - offset): void {
    if (this.closed) return;
    if (!this.connected) throw new Error("UdpTransport: connect() before send()");
    this.socket.send(bytes, offset, length);
  }

  /** Sets the datagram handler. */
  onDatagram(handler: (bytes: Uint8Array) => void): void {
    this.handler = handler;
  }

  /** Closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handler = undefined;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/** A datagram waiting in a {@link MemoryLink}. */
export interface QueuedDatagram {
  /** Which end sent it: `"a"` or `"b"`. */
  readonly from: "a" | "b";
  /** A copy of its bytes. */
  readonly bytes: Uint8Array;
}

/**
 * Two {@link DatagramTransport} ends, `a` and `b`, joined by a queue that a test drives:
 * datagrams wait in {@link MemoryLink.queue} (which the test may reorder, drop from or
 * duplicate into) until {@link MemoryLink.deliverNext} or {@link MemoryLink.deliverAll}
 * hands them to the other end.
 */
export class MemoryLink {
  /** Datagrams sent and not yet delivered, oldest first. */
  readonly queue: QueuedDatagram[] = [];
  /** End `a`. */
  readonly a: DatagramTransport;
  /** End `b`. */
  readonly b: DatagramTransport;
  private readonly handlers: { a?: (bytes: Uint8Array) => void; b?: (bytes: Uint8Array) => void } =
    {};

  constructor() {
    const end = (from: "a" | "b"): DatagramTransport => ({
      send: (bytes, offset = 0, length = bytes.length - offset) => {
        this.queue.push({ from, bytes: bytes.slice(offset, offset + length) });
      },
      onDatagram: (handler) => {
        this.handlers[from] = handler;
      },
      close: () => Promise.resolve(),
    });
    this.a = end("a");
    this.b = end("b");
  }

  /** Delivers the oldest queued datagram; `false` when the queue is empty. */
  deliverNext(): boolean {
    const d = this.queue.shift();
    if (d === undefined) return false;
    const handler = d.from === "a" ? this.handlers.b : this.handlers.a;
    if (handler !== undefined) handler(d.bytes);
    return true;
  }

  /**
   * Delivers datagrams (including those sent while delivering) until the queue is empty or
   * `limit` have been delivered; returns how many were.
   */
  deliverAll(limit = 1_000_000): number {
    let n = 0;
    while (n < limit && this.deliverNext()) n++;
    return n;
  }
}
