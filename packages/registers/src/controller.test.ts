/**
 * The RASHPA controller map (`specs/rashpa/controller.yaml`) against what it is tied to: the
 * Xilinx AXI CDMA offsets and bits (xaxicdma_hw.h, Linux xilinx_dma.c), the BTD push window and
 * ATU entry of `specs/rashpa/descriptors.yaml`, the PCIe encodings and bit positions of
 * `specs/pcie/config-space.yaml`; then the generated accessors over a bus, and the C macros.
 */
import { formatByteSize } from "@rashpa/spec";
import type { EnumModel, RegisterMapModel, SpecModel } from "@rashpa/spec";
import { hasGcc } from "@rashpa/laws";
import { describe, expect, it } from "vitest";
import { CONTROLLER_BTD_FIFO_BYTES, CONTROLLER_BTD_FIFO_OFFSET } from "./controller.js";
import { fieldMask, resetValue } from "./fields.js";
import type { RegisterFieldInfo } from "./info.js";
import { memoryInstances, registerAt, registerInstances } from "./locate.js";
import { registerTableLines } from "./table.js";
import { CONTROLLER_MAP, controllerRegisters } from "./gen/controller.js";
import { cRegisterTable, deviceBus, loadSpecs, registerDefinitions } from "./maps.test-helpers.js";

const specs = loadSpecs();
const spec = (id: string): SpecModel => specs.get(id)!;
const enumOf = (s: SpecModel, name: string): EnumModel => s.enums.find((e) => e.name === name)!;
const members = (e: EnumModel): [string, number][] => e.values.map((v) => [v.name, v.value]);

