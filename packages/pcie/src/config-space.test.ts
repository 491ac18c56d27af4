/**
 * specs/pcie/config-space.yaml against the offsets and masks of pcie.md §9 (Linux
 * include/uapi/linux/pci_regs.h). A 16-bit PCI register at byte offset L with mask M is, in
 * the spec's 32-bit LSB-0 registers, the dword at L & ~3 with mask M << 8 × (L & 3).
 */
import { fileURLToPath } from "node:url";
import { loadSpecFile } from "@rashpa/spec";
import type { RegFieldModel, RegisterModel } from "@rashpa/spec";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const spec = loadSpecFile(`${root}specs/pcie/config-space.yaml`, root);
const map = spec.registerMaps.find((m) => m.name === "config-space")!;

/** Example placement of the PCI Express capability (the capability list decides it). */
const EXP = 0x40;

function register(block: string, name: string): { address: number; reg: RegisterModel } {
  const b = map.blocks.find((x) => x.name === block)!;
  const reg = b.nodes.find((n) => n.name === name);
  if (reg?.kind !== "register") throw new Error(`no register ${block}.${name}`);
  return { address: b.offset + reg.offset, reg };
}

function fieldOf(block: string, reg: string, name: string): RegFieldModel {
  const f = register(block, reg).reg.fields.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no field ${block}.${reg}.${name}`);
  return f;
}

/** Where the spec puts a field: dword address and 32-bit mask. */
function at(block: string, reg: string, name: string): { dword: number; mask: bigint } {
  const f = fieldOf(block, reg, name);
  const width = BigInt(f.msb - f.lsb + 1);
  return { dword: register(block, reg).address, mask: ((1n << width) - 1n) << BigInt(f.lsb) };
}

/** Where pci_regs.h puts it: register byte offset and mask within that register. */
function linux(offset: number, mask: number): { dword: number; mask: bigint } {
  return { dword: offset - (offset % 4), mask: BigInt(mask) << BigInt(8 * (offset % 4)) };
}

describe("type-0 header (pcie.md §9)", () => {
  it("places the header registers at the pci_regs.h offsets", () => {
    // §9: VENDOR_ID 0x00, DEVICE_ID 0x02
    expect(at("header", "id", "vendorId")).toEqual(linux(0x00, 0xffff));
    expect(at("header", "id", "deviceId")).toEqual(linux(0x02, 0xffff));
    // §9: CLASS_REVISION 0x08 (revision in the low byte, class above)
    expect(at("header", "class-revision", "revisionId")).toEqual(linux(0x08, 0xff));
    expect(at("header", "class-revision", "baseClass")).toEqual(linux(0x0b, 0xff));
    // §9: HEADER_TYPE 0x0E
    expect(at("header", "bist-header-latency-cache", "headerLayout")).toEqual(linux(0x0e, 0x7f));
    expect(at("header", "bist-header-latency-cache", "multiFunction")).toEqual(linux(0x0e, 0x80));
    // §9: SUBSYSTEM_VENDOR_ID 0x2C, SUBSYSTEM_ID 0x2E, ROM 0x30, CAPABILITY_LIST 0x34
    expect(at("header", "subsystem", "subsystemVendorId")).toEqual(linux(0x2c, 0xffff));
    expect(at("header", "subsystem", "subsystemId")).toEqual(linux(0x2e, 0xffff));
    expect(register("header", "expansion-rom").address).toBe(0x30);
    expect(at("header", "capabilities-pointer", "pointer")).toEqual(linux(0x34, 0xff));
    // §9: INTERRUPT_LINE/PIN 0x3C/0x3D
    expect(at("header", "interrupt", "interruptLine")).toEqual(linux(0x3c, 0xff));
    expect(at("header", "interrupt", "interruptPin")).toEqual(linux(0x3d, 0xff));
  });

  it("gives Command and Status the §9 bit masks, status bits RW1C", () => {
    // §9: COMMAND 0x04 (IO 0x1, MEMORY 0x2, MASTER 0x4, SERR 0x100, INTX_DISABLE 0x400)
    expect(at("header", "command-status", "ioSpace")).toEqual(linux(0x04, 0x1));
    expect(at("header", "command-status", "memorySpace")).toEqual(linux(0x04, 0x2));
    expect(at("header", "command-status", "busMaster")).toEqual(linux(0x04, 0x4));
    expect(at("header", "command-status", "serrEnable")).toEqual(linux(0x04, 0x100));
    expect(at("header", "command-status", "intxDisable")).toEqual(linux(0x04, 0x400));
    // §9: STATUS 0x06 (CAP_LIST 0x10, REC_MASTER_ABORT 0x2000)
    expect(at("header", "command-status", "capabilitiesList")).toEqual(linux(0x06, 0x10));
    expect(at("header", "command-status", "receivedMasterAbort")).toEqual(linux(0x06, 0x2000));
    const rma = fieldOf("header", "command-status", "receivedMasterAbort");
    expect([rma.sw, rma.hw, rma.onwrite]).toEqual(["rw", "w", "woclr"]);
  });

  it("describes the six BARs at 0x10–0x24 with the §9 flag bits", () => {
    // §9: BAR0–5 0x10–0x24; bit 0 I/O; bits [2:1] 00 = 32-bit, 10 = 64-bit; bit 3 prefetchable; mask ~0xF
    const bar = register("header", "bar");
    expect([bar.address, bar.reg.count, bar.reg.stride]).toEqual([0x10, 6, 4]);
    expect(bar.address + (bar.reg.count - 1) * bar.reg.stride).toBe(0x24);
    expect(at("header", "bar", "ioSpace").mask).toBe(0x1n);
    expect(at("header", "bar", "type").mask).toBe(0x6n);
    expect(fieldOf("header", "bar", "type").enum?.values).toEqual([
      expect.objectContaining({ name: "bits32", value: 0b00 }),
      expect.objectContaining({ name: "bits64", value: 0b10 }),
    ]);
    expect(at("header", "bar", "prefetchable").mask).toBe(0x8n);
    expect(at("header", "bar", "baseAddress").mask).toBe(0xfffffff0n);
  });
});

describe(`PCI Express capability at 0x${EXP.toString(16)} (pcie.md §9)`, () => {
  it("starts with capability ID 0x10 (EXP) and FLAGS at +0x02", () => {
    // §9: Capability IDs: EXP 0x10
    expect(register("pcie-cap", "header").address).toBe(EXP);
    expect(fieldOf("pcie-cap", "header", "capabilityId").reset).toBe(0x10n);
    // §9 FLAGS +0x02: version [3:0]; type [7:4]; FLIT supported 0x8000
    expect(at("pcie-cap", "header", "version")).toEqual(linux(EXP + 0x02, 0x000f));
    expect(at("pcie-cap", "header", "portType")).toEqual(linux(EXP + 0x02, 0x00f0));
    expect(at("pcie-cap", "header", "flitModeSupported")).toEqual(linux(EXP + 0x02, 0x8000));
  });

  it("DEVCAP (+0x04): PAYLOAD [2:0], EXT_TAG 0x20, FLR 0x1000_0000", () => {
    expect(at("pcie-cap", "devcap", "maxPayloadSizeSupported")).toEqual(linux(EXP + 0x04, 0x7));
    expect(at("pcie-cap", "devcap", "extendedTagSupported")).toEqual(linux(EXP + 0x04, 0x20));
    expect(at("pcie-cap", "devcap", "flrCapable")).toEqual(linux(EXP + 0x04, 0x1000_0000));
  });

  it("DEVCTL (+0x08): PAYLOAD mask 0x00E0 = bits 7:5, READRQ mask 0x7000 = bits 14:12, RELAX_EN 0x10, NOSNOOP_EN 0x800", () => {
    expect(at("pcie-cap", "devctl-devsta", "maxPayloadSize")).toEqual(linux(EXP + 0x08, 0x00e0));
    const mps = fieldOf("pcie-cap", "devctl-devsta", "maxPayloadSize");
    expect([mps.msb, mps.lsb]).toEqual([7, 5]);
    expect(at("pcie-cap", "devctl-devsta", "maxReadRequestSize")).toEqual(
      linux(EXP + 0x08, 0x7000),
    );
    const mrrs = fieldOf("pcie-cap", "devctl-devsta", "maxReadRequestSize");
    expect([mrrs.msb, mrrs.lsb]).toEqual([14, 12]);
    expect(at("pcie-cap", "devctl-devsta", "relaxedOrdering")).toEqual(linux(EXP + 0x08, 0x10));
    expect(at("pcie-cap", "devctl-devsta", "noSnoop")).toEqual(linux(EXP + 0x08, 0x800));
    expect(at("pcie-cap", "devctl-devsta", "initiateFlr")).toEqual(linux(EXP + 0x08, 0x8000));
  });

  it("MPS/MRRS codes mean 128 << n bytes (§9: 0x0000 = 128 … 0x00A0 = 4096, 0x5000 = 4096)", () => {
    const e = fieldOf("pcie-cap", "devctl-devsta", "maxPayloadSize").enum!;
    expect(fieldOf("pcie-cap", "devctl-devsta", "maxReadRequestSize").enum).toBe(e);
    for (const v of e.values) expect(v.name).toBe(`b${128 << v.value}`);
    expect(e.values.map((v) => v.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(0x00a0 >> 5).toBe(e.values.find((v) => v.name === "b4096")!.value);
    expect(0x5000 >> 12).toBe(e.values.find((v) => v.name === "b4096")!.value);
  });

  it("DEVSTA (+0x0A): TRPND 0x20, error bits RW1C", () => {
    expect(at("pcie-cap", "devctl-devsta", "transactionsPending")).toEqual(linux(EXP + 0x0a, 0x20));
    const ced = fieldOf("pcie-cap", "devctl-devsta", "correctableErrorDetected");
    expect([ced.sw, ced.hw, ced.onwrite]).toEqual(["rw", "w", "woclr"]);
  });

  it("LNKCAP (+0x0C): SLS [3:0], MLW [9:4], port number [31:24]", () => {
    expect(at("pcie-cap", "lnkcap", "maxLinkSpeed")).toEqual(linux(EXP + 0x0c, 0x0000000f));
    expect(at("pcie-cap", "lnkcap", "maxLinkWidth")).toEqual(linux(EXP + 0x0c, 0x000003f0));
    expect(at("pcie-cap", "lnkcap", "portNumber")).toEqual(linux(EXP + 0x0c, 0xff000000));
  });

  it("LNKCTL (+0x10): RCB 0x0008", () => {
    expect(at("pcie-cap", "lnkctl-lnksta", "readCompletionBoundary")).toEqual(
      linux(EXP + 0x10, 0x0008),
    );
  });

  it("LNKSTA (+0x12): CLS 0x000F, NLW 0x03F0, LT 0x800, SLC 0x1000, DLLLA 0x2000", () => {
    expect(at("pcie-cap", "lnkctl-lnksta", "currentLinkSpeed")).toEqual(linux(EXP + 0x12, 0x000f));
    expect(at("pcie-cap", "lnkctl-lnksta", "negotiatedLinkWidth")).toEqual(
      linux(EXP + 0x12, 0x03f0),
    );
    expect(at("pcie-cap", "lnkctl-lnksta", "linkTraining")).toEqual(linux(EXP + 0x12, 0x0800));
    expect(at("pcie-cap", "lnkctl-lnksta", "slotClock")).toEqual(linux(EXP + 0x12, 0x1000));
    expect(at("pcie-cap", "lnkctl-lnksta", "dataLinkLayerActive")).toEqual(
      linux(EXP + 0x12, 0x2000),
    );
    const cls = fieldOf("pcie-cap", "lnkctl-lnksta", "currentLinkSpeed");
    expect([cls.sw, cls.hw]).toEqual(["r", "w"]);
  });

  it("link speed and width encodings (§9: CLS 1 = 2.5 … 6 = 64.0 GT/s; NLW x1 0x10 … x8 0x80)", () => {
    const speed = fieldOf("pcie-cap", "lnkctl-lnksta", "currentLinkSpeed").enum!;
    expect(speed.values.map((v) => [v.name, v.value])).toEqual([
      ["gt2p5", 1],
      ["gt5p0", 2],
      ["gt8p0", 3],
      ["gt16p0", 4],
      ["gt32p0", 5],
      ["gt64p0", 6],
    ]);
    expect(fieldOf("pcie-cap", "lnkcap", "maxLinkSpeed").enum).toBe(speed);
    expect(fieldOf("pcie-cap", "lnkctl2-lnksta2", "targetLinkSpeed").enum).toBe(speed);
    const width = fieldOf("pcie-cap", "lnkctl-lnksta", "negotiatedLinkWidth").enum!;
    const value = (name: string): number => width.values.find((v) => v.name === name)!.value;
    expect(value("x1") << 4).toBe(0x10);
    expect(value("x2") << 4).toBe(0x20);
    expect(value("x4") << 4).toBe(0x40);
    expect(value("x8") << 4).toBe(0x80);
  });

  it("DEVCAP2 (+0x24), DEVCTL2 (+0x28), LNKCAP2 (+0x2C), LNKCTL2 (+0x30), LNKSTA2 (+0x32)", () => {
    // §9 DEVCAP2: ATOMIC_ROUTE 0x40, ATOMIC_COMP32 0x80, COMP64 0x100, COMP128 0x200, LTR 0x800,
    // TPH_COMP 0x3000, EE_PREFIX 0x200000, EE_PREFIX_MAX 0xC00000
    expect(at("pcie-cap", "devcap2", "atomicRouting")).toEqual(linux(EXP + 0x24, 0x40));
    expect(at("pcie-cap", "devcap2", "atomicCompleter32")).toEqual(linux(EXP + 0x24, 0x80));
    expect(at("pcie-cap", "devcap2", "atomicCompleter64")).toEqual(linux(EXP + 0x24, 0x100));
    expect(at("pcie-cap", "devcap2", "casCompleter128")).toEqual(linux(EXP + 0x24, 0x200));
    expect(at("pcie-cap", "devcap2", "ltr")).toEqual(linux(EXP + 0x24, 0x800));
    expect(at("pcie-cap", "devcap2", "tphCompleter")).toEqual(linux(EXP + 0x24, 0x3000));
    expect(at("pcie-cap", "devcap2", "endEndTlpPrefix")).toEqual(linux(EXP + 0x24, 0x200000));
    expect(at("pcie-cap", "devcap2", "maxEndEndTlpPrefixes")).toEqual(linux(EXP + 0x24, 0xc00000));
    // §9 DEVCTL2: COMP_TIMEOUT [3:0], ATOMIC_REQ 0x40, ATOMIC_EGRESS_BLOCK 0x80, IDO_REQ_EN 0x100,
    // IDO_CMP_EN 0x200, LTR_EN 0x400
    const d2 = "devctl2-devsta2";
    expect(at("pcie-cap", d2, "completionTimeout")).toEqual(linux(EXP + 0x28, 0xf));
    expect(at("pcie-cap", d2, "atomicOpRequester")).toEqual(linux(EXP + 0x28, 0x40));
    expect(at("pcie-cap", d2, "atomicOpEgressBlocking")).toEqual(linux(EXP + 0x28, 0x80));
    expect(at("pcie-cap", d2, "idoRequest")).toEqual(linux(EXP + 0x28, 0x100));
    expect(at("pcie-cap", d2, "idoCompletion")).toEqual(linux(EXP + 0x28, 0x200));
    expect(at("pcie-cap", d2, "ltrEnable")).toEqual(linux(EXP + 0x28, 0x400));
    // §9 LNKCAP2: supported-speeds vector bits 1–6
    expect(at("pcie-cap", "lnkcap2", "supportedLinkSpeeds")).toEqual(linux(EXP + 0x2c, 0x7e));
    // §9 LNKCTL2: TLS [3:0]; LNKSTA2: FLIT 0x0400
    expect(at("pcie-cap", "lnkctl2-lnksta2", "targetLinkSpeed")).toEqual(linux(EXP + 0x30, 0xf));
    expect(at("pcie-cap", "lnkctl2-lnksta2", "flitMode")).toEqual(linux(EXP + 0x32, 0x0400));
  });

  it("documents every field and cites §9 in every register's doc", () => {
    for (const b of map.blocks)
      for (const n of b.nodes) {
        if (n.kind !== "register") continue;
        expect(n.doc, `${b.name}.${n.name}`).toMatch(/Source:\s+(pcie\.md §9|pci_regs\.h)/);
        for (const f of n.fields) expect(f.doc, `${b.name}.${n.name}.${f.name}`).not.toBe("");
      }
    // The whole map fits the 256-byte configuration space (§9: PCI_CFG_SPACE_SIZE).
    expect(register("pcie-cap", "lnkctl2-lnksta2").address + 4).toBeLessThanOrEqual(256);
  });
});

describe("fields beyond pcie.md §9, against Linux pci_regs.h", () => {
  // Masks as pci_regs.h defines them (PCI_COMMAND_*, PCI_STATUS_*, PCI_EXP_*), at the byte
  // offset of their PCI register; `linux()` shifts them into the spec's 32-bit register.
  const table: [block: string, reg: string, field: string, offset: number, mask: number][] = [
    ["header", "command-status", "parityErrorResponse", 0x04, 0x40], // PCI_COMMAND_PARITY
    ["header", "command-status", "interruptStatus", 0x06, 0x08], // PCI_STATUS_INTERRUPT
    ["header", "command-status", "masterDataParityError", 0x06, 0x100], // PCI_STATUS_PARITY
    ["header", "command-status", "signaledTargetAbort", 0x06, 0x800], // PCI_STATUS_SIG_TARGET_ABORT
    ["header", "command-status", "receivedTargetAbort", 0x06, 0x1000], // PCI_STATUS_REC_TARGET_ABORT
    ["header", "command-status", "signaledSystemError", 0x06, 0x4000], // PCI_STATUS_SIG_SYSTEM_ERROR
    ["header", "command-status", "detectedParityError", 0x06, 0x8000], // PCI_STATUS_DETECTED_PARITY
    ["header", "bist-header-latency-cache", "cacheLineSize", 0x0c, 0xff], // PCI_CACHE_LINE_SIZE
    ["header", "bist-header-latency-cache", "latencyTimer", 0x0d, 0xff], // PCI_LATENCY_TIMER
    ["header", "bist-header-latency-cache", "bist", 0x0f, 0xff], // PCI_BIST
    ["header", "interrupt", "minGnt", 0x3e, 0xff], // PCI_MIN_GNT
    ["header", "interrupt", "maxLat", 0x3f, 0xff], // PCI_MAX_LAT
    ["pcie-cap", "devctl-devsta", "correctableErrorReporting", EXP + 0x08, 0x1], // DEVCTL_CERE
    ["pcie-cap", "devctl-devsta", "nonFatalErrorReporting", EXP + 0x08, 0x2], // DEVCTL_NFERE
    ["pcie-cap", "devctl-devsta", "fatalErrorReporting", EXP + 0x08, 0x4], // DEVCTL_FERE
    ["pcie-cap", "devctl-devsta", "unsupportedRequestReporting", EXP + 0x08, 0x8], // DEVCTL_URRE
    ["pcie-cap", "devctl-devsta", "extendedTagEnable", EXP + 0x08, 0x100], // DEVCTL_EXT_TAG
    ["pcie-cap", "devctl-devsta", "phantomFunctions", EXP + 0x08, 0x200], // DEVCTL_PHANTOM
    ["pcie-cap", "devctl-devsta", "auxPowerPm", EXP + 0x08, 0x400], // DEVCTL_AUX_PME
    ["pcie-cap", "devctl-devsta", "correctableErrorDetected", EXP + 0x0a, 0x1], // DEVSTA_CED
    ["pcie-cap", "devctl-devsta", "nonFatalErrorDetected", EXP + 0x0a, 0x2], // DEVSTA_NFED
    ["pcie-cap", "devctl-devsta", "fatalErrorDetected", EXP + 0x0a, 0x4], // DEVSTA_FED
    ["pcie-cap", "devctl-devsta", "unsupportedRequestDetected", EXP + 0x0a, 0x8], // DEVSTA_URD
    ["pcie-cap", "devctl-devsta", "auxPowerDetected", EXP + 0x0a, 0x10], // DEVSTA_AUXPD
    ["pcie-cap", "lnkcap", "aspmSupport", EXP + 0x0c, 0xc00], // LNKCAP_ASPMS
    ["pcie-cap", "lnkctl-lnksta", "aspmControl", EXP + 0x10, 0x3], // LNKCTL_ASPMC
    ["pcie-cap", "lnkctl-lnksta", "retrainLink", EXP + 0x10, 0x20], // LNKCTL_RL
    ["pcie-cap", "lnkctl-lnksta", "commonClock", EXP + 0x10, 0x40], // LNKCTL_CCC
    ["pcie-cap", "lnkctl-lnksta", "linkTraining", EXP + 0x12, 0x800], // LNKSTA_LT
    ["pcie-cap", "lnkctl-lnksta", "slotClock", EXP + 0x12, 0x1000], // LNKSTA_SLC
    ["pcie-cap", "lnkctl-lnksta", "dataLinkLayerActive", EXP + 0x12, 0x2000], // LNKSTA_DLLLA
    ["pcie-cap", "lnkctl-lnksta", "linkBandwidthManagement", EXP + 0x12, 0x4000], // LNKSTA_LBMS
    ["pcie-cap", "lnkctl-lnksta", "linkAutonomousBandwidth", EXP + 0x12, 0x8000], // LNKSTA_LABS
    ["pcie-cap", "devcap2", "completionTimeoutDisable", EXP + 0x24, 0x10], // DEVCAP2_COMP_TO_DIS_SUPP
    ["pcie-cap", "devcap2", "ariForwarding", EXP + 0x24, 0x20], // DEVCAP2_ARI
    ["pcie-cap", "devcap2", "tphCompleter", EXP + 0x24, 0x3000], // TPH_COMP_SUPP | EXT_TPH_COMP_SUPP
    ["pcie-cap", "devctl2-devsta2", "completionTimeout", EXP + 0x28, 0xf], // DEVCTL2_COMP_TIMEOUT
  ];
  it.each(table)("%s.%s.%s at 0x%s", (block, reg, field, offset, mask) => {
    expect(at(block, reg, field)).toEqual(linux(offset, mask));
  });

  it("gives the status bits RW1C access (pci_regs.h status registers are write-1-to-clear)", () => {
    for (const name of [
      "masterDataParityError",
      "signaledTargetAbort",
      "receivedTargetAbort",
      "signaledSystemError",
      "detectedParityError",
    ])
      expect(fieldOf("header", "command-status", name).onwrite).toBe("woclr");
    for (const name of ["linkBandwidthManagement", "linkAutonomousBandwidth"])
      expect(fieldOf("pcie-cap", "lnkctl-lnksta", name).onwrite).toBe("woclr");
  });
});
