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
import { Worker } from "node:worker_threads";
import type { AsyncBus } from "@rashpa/registers";
import type { AcquisitionConfig } from "../config.js";
import { LinkError, type Link, type LinkIdle, type LinkInterrupt } from "./link.js";
import type { DeviceInit, DeviceReply, DeviceRequest } from "./pcie-protocol.js";

/** Options of {@link openEmulatedPcieLink}. */
export interface EmulatedPcieOptions {
  /** Emulator speed (default `"fast"`). */
  readonly speed?: "fast" | "wire";
  /** Simulated time the device runs between two looks at its messages, ps (default 1 ms). */
  readonly slicePs?: number;
}

/** The worker module: the built file beside this one (tests run from the sources). */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith(".ts")
    ? new URL("../../dist/links/pcie-device-worker.js", here)
    : new URL("./pcie-device-worker.js", here);
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
  // The device loads the built packages (under a test runner that resolves workspace
  // packages to their sources, the worker must not inherit that resolution).
  const worker = new Worker(workerUrl(), {
    workerData: init,
    execArgv: process.execArgv.filter((a) => !a.startsWith("--conditions") && a !== "-C"),
  });
  const memories = new Map(receivers.map((r) => [r.name, new Uint8Array(r.buffer)]));
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
      else if (p !== undefined) p.reject(new LinkError(name, `${m.name}: ${m.message}`));
      else failure ??= new LinkError(name, `a posted write failed: ${m.name}: ${m.message}`);
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

  const request = (r: DeviceRequest): Promise<number> => {
    if (closed) return Promise.reject(new LinkError(name, "the link is closed"));
    if (failure !== undefined) return Promise.reject(failure);
    return new Promise((resolve, reject) => {
      pending.set(r.id, { resolve, reject });
      worker.postMessage(r);
    });
  };
  const bus: AsyncBus = {
    read32: (address) => request({ op: "read", id: nextId++, address }),
    // Writes are posted, as PCIe memory writes are: sent in order and not waited for (a read
    // that follows sees them, the worker handling messages in order); a write the device
    // refuses fails the link, and every later access rejects with that error.
    write32: (address, value) => {
      if (closed) return Promise.reject(new LinkError(name, "the link is closed"));
      if (failure !== undefined) return Promise.reject(failure);
      worker.postMessage({ op: "write", id: nextId++, address, value: value >>> 0 });
      return Promise.resolve();
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
    kind: "pcie",
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
      closed = true;
      for (const p of pending.values()) p.reject(new LinkError(name, "the link is closed"));
      pending.clear();
      await worker.terminate();
    },
  };
}
