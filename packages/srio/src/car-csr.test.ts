/**
 * specs/srio/car-csr.yaml against an independent table of offsets and masks transcribed from
 * docs/reference/srio.md §8 (Linux include/linux/rio_regs.h). RapidIO numbers register bits
 * MSB 0, the spec language LSB 0: RapidIO bit b is mask 1 << (31 − b) (srio.md §1).
 */
import { fileURLToPath } from "node:url";
import { loadSpecFile } from "@rashpa/spec";
import type { RegFieldModel, RegisterModel } from "@rashpa/spec";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const spec = loadSpecFile(`${root}specs/srio/car-csr.yaml`, root);
const map = spec.registerMaps.find((m) => m.name === "car-csr")!;

/** Example placement of the LP-Serial block (the extended features list decides it). */
const EF_PTR = 0x100;

/** A register of the map and its byte address (of port `port` for per-port registers). */
function register(
  block: string,
  name: string,
  port?: number,
): { address: number; reg: RegisterModel } {
  const b = map.blocks.find((x) => x.name === block);
  if (b === undefined) throw new Error(`no block ${block}`);
  for (const node of b.nodes) {
    if (node.kind === "register" && node.name === name)
      return { address: b.offset + node.offset, reg: node };
    if (node.kind === "regfile" && port !== undefined) {
      const reg = node.registers.find((r) => r.name === name);
      if (reg !== undefined) {
        expect(port).toBeLessThan(node.count);
        return { address: b.offset + node.offset + port * node.stride + reg.offset, reg };
      }
    }
  }
  throw new Error(`no register ${block}.${name}`);
}

