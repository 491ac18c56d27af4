/**
 * The worker side shared by the emulated links' devices (`*-device-worker.ts`): register
 * accesses from the host — reads answered, writes posted (answered only when refused, as a PCIe
 * memory write is never answered) — handled in order between slices of the simulation, and an
 * idle report whenever the device has nothing left to do.
 *
 * The simulation runs one slice of simulated time at a time; between slices the messages that
 * have arrived are taken without leaving the loop (`receiveMessageOnPort`), and the loop gives
 * the event loop a turn now and then (sockets, timers). The clock stays at the last event run,
 * not at the slice's end, so a host write that arrives while the device waits for it — a frame
 * released under back-pressure — takes effect when the device started waiting.
 *
 * @module
 */
import { receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import type { RegisterFile } from "@rashpa/registers";
import type { Simulator } from "@rashpa/emulator";
import type { DeviceReply, DeviceRequest } from "./pcie-protocol.js";

/** What {@link serveDevice} drives. */
export interface DeviceServer<R extends { readonly op: string; readonly id: number }> {
  /** The port to the host (`parentPort`). */
  readonly port: MessagePort;
  /** The device's simulator. */
  readonly sim: Simulator;
  /** The controller's register file (the host's accesses). */
  readonly registers: RegisterFile;
  /** Simulated time per slice, ps. */
  readonly slicePs: number;
  /**
   * Handles a request other than `read`, `write` and `close` (e.g. statistics); returns false
   * when it does not know it.
   */
  readonly extra?: (m: R) => boolean;
  /** Called on `close` before the answer (e.g. to finish a capture file). */
  readonly onClose?: () => void;
  /** Whether the device has work outside the simulator still going (idle waits for it). */
  readonly busy?: () => boolean;
  /** Called just before an idle report. */
  readonly beforeIdle?: () => void;
}

/** What {@link serveDevice} returns: a way to wake it up after outside work, and the MSIs. */
export interface DeviceServing {
  /** Runs the loop again (e.g. after outside work finished: an idle report may be due). */
  wake(): void;
  /**
   * Raises an MSI for event-ring slot `slot` at device time `atPs`. MSIs are sent in batches —
   * one message after each slice of simulation, and before any other message, so the order of
   * everything the host hears is kept: a message per MSI cost the device thread more than the
   * frame it announced.
   */
  interrupt(slot: number, atPs: number): void;
}

/**
 * Serves a device's registers and runs its simulation (see the module comment).
 *
 * @param s - the port, simulator, registers and hooks
 * @returns a handle to wake the loop
 */
export function serveDevice<R extends { readonly op: string; readonly id: number }>(
  s: DeviceServer<R>,
): DeviceServing {
  const slots: number[] = [];
  const times: number[] = [];
  const flush = (): void => {
    if (slots.length === 0) return;
    s.port.postMessage({ kind: "msis", slots: slots.splice(0), atPs: times.splice(0) });
  };
  const post = (m: DeviceReply): void => {
    flush();
    s.port.postMessage(m);
  };
  let scheduled = false;
  let wasIdle = true;
  let closed = false;

  // Idle is reported when the simulation, having run, has nothing left (and no outside work
  // is going): register accesses alone (programming) make no report.
  const handle = (m: DeviceRequest | R): void => {
    try {
      if (m.op === "read")
        post({
          kind: "value",
          id: m.id,
          value: s.registers.read32((m as { address: number }).address),
        });
      else if (m.op === "writes") {
        // Posted: answered only if refused (the writes after a refused one are not done).
        const list = (m as { list: readonly number[] }).list;
        for (let i = 0; i < list.length; i += 2) s.registers.write32(list[i]!, list[i + 1]!);
      } else if (m.op === "close") {
        s.onClose?.();
        post({ kind: "value", id: m.id, value: 0 });
        closed = true;
        s.port.close();
      } else if (s.extra?.(m as R) !== true)
        post({ kind: "error", id: m.id, name: "LinkError", message: `unknown request "${m.op}"` });
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      post({ kind: "error", id: m.id, name: error.name, message: error.message });
    }
  };

  const pump = (): void => {
    scheduled = false;
    const sim = s.sim;
    const deadline = performance.now() + 50;
    for (;;) {
      for (let m = receiveMessageOnPort(s.port); m !== undefined; m = receiveMessageOnPort(s.port))
        handle(m.message as DeviceRequest | R);
      if (closed) return;
      const next = sim.peek();
      if (next === undefined) {
        if (!wasIdle && s.busy?.() !== true) {
          wasIdle = true;
          s.beforeIdle?.();
          post({ kind: "idle", atPs: sim.now() });
        }
        flush(); // an MSI raised while handling a message is not left behind
        return;
      }
      wasIdle = false;
      const until = next + s.slicePs;
      for (let t = sim.peek(); t !== undefined && t <= until; t = sim.peek()) sim.step();
      flush();
      if (performance.now() > deadline) break;
    }
    schedule();
  };

  const schedule = (): void => {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(pump);
  };

  s.port.on("message", (m: DeviceRequest | R) => {
    handle(m);
    schedule();
  });
  return {
    wake: schedule,
    interrupt(slot, atPs) {
      slots.push(slot);
      times.push(atPs);
    },
  };
}
