/**
 * The generated configuration-space accessors (`configSpaceRegisters`) and C macros
 * (`gen/c/config-space.h`) against the spec: typed field access over a bus that models a
 * function's configuration space, read-modify-write that leaves RW1C status bits alone, and
 * the C offsets/masks printed by the self-check program equal the TypeScript description.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compileSelfCheck, hasGcc } from "@rashpa/laws";
import type { Bus } from "@rashpa/registers";
import {
  describeRegister,
  RegisterFile,
  registerInstances,
  registerTableLines,
} from "@rashpa/registers";
import { loadSpecFile } from "@rashpa/spec";
import { describe, expect, it } from "vitest";
import {
  CONFIG_SPACE_MAP,
  configSpaceRegisters,
  configSpaceRegistersAsync,
  configSpaceRegistersHardware,
} from "./index.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const spec = loadSpecFile(`${root}specs/pcie/config-space.yaml`, root);

/** Configuration space of one function: plain dwords, with DEVSTA's RW1C bits (31:16 of 0x48). */
function configBus(): Bus & { dw: Uint32Array; writes: number[] } {
  const dw = new Uint32Array(64);
  const writes: number[] = [];
  return {
    dw,
    writes,
    read32: (a) => dw[a >> 2]!,
    write32(a, v) {
      writes.push(a);
      if (a === 0x48) {
        const w1c = 0x000f_0000; // CED, NFED, FED, URD
        const cleared = dw[a >> 2]! & w1c & ~v;
        dw[a >> 2] = ((v & 0xffff) | cleared | (dw[a >> 2]! & 0xfff0_0000 & ~w1c)) >>> 0;
      } else dw[a >> 2] = v >>> 0;
    },
  };
}

describe("configSpaceRegisters", () => {
  it("addresses every register where the spec puts it", () => {
    const fromSpec = spec.registerMaps[0]!.blocks.flatMap((b) =>
      b.nodes.flatMap((n) =>
        n.kind === "register"
          ? Array.from({ length: n.count }, (_, i) => b.offset + n.offset + i * n.stride)
          : [],
      ),
    );
    expect(registerInstances(CONFIG_SPACE_MAP).map((r) => r.address)).toEqual(
      [...fromSpec].sort((a, b) => a - b),
    );
    const regs = configSpaceRegisters(configBus());
    expect(regs.pcieCap.devctlDevsta.address).toBe(0x48);
    expect(regs.header.bar[5]!.address).toBe(0x24);
  });

  it("sets Max_Payload_Size without clearing pending RW1C error bits", () => {
    const bus = configBus();
    bus.dw[0x48 >> 2] = 0x0005_2810; // CED + FED pending; READRQ 512 (2), RELAX_EN
    const regs = configSpaceRegisters(bus);
    regs.pcieCap.devctlDevsta.fields.maxPayloadSize.write("b256");
    const f = regs.pcieCap.devctlDevsta.readFields();
    expect(f.maxPayloadSize).toBe("b256");
    expect(f.maxReadRequestSize).toBe("b512");
    expect(f.relaxedOrdering).toBe(true);
    expect(f.correctableErrorDetected).toBe(true);
    expect(f.fatalErrorDetected).toBe(true);
    // Clearing one status bit writes 1 there only.
    regs.pcieCap.devctlDevsta.fields.correctableErrorDetected.write(true);
    const g = regs.pcieCap.devctlDevsta.readFields();
    expect(g.correctableErrorDetected).toBe(false);
    expect(g.fatalErrorDetected).toBe(true);
    expect(g.maxPayloadSize).toBe("b256");
  });

  it("reads link status with enum names, and describes the register", async () => {
    const bus = configBus();
    bus.dw[0x50 >> 2] = (((0x2 | (0x4 << 4)) << 16) | 0x0040) >>> 0; // 5 GT/s x4, RCB 128
    const regs = configSpaceRegistersAsync({
      read32: (a) => Promise.resolve(bus.read32(a)),
      write32: (a, v) => Promise.resolve(bus.write32(a, v)),
    });
    const f = await regs.pcieCap.lnkctlLnksta.readFields();
    expect(f.currentLinkSpeed).toBe("gt5p0");
    expect(f.negotiatedLinkWidth).toBe("x4");
    expect(describeRegister(CONFIG_SPACE_MAP, 0x50, bus.dw[0x50 >> 2]!)).toMatch(
      /^pcieCap\.lnkctlLnksta @ 0x050 = 0x00420040: .*currentLinkSpeed=gt5p0 negotiatedLinkWidth=x4/,
    );
  });

  it("refuses to write read-only capability fields", () => {
    const regs = configSpaceRegisters(configBus());
    const devcap = regs.pcieCap.devcap as unknown as {
      fields: Record<string, { write(v: unknown): void }>;
    };
    expect(() => devcap.fields["maxPayloadSizeSupported"]!.write("b256")).toThrow(
      /pcieCap\.devcap\.maxPayloadSizeSupported: software access is "r", not writable/,
    );
  });
});

describe("configuration space as a register-file model", () => {
  it("lets the device report link state and errors, and software clear them", () => {
    const rf = new RegisterFile(CONFIG_SPACE_MAP);
    const device = configSpaceRegistersHardware(rf.hardwareBus);
    const host = configSpaceRegisters(rf);
    // Reset values from the spec: capability ID 0x10, version 2, RO and NS enabled, MRRS 512 B.
    expect(host.pcieCap.header.readFields()).toMatchObject({ capabilityId: 0x10, version: 2 });
    expect(host.pcieCap.devctlDevsta.readFields()).toMatchObject({
      relaxedOrdering: true,
      noSnoop: true,
      maxReadRequestSize: "b512",
    });
    device.pcieCap.lnkctlLnksta.modify({ currentLinkSpeed: "gt8p0", negotiatedLinkWidth: "x8" });
    device.pcieCap.devctlDevsta.fields.unsupportedRequestDetected.write(true);
    device.pcieCap.devctlDevsta.fields.correctableErrorDetected.write(true);
    expect(host.pcieCap.lnkctlLnksta.readFields()).toMatchObject({
      currentLinkSpeed: "gt8p0",
      negotiatedLinkWidth: "x8",
    });
    // Software cannot change what only hardware drives ...
    rf.write32(0x50, 0xffff_0000);
    expect(host.pcieCap.lnkctlLnksta.readFields().currentLinkSpeed).toBe("gt8p0");
    // ... and clearing one RW1C error leaves the other pending, with MPS set by RMW meanwhile.
    host.pcieCap.devctlDevsta.fields.maxPayloadSize.write("b512");
    host.pcieCap.devctlDevsta.fields.unsupportedRequestDetected.write(true);
    expect(host.pcieCap.devctlDevsta.readFields()).toMatchObject({
      maxPayloadSize: "b512",
      unsupportedRequestDetected: false,
      correctableErrorDetected: true,
    });
  });
});

const gcc = hasGcc();
describe.runIf(gcc)("generated C register macros (config-space.h)", () => {
  it("give the offsets, resets and masks of the TypeScript description", () => {
    const cDir = fileURLToPath(new URL("./gen/c/", import.meta.url));
    const build = compileSelfCheck(cDir, "config-space");
    try {
      const r = spawnSync(build.exe, ["--registers"], { encoding: "utf8" });
      expect(r.status).toBe(0);
      const lines = r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .sort();
      expect(lines).toEqual(registerTableLines(CONFIG_SPACE_MAP));
      expect(lines.length).toBeGreaterThan(100);
    } finally {
      build.cleanup();
    }
  });
});
