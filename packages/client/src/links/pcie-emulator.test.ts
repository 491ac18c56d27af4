import { controllerRegistersAsync } from "@rashpa/registers";
import { describe, expect, it } from "vitest";
import { DEFAULT_ACQUISITION, resolveAcquisitionConfig } from "../config.js";
import { LinkError } from "./link.js";
import { openEmulatedPcieLink } from "./pcie-emulator.js";

describe("openEmulatedPcieLink", () => {
  it("reads registers, posts writes in order, shares receiver memory, and closes", async () => {
    const link = await openEmulatedPcieLink(DEFAULT_ACQUISITION);
    try {
      const regs = controllerRegistersAsync(link.bus);
      expect((await regs.global.capability.readFields()).dataChannels).toBeGreaterThan(1);
      // Posted writes: a read that follows sees them.
      await regs.event.timerPeriod.writeFields({ microseconds: 1234 });
      await regs.bsu.maxTransfer.writeFields({ bytes: 2048 });
      expect((await regs.event.timerPeriod.readFields()).microseconds).toBe(1234);
      expect((await regs.bsu.maxTransfer.readFields()).bytes).toBe(2048);
      const mem = link.memory("detector-pc");
      expect(mem.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(mem.length).toBe(DEFAULT_ACQUISITION.receivers[0]!.memory);
      expect(() => link.memory("nobody")).toThrow(/no receiver "nobody"/);
      // An unaligned address: the read is refused with the device's error.
      await expect(link.bus.read32(0x2)).rejects.toThrow(LinkError);
    } finally {
      await link.close();
    }
    await expect(link.bus.read32(0)).rejects.toThrow(/the link is closed/);
    await expect(link.bus.write32(0, 0)).rejects.toThrow(/the link is closed/);
  });

  it("a refused posted write fails the link for every later access", async () => {
    const link = await openEmulatedPcieLink(DEFAULT_ACQUISITION);
    try {
      await link.bus.write32(0x6, 1); // posted: accepted locally
      // The device refuses it; the read sent after it (answered after the refusal) fails.
      await expect(link.bus.read32(0)).rejects.toThrow(/a posted write failed/);
      await expect(link.bus.write32(0x100, 1)).rejects.toThrow(/a posted write failed/);
    } finally {
      await link.close();
    }
  });

  it("refuses a configuration without PCIe receivers", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
        ...r,
        link: { kind: "srio", destinationId: i + 1 },
      })),
    });
    await expect(openEmulatedPcieLink(config)).rejects.toThrow(/no receiver has link kind pcie/);
  });
});
