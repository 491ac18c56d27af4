/**
 * Data receivers in other processes (docs/system.md, "RASHPA": a system manager and data
 * receivers, on one or several backend computers). A receiver reached over RoCEv2 may run
 * anywhere a UDP socket reaches: its process opens the receiver's responder on its own memory
 * ({@link openRemoteReceiver}) and a TCP control connection to the system manager, which
 * listens for it ({@link listenForReceivers}), points the device's connection at it
 * (`openEmulatedRoceLink(config, { remote })`) and forwards its frames
 * (`Acquisition.remoteReceiver`).
 *
 * The data never crosses the control connection: the device writes it into the receiver's
 * memory by RDMA WRITE; the manager, which reads the event ring, sends only where each frame
 * is (a record is written only after the writes before it were acknowledged, so the frame is
 * in place when the receiver hears of it) and gets back each release, which it turns into
 * `frames-released` — a slow receiver holds back its own channels, as in one process.
 *
 * Control protocol: one JSON object per line (UTF-8, `\n`-terminated), a `t` member naming
 * the message.
 *
 * | direction | message | meaning |
 * | --- | --- | --- |
 * | receiver → manager | `{"t":"hello","receiver":name,"port":udpPort}` | first line: who it is and where its responder listens |
 * | manager → receiver | `{"t":"connect","address":ip,"port":udpPort}` | the device's socket of this connection (ACKs go there) |
 * | receiver → manager | `{"t":"connected"}` | the responder is connected |
 * | manager → receiver | `{"t":"frame",...}` | a frame or ROI is in place ({@link RemoteFrameMessage}) |
 * | receiver → manager | `{"t":"release","channel":c,"frame":f}` | the frame may be overwritten |
 * | manager → receiver | `{"t":"end"}` | the acquisition ended |
 *
 * A line that is not such a message ends the connection with a {@link RemoteReceiverError}.
 *
 * @module
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import type { Pmtu, RcReceiverStats } from "@rashpa/roce";
import type { FrameEvent } from "../acquisition.js";
import type { AcquisitionConfig } from "../config.js";
import { roceConnectionOf } from "./roce-connections.js";
import { openResponders, type Responders } from "./roce-responders.js";

/** A fault of the control connection between the system manager and a remote receiver. */
export class RemoteReceiverError extends Error {
  /** Stable error name. */
  override readonly name = "RemoteReceiverError";
  /** The receiver concerned (or `"?"` before its hello). */
  readonly receiver: string;

  /**
   * @param receiver - receiver name
   * @param message - what went wrong
   */
  constructor(receiver: string, message: string) {
    super(`remote receiver ${receiver}: ${message}`);
    this.receiver = receiver;
  }
}

/** A frame the manager announces to its remote receiver. */
export interface RemoteFrameMessage {
  /** Always `"frame"`. */
  readonly t: "frame";
  /** `"frame"` or `"roi"`. */
  readonly type: "frame" | "roi";
  /** Data channel. */
  readonly channel: number;
  /** Channel name. */
  readonly name: string;
  /** Detector frame number. */
  readonly frame: number;
  /** Record status (0: complete). */
  readonly status: number;
  /** Byte offset of the frame in the receiver's arena. */
  readonly offset: number;
  /** Bytes of the frame. */
  readonly length: number;
  /** Controller time of the record, ns, as a decimal string (a 64-bit value). */
  readonly timestampNs: string;
  /** Record sequence number. */
  readonly sequence: number;
  /** Device time of the record, ps. */
  readonly atPs: number;
}

type ManagerMessage =
  | { readonly t: "connect"; readonly address: string; readonly port: number }
  | RemoteFrameMessage
  | { readonly t: "end" };

type ReceiverMessage =
  | { readonly t: "hello"; readonly receiver: string; readonly port: number }
  | { readonly t: "connected" }
  | { readonly t: "release"; readonly channel: number; readonly frame: number };

