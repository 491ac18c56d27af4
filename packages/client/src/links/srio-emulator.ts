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
import type { AcquisitionConfig } from "../config.js";
import { openDeviceLink } from "./device-link.js";
import { LinkError, type Link } from "./link.js";
import { openEmulatedPcieLink } from "./pcie-emulator.js";
import { openEmulatedRoceLink } from "./roce-emulator.js";
import type { SrioDeviceInit } from "./srio-protocol.js";

/** Options of {@link openEmulatedSrioLink} and {@link openEmulatedLink}. */
export interface EmulatedSrioOptions {
  /**
   * Emulator speed (default `"fast"`): `"wire"` encodes and decodes every PCIe TLP of the
   * controller and every SRIO control symbol (the SRIO packets are encoded on both speeds).
   */
  readonly speed?: "fast" | "wire";
  /** Simulated time the device runs between two looks at its messages, ps (default 1 ms). */
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

/**
 * Opens an emulated link for the receivers of `config` reached over SRIO through the PCIe–SRIO
 * bridge (`link.kind: srio`: a processing node of device ID `destinationId`, memory = the
 * receiver's arena, SRIO address = offset in the arena) and those reached over PCIe
 * (`link.kind: pcie`), all written by one emulated controller on the configuration's `link`.
 * When the event ring is in a node's memory, each record is followed by a DOORBELL to the node
 * (info = ring slot; the controller's MSI, sent on by the bridge in the flow of the writes,
 * srio.md §6) and interrupts when the DOORBELL arrives; any record's interrupt also waits until
 * every SRIO packet issued before it has landed, so the frame a record names is complete when
 * the host reads it. Register accesses are those of the PCIe link (messages: reads answered,
 * writes posted).
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
    slicePs: options.slicePs ?? 1_000_000_000,
    bridgeId,
    switchId: options.switchId ?? 0xfe,
    ...(options.srioCapture === undefined ? {} : { capture: options.srioCapture }),
    ...(eventsNode === undefined ? {} : { eventsNode: eventsNode.destinationId }),
  };
  return openDeviceLink({
    kind: "srio",
    name,
    worker: "srio-device-worker.js",
    init,
    memories: new Map([...pcie, ...srio].map((r) => [r.name, new Uint8Array(r.buffer)] as const)),
  });
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
