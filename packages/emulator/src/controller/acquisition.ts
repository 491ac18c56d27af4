/**
 * The receiver side of a controller acquisition (a host that takes notifications, reads frames
 * and releases them), the throughput figures at the paper's two measuring points, and the
 * paper's demo acquisition (docs/SYSTEM.md §1 "Prototype and results": full frames to the
 * detector PC over Gen2 x4, a region of interest to an industrial PC).
 *
 * @module
 */
import { encodeAtuEntry } from "@rashpa/descriptors";
import { pcieThroughput } from "@rashpa/pcie";
import { controllerRegisters } from "@rashpa/registers";
import { gatherRoi } from "../blocks.js";
import { generateFrame, verifyFrame } from "../diu.js";
import { HostMemory, PcieSwitch } from "../host-memory.js";
import { ESRF_2013_GEN2X4 } from "../model/calibrations.js";
import {
  pcieLinkName,
  rashpaPcieModel,
  type PcieLinkConfig,
  type RashpaPcieModelResult,
  type RashpaPcieParameters,
} from "../model/pcie-path.js";
import type { PcapWriter } from "../pcap.js";
import { PS_PER_US, type SimTime } from "../sim/time.js";
import {
  RashpaController,
  simulatedGbps,
  type ControllerNotification,
  type ControllerSpeed,
} from "./controller.js";

/** Where a channel's frames land in a receiver: its ATU buffers, as librashpa set them up. */
export interface ReceiverChannel {
  /** Data channel. */
  readonly channel: number;
  /** Bus addresses of the channel's ATU entries, first to last (`atu-range`). */
  readonly buffers: readonly bigint[];
  /** Frames per entry (`ring.framesPerEntry`). */
  readonly framesPerEntry: number;
  /** Bytes of the channel's window (full frame or ROI). */
  readonly windowBytes: number;
  /** `control.decimation` of the channel. */
  readonly decimation: number;
}

/** One frame as the application saw it. */
export interface ApplicationFrame {
  /** Frame number. */
  readonly frame: number;
  /** Time the notification reached the application (MSI + driver + callback), ps. */
  readonly notifiedPs: SimTime;
  /** Time the application finished reading it, ps. */
  readonly donePs: SimTime;
  /**
   * The check of {@link ReceiverHost}'s `check` callback (true without one) for a frame reported
   * complete (status 0); false, unchecked, for a frame reported errored.
   */
  readonly ok: boolean;
  /** Status of its end-of-frame record: 0 complete, else errored (`EVENT_STATUS`). */
  readonly status: number;
}

/**
 * A receiver host running the application of one data channel: on each end-of-frame (or
 * end-of-roi) notification it waits `notificationLatencyUs` (MSI → driver → librashpa event
 * model → callback), reads the frame once at `hostReadGBps` (frames one after another on one
 * core), checks it, and releases it by writing the channel's `frames-released` through the
 * controller's software registers (docs/SYSTEM.md §1 "processor execution time adds latency";
 * the parameters of the calibration).
 */
export class ReceiverHost {
  /** Frames the application finished, in order (since construction or {@link ReceiverHost.reset}). */
  readonly frames: ApplicationFrame[] = [];
  readonly #busyUntil = { t: 0 };
  /** Frames released so far (what `frames-released` was last written to). */
  #released = 0;