const isUint = (v: unknown, max = 0xffff_ffff): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** Checks a line from a receiver; returns the message or a description of what is wrong. */
function receiverMessage(value: unknown): ReceiverMessage | string {
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const m = value as Record<string, unknown>;
  switch (m.t) {
    case "hello":
      if (typeof m.receiver !== "string") return `"receiver" expected a string`;
      if (!isUint(m.port, 0xffff)) return `"port" expected a UDP port`;
      return { t: "hello", receiver: m.receiver, port: m.port };
    case "connected":
      return { t: "connected" };
    case "release":
      if (!isUint(m.channel, 255) || !isUint(m.frame)) return `"channel"/"frame" expected integers`;
      return { t: "release", channel: m.channel, frame: m.frame };
    default:
      return `unknown message ${JSON.stringify(m.t)}`;
  }
}

/** Checks a line from the manager; returns the message or a description of what is wrong. */
function managerMessage(value: unknown): ManagerMessage | string {
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const m = value as Record<string, unknown>;
  switch (m.t) {
    case "connect":
      if (typeof m.address !== "string") return `"address" expected a string`;
      if (!isUint(m.port, 0xffff)) return `"port" expected a UDP port`;
      return { t: "connect", address: m.address, port: m.port };
    case "frame":
      if (m.type !== "frame" && m.type !== "roi") return `"type" expected "frame" or "roi"`;
      for (const k of ["channel", "frame", "status", "offset", "length", "sequence"] as const)
        if (!isUint(m[k], Number.MAX_SAFE_INTEGER)) return `"${k}" expected an integer`;
      if (typeof m.name !== "string") return `"name" expected a string`;
      if (typeof m.timestampNs !== "string" || !/^\d+$/.test(m.timestampNs))
        return `"timestampNs" expected a decimal string`;
      if (typeof m.atPs !== "number" || !Number.isFinite(m.atPs)) return `"atPs" expected a number`;
      return m as unknown as RemoteFrameMessage;
    case "end":
      return { t: "end" };
    default:
      return `unknown message ${JSON.stringify(m.t)}`;
  }
}

/** Longest control line accepted (a frame message is about 250 bytes). */
const MAX_LINE = 64 * 1024;

/**
 * Splits a socket's bytes into lines, parses each as JSON and checks it; a bad line (or one too
 * long) calls `onError` and stops reading.
 */
