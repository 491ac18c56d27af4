/**
 * The RASHPA controller emulator: DIU → DDR → BGU data channels → BTDs → BSU (ATU checks,
 * split into CDMA transfers) → PCIe endpoint → link → {@link PcieSwitch} → receivers, plus the
 * event channel, in simulated time (docs/SYSTEM.md §1 "Detector side"; docs/ARCHITECTURE.md,
 * "Two speeds in the emulator").
 *
 * Software configures it only through the controller register map (`specs/rashpa/controller.yaml`)
 * of its {@link RashpaController.registers} register file; the model reads the configuration
 * through the hardware-side accessors when `global.control.enable` rises, and reports through
 * the status, counter and interrupt registers.
 *
 * @module
 */
import {
  ATU_ENTRY_BYTES,
  EVENT_BYTES,
  decodeAtuEntry,
  encodeBtd,
  encodeEvent,
  type AtuEntry,
  type BtdDma,
  type BtdRoi,
  type Event,
  type EventType,
} from "@rashpa/descriptors";
import {
  PAGE_BYTES,
  TLP_FRAMING_BYTES,
  decodeTlp,
  emptySlice,
  encodeTlpInto,
  MemoryWriteBuilder,
  planWrite,
  type MemoryWriteTlp,
  type TlpSlice,
} from "@rashpa/pcie";
import {
  CONTROLLER_MAP,
  RegisterFile,
  controllerRegistersHardware,
  type ControllerRegisters,
} from "@rashpa/registers";
import { blockExtent, channelPlanFromRegisters, gatherBlock, type BlockPlan } from "../blocks.js";
import { Ddr } from "../ddr.js";
import {
  diuConfigFromRegisters,
  generateFrame,
  publishDiuLayout,
  regenerateFrame,
  type DiuConfig,
} from "../diu.js";
import type { PcieSwitch } from "../host-memory.js";
import { ESRF_2013_GEN2X4 } from "../model/calibrations.js";
import {
  checkRashpaPcieParameters,
  parsePcieLink,
  pcieLinkName,
  type PcieLinkConfig,
  type RashpaPcieParameters,
} from "../model/pcie-path.js";
import { encodePcieCaptureRecord, encodeRashpaCaptureRecord, type PcapWriter } from "../pcap.js";
import { CreditPool, tlpCredits, type Credits } from "../sim/credits.js";
import { SerialLink } from "../sim/link.js";
import { emptyMwrRuns, mwrRuns } from "./mwr-runs.js";
import { Simulator } from "../sim/simulator.js";
import {
  PS_PER_NS,
  PS_PER_S,
  PS_PER_US,
  cyclesToPs,
  transmissionTime,
  type Rate,
  type SimTime,
} from "../sim/time.js";

/**
 * Exact link rate after line coding (pcie.md §11.1: 8b/10b for Gen1–2, 128b/130b for Gen3–5),
 * the paper's link maximum B, as bits/s for {@link SerialLink}.
 */
function laneRate(generation: number, width: number): Rate {
  if (generation <= 2) return generation * 2e9 * width;
  const gt = [0, 0, 0, 8e9, 16e9, 32e9][generation]!;
  return { numerator: gt * width * 128, denominator: 130 };
}

/** Which of the two speeds of the emulator moves the data (docs/ARCHITECTURE.md, "Two speeds"). */
export type ControllerSpeed = "fast" | "wire";

/** Posted flow-control credits of the link partner (pcie.md §4.5, §5); omitted: infinite. */
export interface ControllerCredits {
  /** Posted header credits (one per TLP). */
  readonly header: number;
  /** Posted data credits (16 bytes each). */
  readonly data: number;
  /** Time until a consumed credit is back at the sender (UpdateFC path, pcie.md §7), ps. */
  readonly returnLatencyPs: SimTime;
}

/** Options of a {@link RashpaController}. */
export interface RashpaControllerOptions {
  /** The switch whose ports hold the receivers' memories. */
  readonly pcieSwitch: PcieSwitch;
  /** The trained link, e.g. `"gen2x4"` (default) or `{ generation: 1, width: 1 }`. */
  readonly link?: PcieLinkConfig | string;
  /**
   * Timing parameters: the calibration's parameter object (default
   * `ESRF_2013_GEN2X4.parameters`). Used: maxPayloadSize, address64 (documentation only: the
   * header size follows each TLP's address), ecrc, fabricClockMHz, datapathBits,
   * registerAccessesPerTransfer, cyclesPerRegisterAccess, transferLatencyCycles, btdCycles.
   * The host figures (notificationLatencyUs, hostReadGBps, hostOverlap) belong to the receiver
   * side ({@link ReceiverHost}).
   */
  readonly parameters?: RashpaPcieParameters;
  /** `"fast"` (default): one bulk copy per transfer; `"wire"`: every MWr TLP encoded and decoded. */
  readonly speed?: ControllerSpeed;
  /** Posted credits; default infinite (the calibration has none: InitFC 0, pcie.md §5). */
  readonly credits?: ControllerCredits;
  /** Wire path only: pcap (LINKTYPE_USER0) receiving every TLP, stamped at its end on the link. */
  readonly tlpCapture?: PcapWriter;
  /** pcap (LINKTYPE_USER1) receiving every BTD the BSU pops and every event record written. */
  readonly recordCapture?: PcapWriter;
  /** Emulated port number in the TLP capture pseudo-header (default 0). */
  readonly capturePort?: number;
  /** Emulated on-board DDR size in bytes (default that of `diuConfigFromRegisters`). */
  readonly ddrBytes?: number;
  /** The simulator to run in (default a new one). */
  readonly simulator?: Simulator;
  /**
   * Trace of the CDMA: called as each transfer's data starts (after its setup), with the bus
   * address, the byte count and the simulated time. Both speeds call it identically.
   */
  readonly onTransfer?: (address: bigint, bytes: number, at: SimTime) => void;
}

/** An event record the controller wrote into the receiver's event ring, with its notification. */
export interface ControllerNotification {
  /** The record. */
  readonly event: Event;
  /** Ring slot it was written to. */
  readonly slot: number;
  /** Simulated time at which its write reached the receiver (the MSI follows it), ps. */
  readonly at: SimTime;
}

/** Interrupt sources (bits of `global.irq-raw`). */
export type ControllerIrq =
  | "frameDone"
  | "acquisitionDone"
  | "btdFifoOverflow"
  | "atuFault"
  | "transferError"
  | "eventRingFull"
  | "linkDown"
  | "diuOverrun";

const IRQ_BITS: readonly ControllerIrq[] = [
  "frameDone",
  "acquisitionDone",
  "btdFifoOverflow",
  "atuFault",
  "transferError",
  "eventRingFull",
  "linkDown",
  "diuOverrun",
];

/** Timing of one frame of one channel, in simulated ps. */
export interface FrameTiming {
  /** Data channel. */
  readonly channel: number;
  /** Frame number. */
  readonly frame: number;
  /** Bytes written to the receiver. */
  readonly bytes: number;
  /** The BSU popped the frame's first BTD. */
  readonly startPs: SimTime;
  /** The last TLP of the frame's last block left the link (data at the receiver). */
  readonly donePs: SimTime;
  /** Blocks rejected at the ATU (0 when the frame is complete). */
  readonly faults: number;
  /** Some of its TLPs were discarded because the link went down (DL_Down, pcie.md §6). */
  readonly linkLost: boolean;
  /** Some of its TLPs were sent poisoned (EP = 1, pcie.md §2). */
  readonly poisoned: boolean;
}

/** Counters of the data path, independent of the speed (what both paths must agree on). */
export interface ControllerCounters {
  /** MWr TLPs sent (data and event records). */
  tlps: number;
  /** Wire bytes of those TLPs (header, payload, ECRC, framing). */
  wireBytes: number;
  /** CDMA transfers. */
  transfers: number;
  /** Payload bytes of the CDMA transfers. */
  payloadBytes: number;
  /** BTDs popped by the BSU. */
  btds: number;
  /** BTDs rejected at the ATU. */
  atuFaults: number;
  /** Event records written. */
  events: number;
  /** Event records dropped (ring full, channel disabled, invalid ring entry). */
  eventsDropped: number;
  /** MWr TLPs discarded because the link was down (`bsu.lost-tlps`). */
  lostTlps: number;
  /** MWr TLPs sent poisoned (`bsu.poisoned-tlps`). */
  poisonedTlps: number;
  /** DL_Down transitions (`global.link-down-count`). */
  linkDowns: number;
  /** Frames reported errored: ATU fault, link down or poisoned data (`frames-errored`). */
  framesErrored: number;
  /** Back-pressure stalls on a full receiver ring (`stalls`). */
  stalls: number;
}

