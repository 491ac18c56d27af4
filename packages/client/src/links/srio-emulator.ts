/**
 * The emulated SRIO link: receivers whose `link.kind` is `srio` are SRIO processing nodes reached
 * through the PCIe–SRIO bridge (docs/system.md, "PCIe–SRIO bridge"). The controller's PCIe
 * writes into such a receiver's window enter the bridge, which carries them to the node as
 * 256-byte SWRITEs (RapidIO 4.1 Part 1 §3.5; docs/reference/srio.md) over its SRIO link, through
 * the SRIO switch (routing by destination ID) and the node's link, each link with its link-level
 * protocol (Part 6 §6.8). The node's memory is the receiver arena, a `SharedArrayBuffer`, so the
 * receiving thread reads frames where they landed. Everything runs in a worker thread
 * (`srio-device-worker.ts`) in one simulator, the controller's: the SRIO packets are timed and
 * can be captured (pcap, LINKTYPE_SRIO = LINKTYPE_USER2). Receivers with `link.kind: pcie` are
 * served on the same controller's PCIe switch, as by {@link openEmulatedPcieLink}.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { AsyncBus } from "@rashpa/registers";
import type { AcquisitionConfig } from "../config.js";
import { LinkError, type Link, type LinkIdle, type LinkInterrupt } from "./link.js";
import { openEmulatedPcieLink } from "./pcie-emulator.js";
import { openEmulatedRoceLink } from "./roce-emulator.js";
import type { DeviceReply, DeviceRequest } from "./pcie-protocol.js";
import type { SrioDeviceInit } from "./srio-protocol.js";

/** Options of {@link openEmulatedSrioLink} and {@link openEmulatedLink}. */
export interface EmulatedSrioOptions {
  /**
   * Emulator speed (default `"fast"`): `"wire"` encodes and decodes every PCIe TLP of the
   * controller and every SRIO control symbol (the SRIO packets are encoded on both speeds).
   */
  readonly speed?: "fast" | "wire";
  /** Simulated time the device runs between two looks at its messages, ps (default 20 µs). */
  readonly slicePs?: number;
  /**
   * A file to receive the pcap (LINKTYPE_SRIO = LINKTYPE_USER2, 149) of every SRIO packet on
   * the bridge's port, both directions, stamped at the end of its transmission; complete once
   * {@link Link.close} has resolved.
   */
  readonly srioCapture?: string;
  /** The bridge's SRIO device ID (default: the first ID from 0x10 up that no receiver uses). */
  readonly bridgeId?: number;
  /** The SRIO switch's device ID (default 0xfe). */
  readonly switchId?: number;
}

/** The worker module: the built file beside this one (tests run from the sources). */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL("../../dist/links/srio-device-worker.js", here)
    : new URL("./srio-device-worker.js", here);
}

/**
 * Opens an emulated link for the receivers of `config` reached over SRIO through the PCIe–SRIO
 * bridge (`link.kind: srio`: a processing node of device ID `destinationId`, memory = the
 * receiver's arena, SRIO address = offset in the arena) and those reached over PCIe
 * (`link.kind: pcie`), all written by one emulated controller on the configuration's `link`.
 * When the event ring is in a node's memory, each record is followed by a DOORBELL to the node
 * (info = ring slot; the controller's MSI, sent on by the bridge in the flow of the writes,
 * srio.md §6) and interrupts when the DOORBELL arrives; any record's interrupt also waits until
 * every SRIO packet issued before it has landed, so the frame a record names is complete when
 * the host reads it. Register accesses are those of the PCIe
 * link (messages, answered in order).
 *
 * @param config - a checked acquisition configuration
 * @param options - speed, simulation slice, SRIO capture, device IDs
 * @returns the link (`kind: "srio"`), ready for register accesses
 * @throws LinkError when no receiver is reached over SRIO, two share a destinationId, or the
 *   bridge ID is a receiver's
 * @example
 * ```ts
 * const config = resolveAcquisitionConfig({
 *   ...DEFAULT_ACQUISITION,
 *   receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
 *     ...r, link: { kind: "srio", destinationId: i + 1 },
 *   })),
 * });
 * const link = await openEmulatedSrioLink(config, { srioCapture: "srio.pcap" });
 * const acq = await Acquisition.start(link, config);
 * for await (const e of acq) if (e.type === "frame") use(e.bytes);
 * await link.close();
 * ```
 */
