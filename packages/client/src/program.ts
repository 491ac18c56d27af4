/**
 * From an acquisition description to the controller: the memory layout (every channel's ring
 * of receiver buffers and the event ring, allocated from each receiver's arena by the virtual
 * and physical allocators, and their ATU entries) and the programming of every controller
 * register through the generated accessors of specs/rashpa/controller.yaml
 * (`controllerRegisters`). The programming follows the controller map's contract: the ATU
 * table first (`atu.control.invalidateAll`, then `atu.entries`), the DIU (block `diu`), the
 * BSU (`bsu.max-transfer`), each data channel (`bgu.channel[n]`: frame window, block size,
 * ATU range, frames per entry, then `control`), the event channel (`event.ring`,
 * `event.control`) and `global.irq-enable`; `global.control.enable` last, by
 * {@link startAcquisition}.
 *
 * @module
 */
import { encodeAtuEntry, type AtuEntry } from "@rashpa/descriptors";
import type { ControllerRegisters } from "@rashpa/registers";
import {
  ATU_TABLE_ENTRIES,
  DATA_CHANNELS,
  EVENT_RECORD_BYTES,
  bufferBytesOf,
  windowBytesOf,
  type AcquisitionConfig,
} from "./config.js";
import { ConfigError, OutOfMemoryError } from "./errors.js";
import { PhysicalAllocator } from "./physical.js";
import { VirtualAllocator, atuEntriesOf, translateOffset, type VirtualBuffer } from "./virtual.js";

/** Where a data channel's frames land: the shape the receiver side reads frames with. */
export interface ChannelLayout {
  /** Data channel number (`bgu.channel[n]`). */
  readonly channel: number;
  /** The channel's name in the configuration. */
  readonly name: string;
  /** Index of its receiver in the configuration (the ATU entries' `receiver`). */
  readonly receiver: number;
  /** `"image"` (full frames) or `"roi"`. */
  readonly mode: "image" | "roi";
  /** Bus addresses of the channel's ATU entries, first to last (`atu-range`). */
  readonly buffers: readonly bigint[];
  /** Frames per entry (`ring.framesPerEntry`). */
  readonly framesPerEntry: number;
  /** Bytes of the channel's window (full frame or ROI). */
  readonly windowBytes: number;
  /** `control.decimation` of the channel. */
  readonly decimation: number;
  /** First ATU entry (`atu-range.first`). */
  readonly atuFirst: number;
  /** Number of ATU entries (`atu-range.count`). */
  readonly atuCount: number;
  /** Ring depth in frames (`atuCount × framesPerEntry`). */
  readonly ringFrames: number;
  /** The receiver ring as one virtual range: buffer i at `i × bufferStride`. */
  readonly ring: VirtualBuffer;
  /** Virtual distance between buffers (the buffer size rounded up to the page size). */
  readonly bufferStride: number;
}

/** Where the event records go. */
export interface EventLayout {
  /** Index of the receiver in the configuration. */
  readonly receiver: number;
  /** ATU entry of the ring (`event.ring.atuIndex`). */
  readonly atuIndex: number;
  /** Bus address of record 0. */
  readonly address: bigint;
  /** Records in the ring (`event.ring.size`). */
  readonly records: number;
  /** The ring's memory. */
  readonly ring: VirtualBuffer;
}

/** One ATU entry of a layout. */
export interface AtuSlot {
  /** Index in the ATU table. */
  readonly index: number;
  /** The entry. */
  readonly entry: AtuEntry;
}

/** The memory layout of an acquisition: what {@link programController} writes. */
export interface AcquisitionLayout {
  /** Per data channel, in configuration order. */
  readonly channels: readonly ChannelLayout[];
  /** The event ring, when the configuration has an event channel. */
  readonly events?: EventLayout;
  /** Every ATU entry to write, by index. */
  readonly atu: readonly AtuSlot[];
  /** The arenas, by receiver name (holding the layout's buffers). */
  readonly allocators: ReadonlyMap<string, VirtualAllocator>;
}

/** Options of {@link planAcquisition}. */
export interface PlanOptions {
  /**
   * Allocators to take the buffers from, by receiver name (e.g. arenas already in use, or
   * fragmented); the others get a new arena from the configuration (`base`, `memory`,
   * `pageSize`, `fit`).
   */
  readonly allocators?: ReadonlyMap<string, VirtualAllocator | PhysicalAllocator>;
  /** First ATU index to use (default 0). */
  readonly atuBase?: number;
}