function fieldOf(block: string, reg: string, name: string, port?: number): RegFieldModel {
  const f = register(block, reg, port).reg.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${block}.${reg}.${name}`);
  return f;
}

/** Where the spec puts a field: register address and 32-bit mask. */
function at(block: string, reg: string, name: string, port?: number): [number, number] {
  const f = fieldOf(block, reg, name, port);
  const mask = Number(((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb));
  return [register(block, reg, port).address, mask];
}

/**
 * srio.md §8, transcribed: [register offset, Linux-style name, mask]. LP-Serial offsets are from
 * EF_PTR, per-port offsets for port n = 0 (Register Map I: + 0x20·n).
 */
const STANDARD: readonly [number, string, number, string, string][] = [
  // offset, srio.md §8 name, mask, spec register, spec field
  [0x00, "DeviceIdentity 31:16", 0xffff0000, "device-identity", "deviceIdentity"],
  [0x00, "DeviceVendorIdentity 15:0", 0x0000ffff, "device-identity", "deviceVendorIdentity"],
  [0x08, "AssyIdentity 31:16", 0xffff0000, "assembly-identity", "assyIdentity"],
  [0x08, "AssyVendorIdentity 15:0", 0x0000ffff, "assembly-identity", "assyVendorIdentity"],
  [0x0c, "AssyRev 31:16", 0xffff0000, "assembly-information", "assyRev"],
  [0x0c, "ExtendedFeaturesPtr 15:0", 0x0000ffff, "assembly-information", "extendedFeaturesPtr"],
  [0x10, "Bridge", 0x8000_0000, "pe-features", "bridge"],
  [0x10, "Memory", 0x4000_0000, "pe-features", "memory"],
  [0x10, "Processor", 0x2000_0000, "pe-features", "processor"],
  [0x10, "Switch", 0x1000_0000, "pe-features", "switch"],
  [0x10, "Multiport", 0x0800_0000, "pe-features", "multiport"],
  [0x10, "Dev32", 0x1000, "pe-features", "dev32"],
  [0x10, "extended route table", 0x200, "pe-features", "extendedRouteTable"],
  [0x10, "standard route table", 0x100, "pe-features", "standardRouteTable"],
  [0x10, "Dev16 (CTLS)", 0x10, "pe-features", "dev16"],
  [0x10, "extended features", 0x08, "pe-features", "extendedFeatures"],
  [0x10, "extended addressing (bits 29–31)", 0x7, "pe-features", "extendedAddressing"],
  [0x14, "PortTotal 15:8", 0xff00, "switch-port-information", "portTotal"],
  [0x14, "PortNumber 7:0", 0x00ff, "switch-port-information", "portNumber"],
  [0x34, "Max_destID 15:0", 0xffff, "switch-route-table-destid-limit", "maxDestId"],
  [
    0x4c,
    "extended addressing control",
    0x7,
    "pe-logical-layer-control",
    "extendedAddressingControl",
  ],
  [0x60, "Dev8 ID (mask 23:16)", 0x00ff0000, "base-device-id", "dev8BaseDeviceId"],
  [0x60, "Dev16 ID (15:0)", 0x0000ffff, "base-device-id", "dev16BaseDeviceId"],
  [0x68, "Host_base_Dev32ID msbs 31:16", 0xffff0000, "host-base-device-id-lock", "hostBaseDev32Id"],
  [0x68, "Host_base_deviceID 15:0", 0x0000ffff, "host-base-device-id-lock", "hostBaseDeviceId"],
  [0x6c, "component tag", 0xffffffff, "component-tag", "componentTag"],
  [0x70, "extended config enable", 0x8000_0000, "std-route-destid-select", "extConfigEnable"],
];

/** srio.md §8 Source/Destination Operations CAR bits (0x18 / 0x1C). */
const OPERATIONS: readonly [string, number, string][] = [
  ["Read", 0x8000, "read"],
  ["Write", 0x4000, "write"],
  ["SWRITE", 0x2000, "streamingWrite"],
  ["NWRITE_R", 0x1000, "writeWithResponse"],
  ["data message", 0x800, "dataMessage"],
  ["doorbell", 0x400, "doorbell"],
  ["CAS", 0x200, "atomicCompareAndSwap"],
  ["TAS", 0x100, "atomicTestAndSwap"],
  ["inc", 0x80, "atomicIncrement"],
  ["dec", 0x40, "atomicDecrement"],
  ["set", 0x20, "atomicSet"],
  ["clr", 0x10, "atomicClear"],
  ["swap", 0x08, "atomicSwap"],
  ["port-write", 0x04, "portWrite"],
];

/** srio.md §8 LP-Serial block, register map I: [offset from EF_PTR for port 0, name, mask, register, field]. */
const LP_SERIAL: readonly [number, string, number, string, string][] = [
  [0x3c, "Host", 0x8000_0000, "port-general-control", "host"],
  [0x3c, "Master Enable", 0x4000_0000, "port-general-control", "masterEnable"],
  [0x3c, "Discovered", 0x2000_0000, "port-general-control", "discovered"],
  [0x44, "valid", 0x8000_0000, "link-maintenance-response", "responseValid"],
  [0x44, "link status", 0x1f, "link-maintenance-response", "portStatus"],
  [0x54, "selected baud 31:28", 0xf000_0000, "control-2", "selectedBaudrate"],
  [0x58, "PORT_UNINIT", 0x1, "error-and-status", "portUninitialized"],
  [0x58, "PORT_OK", 0x2, "error-and-status", "portOk"],
  [0x58, "PORT_ERR", 0x4, "error-and-status", "portError"],
  [0x58, "PORT_UA", 0x8, "error-and-status", "portUnavailable"],
  [0x58, "PW_PEND", 0x10, "error-and-status", "portWritePending"],
  [0x58, "INP_ES", 0x100, "error-and-status", "inputErrorStopped"],
  [0x58, "OUT_ES", 0x10000, "error-and-status", "outputErrorStopped"],
  [0x5c, "port width 31:30", 0xc000_0000, "control", "portWidthSupport"],
  [0x5c, "initialized width 29:27", 0x3800_0000, "control", "initializedPortWidth"],
  [0x5c, "EN_TX", 0x40_0000, "control", "outputPortEnable"],
  [0x5c, "EN_RX", 0x20_0000, "control", "inputPortEnable"],
  [0x5c, "serial type", 0x1, "control", "portType"],
];

describe("standard CARs/CSRs (srio.md §8)", () => {
  for (const [offset, name, mask, reg, field] of STANDARD) {
    it(`0x${offset.toString(16).padStart(2, "0")} ${name} = 0x${mask.toString(16)}`, () => {
      expect(at("standard", reg, field)).toEqual([offset, mask]);
    });
  }

  it("Source (0x18) and Destination (0x1C) Operations CARs share the §8 bits", () => {
    for (const [name, mask, field] of OPERATIONS) {
      expect(at("standard", "source-operations", field), name).toEqual([0x18, mask]);
      expect(at("standard", "destination-operations", field), name).toEqual([0x1c, mask]);
    }
  });

  it("places the registers §8 lists without masks", () => {
    expect(register("standard", "device-information").address).toBe(0x04);
    expect(register("standard", "lcsba0").address).toBe(0x58);
    expect(register("standard", "lcsba1").address).toBe(0x5c);
    expect(register("standard", "dev32-base-device-id").address).toBe(0x64);
    expect(register("standard", "std-route-port-select").address).toBe(0x74);
    expect(register("standard", "std-route-default-port").address).toBe(0x78);
  });

  it("extended addressing encodings (§8: 0x7 = 66+50+34, 0x5 = 66+34, 0x3 = 50+34, 0x1 = 34; control 66 0x4, 50 0x2, 34 0x1)", () => {
    const support = fieldOf("standard", "pe-features", "extendedAddressing").enum!;
    expect(support.values.map((v) => [v.name, v.value])).toEqual([
      ["a34", 0x1],
      ["a50-a34", 0x3],
      ["a66-a34", 0x5],
      ["a66-a50-a34", 0x7],
    ]);
    const control = fieldOf("standard", "pe-logical-layer-control", "extendedAddressingControl");
    expect(control.enum!.values.map((v) => [v.name, v.value])).toEqual([
      ["a34", 0x1],
      ["a50", 0x2],
      ["a66", 0x4],
    ]);
    expect(control.reset).toBe(1n);
  });

  it("Host Base Device ID Lock resets to 0x0000_FFFF and is write-once", () => {
    const id = fieldOf("standard", "host-base-device-id-lock", "hostBaseDeviceId");
    const msbs = fieldOf("standard", "host-base-device-id-lock", "hostBaseDev32Id");
    expect((msbs.reset! << 16n) | id.reset!).toBe(0x0000ffffn);
    expect([id.sw, msbs.sw]).toEqual(["rw1", "rw1"]);
  });

  it("CARs (0x00–0x34) are read-only, the component tag resets to 0", () => {
    for (const name of [
      "device-identity",
      "pe-features",
      "source-operations",
      "switch-route-table-destid-limit",
    ]) {
      for (const f of register("standard", name).reg.fields)
        expect(f.sw, `${name}.${f.name}`).toBe("r");
    }
    expect(fieldOf("standard", "component-tag", "componentTag").reset).toBe(0n);
  });
});

describe(`LP-Serial register map I at the example EF_PTR 0x${EF_PTR.toString(16)} (srio.md §8)`, () => {
  it("block header, timeouts and general control at +0x00/+0x20/+0x24/+0x3C", () => {
    expect(register("lp-serial", "block-header").address).toBe(EF_PTR);
    expect(at("lp-serial", "block-header", "efPtr")).toEqual([EF_PTR, 0xffff0000]);
    expect(at("lp-serial", "block-header", "efId")).toEqual([EF_PTR, 0x0000ffff]);
    expect(register("lp-serial", "port-link-timeout").address).toBe(EF_PTR + 0x20);
    expect(register("lp-serial", "port-response-timeout").address).toBe(EF_PTR + 0x24);
    // The Assembly Information CAR points at the block; its EF_ID is a register-map-I serial ID.
    expect(fieldOf("standard", "assembly-information", "extendedFeaturesPtr").reset).toBe(
      BigInt(EF_PTR),
    );
    expect([0x0001, 0x0002, 0x0003, 0x0009]).toContain(
      Number(fieldOf("lp-serial", "block-header", "efId").reset),
    );
  });

  for (const [offset, name, mask, reg, field] of LP_SERIAL) {
    it(`+0x${offset.toString(16)} ${name} = 0x${mask.toString(16)}`, () => {
      const port = offset >= 0x40 ? 0 : undefined;
      expect(at("lp-serial", reg, field, port)).toEqual([EF_PTR + offset, mask]);
    });
  }

  it("per-port registers repeat every 0x20 (+0x40 + 0x20·n) for ports 0–15", () => {
    const perPort: [string, number][] = [
      ["link-maintenance-request", 0x40],
      ["link-maintenance-response", 0x44],
      ["local-ackid-status", 0x48],
      ["initialization-status", 0x4c],
      ["control-2", 0x54],
      ["error-and-status", 0x58],
      ["control", 0x5c],
    ];
    for (const [name, offset] of perPort) {
      for (const n of [0, 1, 15])
        expect(register("lp-serial", name, n).address, `${name}[${n}]`).toBe(
          EF_PTR + offset + 0x20 * n,
        );
    }
  });

  it("ackID status of the link-maintenance response covers rio_regs.h ASTAT 0x7E0", () => {
    // Linux reads 6 bits (CS48); Part 6 Table 7-12 widens ackID_status to 12 bits (CS64).
    const [, mask] = at("lp-serial", "link-maintenance-response", "ackIdStatus", 0);
    expect(mask & 0x7e0).toBe(0x7e0);
    expect(mask).toBe(0x1ffe0);
  });

  it("link-maintenance request commands (§8: 3 reset-device, 4 input-status)", () => {
    const cmd = fieldOf("lp-serial", "link-maintenance-request", "command", 0);
    expect(at("lp-serial", "link-maintenance-request", "command", 0)[1]).toBe(0x7);
    const value = (n: string) => cmd.enum!.values.find((v) => v.name === n)!.value;
    expect(value("reset-device")).toBe(3);
    expect(value("port-status")).toBe(4);
  });

  it("Control 2 baud rates (§8: 1 = 1.25 … 8 = 25.78125 Gbaud)", () => {
    const baud = fieldOf("lp-serial", "control-2", "selectedBaudrate", 0).enum!;
    expect(baud.values.map((v) => [v.name, v.value])).toEqual([
      ["none", 0],
      ["gbaud1p25", 1],
      ["gbaud2p5", 2],
      ["gbaud3p125", 3],
      ["gbaud5p0", 4],
      ["gbaud6p25", 5],
      ["gbaud10p3125", 6],
      ["gbaud12p5", 7],
      ["gbaud25p78125", 8],
    ]);
  });

  it("Error and Status: the “written with a logic 1 to clear” bits are RW1C, the states read-only", () => {
    const rw1c = [
      "portError",
      "portWritePending",
      "inputErrorEncountered",
      "outputErrorEncountered",
      "outputRetryEncountered",
    ];
    for (const f of register("lp-serial", "error-and-status", 0).reg.fields) {
      if (rw1c.includes(f.name))
        expect([f.sw, f.hw, f.onwrite], f.name).toEqual(["rw", "w", "woclr"]);
      else expect(f.onwrite, f.name).toBeUndefined();
    }
    for (const ro of [
      "portOk",
      "portUninitialized",
      "inputErrorStopped",
      "outputErrorStopped",
      "outputRetried",
    ]) {
      expect(fieldOf("lp-serial", "error-and-status", ro, 0).sw, ro).toBe("r");
    }
    expect(fieldOf("lp-serial", "error-and-status", "portUninitialized", 0).reset).toBe(1n);
  });

  it("leaves out rio_regs.h LOCKOUT (0x2), reserved in RapidIO 4.1", () => {
    for (const f of register("lp-serial", "control", 0).reg.fields) {
      const mask = Number(((1n << BigInt(f.msb - f.lsb + 1)) - 1n) << BigInt(f.lsb));
      expect(mask & 0x2, f.name).toBe(0);
    }
  });

  it("response_valid clears on read; Clr_outstanding_ackIDs is a write-1 pulse", () => {
    const valid = fieldOf("lp-serial", "link-maintenance-response", "responseValid", 0);
    expect([valid.sw, valid.onread]).toEqual(["r", "rclr"]);
    const clr = fieldOf("lp-serial", "local-ackid-status", "clrOutstandingAckIds", 0);
    expect([clr.sw, clr.singlepulse]).toEqual(["w", true]);
    expect(at("lp-serial", "local-ackid-status", "clrOutstandingAckIds", 0)[1]).toBe(0x8000_0000);
    expect(at("lp-serial", "local-ackid-status", "inboundAckId", 0)[1]).toBe(0x3f00_0000);
    expect(at("lp-serial", "local-ackid-status", "outstandingAckId", 0)[1]).toBe(0x0000_3f00);
    expect(at("lp-serial", "local-ackid-status", "outboundAckId", 0)[1]).toBe(0x0000_003f);
  });
});

describe("MSB-0 to LSB-0 conversion", () => {
  it("every field's doc names the RapidIO bits a–b (or bit b) of its LSB-0 position 31−a : 31−b", () => {
    let checked = 0;
    for (const block of map.blocks) {
      for (const node of block.nodes) {
        const regs =
          node.kind === "register" ? [node] : node.kind === "regfile" ? node.registers : [];
        for (const reg of regs) {
          for (const f of reg.fields) {
            const m = /RapidIO bits? (\d+)(?:–(\d+))?/.exec(f.doc);
            expect(m, `${reg.name}.${f.name} names its RapidIO bits`).not.toBeNull();
            const a = Number(m![1]);
            const b = m![2] === undefined ? a : Number(m![2]);
            expect([f.msb, f.lsb], `${reg.name}.${f.name}`).toEqual([31 - a, 31 - b]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
