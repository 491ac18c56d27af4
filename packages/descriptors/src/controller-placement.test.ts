/**
 * The descriptor structures in place in the RASHPA controller's register space
 * (`CONTROLLER_MAP` of `@rashpa/registers`): the BTD push window (`rashpa.btd-fifo`) bound at
 * `CONTROLLER_BTD_FIFO_OFFSET` touches no controller register, and ATU entries written through
 * the controller's table decode as `rashpa.atu-entry`.
 */
import type { Bus } from "@rashpa/registers";
import {
  CONTROLLER_BTD_FIFO_BYTES,
  CONTROLLER_BTD_FIFO_OFFSET,
  CONTROLLER_MAP,
  controllerRegisters,
  registerInstances,
} from "@rashpa/registers";
import { describe, expect, it } from "vitest";
import { ATU_ENTRY_FORMAT, btdFifoRegisters, decodeAtuEntry, encodeAtuEntry } from "./index.js";
import { BTD_FIFO_DEPTH } from "./window.js";

function memoryBus(): Bus & { words: Map<number, number> } {
  const words = new Map<number, number>();
  return {
    words,
    read32: (a) => words.get(a) ?? 0,
    write32: (a, v) => void words.set(a, v >>> 0),
  };
}

describe("descriptor structures in the controller's register space", () => {
  it("binds the BTD push window in its page, clear of every controller register", () => {
    const BASE = 0x20_0000;
    const bus = memoryBus();
    const fifo = btdFifoRegisters(bus, BASE + CONTROLLER_BTD_FIFO_OFFSET);
    const window = [fifo.window.control, ...fifo.window.data, fifo.window.status].map(
      (r) => r.address - BASE,
    );
    expect(window[0]).toBe(0x3000);
    expect(window.at(-1)).toBe(0x3024);
    expect(Math.max(...window) + 4).toBeLessThanOrEqual(
      CONTROLLER_BTD_FIFO_OFFSET + CONTROLLER_BTD_FIFO_BYTES,
    );
    const controller = new Set(registerInstances(CONTROLLER_MAP).map((r) => r.address));
    expect(window.filter((a) => controller.has(a))).toEqual([]);
    // The capability register reports the FIFO depth of the window's FIFO.
    const ctl = controllerRegisters(bus, BASE);
    bus.words.set(ctl.global.capability.address, 16 << 16);
    expect(ctl.global.capability.fields.btdFifoDepth.read()).toBe(BTD_FIFO_DEPTH);
  });

  it("writes and reads ATU entries of the controller table as rashpa.atu-entry", () => {
    const bus = memoryBus();
    const ctl = controllerRegisters(bus);
    expect(ctl.atu.entries.info.format).toBe(ATU_ENTRY_FORMAT.id);
    const entry = {
      address: 0x1_2345_6000n,
      size: 0x40_0000,
      receiver: 2,
      writable: true,
      valid: true,
    };
    ctl.atu.entries.writeEntry(5, encodeAtuEntry(entry));
    expect(bus.words.get(0x5000 + 5 * 16)).toBe(0x0000_0001);
    expect(bus.words.get(0x5000 + 5 * 16 + 4)).toBe(0x2345_6000);
    expect(decodeAtuEntry(ctl.atu.entries.readEntry(5))).toEqual(entry);
  });
});
