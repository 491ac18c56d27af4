/**
 * The emulated PCIe device of {@link openEmulatedPcieLink}, run in a worker thread: the RASHPA
 * controller emulator (`@rashpa/emulator`) behind a PCIe switch whose receiver memories are the
 * host's `SharedArrayBuffer`s, so the frames it writes are in the receiving thread's memory
 * with no copy. Register accesses arrive as messages and are answered in order; the
 * simulation runs in slices of simulated time between them; each event record's MSI is posted
 * as it happens.
 *
 * @module
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { HostMemory, PcieSwitch, RashpaController } from "@rashpa/emulator";
import type { DeviceInit, DeviceReply, DeviceRequest } from "./pcie-protocol.js";

const init = workerData as DeviceInit;
const port = parentPort!;
const memories = init.receivers.map((r) => new HostMemory(r.name, r.base, r.buffer));
const controller = new RashpaController({
  pcieSwitch: new PcieSwitch(memories.map((m) => ({ name: m.name, memory: m }))),
  link: init.link,
  speed: init.speed,
});
const post = (m: DeviceReply): void => port.postMessage(m);
controller.onNotification((n) => post({ kind: "msi", slot: n.slot, atPs: n.at }));

let pumping = false;
let wasIdle = true;

function handle(m: DeviceRequest): void {
  try {
    if (m.op === "read")
      post({ kind: "value", id: m.id, value: controller.registers.read32(m.address) });
    else if (m.op === "write") {
      controller.registers.write32(m.address, m.value); // posted: no answer unless it fails
    } else {
      port.close();
      return;
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ kind: "error", id: m.id, name: error.name, message: error.message });
  }
  wasIdle = false;
}

/**
 * Runs the simulation one slice at a time, taking the messages that arrived in between
 * without leaving the loop (`receiveMessageOnPort`); returns to the event loop only when the
 * simulation has nothing to do, or now and then so that the port's own delivery runs.
 */
function pump(): void {
  pumping = false;
  const sim = controller.sim;
  const deadline = performance.now() + 50;
  for (;;) {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port))
      handle(m.message as DeviceRequest);
    if (sim.pending === 0) {
      if (!wasIdle) post({ kind: "idle", atPs: sim.now() });
      wasIdle = true;
      return;
    }
    wasIdle = false;
    // Events up to the end of the slice; the clock stays at the last one (not at the slice's
    // end), so a host write that arrives while the device waits for it — a frame released
    // under back-pressure — takes effect at the time the device started waiting.
    const until = sim.peek()! + init.slicePs;
    for (let next = sim.peek(); next !== undefined && next <= until; next = sim.peek()) sim.step();
    if (performance.now() > deadline) break;
  }
  schedule();
}

function schedule(): void {
  if (pumping) return;
  pumping = true;
  setImmediate(pump);
}

port.on("message", (m: DeviceRequest) => {
  handle(m);
  schedule();
});