/**
 * Allocates every channel's ring and the event ring in their receivers' arenas and assigns
 * ATU entries: each channel takes `ringFrames / framesPerBuffer` consecutive entries (one per
 * buffer, in channel order; `atu-range`), the event ring the entry after them. Each buffer is
 * one physically contiguous chunk, so that no frame straddles two entries; in a fragmented
 * arena the buffers of one channel land wherever there is room.
 *
 * @param config - a checked configuration
 * @param options - arenas to use, first ATU index
 * @returns the layout
 * @throws ConfigError when an arena cannot hold its buffers (at `receivers[i].memory`) or the
 *   ATU table is too small
 * @example
 * ```ts
 * const layout = planAcquisition(DEFAULT_ACQUISITION);
 * layout.channels[0].buffers; // bus addresses of the detector PC's frame buffers
 * ```
 */
export function planAcquisition(
  config: AcquisitionConfig,
  options: PlanOptions = {},
): AcquisitionLayout {
  const allocators = new Map<string, VirtualAllocator>();
  config.receivers.forEach((r) => {
    const given = options.allocators?.get(r.name);
    allocators.set(
      r.name,
      given instanceof VirtualAllocator
        ? given
        : new VirtualAllocator(
            given ??
              new PhysicalAllocator({
                name: r.name,
                base: r.base,
                size: r.memory,
                pageSize: r.pageSize,
                fit: r.fit,
              }),
          ),
    );
  });
  const receiverIndex = new Map(config.receivers.map((r, i) => [r.name, i]));
  const atu: AtuSlot[] = [];
  let next = options.atuBase ?? 0;
  const taken: { vm: VirtualAllocator; buffer: VirtualBuffer }[] = [];
  const allocate = (
    receiver: number,
    bytes: number,
    granule: number,
  ): VirtualBuffer | undefined => {
    const r = config.receivers[receiver]!;
    const vm = allocators.get(r.name)!;
    const page = vm.physical.pageSize;
    const g = Math.ceil(granule / page) * page;
    try {
      const buffer = vm.allocate(bytes, { granule: g, maxChunk: g });
      taken.push({ vm, buffer });
      return buffer;
    } catch (e) {
      if (!(e instanceof OutOfMemoryError)) throw e;
      for (const t of taken) t.vm.free(t.buffer);
      throw new ConfigError([
        {
          path: `receivers[${receiver}].memory`,
          expected: "room for every buffer",
          found: e.message,
        },
      ]);
    }
  };

  const channels = config.channels.map((ch, channel): ChannelLayout => {
    const receiver = receiverIndex.get(ch.receiver)!;
    const windowBytes = windowBytesOf(config.detector, ch);
    const bufferBytes = bufferBytesOf(config.detector, ch);
    const count = ch.ringFrames / ch.framesPerBuffer;
    const page = allocators.get(ch.receiver)!.physical.pageSize;
    const stride = Math.ceil(bufferBytes / page) * page;
    const ring = allocate(receiver, count * stride, stride)!;
    const atuFirst = next;
    for (const entry of atuEntriesOf(ring, { receiver })) {
      // The entry says the buffer's exact size: a BTD past its last frame is refused.
      atu.push({ index: next++, entry: { ...entry, size: bufferBytes } });
    }
    return {
      channel,
      name: ch.name,
      receiver,
      mode: ch.roi === undefined ? "image" : "roi",
      buffers: ring.chunks.map((c) => c.address),
      framesPerEntry: ch.framesPerBuffer,
      windowBytes,
      decimation: ch.decimation,
      atuFirst,
      atuCount: count,
      ringFrames: ch.ringFrames,
      ring,
      bufferStride: stride,
    };
  });

  let events: EventLayout | undefined;
  if (config.events !== undefined) {
    const receiver = receiverIndex.get(config.events.receiver)!;
    const bytes = config.events.records * EVENT_RECORD_BYTES;
    const ring = allocate(receiver, bytes, bytes)!;
    const atuIndex = next++;
    atu.push({
      index: atuIndex,
      entry: {
        address: ring.chunks[0]!.address,
        size: bytes,
        receiver,
        writable: true,
        valid: true,
      },
    });
    events = {
      receiver,
      atuIndex,
      address: ring.chunks[0]!.address,
      records: config.events.records,
      ring,
    };
  }
  if (next > ATU_TABLE_ENTRIES) {
    for (const t of taken) t.vm.free(t.buffer);
    throw new ConfigError([
      {
        path: "channels",
        expected: `at most ${ATU_TABLE_ENTRIES} ATU entries (atu.entries)`,
        found: `entries up to index ${next - 1}`,
      },
    ]);
  }
  return { channels, atu, allocators, ...(events === undefined ? {} : { events }) };
}