/** Whether two DIU configurations produce the same frame bytes (same pattern in every slot). */
function sameFrames(a: DiuConfig, b: DiuConfig): boolean {
  return (
    a.pattern === b.pattern &&
    a.depth === b.depth &&
    a.width === b.width &&
    a.height === b.height &&
    a.frameBytes === b.frameBytes &&
    a.referenceImage === undefined &&
    b.referenceImage === undefined
  );
}

/** Error of the controller's configuration at start, with the register field at fault. */
export class ControllerConfigError extends Error {
  /** Always `"ControllerConfigError"`. */
  override readonly name = "ControllerConfigError";
  /** The register field, e.g. `bsu.max-transfer.bytes`. */
  readonly path: string;
  /**
   * @param path - register field
   * @param expected - what was expected
   * @param found - what was found
   */
  constructor(path: string, expected: string, found: string) {
    super(`"${path}" expected ${expected}, got ${found}`);
    this.path = path;
  }
}

interface ChannelState {
  readonly index: number;
  readonly plan: BlockPlan;
  readonly mode: "image" | "roi";
  readonly notify: boolean;
  readonly decimation: number;
  readonly atuFirst: number;
  readonly atuCount: number;
  readonly framesPerEntry: number;
  readonly depth: number;
  /** `control.backPressure`: stall instead of dropping on a full receiver ring. */
  readonly backPressure: boolean;
  errored: number;
  stalls: number;
  sent: number;
  dropped: number;
  blocks: number;
  done: boolean;
  /** `status.busy`: the channel has frames left to send. */
  busy: boolean;
  /** `status.ringFull` at the last ring check. */
  ringFull: boolean;
  /** `status.stalled`. */
  stalled: boolean;
  /** `status.lastAtuIndex`. */
  lastAtu: number;
}

interface PendingFrame {
  readonly channel: ChannelState;
  readonly frame: number;
  /** Frame index within the channel (after decimation): selects the ring slot. */
  readonly k: number;
  readonly last: boolean;
  next: number;
  startPs: SimTime;
  faults: number;
  /** The frame waits on a full receiver ring (back-pressure); counted once per stall. */
  stalled: boolean;
  /** Address of the first of its TLPs discarded at DL_Down. */
  lostAt: bigint | undefined;
  /** Address of the first of its TLPs sent poisoned. */
  poisonedAt: bigint | undefined;
}

/** Collects what happened to the TLPs of one write (a frame's blocks or one event record). */
interface WriteSink {
  lostAt: bigint | undefined;
  poisonedAt: bigint | undefined;
}

/** A block the CDMA is moving (see `#pump`). */
interface BlockMove {
  readonly q: PendingFrame;
  readonly btd: BtdDma | BtdRoi;
  /** The block's bytes (a DDR view, or the ROI gathered). */
  readonly data: Uint8Array;
  /** Bus address of its first byte. */
  readonly dest: bigint;
  /** `dest` as a number when the whole block lies below 2^53, else −1. */
  readonly destNumber: number;
  /** `bsu.max-transfer` at the block's start. */
  readonly maxTransfer: number;
  /** Offset of the next transfer (of the current one while it is sending). */
  offset: number;
  /** Bytes of the current transfer. */
  n: number;
  /** When the current transfer's setup ended (its data starts), ps. */
  setupEnd: SimTime;
  /** Bytes already copied to the receiver on the bulk fast path. */
  copied: number;
}

/** A window of simulated time during which the data link is down. */
interface LinkDownWindow {
  readonly down: SimTime;
  readonly up: SimTime;
}

/** Path of the ATU table in the register file. */
const ATU_ENTRIES_PATH = "atu.entries";

const EVENT_MASK_BIT: Record<EventType, number> = {
  "end-of-frame": 1,
  "end-of-roi": 2,
  "end-of-acquisition": 3,
  overrun: 4,
  error: 5,
  "link-up": 6,
  "link-down": 7,
  timer: 8,
};

/** Error codes of event records (`status` field; 0 = success; this project's codes). */
export const EVENT_STATUS = {
  /** Success. */
  ok: 0,
  /** A BTD named an invalid ATU entry. */
  atuInvalidEntry: 1,
  /** A BTD's offset + size exceeded its ATU entry. */
  atuOutOfBounds: 2,
  /** A BTD named an entry that is not writable. */
  atuNotWritable: 3,
  /** A frame was incomplete or errored (end-of-frame record of a frame with an error). */
  incompleteFrame: 4,
  /** Data of the frame was discarded because the link went down (DL_Down, pcie.md §6). */
  linkDown: 5,
  /** A TLP of the frame was sent poisoned (EP = 1, pcie.md §2); the receiver drops its data. */
  poisonedTlp: 6,
} as const;

/**
 * The RASHPA controller emulator (docs/SYSTEM.md §1): one {@link RegisterFile} of
 * `CONTROLLER_MAP` (software binds it with `controllerRegisters(controller.registers)`), one
 * simulator, one PCIe link to a {@link PcieSwitch}.
 *
 * Per frame: the DIU stores the frame in a DDR slot (every `diu.frame-period`; period 0 = as
 * soon as a slot is free); each enabled data channel cuts its window (full frame or ROI) into
 * blocks and emits one `rashpa.btd` per block; the BSU pops a BTD (`btdCycles`), checks it
 * against its ATU entry (invalid, not writable or out of bounds → `atu.fault`,
 * `irq-raw.atuFault`, channel `status.fault` and an `error` event record — never a silent
 * drop), splits it into CDMA transfers of at most `bsu.max-transfer` bytes that never cross a
 * 4 KiB page of the destination, and the CDMA moves each transfer (simple mode, one at a time:
 * `registerAccessesPerTransfer × cyclesPerRegisterAccess + transferLatencyCycles` of setup, then
 * the data at the slower of the link and the AXI datapath). Each MWr TLP (`planWrite`, pcie.md
 * §8.1) occupies the link for its header, payload, ECRC and 8 bytes of framing (pcie.md §7,
 * the same bytes `pcieThroughput` counts). A channel frame whose receiver ring is full
 * (`frames-released`) is dropped and reported (`frames-dropped`, `overrun` event).
 *
 * Two speeds give the same receiver memory and the same simulated timing (property test):
 * `"fast"` copies each transfer once (`PcieSwitch.write`) and counts TLPs from the plan;
 * `"wire"` builds every TLP (`writeTlps` semantics: `memoryWrite` per plan slice), encodes,
 * decodes and delivers it (`PcieSwitch.deliver`), and can capture it in a pcap.
 *
 * Faults ({@link RashpaController.injectLinkDown}, {@link RashpaController.injectPoisonedTlp},
 * ATU faults, receiver-ring overflow with the drop or back-pressure policy of
 * `bgu.channel[n].control.backPressure`) are each reported by an event record and counted in
 * registers; a frame with any fault never gets an end-of-frame record of status 0.
 */
export class RashpaController {
  /** The controller's register file (software side: `controllerRegisters(registers)`). */
  readonly registers: RegisterFile;
  /** The hardware-side accessors the model uses. */
  readonly hw: ControllerRegisters<"hardware">;
  /** The simulator. */
  readonly sim: Simulator;
  /** The link from the controller's endpoint to the switch. */
  readonly link: SerialLink;
  /** Posted credits, when limited. */
  readonly credits: CreditPool | undefined;
  /** The trained link. */
  readonly linkConfig: PcieLinkConfig;
  /** The timing parameters. */
  readonly parameters: RashpaPcieParameters;
  /** The speed. */
  readonly speed: ControllerSpeed;
  /** Counters of the data path. */
  readonly counters: ControllerCounters = {
    tlps: 0,
    wireBytes: 0,
    transfers: 0,
    payloadBytes: 0,
    btds: 0,
    atuFaults: 0,
    events: 0,
    eventsDropped: 0,
    lostTlps: 0,
    poisonedTlps: 0,
    linkDowns: 0,
    framesErrored: 0,
    stalls: 0,
  };
  /**
   * Timing of every frame of every channel of the current (or last) acquisition, in
   * completion order; emptied when an acquisition starts, so a controller that runs
   * acquisition after acquisition does not grow.
   */
  readonly frames: FrameTiming[] = [];
  /**
   * Every event record written, with its arrival time, since the current (or last)
   * acquisition started (emptied then, as {@link RashpaController.frames}).
   */
  readonly notifications: ControllerNotification[] = [];

