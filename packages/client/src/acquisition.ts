/**
 * The unified event model of librashpa (docs/system.md, "RASHPA": "a unified event model"):
 * everything that happens during an acquisition — a frame or region of interest written, an
 * error, an overrun, the link going down or up, a timer, the end of the acquisition — arrives
 * as one stream of {@link AcquisitionEvent}s, through an async iterator or callbacks, in the
 * order the controller wrote its event records (so in order per channel).
 *
 * The host side works as the controller's software would: on each MSI it reads the record the
 * controller wrote into the event ring in receiver memory (`rashpa.event`,
 * specs/rashpa/descriptors.yaml), advances `event.read-index`, and for an end-of-frame record
 * points at the frame in the channel's ring buffer — a view of receiver memory, no copy. A
 * frame stays the consumer's until it is released ({@link FrameEvent.release}, or implicitly
 * when the iterator is asked for the next event); only then is `frames-released` advanced, so
 * a slow consumer makes the controller stall (`overflow: back-pressure`) or drop and report
 * the frame (`overflow: drop`) — never overwrite a frame in use.
 *
 * @module
 */
import { decodeEvent, type Event } from "@rashpa/descriptors";
import { controllerRegistersAsync, type ControllerRegisters } from "@rashpa/registers";
import type { AcquisitionConfig } from "./config.js";
import type { Link } from "./links/link.js";
import type { RemoteReceiverHandle } from "./links/remote-receivers.js";
import { frameAddress, programControllerAsync, type AcquisitionLayout } from "./program.js";

/** A frame (full frame or ROI) written into a receiver. */
export interface FrameEvent {
  /** `"frame"` for a full frame, `"roi"` for a region of interest. */
  readonly type: "frame" | "roi";
  /** Data channel. */
  readonly channel: number;
  /** Channel name in the configuration. */
  readonly name: string;
  /** Detector frame number. */
  readonly frame: number;
  /** Record status: 0 complete, else the frame is incomplete or errored (then do not use it). */
  readonly status: number;
  /**
   * The frame's bytes in receiver memory (a view, valid until released); empty when the
   * receiver is served by another process ({@link Acquisition.remoteReceiver}).
   */
  readonly bytes: Uint8Array;
  /** Byte offset of the frame in its receiver's arena. */
  readonly offset: number;
  /** Controller time of the record, ns since the start (the frame's metadata timestamp). */
  readonly timestampNs: bigint;
  /** Record sequence number. */
  readonly sequence: number;
  /** Device time at which the record arrived, ps. */
  readonly atPs: number;
  /** Gives the buffer back to the controller (frames are released in order per channel). */
  release(): void;
}

/** Any other record of the event channel. */
export interface ControllerEvent {
  /** `error`, `overrun`, `link-up`, `link-down`, `timer` or `end-of-acquisition`. */
  readonly type: "error" | "overrun" | "link-up" | "link-down" | "timer" | "end-of-acquisition";
  /** Data channel (255 when global). */
  readonly channel: number;
  /** Frame number the record refers to. */
  readonly frame: number;
  /** Record status (error code for `error`). */
  readonly status: number;
  /** Record info (failing address, drop count, …). */
  readonly info: bigint;
  /** Controller time, ns. */
  readonly timestampNs: bigint;
  /** Record sequence number. */
  readonly sequence: number;
  /** Device time, ps. */
  readonly atPs: number;
}

/** The device behind the link was added or removed. */
export interface DeviceEvent {
  /** `device-added` when the acquisition opened it, `device-removed` when the link closed. */
  readonly type: "device-added" | "device-removed";
  /** Link name. */
  readonly link: string;
}

/** One event of an acquisition. */
export type AcquisitionEvent = FrameEvent | ControllerEvent | DeviceEvent;

/** Per-channel counts of an acquisition. */
export interface ChannelTally {
  /** Channel name. */
  readonly name: string;
  /** Frames reported complete. */
  frames: number;
  /** Frames reported errored. */
  errored: number;
  /** Bytes of the complete frames. */
  bytes: number;
}

/** Options of {@link startAcquisition}. */
export interface AcquisitionOptions {
  /**
   * Events kept for the consumer before the event model stops taking records (the records
   * then wait in the event ring, and frames are not released: back-pressure). Default 256.
   */
  readonly queue?: number;
}

/**
 * The controller's registers bound on each link's bus, kept from one acquisition to the next
 * on the same link (binding the whole map costs more than programming it).
 */
const boundRegisters = new WeakMap<Link["bus"], ControllerRegisters<"async">>();

/** The `bytes` of a frame held in another process. */
const NO_BYTES = new Uint8Array(0);

