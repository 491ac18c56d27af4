/**
 * The PCIe–SRIO bridge map (`specs/bridge/registers.yaml`) against what it is tied to: the
 * RapidIO Port n CSRs it copies (RapidIO 4.1 Part 6 §7.6.9–§7.6.11, srio.md §8 masks), the
 * maintenance word (srio.md §2.3), the instruction word of `specs/bridge/instructions.yaml`
 * and the paper's figures (SYSTEM.md §2); then the generated accessors over a bus, and the C
 * macros.
 */
import { hasGcc } from "@rashpa/laws";
import type { EnumModel, SpecModel } from "@rashpa/spec";
import { describe, expect, it } from "vitest";
import { fieldMask } from "./fields.js";
import type { RegisterFieldInfo } from "./info.js";
import { registerAt, registerInstances } from "./locate.js";
import { registerTableLines } from "./table.js";
import { PCIE_SRIO_BRIDGE_MAP, pcieSrioBridgeRegisters } from "./gen/registers.js";
import { cRegisterTable, deviceBus, loadSpecs, registerDefinitions } from "./maps.test-helpers.js";

const specs = loadSpecs();
const spec = (id: string): SpecModel => specs.get(id)!;
const enumOf = (s: SpecModel, name: string): EnumModel => s.enums.find((e) => e.name === name)!;
const members = (e: EnumModel): [string, number][] => e.values.map((v) => [v.name, v.value]);