  readonly #switch: PcieSwitch;
  readonly #options: RashpaControllerOptions;
  readonly #notify: ((n: ControllerNotification) => void)[] = [];
  readonly #irq: ((irq: ControllerIrq, at: SimTime) => void)[] = [];
  readonly #setupPs: SimTime;
  readonly #btdPs: SimTime;
  readonly #datapathBps: number;
  #diu: DiuConfig | undefined;
  #ddr: Ddr | undefined;
  /** DDR slots the DIU has filled in this acquisition (only the DIU writes the DDR). */
  #slotFilled = new Uint8Array(0);
  #channels: ChannelState[] = [];
  #queue: PendingFrame[] = [];
  #frameRefs = new Map<number, number>();
  #nextFrame = 0;
  #diuWaiting = false;
  #bsuBusy = false;
  #running = false;
  #startPs: SimTime = 0;
  #bytesSent = 0;
  #transferActive = false;
  #atuBytes: Uint8Array | undefined;
  /** Wire path: the buffer each TLP is encoded into (the largest MWr: 4-DW header, 4096 bytes). */
  readonly #wire = new Uint8Array(16 + 4096);
  readonly #wireView = new DataView(this.#wire.buffer);
  /** The MWr of the wire path, built in one object TLP after TLP (encoded before the next). */
  readonly #mwr = new MemoryWriteBuilder();
  #dpBytes = -1;
  readonly #runs = emptyMwrRuns();
  #dpTime: SimTime = 0;
  #endSent = false;
  #acquired = 0;
  #linkWindows: LinkDownWindow[] = [];
  #linkIsUp = true;
  #bsuWaitLink = false;
  #deferred: (() => void)[] = [];
  #poison = new Set<number>();
  #dataTlps = 0;