/** Serialises asynchronous register accesses (in issue order). */
class Sequence {
  #tail: Promise<unknown> = Promise.resolve();
  #error: unknown;
  run<T>(f: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(f);
    this.#tail = p.catch((e: unknown) => {
      this.#error ??= e;
    });
    return p;
  }
  get error(): unknown {
    return this.#error;
  }
}

/** The frames of one receiver, for its data-receiver consumer (see `Acquisition.receiver`). */
class FrameStream implements AsyncIterable<FrameEvent> {
  readonly #queue: FrameEvent[] = [];
  readonly #waiters: ((r: IteratorResult<FrameEvent>) => void)[] = [];
  #last: FrameEvent | undefined;
  #ended = false;

  push(e: FrameEvent): void {
    const w = this.#waiters.shift();
    if (w !== undefined) {
      this.#last = e;
      w({ done: false, value: e });
    } else this.#queue.push(e);
  }

  end(): void {
    this.#ended = true;
    if (this.#queue.length === 0)
      for (const w of this.#waiters.splice(0)) w({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<FrameEvent> {
    return {
      next: () => {
        // Asking for the next frame gives back the previous one.
        this.#last?.release();
        this.#last = undefined;
        const e = this.#queue.shift();
        if (e !== undefined) {
          this.#last = e;
          return Promise.resolve({ done: false, value: e });
        }
        if (this.#ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.#last?.release();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}

/**
 * A running acquisition over a {@link Link}: programs the controller from the configuration,
 * starts it, and turns its event records into {@link AcquisitionEvent}s.
 */
export class Acquisition implements AsyncIterable<AcquisitionEvent> {
  /** The memory layout programmed. */
  readonly layout: AcquisitionLayout;
  /** The configuration. */
  readonly config: AcquisitionConfig;
  /** The link. */
  readonly link: Link;
  /** Counts per channel, in configuration order. */
  readonly tally: readonly ChannelTally[];
  readonly #regs: ControllerRegisters<"async">;
  readonly #seq = new Sequence();
  readonly #queue: AcquisitionEvent[] = [];
  readonly #waiters: ((r: IteratorResult<AcquisitionEvent>) => void)[] = [];
  readonly #listeners: ((e: AcquisitionEvent) => void)[] = [];
  readonly #limit: number;
  /** MSIs not yet taken (the queue was full). */
  readonly #backlog: { slot: number; atPs: number }[] = [];
  /**
   * Per channel: `frames-released` written so far, the ring slots k handed out and not yet
   * released, and the highest k handed out or reported dropped.
   */
  readonly #released: { count: number; outstanding: Set<number>; seen: number }[];
  #readIndex = 0;
  #ended = false;
  #finished = false;
  #lastHanded: FrameEvent | undefined;
  readonly #offIrq: () => void;
  readonly #doneWaiters: (() => void)[] = [];
  /** Data-receiver streams by receiver index. */
  readonly #streams = new Map<number, FrameStream>();
  /** Receivers served by other processes, by receiver index; their frames awaiting release. */
  readonly #remote = new Map<
    number,
    { handle: RemoteReceiverHandle; held: Map<string, FrameEvent> }
  >();

  private constructor(
    link: Link,
    config: AcquisitionConfig,
    regs: ControllerRegisters<"async">,
    layout: AcquisitionLayout,
    options: AcquisitionOptions,
  ) {
    this.link = link;
    this.config = config;
    this.#regs = regs;
    this.layout = layout;
    this.#limit = options.queue ?? 256;
    this.tally = config.channels.map((c) => ({ name: c.name, frames: 0, errored: 0, bytes: 0 }));
    this.#released = layout.channels.map(() => ({
      count: 0,
      outstanding: new Set<number>(),
      seen: -1,
    }));
    this.#offIrq = link.onInterrupt((irq) => {
      this.#backlog.push(irq);
      this.#drain();
    });
  }

  /**
   * Programs the controller behind `link` for `config` (`programControllerAsync`), starts the
   * acquisition and returns it; the first event is `device-added`.
   *
   * @param link - an open link
   * @param config - a checked configuration (its event channel must be enabled)
   * @param options - queue size
   * @returns the running acquisition
   * @throws ConfigError for a configuration the controller cannot take, LinkError for a link fault
   */
  static async start(
    link: Link,
    config: AcquisitionConfig,
    options: AcquisitionOptions = {},
  ): Promise<Acquisition> {
    let regs = boundRegisters.get(link.bus);
    if (regs === undefined)
      boundRegisters.set(link.bus, (regs = controllerRegistersAsync(link.bus)));
    const layout = await programControllerAsync(regs, config);
    const a = new Acquisition(link, config, regs, layout, options);
    a.#push({ type: "device-added", link: link.name });
    await regs.global.control.writeFields({ enable: true });
    return a;
  }

  /**
   * Calls `listener` for every event (besides the iterator, which still receives them).
   *
   * @returns a function that unsubscribes
   */
  on(listener: (e: AcquisitionEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const i = this.#listeners.indexOf(listener);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /**
   * The data-receiver role (docs/system.md, "RASHPA": a system manager and data receivers):
   * the frames and ROIs of the channels writing to receiver `name`, as a stream of their own
   * with its own pace — a slow receiver holds back only its own channels (back-pressure or
   * drops there). Its frames no longer go to this acquisition's iterator, which keeps every
   * other event for the system manager; callbacks still see everything. The stream ends at
   * the end of the acquisition. Call it before iterating, once per receiver.
   *
   * @param name - a receiver of the configuration
   * @returns the receiver's frames, in order per channel
   * @throws Error when there is no such receiver or it already has a stream
   */
  receiver(name: string): AsyncIterable<FrameEvent> {
    const index = this.#freeReceiver(name);
    const stream = new FrameStream();
    if (this.#ended) stream.end();
    this.#streams.set(index, stream);
    return stream;
  }

  /**
   * The data-receiver role for a receiver served by another process (`openRemoteReceiver`
   * there, `listenForReceivers` and `openEmulatedRoceLink(config, { remote })` here): its
   * channels' frames are announced to it over its control connection instead of going to this
   * acquisition's iterator, and its releases come back from it — each frame stays held here
   * until the receiver releases it, so a slow remote receiver holds back its own channels.
   * Callbacks still see its frames (with empty `bytes`: the data is in the other process).
   * Call it before iterating, once per receiver.
   *
   * @param name - a receiver of the configuration
   * @param handle - its control connection (from `listenForReceivers`)
   * @throws Error when there is no such receiver, it already has a stream, or it hosts the
   *   event ring
   */
  remoteReceiver(name: string, handle: RemoteReceiverHandle): void {
    const index = this.#freeReceiver(name);
    if (this.layout.events?.receiver === index)
      throw new Error(`receiver "${name}" hosts the event ring: it must be served here`);
    const held = new Map<string, FrameEvent>();
    this.#remote.set(index, { handle, held });
    handle.onRelease((channel, frame) => {
      const key = `${channel} ${frame}`;
      const e = held.get(key);
      held.delete(key);
      e?.release();
    });
    if (this.#ended) handle.end();
  }

  /** The index of receiver `name`, which must not have a stream yet. */
  #freeReceiver(name: string): number {
    const index = this.config.receivers.findIndex((r) => r.name === name);
    if (index < 0)
      throw new Error(
        `no receiver "${name}" (receivers: ${this.config.receivers.map((r) => r.name).join(", ")})`,
      );
    if (this.#streams.has(index) || this.#remote.has(index))
      throw new Error(`receiver "${name}" already has its stream`);
    return index;
  }

  /** Resolves when the end-of-acquisition record has been handed out (or the link closed). */
  finished(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    return new Promise((resolve) => this.#doneWaiters.push(resolve));
  }

  /** The events in order; the iterator ends after `end-of-acquisition`. */
  [Symbol.asyncIterator](): AsyncIterator<AcquisitionEvent> {
    return {
      next: () => {
        // Asking for the next event gives back the previous frame.
        this.#lastHanded?.release();
        this.#lastHanded = undefined;
        const e = this.#queue.shift();
        this.#drain();
        if (e !== undefined) return Promise.resolve(this.#hand(e));
        if (this.#ended) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.#waiters.push(resolve));
      },
      return: () => {
        this.#lastHanded?.release();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** Stops the acquisition (clears `global.control.enable`); the end-of-acquisition follows. */
  async stop(): Promise<void> {
    await this.#seq.run(() => this.#regs.global.control.writeFields({ enable: false }));
  }

  /**
   * Stops listening to the link and ends the event stream; the link stays open, e.g. for the
   * next acquisition.
   */
  detach(): void {
    this.#offIrq();
    for (const st of this.#streams.values()) st.end();
    for (const r of this.#remote.values()) r.handle.end();
    this.#end();
  }

  /** Stops listening and closes the link (`device-removed`). */
  async close(): Promise<void> {
    this.#offIrq();
    await this.link.close();
    this.#emit({ type: "device-removed", link: this.link.name });
    this.#end();
  }

  #hand(e: AcquisitionEvent): IteratorResult<AcquisitionEvent> {
    if (e.type === "frame" || e.type === "roi") this.#lastHanded = e;
    if (e.type === "end-of-acquisition") this.#end();
    return { done: false, value: e };
  }

  #end(): void {
    this.#ended = true;
    if (this.#queue.length === 0)
      for (const w of this.#waiters.splice(0)) w({ done: true, value: undefined });
    if (!this.#finished) {
      this.#finished = true;
      for (const d of this.#doneWaiters.splice(0)) d();
    }
  }

  #emit(e: AcquisitionEvent): void {
    for (const l of [...this.#listeners]) l(e);
    if (e.type === "frame" || e.type === "roi") {
      const ch = this.layout.channels.find((c) => c.channel === e.channel)!;
      const stream = this.#streams.get(ch.receiver);
      if (stream !== undefined) {
        stream.push(e);
        return;
      }
      const remote = this.#remote.get(ch.receiver);
      if (remote !== undefined) {
        remote.held.set(`${e.channel} ${e.frame}`, e);
        remote.handle.sendFrame({
          t: "frame",
          type: e.type,
          channel: e.channel,
          name: e.name,
          frame: e.frame,
          status: e.status,
          offset: e.offset,
          length: ch.windowBytes,
          timestampNs: e.timestampNs.toString(),
          sequence: e.sequence,
          atPs: e.atPs,
        });
        return;
      }
    }
    if (e.type === "end-of-acquisition" || e.type === "device-removed") {
      for (const st of this.#streams.values()) st.end();
      for (const r of this.#remote.values()) r.handle.end();
    }
    const w = this.#waiters.shift();
    if (w !== undefined) w(this.#hand(e));
    else this.#queue.push(e);
  }

  #push(e: AcquisitionEvent): void {
    this.#emit(e);
  }

  /** Takes the records announced by MSIs while the queue has room. */
  #drain(): void {
    while (this.#backlog.length > 0 && this.#queue.length < this.#limit) {
      const irq = this.#backlog.shift()!;
      this.#take(irq.slot, irq.atPs);
    }
  }

  #take(slot: number, atPs: number): void {
    const ev = this.layout.events!;
    const receiver = this.config.receivers[ev.receiver]!;
    const mem = this.link.memory(receiver.name);
    const record = decodeEvent(mem, Number(ev.address - receiver.base) + slot * 32);
    this.#readIndex = (slot + 1) % ev.records;
    const next = this.#readIndex;
    void this.#seq.run(() => this.#regs.event.readIndex.write(next));
    this.#emit(this.#toEvent(record, atPs));
  }

  #toEvent(r: Event, atPs: number): AcquisitionEvent {
    // Object literals rather than a spread of shared fields (a spread is slow in V8 on this
    // per-frame path).
    const index = this.layout.channels.findIndex((c) => c.channel === r.channel);
    if (r.type !== "end-of-frame" && r.type !== "end-of-roi") {
      // A dropped frame's slot is free: the frames after it may be released past it.
      if (r.type === "overrun" && index >= 0) this.#settle(index, r.frame, false);
      return {
        type: r.type,
        channel: r.channel,
        frame: r.frame,
        status: r.status,
        timestampNs: r.timestamp,
        sequence: r.sequence,
        atPs,
        info: r.info,
      };
    }
    const ch = this.layout.channels[index]!;
    this.#settle(index, r.frame, true);
    const receiver = this.config.receivers[ch.receiver]!;
    const at = Number(frameAddress(ch, r.frame) - receiver.base);
    const bytes = this.#remote.has(ch.receiver)
      ? NO_BYTES
      : this.link.memory(receiver.name).subarray(at, at + ch.windowBytes);
    const tally = this.tally[index]!;
    if (r.status === 0) {
      tally.frames++;
      tally.bytes += ch.windowBytes;
    } else tally.errored++;
    let released = false;
    return {
      type: r.type === "end-of-roi" ? "roi" : "frame",
      name: ch.name,
      channel: r.channel,
      frame: r.frame,
      status: r.status,
      timestampNs: r.timestamp,
      sequence: r.sequence,
      atPs,
      bytes,
      offset: at,
      release: () => {
        if (released) return;
        released = true;
        this.#release(index, r.frame);
      },
    };
  }

  /** Notes frame `frame` of channel `index` as handed out (`held`) or dropped. */
  #settle(index: number, frame: number, held: boolean): void {
    const ch = this.layout.channels[index]!;
    const state = this.#released[index]!;
    const k = Math.floor(frame / (ch.decimation + 1));
    state.seen = Math.max(state.seen, k);
    if (held) state.outstanding.add(k);
    else this.#advance(index);
  }

  #release(index: number, frame: number): void {
    const ch = this.layout.channels[index]!;
    this.#released[index]!.outstanding.delete(Math.floor(frame / (ch.decimation + 1)));
    this.#advance(index);
  }

  /**
   * Writes `frames-released` up to the oldest frame still held (every frame when none is):
   * the controller writes frame k only while k − frames-released < ring depth.
   */
  #advance(index: number): void {
    const ch = this.layout.channels[index]!;
    const state = this.#released[index]!;
    let count = state.seen + 1;
    for (const k of state.outstanding) if (k < count) count = k;
    if (count <= state.count) return;
    state.count = count;
    void this.#seq.run(() => this.#regs.bgu.channel[ch.channel]!.framesReleased.write(count >>> 0));
  }
}