  /**
   * @param controller - the controller
   * @param memory - the receiver memory
   * @param channel - the channel's buffers
   * @param parameters - host figures: notificationLatencyUs, hostReadGBps
   * @param check - checks a received frame (e.g. `verifyFrame`), given its bytes
   */
  constructor(
    controller: RashpaController,
    memory: HostMemory,
    channel: ReceiverChannel,
    parameters: RashpaPcieParameters,
    check?: (frame: number, bytes: Uint8Array) => boolean,
  ) {
    const sw = controllerRegisters(controller.registers);
    const notifyPs = Math.round(parameters.notificationLatencyUs * PS_PER_US);
    const readPs = Math.round((channel.windowBytes / parameters.hostReadGBps) * 1000);
    controller.onNotification((n: ControllerNotification) => {
      const e = n.event;
      if (e.channel !== channel.channel || (e.type !== "end-of-frame" && e.type !== "end-of-roi"))
        return;
      const notified = n.at + notifyPs;
      const start = Math.max(notified, this.#busyUntil.t);
      const done = start + readPs;
      this.#busyUntil.t = done;
      controller.sim.schedule(done, () => {
        const k = Math.floor(e.frame / (channel.decimation + 1));
        const entry = Math.floor(k / channel.framesPerEntry) % channel.buffers.length;
        const address =
          channel.buffers[entry]! + BigInt((k % channel.framesPerEntry) * channel.windowBytes);
        const bytes = memory.view(address, channel.windowBytes);
        // Only a frame reported complete is used; an errored one is released unread.
        const ok = e.status !== 0 ? false : check === undefined ? true : check(e.frame, bytes);
        this.frames.push({
          frame: e.frame,
          notifiedPs: notified,
          donePs: done,
          ok,
          status: e.status,
        });
        this.#released = Math.max(this.#released, k + 1);
        sw.bgu.channel[channel.channel]!.framesReleased.write(this.#released);
      });
    });
  }

  /**
   * Prepares the host for the next acquisition on the same controller: forgets its frames and
   * counts releases from 0 again (the caller writes `frames-released` = 0 before the start,
   * as librashpa's programming does).
   */
  reset(): void {
    this.frames.length = 0;
    this.#busyUntil.t = 0;
    this.#released = 0;
  }
}

/**
 * Consumes the event ring as librashpa would: on every notification, advances the controller's
 * `event.read-index` past the record (so the ring never fills while the host keeps up).
 *
 * @param controller - the controller
 * @param latencyPs - delay between the record's arrival and its consumption
 */
export function consumeEventRing(controller: RashpaController, latencyPs: SimTime = 0): void {
  const sw = controllerRegisters(controller.registers);
  controller.onNotification((n) => {
    controller.sim.scheduleAfter(latencyPs, () => {
      const size = sw.event.ring.readFields().size;
      sw.event.readIndex.write((n.slot + 1) % size);
    });
  });
}

/** Throughput and latency of one channel at the paper's two measuring points. */
export interface ChannelFigures {
  /** Frames written completely. */
  readonly frames: number;
  /** Bytes of those frames. */
  readonly bytes: number;
  /** Link maximum B (pcie.md §11.1), Gb/s. */
  readonly linkMaxGbps: number;
  /** Inside the FPGA: bytes over the span from the first frame's first BTD to the last frame's end. */
  readonly fpgaGbps: number;
  /** fpgaGbps / linkMaxGbps. */
  readonly fpgaFraction: number;
  /**
   * At the application. Frame by frame (`hostOverlap` false): 8 · frame bytes over the mean
   * application latency (the next frame's host time adds to each frame); with overlap, bytes
   * over the span until the last frame is read. 0 without a host.
   */
  readonly applicationGbps: number;
  /** applicationGbps / linkMaxGbps. */
  readonly applicationFraction: number;
  /** Mean FPGA latency per frame (first BTD popped → last TLP at the receiver), µs. */
  readonly fpgaLatencyUs: number;
  /** Mean application latency per frame (first BTD popped → frame read by the host), µs. */
  readonly applicationLatencyUs: number;
}

/**
 * The figures of one channel of a finished simulation (the controller's last acquisition).
 *
 * @param controller - the controller after `run()`
 * @param channel - data channel
 * @param host - the channel's receiver host, if any
 */
export function channelFigures(
  controller: RashpaController,
  channel: number,
  host?: ReceiverHost,
): ChannelFigures {
  const p = controller.parameters;
  const linkMaxGbps = pcieThroughput({
    generation: controller.linkConfig.generation,
    width: controller.linkConfig.width,
    maxPayloadSize: p.maxPayloadSize,
    direction: "write",
  }).encodedGbps;
  const fr = controller.frames.filter((f) => f.channel === channel && f.faults === 0);
  const bytes = fr.reduce((s, f) => s + f.bytes, 0);
  const first = fr[0];
  const last = fr[fr.length - 1];
  const fpgaGbps =
    first === undefined || last === undefined
      ? 0
      : simulatedGbps(bytes, last.donePs - first.startPs);
  const fpgaLatencyUs =
    fr.length === 0
      ? 0
      : fr.reduce((s, f) => s + (f.donePs - f.startPs), 0) / fr.length / PS_PER_US;
  let applicationGbps = 0;
  let applicationLatencyUs = 0;
  if (host !== undefined && host.frames.length > 0) {
    const startOf = new Map(fr.map((f) => [f.frame, f.startPs]));
    const app = host.frames.filter((a) => startOf.has(a.frame));
    const latencies = app.map((a) => a.donePs - startOf.get(a.frame)!);
    const meanPs = latencies.reduce((s, l) => s + l, 0) / latencies.length;
    applicationLatencyUs = meanPs / PS_PER_US;
    const frameBytes = bytes / fr.length;
    applicationGbps = p.hostOverlap
      ? simulatedGbps(
          app.length * frameBytes,
          app[app.length - 1]!.donePs - startOf.get(app[0]!.frame)!,
        )
      : simulatedGbps(frameBytes, meanPs);
  }
  return {
    frames: fr.length,
    bytes,
    linkMaxGbps,
    fpgaGbps,
    fpgaFraction: fpgaGbps / linkMaxGbps,
    applicationGbps,
    applicationFraction: applicationGbps / linkMaxGbps,
    fpgaLatencyUs,
    applicationLatencyUs,
  };
}

/** Options of {@link runDefaultAcquisition}. */
export interface DefaultAcquisitionOptions {
  /** Frames to acquire (default 32). */
  readonly frames?: number;
  /**
   * Full-frame geometry in 16-bit pixels (default the paper's 512 × 512); the ROI stays
   * 128 × 128 at (192, 192). E.g. 2048 × 2048 for a 4-megapixel detector's 8 MiB frames.
   */
  readonly geometry?: {
    /** Pixels per line. */
    readonly width: number;
    /** Lines per frame. */
    readonly height: number;
  };
  /** Speed (default `"fast"`). */
  readonly speed?: ControllerSpeed;
  /** Link (default `"gen2x4"`, the paper's). */
  readonly link?: PcieLinkConfig | string;
  /** Timing parameters (default `ESRF_2013_GEN2X4.parameters`). */
  readonly parameters?: RashpaPcieParameters;
  /** Wire path: pcap of the TLPs. */
  readonly tlpCapture?: PcapWriter;
  /** pcap of the BTDs and event records. */
  readonly recordCapture?: PcapWriter;
  /**
   * Verify every received frame (default true). The benchmark turns it off to time the data
   * path alone; `verified` is then `true` and `framesChecked` counts the frames received.
   */
  readonly verify?: boolean;
}

/** Summary of {@link runDefaultAcquisition}. */
export interface DefaultAcquisitionSummary {
  /** Link name. */
  readonly link: string;
  /** Speed used. */
  readonly speed: ControllerSpeed;
  /** Frames the DIU acquired. */
  readonly frames: number;
  /** Payload bytes written to the receivers (both channels). */
  readonly bytes: number;
  /** Both channels together inside the FPGA: payload bytes over the acquisition's simulated time, Gb/s. */
  readonly fpgaGbps: number;
  /** fpgaGbps over the link maximum. */
  readonly fpgaFraction: number;
  /** MWr TLPs on the link (data and event records). */
  readonly tlps: number;
  /** Event records written. */
  readonly events: number;
  /** Simulated duration of the acquisition, µs. */
  readonly simulatedUs: number;
  /** Full frames to the detector PC (channel 0). */
  readonly detectorPc: ChannelFigures;
  /** ROI to the industrial PC (channel 1). */
  readonly industrialPc: ChannelFigures;
  /** The analytic model for the same link and parameters (the full-frame channel alone). */
  readonly model: RashpaPcieModelResult;
  /** Every frame received verified bit-exactly (`verifyFrame`; the ROI against the generated frame). */
  readonly verified: boolean;
  /** Frames received and checked, both receivers. */
  readonly framesChecked: number;
}

/** Bus address of the detector PC's buffers (above 4 GiB: its 64 GB of DDR, 4-DW MWr headers). */
export const DETECTOR_PC_BASE = 0x1_0000_0000n;
/** Bus address of the industrial PC's buffers. */
export const INDUSTRIAL_PC_BASE = 0x2_0000_0000n;

/** What {@link DefaultSystem} is built with: everything of {@link DefaultAcquisitionOptions} but the run's own. */
export type DefaultSystemOptions = Omit<DefaultAcquisitionOptions, "frames" | "verify">;

/** Options of {@link DefaultSystem.acquire}. */
export interface DefaultRunOptions {
  /** Frames to acquire (default 32). */
  readonly frames?: number;
  /** Verify every received frame (default true; see {@link DefaultAcquisitionOptions.verify}). */
  readonly verify?: boolean;
}

/**
 * The paper's demo system (docs/SYSTEM.md §1): a 512 × 512 16-bit reference image from the
 * generator, full frames (one block each, the calibration's geometry) to a "detector-pc"
 * receiver and a 128 × 128 region of interest at (192, 192) to an "industrial-pc" receiver,
 * through one switch, configured only through the controller registers as librashpa would.
 * Event ring (128 records) in the detector PC. Both hosts check every frame.
 *
 * Built once, it runs acquisitions one after another ({@link DefaultSystem.acquire}) on the
 * same controller, DDR and receiver memories — as a detector runs scan after scan — each
 * summarised on its own.
 *
 * @example
 * ```ts
 * const system = new DefaultSystem({ link: "gen3x8" });
 * const a = system.acquire({ frames: 64 });
 * const b = system.acquire({ frames: 64 }); // same figures: the same system, started again
 * ```
 */
export class DefaultSystem {
  /** The controller. */
  readonly controller: RashpaController;
  /** The detector PC's memory (frame buffers and the event ring). */
  readonly detector: HostMemory;
  /** The industrial PC's memory (ROI buffers). */
  readonly industrial: HostMemory;
  readonly #parameters: RashpaPcieParameters;
  readonly #sw: ReturnType<typeof controllerRegisters>;
  readonly #hosts: readonly [ReceiverHost, ReceiverHost];
  #verify = true;
  #checked = 0;
  #verified = true;

  /**
   * @param options - geometry, speed, link, parameters, captures
   * @throws ControllerConfigError for a link or parameters the controller refuses
   */
  constructor(options: DefaultSystemOptions = {}) {
    const parameters = (this.#parameters = options.parameters ?? ESRF_2013_GEN2X4.parameters);
    const width = options.geometry?.width ?? 512;
    const height = options.geometry?.height ?? 512;
    const frameBytes = width * height * 2;
    const roi = { x: 192, y: 192, width: 128, height: 128 };
    const roiBytes = roi.width * roi.height * 2;
    const detectorBuffers = 4;
    const eventRecords = 128;
    const detector = (this.detector = new HostMemory(
      "detector-pc",
      DETECTOR_PC_BASE,
      detectorBuffers * frameBytes + eventRecords * 32,
    ));
    const industrial = (this.industrial = new HostMemory(
      "industrial-pc",
      INDUSTRIAL_PC_BASE,
      2 * 2 * roiBytes,
    ));
    const pcieSwitch = new PcieSwitch([
      { name: "detector-pc", memory: detector },
      { name: "industrial-pc", memory: industrial },
    ]);
    const controller = (this.controller = new RashpaController({
      pcieSwitch,
      parameters,
      ...(options.link === undefined ? {} : { link: options.link }),
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.tlpCapture === undefined ? {} : { tlpCapture: options.tlpCapture }),
      ...(options.recordCapture === undefined ? {} : { recordCapture: options.recordCapture }),
    }));
    const sw = (this.#sw = controllerRegisters(controller.registers));

    // ATU: entries 0–3 detector frame buffers, 8–9 industrial ROI buffers (2 ROIs each), 15 the event ring.
    const detectorAddrs: bigint[] = [];
    for (let i = 0; i < detectorBuffers; i++) {
      const address = DETECTOR_PC_BASE + BigInt(i * frameBytes);
      detectorAddrs.push(address);
      sw.atu.entries.writeEntry(
        i,
        encodeAtuEntry({ address, size: frameBytes, receiver: 0, writable: true, valid: true }),
      );
    }
    const industrialAddrs: bigint[] = [];
    for (let i = 0; i < 2; i++) {
      const address = INDUSTRIAL_PC_BASE + BigInt(i * 2 * roiBytes);
      industrialAddrs.push(address);
      sw.atu.entries.writeEntry(
        8 + i,
        encodeAtuEntry({ address, size: 2 * roiBytes, receiver: 1, writable: true, valid: true }),
      );
    }
    const eventRing = DETECTOR_PC_BASE + BigInt(detectorBuffers * frameBytes);
    sw.atu.entries.writeEntry(
      15,
      encodeAtuEntry({
        address: eventRing,
        size: eventRecords * 32,
        receiver: 0,
        writable: true,
        valid: true,
      }),
    );

    sw.diu.geometry.writeFields({ width, height });
    sw.diu.pixel.writeFields({ depth: "bits16" });
    sw.diu.control.writeFields({
      enable: true,
      source: "generator",
      testPattern: "reference-image",
    });
    sw.diu.framePeriod.writeFields({ microseconds: 0 });
    sw.diu.ringSlots.writeFields({ value: 8 });
    sw.bsu.maxTransfer.writeFields({ bytes: parameters.bsuMaxTransferBytes });

    const ch0 = sw.bgu.channel[0]!;
    ch0.blockSize.writeFields({ bytes: frameBytes });
    ch0.atuRange.writeFields({ first: 0, count: detectorBuffers });
    ch0.ring.writeFields({ framesPerEntry: 1 });
    ch0.control.writeFields({ enable: true, mode: "image", notify: true });
    const ch1 = sw.bgu.channel[1]!;
    ch1.roiOrigin.writeFields({ x: roi.x, y: roi.y });
    ch1.roiSize.writeFields({ width: roi.width, height: roi.height });
    ch1.blockSize.writeFields({ bytes: roiBytes });
    ch1.atuRange.writeFields({ first: 8, count: 2 });
    ch1.ring.writeFields({ framesPerEntry: 2 });
    ch1.control.writeFields({ enable: true, mode: "roi", notify: true });

    sw.event.ring.writeFields({ atuIndex: 15, size: eventRecords });
    sw.event.control.writeFields({ enable: true });
    sw.global.irqEnable.write(0xff);

    const diuOf = (): NonNullable<RashpaController["diu"]> => controller.diu!;
    const detectorHost = new ReceiverHost(
      controller,
      detector,
      {
        channel: 0,
        buffers: detectorAddrs,
        framesPerEntry: 1,
        windowBytes: frameBytes,
        decimation: 0,
      },
      parameters,
      (f, bytes) => {
        this.#checked++;
        if (!this.#verify) return true;
        const ok = verifyFrame(bytes, diuOf(), f).ok;
        this.#verified &&= ok;
        return ok;
      },
    );
    const roiExpected = new Uint8Array(roiBytes);
    const industrialHost = new ReceiverHost(
      controller,
      industrial,
      {
        channel: 1,
        buffers: industrialAddrs,
        framesPerEntry: 2,
        windowBytes: roiBytes,
        decimation: 0,
      },
      parameters,
      (f, bytes) => {
        this.#checked++;
        if (!this.#verify) return true;
        const diu = diuOf();
        gatherRoi(generateFrame(diu, f), diu, roi, roiExpected);
        const ok = bytes.every((b, i) => b === roiExpected[i]);
        this.#verified &&= ok;
        return ok;
      },
    );
    this.#hosts = [detectorHost, industrialHost];
    consumeEventRing(controller);
  }

  /**
   * Runs one acquisition to its end: writes `diu.frame-count`, sets `frames-released` of both
   * channels to 0, enables the controller and runs the simulation.
   *
   * @param options - frames, verification
   * @returns the summary of this acquisition alone
   * @throws DiuConfigError and ControllerConfigError for a frame count the controller refuses
   */
  acquire(options: DefaultRunOptions = {}): DefaultAcquisitionSummary {
    const frames = options.frames ?? 32;
    const { controller } = this;
    const sw = this.#sw;
    const [detectorHost, industrialHost] = this.#hosts;
    this.#verify = options.verify !== false;
    this.#checked = 0;
    this.#verified = true;
    for (const h of this.#hosts) h.reset();
    sw.diu.frameCount.writeFields({ value: frames });
    for (const c of sw.bgu.channel) c.framesReleased.writeFields({ value: 0 });
    const before = { ...controller.counters };

    sw.global.control.writeFields({ enable: true });
    controller.run();
    sw.global.control.writeFields({ enable: false });

    const detectorPc = channelFigures(controller, 0, detectorHost);
    const industrialPc = channelFigures(controller, 1, industrialHost);
    const since = controller.startPs;
    let lastDone = -Infinity;
    for (const f of controller.frames) if (f.donePs > lastDone) lastDone = f.donePs;
    const payloadBytes = controller.counters.payloadBytes - before.payloadBytes;
    const totalGbps = simulatedGbps(payloadBytes, lastDone - since);
    const received = detectorHost.frames.length + industrialHost.frames.length;
    const checked = this.#checked;
    return {
      link: pcieLinkName(controller.linkConfig),
      speed: controller.speed,
      frames: sw.diu.framesAcquired.readFields().value,
      bytes: payloadBytes,
      fpgaGbps: totalGbps,
      fpgaFraction: totalGbps / detectorPc.linkMaxGbps,
      tlps: controller.counters.tlps - before.tlps,
      events: controller.counters.events - before.events,
      simulatedUs: (controller.sim.now() - since) / PS_PER_US,
      detectorPc,
      industrialPc,
      model: rashpaPcieModel(controller.linkConfig, this.#parameters),
      verified: this.#verified && received === 2 * frames && checked === received,
      framesChecked: checked,
    };
  }
}

/**
 * The paper's demo (docs/SYSTEM.md §1), built and run once: `new DefaultSystem(options)`
 * then {@link DefaultSystem.acquire}.
 *
 * @param options - frames, speed, link, parameters, captures
 * @returns the summary
 */
export function runDefaultAcquisition(
  options: DefaultAcquisitionOptions = {},
): DefaultAcquisitionSummary {
  const { frames, verify, ...system } = options;
  return new DefaultSystem(system).acquire({
    ...(frames === undefined ? {} : { frames }),
    ...(verify === undefined ? {} : { verify }),
  });
}