/** The field `name` of the register at `address` of the bridge map. */
function field(address: number, name: string): RegisterFieldInfo {
  const f = registerAt(PCIE_SRIO_BRIDGE_MAP, address).register.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${name} at 0x${address.toString(16)}`);
  return f;
}

const SRIO = 0x5000;

describe("bridge map: copies of the RapidIO Port 0 CSRs", () => {
  it("has the masks of srio.md §8 (Linux rio_regs.h)", () => {
    const masks: [number, string, number][] = [
      [SRIO + 0x04, "portUninitialized", 0x1], // PORT_UNINIT
      [SRIO + 0x04, "portOk", 0x2], // PORT_OK
      [SRIO + 0x04, "portError", 0x4], // PORT_ERR
      [SRIO + 0x04, "portUnavailable", 0x8], // PORT_UA
      [SRIO + 0x04, "portWritePending", 0x10], // PW_PEND
      [SRIO + 0x04, "inputErrorStopped", 0x100], // INP_ES
      [SRIO + 0x04, "outputErrorStopped", 0x1_0000], // OUT_ES
      [SRIO + 0x08, "selectedBaud", 0xf000_0000], // Control 2: selected baud 31:28
      [SRIO + 0x0c, "widthSupport", 0xc000_0000], // Control: port width 31:30
      [SRIO + 0x0c, "initializedWidth", 0x3800_0000], // initialized width 29:27
      [SRIO + 0x0c, "outputPortEnable", 0x40_0000], // EN_TX
      [SRIO + 0x0c, "inputPortEnable", 0x20_0000], // EN_RX
    ];
    for (const [address, name, mask] of masks) expect(fieldMask(field(address, name))).toBe(mask);
  });

  it("puts every field at 31 − its Part 6 (MSB 0) bit number, as its doc cites", () => {
    let checked = 0;
    for (const address of [SRIO + 0x04, SRIO + 0x08, SRIO + 0x0c])
      for (const f of registerAt(PCIE_SRIO_BRIDGE_MAP, address).register.fields) {
        const m = /^Spec bits? (\d+)(?:–(\d+))?,/.exec(f.doc);
        expect(m, f.name).not.toBeNull();
        const first = Number(m![1]);
        const last = m![2] === undefined ? first : Number(m![2]);
        expect([f.name, f.msb, f.lsb]).toEqual([f.name, 31 - first, 31 - last]);
        checked++;
      }
    expect(checked).toBe(20);
  });

  it("gives the write-1-to-clear bits of Table 7-16 that access, and the others none", () => {
    const w1c = registerAt(PCIE_SRIO_BRIDGE_MAP, SRIO + 0x04)
      .register.fields.filter((f) => f.onwrite === "woclr")
      .map((f) => f.name);
    // "Once set, remains set until written with a logic 1 to clear": bits 11, 14, 22, 27, 29.
    expect(w1c).toEqual([
      "portError",
      "portWritePending",
      "inputErrorEncountered",
      "outputErrorEncountered",
      "outputRetryEncountered",
    ]);
    expect(field(SRIO + 0x04, "portUninitialized").reset).toBe(1); // Table 7-16 reset 0b1
  });

  it("encodes baud rates and widths as Tables 7-15 and 7-17", () => {
    const s = spec("bridge.registers");
    expect(members(enumOf(s, "SrioBaud"))).toEqual([
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
    expect(members(enumOf(s, "SrioPortWidth"))).toEqual([
      ["x1", 0],
      ["x1-lane-r", 1],
      ["x4", 2],
      ["x2", 3],
      ["x8", 4],
      ["x16", 5],
    ]);
  });
});

describe("bridge map: instructions and the paper's design", () => {
  const INSTR = 0x2000;

  it("packs the maintenance operands as the word after the TID (srio.md §2.3)", () => {
    expect(fieldMask(field(INSTR + 0x18, "hopCount"))).toBe(0xff00_0000);
    expect(fieldMask(field(INSTR + 0x18, "wordOffset"))).toBe(0x00ff_fffc);
  });

  it("numbers opcodes as the instruction word and names its header fields alike", () => {
    const words = spec("bridge.instructions");
    expect(members(enumOf(spec("bridge.registers"), "BridgeOpcode"))).toEqual(
      members(enumOf(words, "InstructionOpcode")),
    );
    const names = new Set(
      registerInstances(PCIE_SRIO_BRIDGE_MAP)
        .filter((r) => r.path.startsWith("instruction."))
        .flatMap((r) => r.register.fields.map((f) => f.name)),
    );
    for (const n of ["priority", "dev16", "tag", "destId", "hopCount", "wordOffset", "info"])
      expect(names.has(n), n).toBe(true);
  });

  it("has five channel mappings and the paper's constants as reset values", () => {
    const channels = registerInstances(PCIE_SRIO_BRIDGE_MAP).filter((r) =>
      r.path.endsWith("].mapping"),
    );
    expect(channels.map((c) => c.path)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `channels.channel[${i}].mapping`),
    );
    expect(enumOf(spec("bridge.registers"), "SrioInterface").values).toHaveLength(5);
    expect(field(0x08, "channels").reset).toBe(5);
    expect(field(0x08, "clockMhz").reset).toBe(150); // SYSTEM.md §2: 150 MHz
    expect(field(0x08, "pipelineCycles").reset).toBe(9); // 9 cycles = 60 ns
    expect(field(0x3000, "packetBytes").reset).toBe(256); // SWRITE cut into 256-byte packets
  });
});

describe("pcieSrioBridgeRegisters over a bus", () => {
  const BASE = 0x8000_0000;

  it("issues a register write from the instruction registers", () => {
    const bus = deviceBus(PCIE_SRIO_BRIDGE_MAP, BASE);
    const regs = pcieSrioBridgeRegisters(bus, BASE);
    const ins = regs.instruction;
    ins.target.writeFields({ destId: 0x12, dev16: true });
    ins.addressLo.writeFields({ address: 0x40 });
    ins.addressHi.writeFields({ address: 1 });
    ins.writeData.fields.value.write(0xdead_beef);
    ins.command.writeFields({ opcode: 2, tag: 0x5a, go: true });
    expect(bus.writes.at(-1)).toEqual([BASE + 0x2020, 0x8000_5a02]);
    expect(ins.command.readFields()).toEqual({ opcode: 2, tag: 0x5a }); // go is a pulse
    expect(bus.read32(BASE + 0x2000)).toBe(0x0001_0012);
    expect(bus.read32(BASE + 0x200c)).toBe(0xdead_beef);
    ins.maintenance.writeFields({ hopCount: 1, wordOffset: 0x158 / 4 });
    expect(bus.read32(BASE + 0x2018)).toBe(0x0100_0158); // srio.md §2.3 word
  });

  it("clears TX_done and a port error without disturbing the other status bits", () => {
    const bus = deviceBus(PCIE_SRIO_BRIDGE_MAP, BASE);
    const regs = pcieSrioBridgeRegisters(bus, BASE);
    const st = regs.instruction.status;
    bus.words.set(st.address, 0x0207_0006); // tag 2, opcode 7, error + txDone
    st.fields.txDone.write(true);
    expect(bus.writes.at(-1)).toEqual([st.address, 0x2]);
    expect(st.readFields()).toMatchObject({ txDone: false, error: true, opcode: 7, tag: 2 });
    const pes = regs.srio.portErrorStatus;
    bus.words.set(pes.address, 0x0000_0206); // input error-encountered, port error, port OK
    pes.fields.portError.write(true);
    expect(bus.writes.at(-1)).toEqual([pes.address, 0x4]);
    expect(pes.readFields()).toMatchObject({
      portOk: true,
      portError: false,
      inputErrorEncountered: true,
    });
    expect(regs.srio.portControl2.readFields()).toEqual({ selectedBaud: "none" });
  });

  it("reads the channel mapping of each element", () => {
    const bus = deviceBus(PCIE_SRIO_BRIDGE_MAP);
    const regs = pcieSrioBridgeRegisters(bus);
    for (let n = 0; n < 5; n++) bus.words.set(0x1000 + n * 0x20, 0x1_0000 | ((n + 1) << 8) | n);
    expect(regs.channels.channel.map((c) => c.mapping.readFields())).toEqual([
      { interface: "io-initiator", pcieChannel: 1, enable: true },
      { interface: "io-target", pcieChannel: 2, enable: true },
      { interface: "message-initiator", pcieChannel: 3, enable: true },
      { interface: "message-target", pcieChannel: 4, enable: true },
      { interface: "maintenance", pcieChannel: 5, enable: true },
    ]);
  });

  it("counts its registers", () => {
    expect(registerInstances(PCIE_SRIO_BRIDGE_MAP).length).toBe(BRIDGE_REGISTER_INSTANCES);
    expect(registerDefinitions(PCIE_SRIO_BRIDGE_MAP)).toBe(BRIDGE_REGISTER_DEFINITIONS);
  });
});

describe.runIf(hasGcc())("bridge map: generated C macros", () => {
  it("print the table of the TypeScript description", () => {
    const lines = cRegisterTable("registers");
    expect(lines).toEqual(registerTableLines(PCIE_SRIO_BRIDGE_MAP));
    expect(lines).toContain(
      "field bridge.pcie-srio-bridge srio.portErrorStatus.outputErrorStopped 16 1 0x10000",
    );
  });
});

/** Register instances of the bridge map (arrays expanded), as the report counts them. */
const BRIDGE_REGISTER_INSTANCES = 79;
/** Register definitions of the bridge map. */
const BRIDGE_REGISTER_DEFINITIONS = 55;