  /**
   * @param options - the switch, link, timing parameters and speed
   * @throws RashpaModelError for an invalid link or parameter set
   */
  constructor(options: RashpaControllerOptions) {
    this.#options = options;
    this.#switch = options.pcieSwitch;
    this.sim = options.simulator ?? new Simulator();
    this.speed = options.speed ?? "fast";
    this.parameters = options.parameters ?? ESRF_2013_GEN2X4.parameters;
    checkRashpaPcieParameters(this.parameters);
    const l = options.link ?? "gen2x4";
    this.linkConfig = typeof l === "string" ? parsePcieLink(l) : parsePcieLink(pcieLinkName(l));
    const { generation, width } = this.linkConfig;
    if (generation > 5)
      throw new ControllerConfigError("link", "generation 1–5 (framed TLPs)", `gen${generation}`);
    this.link = new SerialLink(this.sim, {
      name: `pcie-${pcieLinkName(this.linkConfig)}`,
      bitsPerSecond: laneRate(generation, width),
      overheadBytes: TLP_FRAMING_BYTES,
    });
    this.credits =
      options.credits === undefined
        ? undefined
        : new CreditPool(this.sim, {
            name: "posted",
            header: options.credits.header,
            data: options.credits.data,
            returnLatency: options.credits.returnLatencyPs,
          });
    const p = this.parameters;
    const hz = p.fabricClockMHz * 1e6;
    this.#setupPs = cyclesToPs(
      p.registerAccessesPerTransfer * p.cyclesPerRegisterAccess + p.transferLatencyCycles,
      hz,
    );
    this.#btdPs = cyclesToPs(p.btdCycles, hz);
    this.#datapathBps = p.datapathBits * hz;
    this.registers = new RegisterFile(CONTROLLER_MAP);
    this.hw = controllerRegistersHardware(this.registers.hardwareBus);
    this.registers.watch(this.hw.global.control.path, (e) => {
      const enable = (e.after & 1) !== 0;
      if (enable && (e.before & 1) === 0) this.#start();
      if (!enable || (e.pulses & 4) !== 0) this.#stop();
    });
    this.registers.watch(this.hw.global.irqRaw.path, () => this.#updateIrq());
    // global.time-lo: controller time in ns since the start; reading it latches time-hi.
    this.registers.onRead(this.hw.global.timeLo.path, () => {
      const ns = Math.floor((this.sim.now() - this.#startPs) / PS_PER_NS);
      this.hw.global.timeLo.write(ns % 2 ** 32);
      this.hw.global.timeHi.write(Math.floor(ns / 2 ** 32));
    });
    this.registers.watch(this.hw.global.irqEnable.path, () => this.#updateIrq());
    // The CDMA's counters are brought up to date when software reads them: transfers run
    // inline between events, so the values are exact at any read.
    const bsu = this.hw.bsu;
    // So are the state and counter registers that change per block or per frame: the model
    // keeps them as plain state and writes them when software reads them.
    const publish = (path: string, write: () => void): void =>
      void this.registers.onRead(path, write);
    publish(bsu.transfers.path, () =>
      bsu.transfers.writeFields({ value: this.counters.transfers >>> 0 }),
    );
    publish(bsu.bytesLo.path, () => bsu.bytesLo.writeFields({ value: this.#bytesSent % 2 ** 32 }));
    publish(bsu.bytesHi.path, () =>
      bsu.bytesHi.writeFields({ value: Math.floor(this.#bytesSent / 2 ** 32) }),
    );
    publish(bsu.status.path, () =>
      bsu.status.modify({ busy: this.#bsuBusy, transfersInFlight: this.#transferActive ? 1 : 0 }),
    );
    publish(this.hw.global.status.path, () => this.#publishGlobalStatus());
    publish(this.hw.diu.framesAcquired.path, () =>
      this.hw.diu.framesAcquired.writeFields({ value: this.#acquired >>> 0 }),
    );
    this.hw.bgu.channel.forEach((r, n) => {
      const state = (): ChannelState | undefined => this.#channels.find((c) => c.index === n);
      publish(r.status.path, () => {
        const c = state();
        if (c !== undefined)
          r.status.modify({
            busy: c.busy,
            ringFull: c.ringFull,
            stalled: c.stalled,
            lastAtuIndex: c.lastAtu,
          });
      });
      publish(r.blocksSent.path, () => {
        const c = state();
        if (c !== undefined) r.blocksSent.writeFields({ value: c.blocks >>> 0 });
      });
      publish(r.framesSent.path, () => {
        const c = state();
        if (c !== undefined) r.framesSent.writeFields({ value: c.sent >>> 0 });
      });
    });
    // Back-pressure: a release by the receiver may let a stalled channel go on.
    for (const c of this.hw.bgu.channel)
      this.registers.watch(c.framesReleased.path, () => {
        if (this.#queue[0]?.stalled === true) this.#bsuNext();
      });
  }

  /**
   * Injects a data-link outage (DL_Down at `atPs`, DL_Up `durationPs` later; pcie.md §6).
   * With PCIe semantics the transaction layer discards every TLP in flight or queued at
   * DL_Down and every TLP issued while the link is down (posted writes are lost, nothing is
   * replayed): the data TLPs are counted in `bsu.lost-tlps`, each frame that lost data is
   * reported by an `error` record (status 5, info the first lost address), counted in its
   * channel's `frames-errored` and ends with an end-of-frame record of status 4, never 0; its
   * remaining blocks are skipped. The BSU starts no block while the link is down; after DL_Up
   * the acquisition continues with the next frame. `global.status.linkUp` follows the link,
   * `irq-raw.linkDown` and `global.link-down-count` count the outage. The event channel holds
   * its records while the link is down and writes them at DL_Up: the `link-down` record, the
   * records held meanwhile, then `link-up` (info of both: the DL_Down time in ns); an event
   * record whose write was discarded is written again into the same slot.
   *
   * @param atPs - simulated time of DL_Down (not in the past)
   * @param durationPs - time until DL_Up, > 0
   * @throws ControllerConfigError for a time in the past, a non-positive duration or a window
   *   overlapping one already injected
   */
  injectLinkDown(atPs: SimTime, durationPs: SimTime): void {
    if (!Number.isSafeInteger(atPs) || atPs < this.sim.now())
      throw new ControllerConfigError(
        "injectLinkDown.atPs",
        `an integer time ≥ ${this.sim.now()} ps`,
        String(atPs),
      );
    if (!Number.isSafeInteger(durationPs) || durationPs <= 0)
      throw new ControllerConfigError(
        "injectLinkDown.durationPs",
        "an integer > 0",
        String(durationPs),
      );
    const w: LinkDownWindow = { down: atPs, up: atPs + durationPs };
    for (const o of this.#linkWindows)
      if (w.down < o.up && o.down < w.up)
        throw new ControllerConfigError(
          "injectLinkDown.atPs",
          `a window not overlapping [${o.down}, ${o.up}) ps`,
          `[${w.down}, ${w.up}) ps`,
        );
    this.#linkWindows.push(w);
    this.sim.schedule(w.down, () => this.#linkDown(w));
    this.sim.schedule(w.up, () => this.#linkUp(w));
  }

  /**
   * Sends data TLP number `index` (0-based, counting the data MWr TLPs of the acquisition, not
   * event records) poisoned: EP = 1 in its header (pcie.md §2), as an endpoint forwards data it
   * knows to be corrupt. On the wire path the TLP is built with EP = 1 and
   * {@link PcieSwitch.deliver} drops its data; the fast path does the same through
   * {@link PcieSwitch.writePoisoned}. The TLP is counted in `bsu.poisoned-tlps`, its frame is
   * reported by an `error` record (status 6, info the TLP's address), counted in
   * `frames-errored` and ends with an end-of-frame record of status 4.
   *
   * @param index - data TLP number, a non-negative integer
   * @throws ControllerConfigError for a negative or non-integer index
   */
  injectPoisonedTlp(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new ControllerConfigError("injectPoisonedTlp.index", "an integer ≥ 0", String(index));
    this.#poison.add(index);
  }

  /** Whether the data link is up (DL_Up). */
  get linkUp(): boolean {
    return this.#linkIsUp;
  }

  #linkDown(w: LinkDownWindow): void {
    this.#linkIsUp = false;
    this.counters.linkDowns++;
    this.hw.global.linkDownCount.writeFields({ value: this.counters.linkDowns >>> 0 });
    this.#raise("linkDown");
    this.#event("link-down", 255, 0, EVENT_STATUS.ok, this.#nsSinceStart(w.down));
  }

  #linkUp(w: LinkDownWindow): void {
    this.#linkIsUp = true;
    const held = this.#deferred;
    this.#deferred = [];
    for (const f of held) f();
    this.#event("link-up", 255, 0, EVENT_STATUS.ok, this.#nsSinceStart(w.down));
    if (this.#bsuWaitLink) {
      this.#bsuWaitLink = false;
      this.#bsuNext();
    }
  }

  /** Controller time of `at` in ns since the acquisition started (0 before it). */
  #nsSinceStart(at: SimTime): bigint {
    return BigInt(Math.max(0, Math.floor((at - this.#startPs) / PS_PER_NS)));
  }

  /** A TLP issued now and leaving the link at `end` is discarded by a DL_Down (pcie.md §6). */
  #discarded(end: SimTime): boolean {
    const now = this.sim.now();
    for (const w of this.#linkWindows) if (now < w.up && end > w.down) return true;
    return false;
  }

  /**
   * Subscribes to event-record notifications (the MSI after each record reaches the receiver).
   *
   * @param listener - called at the simulated time the record arrived
   * @returns a function that unsubscribes
   */
  onNotification(listener: (n: ControllerNotification) => void): () => void {
    this.#notify.push(listener);
    return () => void this.#notify.splice(this.#notify.indexOf(listener), 1);
  }

  /**
   * Subscribes to interrupts: called when an enabled `irq-raw` bit rises in `irq-status`.
   *
   * @param listener - receives the source and the simulated time
   * @returns a function that unsubscribes
   */
  onInterrupt(listener: (irq: ControllerIrq, at: SimTime) => void): () => void {
    this.#irq.push(listener);
    return () => void this.#irq.splice(this.#irq.indexOf(listener), 1);
  }

  /** The DIU configuration of the running (or last) acquisition. */
  get diu(): DiuConfig | undefined {
    return this.#diu;
  }

  /** Simulated time the acquisition started (global enable), ps. */
  get startPs(): SimTime {
    return this.#startPs;
  }

  /** Runs the simulation until nothing is left to do (or until `until`), returns events run. */
  run(until?: SimTime): number {
    return this.sim.run(until);
  }

  // ---------------------------------------------------------------- start / stop

  #start(): void {
    const hw = this.hw;
    const diu = diuConfigFromRegisters(
      hw,
      this.#options.ddrBytes === undefined ? {} : { ddrBytes: this.#options.ddrBytes },
    );
    publishDiuLayout(hw, diu);
    const before = this.#diu;
    this.#diu = diu;
    // The DDR is kept from one acquisition to the next when its ring is the same, and so are
    // the patterns in its slots when the frames are the same (only the DIU writes the DDR).
    const ddr = this.#ddr;
    if (
      ddr !== undefined &&
      before !== undefined &&
      ddr.size === diu.ddrBytes &&
      ddr.ringBase === diu.ringBase &&
      ddr.slots === diu.ringSlots &&
      ddr.slotBytes === diu.frameBytes
    ) {
      ddr.reset();
      if (!sameFrames(before, diu)) this.#slotFilled.fill(0);
    } else {
      this.#ddr = new Ddr(diu);
      this.#slotFilled = new Uint8Array(diu.ringSlots);
    }
    const maxTransfer = hw.bsu.maxTransfer.readFields().bytes;
    if (maxTransfer < 8)
      throw new ControllerConfigError("bsu.max-transfer.bytes", "8 or more", String(maxTransfer));
    this.#channels = [];
    for (let n = 0; n < hw.bgu.channel.length; n++) {
      const c = hw.bgu.channel[n]!;
      const control = c.control.readFields();
      if (!control.enable) continue;
      const plan = channelPlanFromRegisters(hw, n, diu);
      const range = c.atuRange.readFields();
      const framesPerEntry = c.ring.readFields().framesPerEntry;
      if (range.count < 1)
        throw new ControllerConfigError(`bgu.channel[${n}].atu-range.count`, "1 or more", "0");
      if (framesPerEntry < 1)
        throw new ControllerConfigError(`bgu.channel[${n}].ring.framesPerEntry`, "1 or more", "0");
      const depth = Math.min(0xffff, range.count * framesPerEntry);
      c.ring.modify({ depth });
      this.#channels.push({
        index: n,
        plan,
        mode: plan.mode,
        notify: control.notify,
        decimation: control.decimation,
        atuFirst: range.first,
        atuCount: range.count,
        framesPerEntry,
        depth,
        backPressure: control.backPressure,
        errored: 0,
        stalls: 0,
        sent: 0,
        dropped: 0,
        blocks: 0,
        done: false,
        busy: false,
        ringFull: false,
        stalled: false,
        lastAtu: 0,
      });
    }
    this.#queue = [];
    this.frames.length = 0;
    this.notifications.length = 0;
    this.#frameRefs.clear();
    this.#nextFrame = 0;
    this.#acquired = 0;
    this.#endSent = false;
    this.#running = true;
    this.#startPs = this.sim.now();
    this.sim.scheduleAfter(0, () => this.#diuFrame());
    const periodUs = hw.event.timerPeriod.readFields().microseconds;
    if (periodUs > 0) this.#timer(periodUs * PS_PER_US, 1);
  }

  /**
   * Timer events (`event.timer-period`, mask bit 8): a `timer` record every period while the
   * acquisition runs — a heartbeat while frames are slow to come. Info: the tick number;
   * frame: the next frame the DIU will take.
   */
  #timer(periodPs: SimTime, tick: number): void {
    this.sim.scheduleAfter(periodPs, () => {
      if (!this.#running || this.#endSent) return;
      this.#event("timer", 255, this.#nextFrame, EVENT_STATUS.ok, BigInt(tick));
      this.#timer(periodPs, tick + 1);
    });
  }

  #stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#queue = this.#queue.filter((q) => q.next > 0);
    this.#maybeEnd();
  }

  /** Publishes `global.status` (on software reads, see the constructor). */
  #publishGlobalStatus(): void {
    let active = 0;
    for (const c of this.#channels) if (!c.done && this.#running) active |= 1 << c.index;
    this.hw.global.status.modify({
      running: this.#running,
      idle: !this.#bsuBusy && this.#queue.length === 0,
      linkUp: this.#linkIsUp,
      activeChannels: active,
    });
  }

  // ---------------------------------------------------------------- DIU

  #diuFrame(): void {
    const diu = this.#diu!;
    const ddr = this.#ddr!;
    if (!this.#running) return;
    const f = this.#nextFrame;
    if (diu.frameCount !== 0 && f >= diu.frameCount) return;
    const slot = ddr.tryAllocateFrame(f);
    if (slot === undefined) {
      if (diu.framePeriodPs === 0) {
        this.#diuWaiting = true; // as fast as DDR accepts: retry when a slot is released
        return;
      }
      this.hw.diu.framesDropped.writeFields({
        value: this.hw.diu.framesDropped.readFields().value + 1,
      });
      this.#raise("diuOverrun");
      this.#event("overrun", 255, f, EVENT_STATUS.ok, 1n);
    } else {
      // A slot the DIU filled before in this acquisition holds the pattern already.
      const s = ddr.slotOf(f);
      if (this.#slotFilled[s] === 1) regenerateFrame(diu, f, slot);
      else {
        generateFrame(diu, f, slot);
        this.#slotFilled[s] = 1;
      }
      this.#acquired++;
      this.#dispatchFrame(f);
    }
    this.#nextFrame = f + 1;
    const last = diu.frameCount !== 0 && f + 1 >= diu.frameCount;
    if (last) {
      for (const c of this.#channels) if (!this.#queue.some((q) => q.channel === c)) c.done = true;
      this.#maybeEnd();
      return;
    }
    if (diu.framePeriodPs === 0) this.sim.scheduleAfter(0, () => this.#diuFrame());
    else this.sim.schedule(this.#startPs + (f + 1) * diu.framePeriodPs, () => this.#diuFrame());
  }

  /** BGU: each channel takes the frame (decimation, receiver ring) and queues its blocks. */
  #dispatchFrame(f: number): void {
    const diu = this.#diu!;
    const lastFrame = diu.frameCount !== 0 && f + 1 >= diu.frameCount;
    let refs = 0;
    for (const c of this.#channels) {
      const every = c.decimation + 1;
      if (f % every !== 0) continue;
      const k = f / every;
      c.busy = true;
      this.#queue.push({
        channel: c,
        frame: f,
        k,
        last: lastFrame,
        next: 0,
        startPs: 0,
        faults: 0,
        stalled: false,
        lostAt: undefined,
        poisonedAt: undefined,
      });
      refs++;
    }
    if (refs === 0) this.#releaseFrame(f);
    else this.#frameRefs.set(f, refs);
    this.#bsuNext();
  }

  /**
   * Receiver-ring flow control when a channel starts a frame: frame k is written only while
   * k − frames-released < depth; otherwise it is dropped and reported (`frames-dropped`,
   * `status.ringFull`, an `overrun` event record whose info is the channel's drop count).
   */
  #ringFull(q: PendingFrame): boolean {
    const c = q.channel;
    const r = this.hw.bgu.channel[c.index]!;
    const released = r.framesReleased.readFields().value;
    const full = q.k - released >= c.depth;
    c.ringFull = full;
    c.stalled = full && c.backPressure;
    if (!full) {
      q.stalled = false;
      return false;
    }
    if (c.backPressure) {
      if (!q.stalled) {
        q.stalled = true;
        c.stalls++;
        this.counters.stalls++;
        r.stalls.writeFields({ value: c.stalls >>> 0 });
      }
      return true;
    }
    c.dropped++;
    r.framesDropped.writeFields({ value: c.dropped });
    this.#event("overrun", c.index, q.frame, EVENT_STATUS.ok, BigInt(c.dropped));
    return true;
  }

  #unref(f: number): void {
    const refs = this.#frameRefs.get(f)! - 1;
    if (refs === 0) {
      this.#frameRefs.delete(f);
      this.#releaseFrame(f);
    } else this.#frameRefs.set(f, refs);
  }

  #channelDone(c: ChannelState): void {
    c.done = true;
    c.busy = false;
  }

  #releaseFrame(f: number): void {
    this.#ddr!.release(f);
    if (this.#diuWaiting) {
      this.#diuWaiting = false;
      this.sim.scheduleAfter(0, () => this.#diuFrame());
    }
  }

  // ---------------------------------------------------------------- BSU

  #btdOf(q: PendingFrame, i: number): BtdDma | BtdRoi {
    const c = q.channel;
    const e = blockExtent(c.plan, i);
    const entrySlot = Math.floor(q.k / c.framesPerEntry);
    const atuIndex = c.atuFirst + (entrySlot % c.atuCount);
    const offset = BigInt((q.k % c.framesPerEntry) * c.plan.windowBytes + e.destOffset);
    const last = i === c.plan.count - 1;
    const source = BigInt(this.#ddr!.frameAddress(q.frame) + e.offset);
    // Object literals, not a spread of the common fields: spreading a ten-field object costs
    // microseconds per BTD in V8, and this runs for every block.
    if (c.mode === "roi")
      return {
        kind: "roi",
        layout: "roi",
        size: e.length,
        channel: c.index,
        sof: i === 0,
        eof: last,
        eoa: last && q.last,
        notify: last && c.notify,
        block: i,
        frame: q.frame,
        atuIndex,
        offset,
        source,
        lineBytes: e.lineBytes,
        pitch: e.pitch,
      };
    return {
      kind: "image",
      layout: "dma",
      size: e.length,
      channel: c.index,
      sof: i === 0,
      eof: last,
      eoa: last && q.last,
      notify: last && c.notify,
      block: i,
      frame: q.frame,
      atuIndex,
      offset,
      source,
    };
  }

  #bsuNext(): void {
    if (this.#bsuBusy) return;
    const q = this.#queue[0];
    if (q === undefined) {
      this.#maybeEnd();
      return;
    }
    if (!this.#linkIsUp) {
      this.#bsuWaitLink = true; // DL_Down: no block starts until DL_Up
      return;
    }
    if (q.next > 0 && q.lostAt !== undefined && q.next < q.channel.plan.count) {
      // DL_Down discarded part of this frame: its remaining blocks are skipped.
      q.next = q.channel.plan.count;
      this.#bsuBusy = true;
      this.#blockDone(q, this.#btdOf(q, q.next - 1));
      return;
    }
    if (q.next === 0 && this.#ringFull(q)) {
      if (q.stalled) {
        return; // back-pressure: wait for frames-released
      }
      this.#queue.shift();
      this.#unref(q.frame);
      if (q.last) this.#channelDone(q.channel);
      this.#bsuNext();
      return;
    }
    this.#bsuBusy = true;
    const i = q.next++;
    if (i === 0) q.startPs = this.sim.now();
    const btd = this.#btdOf(q, i);
    const c = q.channel;
    c.blocks++;
    this.counters.btds++;
    this.#options.recordCapture?.writePacket(
      this.sim.now(),
      encodeRashpaCaptureRecord({ kind: "btd", body: encodeBtd(btd) }),
    );
    this.sim.scheduleAfter(this.#btdPs, () => this.#bsuBlock(q, btd));
  }

  #atuEntry(index: number): AtuEntry | undefined {
    // The table's bytes are the register file's for its whole life: looked up once.
    const mem = (this.#atuBytes ??= this.registers.memory(ATU_ENTRIES_PATH));
    if (index * ATU_ENTRY_BYTES >= mem.length) return undefined;
    return decodeAtuEntry(mem, index * ATU_ENTRY_BYTES);
  }

  #bsuBlock(q: PendingFrame, btd: BtdDma | BtdRoi): void {
    const entry = this.#atuEntry(btd.atuIndex);
    const end = btd.offset + BigInt(btd.size);
    const fault: "invalid-entry" | "not-writable" | "out-of-bounds" | undefined =
      entry === undefined || !entry.valid
        ? "invalid-entry"
        : !entry.writable
          ? "not-writable"
          : end > BigInt(entry.size)
            ? "out-of-bounds"
            : undefined;
    if (fault !== undefined) {
      this.#atuFault(q, btd, fault, entry);
      this.#blockDone(q, btd);
      return;
    }
    const data = this.#blockData(btd);
    const dest = entry!.address + btd.offset;
    q.channel.lastAtu = btd.atuIndex;
    const destEnd = dest + BigInt(data.length);
    const move: BlockMove = {
      q,
      btd,
      data,
      dest,
      destNumber: destEnd <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(dest) : -1,
      maxTransfer: this.hw.bsu.maxTransfer.readFields().bytes,
      offset: 0,
      n: 0,
      setupEnd: 0,
      copied: 0,
    };
    this.#pump(move, false);
  }

  /**
   * Runs the CDMA transfers of a block (simple mode, one at a time): each takes
   * `#setupPs`, then its TLPs go on the link and it ends when the last TLP has left the link
   * and the datapath has moved its bytes. Every step is inline ({@link Simulator.advanceTo})
   * while no other event comes first, and an ordinary event otherwise, so the order of events
   * is that of one event per step. On the bulk fast path the bytes of consecutive transfers
   * are copied to the receiver in one piece before any other event can look at memory.
   *
   * @param sending - false: the next transfer starts now; true: the transfer `m.n` sends now
   */
  #pump(m: BlockMove, sending: boolean): void {
    for (;;) {
      let at: SimTime;
      if (!sending) {
        this.#transferActive = false;
        if (m.offset >= m.data.length) {
          this.#flush(m);
          this.#blockDone(m.q, m.btd);
          return;
        }
        if (this.#closedForm(m) && this.#transferRun(m) > 0) continue;
        const toPage = PAGE_BYTES - this.#pageOffset(m, m.offset);
        m.n = Math.min(m.data.length - m.offset, m.maxTransfer, toPage);
        this.#transferActive = true;
        this.counters.transfers++;
        this.counters.payloadBytes += m.n;
        at = this.sim.now() + this.#setupPs;
        m.setupEnd = at;
        sending = true;
      } else {
        if (this.#options.onTransfer !== undefined)
          this.#options.onTransfer(m.dest + BigInt(m.offset), m.n, this.sim.now());
        const lastEnd = this.#sendTransfer(m);
        if (lastEnd === undefined) return; // waiting for credits: #transferSent resumes
        at = this.#transferSent(m, lastEnd);
        sending = false;
      }
      if (!this.sim.advanceTo(at)) {
        this.#flush(m);
        const resume = sending;
        this.sim.schedule(at, () => this.#pump(m, resume));
        return;
      }
    }
  }

  /** Whether the block's transfers may be accounted in closed form (bulk fast path). */
  #closedForm(m: BlockMove): boolean {
    return this.speed === "fast" && this.#bulk() && this.credits === undefined && m.destNumber >= 0;
  }

  /**
   * Moves, in closed form, the run of equal transfers that starts now: same size, same
   * address mod 4 and header size, hence the same TLPs and the same period `setup + max(link
   * time, datapath time)`, as far as no other event comes in between. Leaves the clock at the
   * end of the last one and returns how many were moved (0: take one step at a time).
   */
  #transferRun(m: BlockMove): number {
    const now = this.sim.now();
    const link = this.link;
    const firstStart = now + this.#setupPs;
    if (link.busyUntil > firstStart) return 0;
    const a = m.destNumber + m.offset;
    const left = m.data.length - m.offset;
    const n = Math.min(left, m.maxTransfer, PAGE_BYTES - (a % PAGE_BYTES));
    const mps = this.parameters.maxPayloadSize;
    const runs = mwrRuns(a, n, mps, this.#runs);
    const extra = this.parameters.ecrc ? 4 : 0;
    const header = mwrHeaderBytes(a);
    const fullBytes = header + runs.fullBytes + extra;
    const lastBytes = header + runs.lastBytes + extra;
    const burst = link.burstTime(runs.full, fullBytes, 1, lastBytes);
    const dp = this.#datapathTime(n);
    const period = this.#setupPs + (burst > dp ? burst : dp);
    const next = this.sim.peek();
    // Every step of the run (setup ends and transfer ends) must come before the next event.
    let max = Math.floor(left / n);
    if (next !== undefined) max = Math.min(max, Math.floor((next - 1 - now) / period));
    // The following transfers are equal while the split gives them the same size (page,
    // max-transfer, bytes left) and the same header size.
    // (The page offset is carried from one transfer to the next: a floating-point % per
    // transfer cost more than the rest of the run.)
    let k = 1;
    if (max >= 1 && n % 4 === 0)
      for (let po = a % PAGE_BYTES; k < max; k++) {
        po += n; // n ≤ PAGE_BYTES
        if (po >= PAGE_BYTES) po -= PAGE_BYTES;
        if (Math.min(left - k * n, m.maxTransfer, PAGE_BYTES - po) !== n) break;
        if (mwrHeaderBytes(a + k * n) !== header) break;
      }
    const count = Math.min(k, max);
    if (count < 1) return 0;
    link.transmitBursts(firstStart, period, count, runs.full, fullBytes, 1, lastBytes);
    const tlps = count * (runs.full + 1);
    this.counters.transfers += count;
    this.counters.payloadBytes += count * n;
    this.counters.tlps += tlps;
    this.counters.wireBytes +=
      count * (runs.full * fullBytes + lastBytes) + tlps * link.overheadBytes;
    this.#dataTlps += tlps;
    const hook = this.#options.onTransfer;
    if (hook !== undefined)
      for (let j = 0; j < count; j++)
        hook(m.dest + BigInt(m.offset + j * n), n, firstStart + j * period);
    m.offset += count * n;
    this.#bytesSent += count * n;
    this.#transferActive = false;
    if (!this.sim.advanceTo(now + count * period))
      throw new Error("internal: a closed-form transfer run passed a pending event");
    return count;
  }

  /** The transfer `m.n` has all its TLPs on the link (the last ends at `lastEnd`); returns when it is done. */
  #transferSent(m: BlockMove, lastEnd: SimTime): SimTime {
    m.offset += m.n;
    this.#bytesSent += m.n;
    const dpEnd = m.setupEnd + this.#datapathTime(m.n);
    const now = this.sim.now();
    return lastEnd > dpEnd ? (lastEnd > now ? lastEnd : now) : dpEnd > now ? dpEnd : now;
  }

  /** Destination address of byte `offset` of the block modulo 4 KiB. */
  #pageOffset(m: BlockMove, offset: number): number {
    return m.destNumber >= 0
      ? (m.destNumber + offset) % PAGE_BYTES
      : Number((m.dest + BigInt(offset)) % BigInt(PAGE_BYTES));
  }

  /** Datapath time of `bytes` (memoised for the last size: transfers are mostly the same size). */
  #datapathTime(bytes: number): SimTime {
    if (bytes !== this.#dpBytes) {
      this.#dpBytes = bytes;
      this.#dpTime = transmissionTime(bytes, this.#datapathBps);
    }
    return this.#dpTime;
  }

  /** Copies the bytes the block sent so far and has not copied yet (bulk fast path). */
  #flush(m: BlockMove): void {
    if (m.copied >= m.offset) return;
    if (this.speed === "fast" && this.#bulk())
      this.#switch.write(m.dest + BigInt(m.copied), m.data.subarray(m.copied, m.offset));
    m.copied = m.offset;
  }

  /** Whether the fast path may copy whole runs of transfers (no TLP is treated on its own). */
  #bulk(): boolean {
    return this.#linkWindows.length === 0 && this.#poison.size === 0;
  }

  /**
   * Puts the TLPs of the transfer `m.n` on the link. Returns the end of the last one, or
   * `undefined` when credits are short (then {@link RashpaController.#pump} resumes later).
   */
  #sendTransfer(m: BlockMove): SimTime | undefined {
    const offset = m.offset;
    if (this.speed === "fast" && this.#bulk() && this.credits === undefined && m.destNumber >= 0) {
      // Closed form: a transfer stays in one 4 KiB page, so its TLPs share one header size
      // and all but the last carry MPS bytes (the split of planWrite, pcie.md §8.1).
      const address = m.destNumber + offset;
      const runs = mwrRuns(address, m.n, this.parameters.maxPayloadSize, this.#runs);
      const extra = this.parameters.ecrc ? 4 : 0;
      const header = mwrHeaderBytes(address);
      const link = this.link;
      link.transmitRepeated(header + runs.fullBytes + extra, runs.full);
      const end = link.transmitRepeated(header + runs.lastBytes + extra, 1);
      const count = runs.full + 1;
      this.counters.tlps += count;
      this.counters.wireBytes +=
        count * (header + extra + link.overheadBytes) + runs.full * runs.fullBytes + runs.lastBytes;
      this.#dataTlps += count;
      return end;
    }
    const part = m.data.subarray(offset, offset + m.n);
    if (this.speed === "fast" && this.#bulk()) {
      // TLP by TLP (credits): the transfer's bytes go to the receiver as it starts sending.
      this.#flush(m);
      this.#switch.write(m.dest + BigInt(offset), part);
      m.copied = offset + m.n;
    }
    let sent: SimTime | undefined;
    let waiting = false;
    this.#sendWrite(m.dest + BigInt(offset), part, m.q, true, (lastEnd) => {
      if (!waiting) {
        sent = lastEnd;
        return;
      }
      const at = this.#transferSent(m, lastEnd);
      if (this.sim.advanceTo(at)) this.#pump(m, false);
      else this.sim.schedule(at, () => this.#pump(m, false));
    });
    waiting = sent === undefined;
    return sent;
  }

  #blockData(btd: BtdDma | BtdRoi): Uint8Array {
    const ddr = this.#ddr!;
    if (btd.layout === "dma") return ddr.view(Number(btd.source), btd.size);
    const lines = btd.size / btd.lineBytes;
    // One block moves at a time: the gathered ROI lines go into the gather area reused from
    // block to block (a new 32 KiB buffer per block costs more than the gather itself).
    const out = ddr.gatherArea(btd.size);
    const frameBase = ddr.frameAddress(btd.frame);
    const frame = ddr.frameView(btd.frame);
    gatherBlock(
      frame,
      {
        offset: Number(btd.source) - frameBase,
        length: btd.size,
        lines,
        lineBytes: btd.lineBytes,
        pitch: btd.pitch,
        destOffset: 0,
      },
      out,
      0,
    );
    return out;
  }

  #atuFault(
    q: PendingFrame,
    btd: BtdDma | BtdRoi,
    kind: "invalid-entry" | "not-writable" | "out-of-bounds",
    entry: AtuEntry | undefined,
  ): void {
    q.faults++;
    this.counters.atuFaults++;
    const f = this.hw.atu.fault.readFields();
    if (!f.valid)
      this.hw.atu.fault.writeFields({
        index: btd.atuIndex,
        kind,
        channel: btd.channel,
        valid: true,
      });
    this.hw.bgu.channel[btd.channel]!.status.modify({ fault: true });
    this.#raise("atuFault");
    const status =
      kind === "invalid-entry"
        ? EVENT_STATUS.atuInvalidEntry
        : kind === "not-writable"
          ? EVENT_STATUS.atuNotWritable
          : EVENT_STATUS.atuOutOfBounds;
    const failing = entry === undefined ? btd.offset : entry.address + btd.offset;
    this.#event("error", btd.channel, btd.frame, status, failing);
  }

  #blockDone(q: PendingFrame, btd: BtdDma | BtdRoi): void {
    this.#bsuBusy = false;
    const c = q.channel;
    if (btd.eof) {
      this.#queue.shift();
      const bytes = c.plan.windowBytes;
      if (q.lostAt !== undefined)
        this.#event("error", c.index, q.frame, EVENT_STATUS.linkDown, q.lostAt);
      if (q.poisonedAt !== undefined)
        this.#event("error", c.index, q.frame, EVENT_STATUS.poisonedTlp, q.poisonedAt);
      const errored = q.faults > 0 || q.lostAt !== undefined || q.poisonedAt !== undefined;
      if (!errored) {
        c.sent++;
      } else {
        c.errored++;
        this.counters.framesErrored++;
        this.hw.bgu.channel[c.index]!.framesErrored.writeFields({ value: c.errored >>> 0 });
      }
      this.frames.push({
        channel: c.index,
        frame: q.frame,
        bytes,
        startPs: q.startPs,
        donePs: this.sim.now(),
        faults: q.faults,
        linkLost: q.lostAt !== undefined,
        poisoned: q.poisonedAt !== undefined,
      });
      this.#raise("frameDone");
      if (btd.notify)
        this.#event(
          c.mode === "roi" ? "end-of-roi" : "end-of-frame",
          c.index,
          q.frame,
          errored ? EVENT_STATUS.incompleteFrame : EVENT_STATUS.ok,
          BigInt(bytes),
        );
      this.#unref(q.frame);
      if (btd.eoa) this.#channelDone(c);
    }
    this.#bsuNext();
  }

  #maybeEnd(): void {
    if (this.#endSent || this.#bsuBusy || this.#queue.length > 0) return;
    const diu = this.#diu;
    if (diu === undefined) return;
    const diuDone = !this.#running || (diu.frameCount !== 0 && this.#nextFrame >= diu.frameCount);
    if (!diuDone) return;
    this.#endSent = true;
    for (const c of this.#channels) {
      c.done = true;
      c.busy = false;
      c.stalled = false;
    }
    this.#running = false;
    this.#raise("acquisitionDone");
    this.#event("end-of-acquisition", 255, Math.max(0, this.#nextFrame - 1), EVENT_STATUS.ok, 0n);
  }

  // ---------------------------------------------------------------- CDMA and PCIe

  /**
   * Sends a memory write as MWr TLPs (planWrite, pcie.md §8.1) on the link; `onSent` receives
   * the time the last TLP ends. Fast path: one bulk copy (per TLP while faults are injected);
   * wire path: every TLP built, encoded, decoded and delivered, and captured. A TLP discarded
   * by a DL_Down is not delivered and is noted in `sink.lostAt`; a data TLP chosen by
   * {@link RashpaController.injectPoisonedTlp} goes with EP = 1 and is noted in `sink.poisonedAt`.
   */
  #sendWrite(
    address: bigint,
    data: Uint8Array,
    sink: WriteSink,
    isData: boolean,
    onSent: (lastEnd: SimTime) => void,
  ): void {
    const plan = planWrite(address, data.length, this.parameters.maxPayloadSize);
    const ecrc = this.parameters.ecrc ? 4 : 0;
    const bulk = this.#linkWindows.length === 0 && this.#poison.size === 0;
    // Data: the block's bytes are copied by #flush (runs of transfers at once).
    if (this.speed === "fast" && bulk && !isData) this.#switch.write(address, data);
    const slice = plan.tlpAt(0);
    let i = 0;
    let lastEnd: SimTime = this.sim.now();
    const wire = this.speed === "wire";
    /** Bytes of TLP `s` on the link: header (3 or 4 DW by address), payload, ECRC. */
    const sizeOf = (s: TlpSlice): number => {
      const an = plan.addressNumberAt(s.offset);
      return mwrHeaderBytes(an >= 0 ? an : plan.addressAt(s.offset)) + s.lengthDw * 4 + ecrc;
    };
    /** Sends TLP `idx` of `size` bytes on the link ({@link sizeOf}), whose last bit leaves it at `end`. */
    const emit = (idx: number, end: SimTime, size: number): void => {
      plan.tlpAt(idx, slice);
      // A number below 2^53 (no bigint per TLP), else a bigint.
      const an = plan.addressNumberAt(slice.offset);
      const a: number | bigint = an >= 0 ? an : plan.addressAt(slice.offset);
      const poisoned = isData && this.#poison.size > 0 && this.#poison.has(this.#dataTlps);
      if (isData) this.#dataTlps++;
      // The TLP's payload view (data.subarray(slice.offset, slice.offset + slice.byteLength)) is
      // made only where the TLP is built or copied on its own: the bulk fast path copied the
      // whole transfer already, so it allocates nothing per TLP.
      if (wire) {
        const encoded = this.#encodeWire(
          a,
          new Uint8Array(data.buffer, data.byteOffset + slice.offset, slice.byteLength),
          poisoned,
        );
        // The link was charged from the plan: the TLP the codec built must be that size.
        if (encoded + ecrc !== size)
          throw new Error(`internal: a ${encoded}-byte TLP was timed as ${size - ecrc} bytes`);
      }
      this.counters.tlps++;
      this.counters.wireBytes += size + this.link.overheadBytes;
      lastEnd = end;
      if (this.#linkWindows.length > 0 && this.#discarded(end)) {
        this.counters.lostTlps++;
        this.hw.bsu.lostTlps.writeFields({ value: this.counters.lostTlps >>> 0 });
        sink.lostAt ??= BigInt(a);
        return;
      }
      if (poisoned) {
        this.counters.poisonedTlps++;
        this.hw.bsu.poisonedTlps.writeFields({ value: this.counters.poisonedTlps >>> 0 });
        sink.poisonedAt ??= BigInt(a);
      }
      if (wire) this.#deliverWire();
      else if (!bulk) {
        if (poisoned) this.#switch.writePoisoned(BigInt(a), slice.byteLength);
        else
          this.#switch.write(
            BigInt(a),
            data.subarray(slice.offset, slice.offset + slice.byteLength),
          );
      }
      if (wire && this.#options.tlpCapture !== undefined)
        this.#options.tlpCapture.writePacket(
          end,
          encodePcieCaptureRecord({
            direction: "upstream",
            port: this.#options.capturePort ?? 0,
            tlp: this.#wire.subarray(0, size - ecrc),
          }),
        );
    };
    const pool = this.credits;
    if (pool === undefined) {
      // Without flow control the TLPs go back to back: each run of equal-size TLPs is put on
      // the link at once (as that many single transmissions would be) and each TLP's end is
      // worked out from the run's.
      const probe = emptySlice();
      while (i < plan.count) {
        plan.tlpAt(i, probe);
        const size = sizeOf(probe);
        let j = i + 1;
        while (j < plan.count && sizeOf(plan.tlpAt(j, probe)) === size) j++;
        const runEnd = this.link.transmitRepeated(size, j - i);
        const occupancy = this.link.occupancy(size);
        for (; i < j; i++) emit(i, runEnd - (j - 1 - i) * occupancy, size);
      }
      onSent(lastEnd);
      return;
    }
    const step = (): void => {
      while (i < plan.count) {
        const idx = i;
        let inside = true;
        let granted = false;
        plan.tlpAt(idx, slice);
        const cost: Credits = tlpCredits(slice.lengthDw * 4);
        pool.acquire(cost, () => {
          granted = true;
          plan.tlpAt(idx, slice);
          const size = sizeOf(slice);
          emit(idx, this.link.transmit(size, () => pool.release(cost)).end, size);
          if (!inside) {
            i = idx + 1;
            step();
          }
        });
        inside = false;
        if (!granted) return;
        i = idx + 1;
      }
      onSent(lastEnd);
    };
    step();
  }

  /**
   * Wire path: builds the MWr of `payload` at `address` (EP = 1 when `poisoned`, pcie.md §2)
   * and encodes it into the wire buffer; returns its size. One TLP is on its way at a time, so
   * every TLP is encoded into the same buffer (decoded views of it are delivered and captured
   * before the next one). A method of its own, as {@link RashpaController.#deliverWire}: the
   * per-TLP loop stays small enough for V8 to compile it the same way every run.
   */
  #encodeWire(address: number | bigint, payload: Uint8Array, poisoned: boolean): number {
    const tlp = this.#mwr.next(address, payload);
    return encodeTlpInto(this.#wireView, 0, poisoned ? { ...tlp, ep: true } : tlp);
  }

  /** Wire path: the switch decodes the TLP in the wire buffer and writes its bytes. */
  #deliverWire(): void {
    this.#switch.deliver(decodeTlp(this.#wire) as MemoryWriteTlp);
  }

  // ---------------------------------------------------------------- events and interrupts

  #event(
    type: EventType,
    channel: number,
    frame: number,
    status: number,
    info: bigint,
    at: SimTime = this.sim.now(),
  ): void {
    if (!this.#linkIsUp) {
      // DL_Down: the event channel holds the record until DL_Up.
      this.#deferred.push(() => this.#event(type, channel, frame, status, info, at));
      return;
    }
    const ev = this.hw.event;
    const mask = ev.mask.read();
    if ((mask & (1 << EVENT_MASK_BIT[type])) === 0) return;
    const drop = (): void => {
      this.counters.eventsDropped++;
      ev.dropped.writeFields({ value: (ev.dropped.readFields().value + 1) >>> 0 });
    };
    if (!ev.control.readFields().enable) return drop();
    const ring = ev.ring.readFields();
    const entry = this.#atuEntry(ring.atuIndex);
    if (
      entry === undefined ||
      !entry.valid ||
      !entry.writable ||
      ring.size < 2 ||
      ring.size * EVENT_BYTES > entry.size
    )
      return drop();
    const w = ev.writeIndex.readFields().value;
    const r = ev.readIndex.readFields().value;
    if ((w + 1) % ring.size === r % ring.size) {
      drop();
      this.#raise("eventRingFull");
      return;
    }
    const sequence = ev.sequence.readFields().next;
    const event: Event = {
      type,
      channel,
      status,
      frame: frame >>> 0,
      sequence,
      timestamp: this.#nsSinceStart(at),
      info,
    };
    const bytes = encodeEvent(event);
    ev.sequence.writeFields({ next: (sequence + 1) >>> 0 });
    ev.writeIndex.writeFields({ value: (w + 1) % ring.size });
    this.counters.events++;
    this.#writeRecord(entry.address + BigInt(w * EVENT_BYTES), event, bytes, w);
  }