function readLines<T>(
  socket: Socket,
  check: (v: unknown) => T | string,
  onMessage: (m: T) => void,
  onError: (why: string) => void,
): void {
  let pending = "";
  let failed = false;
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    if (failed) return;
    pending += chunk;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n")) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        failed = true;
        onError(`a control line is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
        return;
      }
      const m = check(parsed);
      if (typeof m === "string") {
        failed = true;
        onError(`bad control message (${m}): ${line.slice(0, 80)}`);
        return;
      }
      onMessage(m);
    }
    if (pending.length > MAX_LINE) {
      failed = true;
      onError(`a control line is longer than ${MAX_LINE} bytes`);
    }
  });
}

const send = (socket: Socket, m: ManagerMessage | ReceiverMessage): void => {
  if (!socket.destroyed) socket.write(`${JSON.stringify(m)}\n`);
};

/**
 * The system manager's side of one remote receiver: where its responder listens, and its
 * control connection.
 */
export interface RemoteReceiverHandle {
  /** Receiver name (from its hello). */
  readonly name: string;
  /** UDP port of the receiver's responder (on the receiver's configured IP address). */
  readonly port: number;
  /** Tells the receiver where the device's socket is, and waits until it connected. */
  connect(address: string, port: number): Promise<void>;
  /** Announces a frame that is in place in the receiver's memory. */
  sendFrame(m: RemoteFrameMessage): void;
  /** Calls `listener` for each release the receiver sends. */
  onRelease(listener: (channel: number, frame: number) => void): void;
  /** Calls `listener` once if the connection fails or closes before `end`. */
  onClose(listener: (error: RemoteReceiverError | undefined) => void): void;
  /** Tells the receiver the acquisition ended and closes the connection. */
  end(): void;
}

/** A TCP listener of the system manager that remote receivers connect to. */
export interface ReceiverListener {
  /** The TCP port it listens on. */
  readonly port: number;
  /**
   * Resolves when every receiver named has said hello, with their handles.
   *
   * @throws RemoteReceiverError for a receiver that is not expected, said hello twice, or
   *   whose first line is not a hello
   */
  accepted(): Promise<ReadonlyMap<string, RemoteReceiverHandle>>;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** What the listener feeds a handle: the messages after the hello, and the end of the connection. */
interface HandleWiring {
  deliver(m: ReceiverMessage): void;
  fault(why: string | undefined): void;
}

/** The manager's handle of an accepted connection, and its wiring. */
function handleOf(
  name: string,
  port: number,
  socket: Socket,
): { handle: RemoteReceiverHandle; wiring: HandleWiring } {
  const releases: ((channel: number, frame: number) => void)[] = [];
  const closers: ((e: RemoteReceiverError | undefined) => void)[] = [];
  let connected: (() => void) | undefined;
  let ended = false;
  let closedWith: { error: RemoteReceiverError | undefined } | undefined;
  const closed = (error: RemoteReceiverError | undefined): void => {
    if (closedWith !== undefined) return;
    closedWith = { error };
    for (const c of closers.splice(0)) c(error);
  };
  const handle: RemoteReceiverHandle = {
    name,
    port,
    connect(address, udpPort) {
      return new Promise((resolve, reject) => {
        if (closedWith !== undefined) {
          reject(closedWith.error ?? new RemoteReceiverError(name, "connection closed"));
          return;
        }
        connected = resolve;
        closers.push((e) => reject(e ?? new RemoteReceiverError(name, "connection closed")));
        send(socket, { t: "connect", address, port: udpPort });
      });
    },
    sendFrame: (m) => send(socket, m),
    onRelease: (l) => releases.push(l),
    onClose(l) {
      if (closedWith !== undefined) l(closedWith.error);
      else closers.push(l);
    },
    end() {
      ended = true;
      send(socket, { t: "end" });
      socket.end();
    },
  };
  const wiring: HandleWiring = {
    deliver(m) {
      if (m.t === "connected") connected?.();
      else if (m.t === "release") for (const l of releases) l(m.channel, m.frame);
    },
    fault(why) {
      closed(
        why !== undefined
          ? new RemoteReceiverError(name, why)
          : ended
            ? undefined
            : new RemoteReceiverError(name, "connection closed before the end"),
      );
    },
  };
  return { handle, wiring };
}

/**
 * Listens for the remote receivers `names` (the system manager's side).
 *
 * @param names - receivers expected, by configuration name
 * @param options - address and port to listen on (default `127.0.0.1`, any free port)
 * @returns the listener, once listening
 * @example
 * ```ts
 * const listener = await listenForReceivers(["industrial-pc"]);
 * // start `rashpa receive config.yaml --receiver industrial-pc --manager 127.0.0.1:<port>`
 * const remote = await listener.accepted();
 * const link = await openEmulatedRoceLink(config, { remote });
 * const acq = await Acquisition.start(link, config);
 * acq.remoteReceiver("industrial-pc", remote.get("industrial-pc")!);
 * ```
 */
export async function listenForReceivers(
  names: readonly string[],
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<ReceiverListener> {
  const expected = new Set(names);
  const handles = new Map<string, RemoteReceiverHandle>();
  const sockets = new Set<Socket>();
  let settle:
    | {
        resolve: (h: ReadonlyMap<string, RemoteReceiverHandle>) => void;
        reject: (e: Error) => void;
      }
    | undefined;
  let failure: Error | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    settle?.reject(e);
  };
  const check = (): void => {
    if (failure === undefined && handles.size === expected.size) settle?.resolve(handles);
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let wiring: HandleWiring | undefined;
    socket.on("close", () => {
      sockets.delete(socket);
      wiring?.fault(undefined);
    });
    socket.on("error", (e) => wiring?.fault(e.message));
    readLines(
      socket,
      receiverMessage,
      (m) => {
        if (wiring !== undefined) {
          wiring.deliver(m);
          return;
        }
        if (m.t !== "hello") {
          fail(new RemoteReceiverError("?", `first line must be a hello, got "${m.t}"`));
          socket.destroy();
          return;
        }
        if (!expected.has(m.receiver) || handles.has(m.receiver)) {
          fail(
            new RemoteReceiverError(
              m.receiver,
              handles.has(m.receiver)
                ? "said hello twice"
                : `not expected (expected: ${names.join(", ")})`,
            ),
          );
          socket.destroy();
          return;
        }
        const h = handleOf(m.receiver, m.port, socket);
        wiring = h.wiring;
        handles.set(m.receiver, h.handle);
        check();
      },
      (why) => {
        if (wiring === undefined) fail(new RemoteReceiverError("?", why));
        else wiring.fault(why);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    accepted() {
      if (failure !== undefined) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        settle = { resolve, reject };
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A frame in a remote receiver's memory: `bytes` is a view of this process's arena (valid
 * until released), and `release()` gives the buffer back through the manager.
 */
export type RemoteFrame = Pick<
  FrameEvent,
  | "type"
  | "channel"
  | "name"
  | "frame"
  | "status"
  | "bytes"
  | "timestampNs"
  | "sequence"
  | "release"
>;

/** Where the system manager listens for its remote receivers ({@link listenForReceivers}). */
export interface ManagerAddress {
  /** Host name or IP address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/** Options of {@link openRemoteReceiver}. */
export interface RemoteReceiverOptions {
  /** The acquisition configuration (the same as the manager's). */
  readonly config: AcquisitionConfig;
  /** This receiver's name in the configuration (its link kind must be `roce`). */
  readonly receiver: string;
  /** The manager's control address. */
  readonly manager: ManagerAddress;
  /** Path MTU of the connection (default 4096; the manager's link must use the same). */
  readonly pmtu?: Pmtu;
  /** The device's IP address (default `127.0.0.1`; the manager's link `deviceIp`). */
  readonly deviceIp?: string;
}

/** A data receiver in this process: its memory, written by RDMA, and its frames. */
export interface RemoteReceiver extends AsyncIterable<RemoteFrame> {
  /** The receiver's memory arena (index 0 is the configured base address). */
  readonly memory: Uint8Array;
  /** The responder's counters. */
  stats(): RcReceiverStats;
  /** Resolves when the manager ended the acquisition (or the connection closed). */
  finished(): Promise<void>;
  /** Closes the control connection and the responder. */
  close(): Promise<void>;
}

/**
 * Runs data receiver `receiver` of `config` in this process: opens its RoCEv2 responder on its
 * configured IP address with a memory arena of its configured size, connects to the system
 * manager and says hello; then connects the responder to the device when the manager says
 * where it is, and yields each frame the manager announces as a view of the arena. Asking for
 * the next frame releases the previous one (or call `release()`).
 *
 * @param options - configuration, receiver name, manager address
 * @returns the receiver, connected to the manager
 * @throws RemoteReceiverError when the receiver is not in the configuration or not reached
 *   over RoCE, or the manager cannot be reached
 */
export async function openRemoteReceiver(options: RemoteReceiverOptions): Promise<RemoteReceiver> {
  const { config, receiver } = options;
  const r = config.receivers.find((x) => x.name === receiver);
  if (r === undefined)
    throw new RemoteReceiverError(
      receiver,
      `not in the configuration (receivers: ${config.receivers.map((x) => x.name).join(", ")})`,
    );
  const c = roceConnectionOf(config, receiver);
  if (c === undefined) throw new RemoteReceiverError(receiver, "its link kind is not roce");
  const memory = new Uint8Array(r.memory);
  const responders: Responders = await openResponders(
    {
      receivers: [{ ...c, name: receiver, base: r.base, buffer: memory.buffer }],
      deviceIp: options.deviceIp ?? "127.0.0.1",
      pmtu: options.pmtu ?? 4096,
      startedNs: process.hrtime.bigint(),
      capture: false,
    },
    () => undefined,
  );
  let socket: Socket;
  try {
    socket = await new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect(options.manager.port, options.manager.host, () => resolve(s));
      s.once("error", reject);
    });
  } catch (e) {
    await responders.close();
    throw new RemoteReceiverError(
      receiver,
      `cannot reach the manager at ${options.manager.host}:${options.manager.port}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const queue: RemoteFrame[] = [];
  const waiters: {
    resolve: (r: IteratorResult<RemoteFrame>) => void;
    reject: (e: Error) => void;
  }[] = [];
  const done: (() => void)[] = [];
  let ended = false;
  let error: RemoteReceiverError | undefined;
  let last: RemoteFrame | undefined;
  const end = (e?: RemoteReceiverError): void => {
    if (ended) return;
    ended = true;
    error ??= e;
    if (queue.length === 0)
      for (const w of waiters.splice(0))
        if (error === undefined) w.resolve({ done: true, value: undefined });
        else w.reject(error);
    for (const d of done.splice(0)) d();
  };
  socket.on("close", () => end());
  socket.on("error", (e) => end(new RemoteReceiverError(receiver, e.message)));
  readLines(
    socket,
    managerMessage,
    (m) => {
      if (m.t === "connect")
        void responders
          .connect([{ address: m.address, port: m.port }])
          .then(() => send(socket, { t: "connected" }))
          .catch((e: unknown) => {
            end(new RemoteReceiverError(receiver, `cannot connect: ${String(e)}`));
            socket.destroy();
          });
      else if (m.t === "end") end();
      else {
        if (m.offset + m.length > memory.length) {
          end(
            new RemoteReceiverError(
              receiver,
              `frame ${m.frame} at ${m.offset} + ${m.length} is outside the ${memory.length}-byte arena`,
            ),
          );
          socket.destroy();
          return;
        }
        let released = false;
        const f: RemoteFrame = {
          type: m.type,
          channel: m.channel,
          name: m.name,
          frame: m.frame,
          status: m.status,
          bytes: memory.subarray(m.offset, m.offset + m.length),
          timestampNs: BigInt(m.timestampNs),
          sequence: m.sequence,
          release: () => {
            if (released) return;
            released = true;
            send(socket, { t: "release", channel: m.channel, frame: m.frame });
          },
        };
        const w = waiters.shift();
        if (w !== undefined) {
          last = f;
          w.resolve({ done: false, value: f });
        } else queue.push(f);
      }
    },
    (why) => {
      end(new RemoteReceiverError(receiver, why));
      socket.destroy();
    },
  );
  send(socket, { t: "hello", receiver, port: responders.ports[0]! });
  return {
    memory,
    stats: () => responders.stats()[0]!,
    finished: () => (ended ? Promise.resolve() : new Promise((resolve) => done.push(resolve))),
    [Symbol.asyncIterator]() {
      return {
        next: () => {
          last?.release();
          last = undefined;
          const f = queue.shift();
          if (f !== undefined) {
            last = f;
            return Promise.resolve({ done: false, value: f });
          }
          if (ended)
            return error === undefined
              ? Promise.resolve({ done: true, value: undefined })
              : Promise.reject(error);
          return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
        },
        return: () => {
          last?.release();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
    async close() {
      socket.end();
      end();
      await responders.close();
    },
  };
}