/** The field `name` of the register at `address` of the controller map. */
function field(address: number, name: string): RegisterFieldInfo {
  const f = registerAt(CONTROLLER_MAP, address).register.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${name} at 0x${address.toString(16)}`);
  return f;
}

const CDMA = 0xb000;

describe("controller map: Xilinx AXI CDMA block (PG034)", () => {
  it("puts every register at its PG034 offset", () => {
    // xaxicdma_hw.h XAXICDMA_*_OFFSET and xilinx_dma.c XILINX_DMA_REG_* / XILINX_CDMA_REG_*.
    const pg034: [string, number][] = [
      ["cdmacr", 0x00],
      ["cdmasr", 0x04],
      ["curdescPntr", 0x08],
      ["curdescPntrMsb", 0x0c],
      ["taildescPntr", 0x10],
      ["taildescPntrMsb", 0x14],
      ["sa", 0x18],
      ["saMsb", 0x1c],
      ["da", 0x20],
      ["daMsb", 0x24],
      ["btt", 0x28],
    ];
    for (const [name, offset] of pg034)
      expect(registerAt(CONTROLLER_MAP, CDMA + offset).path).toBe(`cdma.${name}`);
  });

  it("gives CDMACR and CDMASR the masks of xaxicdma_hw.h", () => {
    const cr: [string, number][] = [
      ["reset", 0x4], // XAXICDMA_CR_RESET_MASK
      ["sgMode", 0x8], // XAXICDMA_CR_SGMODE_MASK, Linux XILINX_CDMA_CR_SGMODE BIT(3)
      ["keyholeRead", 0x10], // XAXICDMA_CR_KHOLE_RD_MASK
      ["keyholeWrite", 0x20], // XAXICDMA_CR_KHOLE_WR_MASK
      ["iocIrqEn", 0x1000], // XAXICDMA_XR_IRQ_IOC_MASK
      ["dlyIrqEn", 0x2000], // XAXICDMA_XR_IRQ_DELAY_MASK
      ["errIrqEn", 0x4000], // XAXICDMA_XR_IRQ_ERROR_MASK
      ["irqThreshold", 0x00ff_0000], // XAXICDMA_XR_COALESCE_MASK
      ["irqDelay", 0xff00_0000], // XAXICDMA_XR_DELAY_MASK
    ];
    for (const [name, mask] of cr) expect(fieldMask(field(CDMA, name))).toBe(mask);
    const sr: [string, number][] = [
      ["idle", 0x2], // XAXICDMA_SR_IDLE_MASK
      ["sgIncluded", 0x8], // XAXICDMA_SR_SGINCLD_MASK
      ["iocIrq", 0x1000],
      ["dlyIrq", 0x2000],
      ["errIrq", 0x4000],
      ["irqThresholdSts", 0x00ff_0000],
      ["irqDelaySts", 0xff00_0000],
    ];
    for (const [name, mask] of sr) expect(fieldMask(field(CDMA + 4, name))).toBe(mask);
    // XAXICDMA_SR_ERR_ALL_MASK 0x770 is exactly the six error bits.
    const errors = ["dmaIntErr", "dmaSlvErr", "dmaDecErr", "sgIntErr", "sgSlvErr", "sgDecErr"];
    expect(errors.reduce((m, n) => m | fieldMask(field(CDMA + 4, n)), 0)).toBe(0x770);
    // The interrupt bits are RW1C, in the same positions as their enables (XAXICDMA_XR_IRQ_ALL_MASK 0x7000).
    const irq = ["iocIrq", "dlyIrq", "errIrq"].map((n) => field(CDMA + 4, n));
    expect(irq.every((f) => f.onwrite === "woclr")).toBe(true);
    expect(irq.reduce((m, f) => m | fieldMask(f), 0)).toBe(0x7000);
  });

  it("leaves the three pointer pairs and BTT as 64-bit addresses and a 26-bit count", () => {
    expect(fieldMask(field(CDMA + 0x08, "pointer"))).toBe(0xffff_ffc0); // 64-byte aligned BDs
    expect(fieldMask(field(CDMA + 0x28, "bytes"))).toBe(0x03ff_ffff);
    for (const off of [0x0c, 0x14, 0x1c, 0x24])
      expect(fieldMask(registerAt(CONTROLLER_MAP, CDMA + off).register.fields[0]!)).toBe(
        0xffff_ffff,
      );
  });
});

describe("controller map: ties to the descriptors spec", () => {
  const descriptors = spec("rashpa.descriptors");

  it("leaves the BTD push window's page free, and the window fits it", () => {
    const inWindow = registerInstances(CONTROLLER_MAP).filter(
      (r) =>
        r.address >= CONTROLLER_BTD_FIFO_OFFSET &&
        r.address < CONTROLLER_BTD_FIFO_OFFSET + CONTROLLER_BTD_FIFO_BYTES,
    );
    expect(inWindow).toEqual([]);
    const fifo = descriptors.registerMaps.find((m) => m.name === "btd-fifo")!;
    expect(mapSpan(fifo)).toBe(0x28); // control, data[8], status: rashpa-anchors.md §1.4
    expect(mapSpan(fifo)).toBeLessThanOrEqual(CONTROLLER_BTD_FIFO_BYTES);
    // rashpa_pkg.vhd BTD_FIFO_DEPTH = 16, reported by the capability register.
    expect(field(0x08, "btdFifoDepth").reset).toBe(16);
  });

  it("describes the ATU table with the rashpa.atu-entry format", () => {
    const [atu] = memoryInstances(CONTROLLER_MAP);
    expect(atu?.path).toBe("atu.entries");
    expect(atu?.memory.format).toBe("rashpa.atu-entry");
    const entry = descriptors.formats.find((f) => f.id === "rashpa.atu-entry")!;
    expect(atu?.memory.entryBytes).toBe(formatByteSize(entry));
    expect(atu?.memory.entries).toBe(field(0x0c, "entries").reset);
  });

  it("numbers channel modes as BtdKind and event mask bits as EventType", () => {
    const ctl = spec("rashpa.controller");
    const kinds = new Map(members(enumOf(descriptors, "BtdKind")));
    for (const [name, value] of members(enumOf(ctl, "ChannelMode")))
      expect(kinds.get(name)).toBe(value);
    const mask = registerAt(CONTROLLER_MAP, 0xa008).register;
    const types = members(enumOf(descriptors, "EventType"));
    expect(mask.fields.map((f) => [f.name, f.lsb])).toEqual(
      types.map(([n, v]) => [n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), v]),
    );
  });

  it("has one register file per BTD channel number", () => {
    const channels = registerInstances(CONTROLLER_MAP).filter((r) => r.path.endsWith("].control"));
    expect(channels.length).toBe(16); // the BTD channel field is 4 bits
    expect(field(0x08, "dataChannels").reset).toBe(16);
  });
});

describe("controller map: PCIe mirror uses the configuration-space encodings", () => {
  const pcie = spec("pcie.config-space");
  const ctl = spec("rashpa.controller");
  const cfg = pcie.registerMaps[0]!;
  const cfgField = (reg: string, name: string): { lsb: number; msb: number } => {
    for (const b of cfg.blocks)
      for (const n of b.nodes)
        if (n.kind === "register" && n.name === reg) {
          const f = n.fields.find((x) => x.name === name);
          if (f) return f;
        }
    throw new Error(`${reg}.${name}`);
  };

  it("has the same enum members and values", () => {
    expect(members(enumOf(ctl, "PcieLinkSpeed"))).toEqual(members(enumOf(pcie, "LinkSpeed")));
    expect(members(enumOf(ctl, "PcieLinkWidth"))).toEqual(members(enumOf(pcie, "LinkWidth")));
    expect(members(enumOf(ctl, "PciePayloadSize"))).toEqual(members(enumOf(pcie, "PayloadSize")));
  });

  it("copies each configuration register bit for bit", () => {
    const same = (address: number, reg: string, shift: number): void => {
      for (const f of registerAt(CONTROLLER_MAP, address).register.fields) {
        const c = cfgField(reg, f.name);
        expect([f.name, f.lsb, f.msb]).toEqual([f.name, c.lsb - shift, c.msb - shift]);
      }
    };
    same(0xc000, "lnkcap", 0);
    same(0xc004, "devctl-devsta", 0);
    same(0xc008, "lnkctl-lnksta", 16); // LNKSTA is the upper half of its configuration dword
  });
});

describe("controllerRegisters over a bus", () => {
  const BASE = 0x10_0000;

  it("writes channel configuration fields where the map puts them", () => {
    const bus = deviceBus(CONTROLLER_MAP, BASE);
    const regs = controllerRegisters(bus, BASE);
    const ch = regs.bgu.channel[3]!;
    expect(ch.atuRange.address).toBe(BASE + 0x2000 + 0x100 + 3 * 0x40 + 0x10);
    ch.atuRange.writeFields({ first: 8, count: 4 });
    ch.control.modify({ enable: true, mode: "roi", decimation: 9 });
    expect(bus.read32(ch.atuRange.address)).toBe(0x0004_0008);
    expect(ch.control.readFields()).toEqual({
      enable: true,
      mode: "roi",
      notify: false,
      backPressure: false,
      decimation: 9,
    });
    ch.control.fields.notify.write(true);
    expect(bus.read32(ch.control.address)).toBe(0x0000_0913);
    expect(regs.diu.geometry.readFields()).toEqual({ width: 0, height: 0 }); // nothing stored yet
    regs.diu.geometry.writeFields({});
    expect(regs.diu.geometry.readFields()).toEqual({ width: 256, height: 256 }); // reset values
    expect(regs.bsu.maxTransfer.address).toBe(BASE + 0x9000);
  });

  it("clears one interrupt status bit without disturbing the others", () => {
    const bus = deviceBus(CONTROLLER_MAP, BASE);
    const regs = controllerRegisters(bus, BASE);
    const raw = regs.global.irqRaw;
    bus.words.set(raw.address, 0b0100_1001); // frameDone, atuFault, linkDown pending
    regs.global.irqEnable.fields.atuFault.write(true);
    raw.fields.atuFault.write(true);
    expect(bus.writes.at(-1)).toEqual([raw.address, 0b1000]); // 1 only in the bit cleared
    expect(raw.readFields()).toMatchObject({ frameDone: true, atuFault: false, linkDown: true });
    // The same for CDMASR: clearing IOC leaves Err_Irq and the read-only idle bit alone.
    const sr = regs.cdma.cdmasr;
    bus.words.set(sr.address, 0x0001_5002); // threshold 1, Err_Irq, IOC_Irq, idle
    sr.fields.iocIrq.write(true);
    expect(bus.writes.at(-1)).toEqual([sr.address, 0x1000]);
    expect(sr.readFields()).toMatchObject({ idle: true, iocIrq: false, errIrq: true });
  });

  it("refuses read-only fields and reads write-only pulses as absent", () => {
    const regs = controllerRegisters(deviceBus(CONTROLLER_MAP));
    const ident = regs.global.ident as unknown as { fields: { magic: { write(v: number): void } } };
    expect(() => ident.fields.magic.write(1)).toThrow(/software access is "r"/);
    expect(Object.keys(regs.global.control.readFields())).toEqual(["enable"]);
    expect(resetValue(regs.global.ident.info)).toBe(0x5241_5348); // "RASH"
  });

  it("reads and writes ATU entries as four big-endian words", () => {
    const bus = deviceBus(CONTROLLER_MAP);
    const regs = controllerRegisters(bus);
    const entry = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    regs.atu.entries.writeEntry(2, entry);
    expect(bus.writes.map(([a]) => a)).toEqual([0x5020, 0x5024, 0x5028, 0x502c]);
    expect(bus.read32(0x5020)).toBe(0x0102_0304);
    expect(regs.atu.entries.readEntry(2)).toEqual(entry);
  });

  it("counts its registers", () => {
    expect(registerInstances(CONTROLLER_MAP).length).toBe(CONTROLLER_REGISTER_INSTANCES);
    expect(registerDefinitions(CONTROLLER_MAP)).toBe(CONTROLLER_REGISTER_DEFINITIONS);
  });
});

describe.runIf(hasGcc())("controller map: generated C macros", () => {
  it("print the table of the TypeScript description", () => {
    const lines = cRegisterTable("controller");
    expect(lines).toEqual(registerTableLines(CONTROLLER_MAP));
    expect(lines).toContain("reg rashpa.controller cdma.btt 0xb028 0x0");
    expect(lines).toContain("field rashpa.controller cdma.cdmasr.errIrq 14 1 0x4000");
  });
});

/** Bytes from offset 0 of a map to the end of its last register. */
function mapSpan(map: RegisterMapModel): number {
  let end = 0;
  for (const b of map.blocks)
    for (const n of b.nodes)
      if (n.kind === "register")
        end = Math.max(end, b.offset + n.offset + (n.count - 1) * n.stride + n.width / 8);
  return end;
}

/** Register instances of the controller map (arrays expanded), as the report counts them. */
const CONTROLLER_REGISTER_INSTANCES = 267;
/** Register definitions of the controller map. */
const CONTROLLER_REGISTER_DEFINITIONS = 72;