  /** Writes one event record into its ring slot; a write discarded at DL_Down is written again. */
  #writeRecord(address: bigint, event: Event, bytes: Uint8Array, slot: number): void {
    this.#options.recordCapture?.writePacket(
      this.sim.now(),
      encodeRashpaCaptureRecord({ kind: "event", body: bytes }),
    );
    const sink: WriteSink = { lostAt: undefined, poisonedAt: undefined };
    this.#sendWrite(address, bytes, sink, false, (at) => {
      if (sink.lostAt !== undefined) {
        this.sim.schedule(Math.max(at, this.sim.now()), () => {
          const again = (): void => this.#writeRecord(address, event, bytes, slot);
          if (this.#linkIsUp) again();
          else this.#deferred.push(again);
        });
        return;
      }
      const n: ControllerNotification = { event, slot, at };
      this.notifications.push(n);
      this.sim.schedule(Math.max(at, this.sim.now()), () => {
        for (const l of [...this.#notify]) l(n);
      });
    });
  }

  #raise(irq: ControllerIrq): void {
    // Bit n of irq-raw is IRQ_BITS[n]; a source already raised changes nothing.
    const raw = this.hw.global.irqRaw.read();
    const bit = 1 << IRQ_BITS.indexOf(irq);
    if ((raw & bit) !== 0) return;
    this.hw.global.irqRaw.write(raw | bit);
    this.#updateIrq();
  }

  #updateIrq(): void {
    const raw = this.hw.global.irqRaw.read();
    const enable = this.hw.global.irqEnable.read();
    const before = this.hw.global.irqStatus.read();
    const status = raw & enable & 0xff;
    this.hw.global.irqStatus.write(status);
    const rising = status & ~before;
    if (rising !== 0)
      for (let b = 0; b < IRQ_BITS.length; b++)
        if (rising & (1 << b)) for (const l of [...this.#irq]) l(IRQ_BITS[b]!, this.sim.now());
  }
}

/** Header bytes of an MWr starting at `address`: 3 DW below 4 GiB, 4 DW above (pcie.md §2). */
function mwrHeaderBytes(address: number | bigint): number {
  const high = typeof address === "number" ? address >= 2 ** 32 : address >= 0x1_0000_0000n;
  return high ? 16 : 12;
}

/** Bits per second of a number of bytes over a simulated interval (0 for an empty interval). */
export function simulatedGbps(bytes: number, intervalPs: SimTime): number {
  return intervalPs <= 0 ? 0 : (bytes * 8 * PS_PER_S) / intervalPs / 1e9;
}
