/**
 * The emulated PCIe link: the RASHPA controller emulator runs in a worker thread
 * (`pcie-device-worker.ts`) and writes straight into receiver memory held in
 * `SharedArrayBuffer`s, so the receiving thread reads frames where they landed, with no copy
 * (docs/ARCHITECTURE.md, `client`). Register accesses travel as messages handled in order —
 * reads answered, writes posted (not waited for, as PCIe memory writes) — and event-record
 * MSIs come back as messages.
 *
 * @module
 */
import type { AcquisitionConfig } from "../config.js";
import { openDeviceLink } from "./device-link.js";
import { LinkError, type Link } from "./link.js";
import type { DeviceInit } from "./pcie-protocol.js";

/** Options of {@link openEmulatedPcieLink}. */
export interface EmulatedPcieOptions {
  /** Emulator speed (default `"fast"`). */
  readonly speed?: "fast" | "wire";
  /** Simulated time the device runs between two looks at its messages, ps (default 1 ms). */
  readonly slicePs?: number;
}

/**
 * Opens an emulated PCIe link for the receivers of `config` whose link kind is `pcie`: one
 * `SharedArrayBuffer` per receiver arena (`memory` bytes at bus address `base`), a switch port
 * each, the controller on the configuration's `link` (e.g. `gen2x4`).
 *
 * @param config - a checked acquisition configuration
 * @param options - speed, simulation slice
 * @returns the link, ready for register accesses
 * @throws LinkError when no receiver is reached over PCIe
 * @example
 * ```ts
 * const link = await openEmulatedPcieLink(DEFAULT_ACQUISITION);
 * const regs = controllerRegistersAsync(link.bus);
 * await regs.global.ident.read();
 * await link.close();
 * ```
 */
export async function openEmulatedPcieLink(
  config: AcquisitionConfig,
  options: EmulatedPcieOptions = {},
): Promise<Link> {
  const receivers = config.receivers
    .filter((r) => r.link.kind === "pcie")
    .map((r) => ({ name: r.name, base: r.base, buffer: new SharedArrayBuffer(r.memory) }));
  const name = `emulated-pcie ${config.link}`;
  if (receivers.length === 0) throw new LinkError(name, "no receiver has link kind pcie");
  const init: DeviceInit = {
    receivers,
    link: config.link,
    speed: options.speed ?? "fast",
    slicePs: options.slicePs ?? 1_000_000_000,
  };
  return openDeviceLink({
    kind: "pcie",
    name,
    worker: "pcie-device-worker.js",
    init,
    memories: new Map(receivers.map((r) => [r.name, new Uint8Array(r.buffer)])),
  });
}