/**
 * The bus address of frame `frame` of a channel: its ring slot `k = ⌊frame / (decimation + 1)⌋`
 * goes to entry `⌊k / framesPerEntry⌋ mod count` at `(k mod framesPerEntry) × windowBytes`
 * (controller map `bgu.channel.ring`).
 *
 * @param channel - the channel's layout
 * @param frame - detector frame number (one the channel sends)
 * @returns the bus address of the frame's first byte
 */
export function frameAddress(channel: ChannelLayout, frame: number): bigint {
  const k = Math.floor(frame / (channel.decimation + 1));
  const entry = Math.floor(k / channel.framesPerEntry) % channel.atuCount;
  const offset = entry * channel.bufferStride + (k % channel.framesPerEntry) * channel.windowBytes;
  return translateOffset(channel.ring, offset).address;
}

/** Frees every buffer of a layout in its arena. */
export function releaseLayout(layout: AcquisitionLayout): void {
  const vmOf = (receiverName: string): VirtualAllocator => layout.allocators.get(receiverName)!;
  const names = [...layout.allocators.keys()];
  for (const ch of layout.channels) vmOf(names[ch.receiver]!).free(ch.ring);
  if (layout.events !== undefined) vmOf(names[layout.events.receiver]!).free(layout.events.ring);
}

/** Options of {@link programController}. */
export interface ProgramOptions {
  /** The layout to program (default: {@link planAcquisition} of the configuration). */
  readonly layout?: AcquisitionLayout;
  /** Also set `global.control.enable` (default false: call {@link startAcquisition}). */
  readonly start?: boolean;
}

/** The controller's capabilities that bound a configuration. */
interface Capabilities {
  readonly dataChannels: number;
  readonly atuEntries: number;
}

/** One register access of the programming, on the synchronous accessors' shape. */
type Step = (regs: ControllerRegisters) => unknown;

function checkCapabilities(
  cap: Capabilities,
  config: AcquisitionConfig,
  options: ProgramOptions,
): AcquisitionLayout {
  if (config.channels.length > cap.dataChannels)
    throw new ConfigError([
      {
        path: "channels",
        expected: `at most ${cap.dataChannels} data channels (global.capability.dataChannels)`,
        found: `${config.channels.length} channels`,
      },
    ]);
  const layout = options.layout ?? planAcquisition(config);
  const maxIndex = layout.atu.reduce((m, s) => Math.max(m, s.index), -1);
  if (maxIndex >= cap.atuEntries)
    throw new ConfigError([
      {
        path: "channels",
        expected: `ATU entries below ${cap.atuEntries} (global.atu-capability.entries)`,
        found: `entry ${maxIndex}`,
      },
    ]);
  return layout;
}

