/**
 * The emulated PCIe device of {@link openEmulatedPcieLink}, run in a worker thread: the RASHPA
 * controller emulator (`@rashpa/emulator`) behind a PCIe switch whose receiver memories are the
 * host's `SharedArrayBuffer`s, so the frames it writes are in the receiving thread's memory
 * with no copy; registers and simulation served by `serveDevice`; each event record's MSI is
 * raised as it happens (sent in batches by `serveDevice`).
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { HostMemory, PcieSwitch, RashpaController } from "@rashpa/emulator";
import { serveDevice } from "./device-server.js";
import type { DeviceInit } from "./pcie-protocol.js";

const init = workerData as DeviceInit;
const port = parentPort!;
const memories = init.receivers.map((r) => new HostMemory(r.name, r.base, r.buffer));
const controller = new RashpaController({
  pcieSwitch: new PcieSwitch(memories.map((m) => ({ name: m.name, memory: m }))),
  link: init.link,
  speed: init.speed,
});
const serving = serveDevice({
  port,
  sim: controller.sim,
  registers: controller.registers,
  slicePs: init.slicePs,
});
controller.onNotification((n) => serving.interrupt(n.slot, n.at));