export async function openEmulatedSrioLink(
  config: AcquisitionConfig,
  options: EmulatedSrioOptions = {},
): Promise<Link> {
  const pcie = config.receivers
    .filter((r) => r.link.kind === "pcie")
    .map((r) => ({ name: r.name, base: r.base, buffer: new SharedArrayBuffer(r.memory) }));
  const srio = config.receivers.flatMap((r) =>
    r.link.kind === "srio"
      ? [
          {
            name: r.name,
            base: r.base,
            buffer: new SharedArrayBuffer(r.memory),
            destinationId: r.link.destinationId,
            dev16: r.link.deviceIdSize === "dev16",
          },
        ]
      : [],
  );
  const name = `emulated-${pcie.length > 0 ? "pcie+" : ""}srio ${config.link}`;
  if (srio.length === 0) throw new LinkError(name, "no receiver has link kind srio");
  const ids = new Set(srio.map((r) => r.destinationId));
  if (ids.size < srio.length)
    throw new LinkError(name, "two receivers have the same SRIO destinationId");
  let bridgeId = options.bridgeId ?? 0x10;
  if (options.bridgeId === undefined) while (ids.has(bridgeId)) bridgeId++;
  if (ids.has(bridgeId))
    throw new LinkError(name, `bridge device ID ${bridgeId} is a receiver's destinationId`);
  const eventsNode = srio.find((r) => r.name === config.events?.receiver);
  const init: SrioDeviceInit = {
    pcie,
    srio,
    link: config.link,
    speed: options.speed ?? "fast",
    slicePs: options.slicePs ?? 20_000_000,
    bridgeId,
    switchId: options.switchId ?? 0xfe,
    ...(options.srioCapture === undefined ? {} : { capture: options.srioCapture }),
    ...(eventsNode === undefined ? {} : { eventsNode: eventsNode.destinationId }),
  };
  // The device loads the built packages (under a test runner that resolves workspace
  // packages to their sources, the worker must not inherit that resolution).
  const worker = new Worker(workerUrl(), {
    workerData: init,
    execArgv: process.execArgv.filter((a) => !a.startsWith("--conditions") && a !== "-C"),
  });
  const memories = new Map(
    [...pcie, ...srio].map((r) => [r.name, new Uint8Array(r.buffer)] as const),
  );
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const irqListeners: ((irq: LinkInterrupt) => void)[] = [];
  const idleListeners: ((idle: LinkIdle) => void)[] = [];
  let nextId = 0;
  let closed = false;
  let failure: Error | undefined;

  worker.on("message", (m: DeviceReply) => {
    if (m.kind === "msi") for (const l of [...irqListeners]) l({ slot: m.slot, atPs: m.atPs });
    else if (m.kind === "idle") for (const l of [...idleListeners]) l({ atPs: m.atPs });
    else {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.kind === "value") p?.resolve(m.value);
      else p?.reject(new LinkError(name, `${m.name}: ${m.message}`));
    }
  });
  const fail = (e: Error): void => {
    failure = new LinkError(name, `device failed: ${e.message}`);
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => {
    if (!closed) fail(new Error(`worker exited with code ${code}`));
  });
  await new Promise<void>((resolve, reject) => {
    worker.once("online", resolve);
    worker.once("error", reject);
  });

  const send = (r: DeviceRequest): Promise<number> =>
    new Promise((resolve, reject) => {
      pending.set(r.id, { resolve, reject });
      worker.postMessage(r);
    });
  const request = (r: DeviceRequest): Promise<number> => {
    if (closed) return Promise.reject(new LinkError(name, "the link is closed"));
    if (failure !== undefined) return Promise.reject(failure);
    return send(r);
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
    kind: "srio",
    name,
    bus,
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
    async close() {
      if (closed) return;
      // The device closes its capture file and answers before it goes.
      if (failure === undefined) await send({ op: "close", id: nextId++ }).catch(() => 0);
      closed = true;
      for (const p of pending.values()) p.reject(new LinkError(name, "the link is closed"));
      pending.clear();
      await worker.terminate();
    },
  };
}

/**
 * Opens the emulated link a configuration needs, choosing per receiver: with a receiver of link
 * kind `srio`, {@link openEmulatedSrioLink} (which serves the `pcie` receivers as well); with
 * every receiver on RoCEv2, `openEmulatedRoceLink`; otherwise {@link openEmulatedPcieLink}.
 *
 * @param config - a checked acquisition configuration
 * @param options - speed, simulation slice; SRIO capture and device IDs when SRIO is used
 * @returns the link
 * @throws LinkError when no receiver is reached over PCIe, SRIO or RoCEv2
 */
export async function openEmulatedLink(
  config: AcquisitionConfig,
  options: EmulatedSrioOptions = {},
): Promise<Link> {
  if (config.receivers.some((r) => r.link.kind === "srio"))
    return openEmulatedSrioLink(config, options);
  if (config.receivers.every((r) => r.link.kind === "roce"))
    return openEmulatedRoceLink(config, {
      ...(options.speed === undefined ? {} : { speed: options.speed }),
      ...(options.slicePs === undefined ? {} : { slicePs: options.slicePs }),
    });
  return openEmulatedPcieLink(config, {
    ...(options.speed === undefined ? {} : { speed: options.speed }),
    ...(options.slicePs === undefined ? {} : { slicePs: options.slicePs }),
  });
}