/** Every register access of the programming, in order; each step is one accessor call. */
function programSteps(
  config: AcquisitionConfig,
  layout: AcquisitionLayout,
  dataChannels: number,
  start: boolean,
): Step[] {
  const steps: Step[] = [
    (r) => r.global.control.writeFields({ enable: false }),
    (r) => r.atu.control.writeFields({ invalidateAll: true }),
  ];
  for (const { index, entry } of layout.atu) {
    const bytes = encodeAtuEntry(entry);
    steps.push((r) => r.atu.entries.writeEntry(index, bytes));
  }
  const det = config.detector;
  steps.push(
    (r) => r.diu.geometry.writeFields({ width: det.width, height: det.height }),
    (r) => r.diu.pixel.writeFields({ depth: det.depth }),
    (r) =>
      r.diu.control.writeFields({ enable: true, source: det.source, testPattern: det.pattern }),
    (r) => r.diu.frameCount.writeFields({ value: det.frames }),
    (r) => r.diu.framePeriod.writeFields({ microseconds: det.framePeriodUs }),
    (r) => r.diu.ringSlots.writeFields({ value: det.ringSlots }),
    (r) => r.bsu.maxTransfer.writeFields({ bytes: config.maxTransfer }),
  );
  const channels = Math.min(dataChannels, DATA_CHANNELS);
  for (let n = 0; n < channels; n++) {
    const ch = config.channels[n];
    const l = layout.channels[n];
    const hw = (r: ControllerRegisters): ControllerRegisters["bgu"]["channel"][number] =>
      r.bgu.channel[n]!;
    steps.push((r) => hw(r).control.writeFields({ enable: false }));
    if (ch === undefined || l === undefined) continue;
    const roi = ch.roi;
    if (roi !== undefined)
      steps.push(
        (r) => hw(r).roiOrigin.writeFields({ x: roi.x, y: roi.y }),
        (r) => hw(r).roiSize.writeFields({ width: roi.width, height: roi.height }),
      );
    steps.push(
      (r) => hw(r).blockSize.writeFields({ bytes: ch.blockSize }),
      (r) => hw(r).atuRange.writeFields({ first: l.atuFirst, count: l.atuCount }),
      (r) => hw(r).ring.writeFields({ framesPerEntry: l.framesPerEntry }),
      (r) => hw(r).framesReleased.writeFields({ value: 0 }),
      (r) =>
        hw(r).control.writeFields({
          enable: true,
          mode: l.mode,
          notify: ch.notify,
          decimation: ch.decimation,
          backPressure: ch.overflow === "back-pressure",
        }),
    );
  }
  const events = layout.events;
  if (events !== undefined)
    steps.push(
      (r) => r.event.ring.writeFields({ atuIndex: events.atuIndex, size: events.records }),
      (r) => r.event.readIndex.writeFields({ value: 0 }),
      (r) => r.event.control.writeFields({ enable: true }),
    );
  else steps.push((r) => r.event.control.writeFields({ enable: false }));
  steps.push((r) => r.global.irqEnable.write(config.irqEnable));
  if (start) steps.push((r) => r.global.control.writeFields({ enable: true }));
  return steps;
}

/**
 * Programs a RASHPA controller for an acquisition through its generated register accessors:
 * the ATU table, the DIU, the BSU, every data channel (unused ones disabled), the event
 * channel and the interrupt enables (specs/rashpa/controller.yaml). The controller's
 * capability registers are checked first (`global.capability.dataChannels`,
 * `global.atu-capability.entries`).
 *
 * @param regs - the controller map bound to the controller's bus (`controllerRegisters(bus)`)
 * @param config - a checked configuration
 * @param options - the layout (default: planned from the configuration), start
 * @returns the layout programmed
 * @throws ConfigError when the controller has fewer data channels or ATU entries than the
 *   configuration needs, or an arena cannot hold its buffers
 * @example
 * ```ts
 * const layout = programController(controllerRegisters(controller.registers), DEFAULT_ACQUISITION);
 * startAcquisition(controllerRegisters(controller.registers));
 * ```
 */
export function programController(
  regs: ControllerRegisters,
  config: AcquisitionConfig,
  options: ProgramOptions = {},
): AcquisitionLayout {
  const cap = {
    dataChannels: regs.global.capability.readFields().dataChannels,
    atuEntries: regs.global.atuCapability.readFields().entries,
  };
  const layout = checkCapabilities(cap, config, options);
  for (const step of programSteps(config, layout, cap.dataChannels, options.start === true))
    step(regs);
  return layout;
}

/**
 * {@link programController} over an asynchronous bus (`controllerRegistersAsync(bus)`, e.g. a
 * controller behind a link in another thread): the same register accesses in the same order,
 * each awaited before the next.
 *
 * @param regs - the controller map bound to an asynchronous bus
 * @param config - a checked configuration
 * @param options - the layout (default: planned from the configuration), start
 * @returns the layout programmed
 * @throws ConfigError as {@link programController} (the promise rejects)
 */
export async function programControllerAsync(
  regs: ControllerRegisters<"async">,
  config: AcquisitionConfig,
  options: ProgramOptions = {},
): Promise<AcquisitionLayout> {
  const cap = {
    dataChannels: (await regs.global.capability.readFields()).dataChannels,
    atuEntries: (await regs.global.atuCapability.readFields()).entries,
  };
  const layout = checkCapabilities(cap, config, options);
  // The asynchronous accessors have the synchronous ones' names and arguments; each step
  // makes one call and returns its promise, awaited before the next step.
  const asSync = regs as unknown as ControllerRegisters;
  for (const step of programSteps(config, layout, cap.dataChannels, options.start === true))
    await step(asSync);
  return layout;
}

/**
 * Starts a programmed acquisition: `global.control.enable` (specs/rashpa/controller.yaml).
 *
 * @param regs - the controller map bound to the controller's bus
 */
export function startAcquisition(regs: ControllerRegisters): void {
  regs.global.control.writeFields({ enable: true });
}
