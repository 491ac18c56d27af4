/**
 * Steady-state analytic throughput model of the RASHPA data path over PCIe (SYSTEM.md §1,
 * "Prototype and results"): DDR → AXI CDMA → PCIe endpoint → link → receiver memory → the
 * application, at the paper's two measurement points — inside the FPGA, and when the data is
 * available to the application.
 *
 * The link itself is `@rashpa/pcie`'s {@link pcieThroughput} (pcie.md §11: encoding, TLP framing,
 * 3/4-DW headers, ECRC, DLLPs, SKP share) and TLP counts come from its write split plan
 * {@link planWrite} (pcie.md §8.1: MPS and 4 KiB boundaries); this module adds what the RASHPA
 * design puts around the link:
 *
 * 1. the BSU cuts every block into CDMA transfers of at most `bsuMaxTransferBytes` (4 KiB in the
 *    prototype, "the 4 KB limit on the PCIe packet size", SYSTEM.md §1) and never beyond a
 *    physically contiguous destination extent;
 * 2. each transfer is preceded by its programming: the AXI CDMA in simple mode takes a new transfer
 *    only when idle (Xilinx PG034; the CDMA registers of specs/rashpa/controller.yaml), so the
 *    register writes, the start-up latency and the completion check do not overlap the data —
 *    `t_setup = (registerAccessesPerTransfer · cyclesPerRegisterAccess + transferLatencyCycles) /
 *    f_fabric` ("the DMA configuration imposed by RASHPA", SYSTEM.md §1);
 * 3. the data phase of a transfer of s bytes lasts `max(wire, datapath)` with
 *    `wire = (dataBytes + n_TLP · o_TLP) · 8 / B` (B the encoded rate, o_TLP the per-TLP overhead of
 *    pcieThroughput, n_TLP from planWrite) and `datapath = s · 8 / (datapathBits · f_fabric)`;
 * 4. each block costs `btdCycles / f_fabric` for the BSU to pop its 256-bit descriptor and
 *    translate its destination through the ATU (SYSTEM.md §1 BGU/ATU/BSU);
 * 5. at application level the frame is announced by an interrupt (event channel → MSI → thin
 *    driver → librashpa event model → callback, SYSTEM.md §1 "Unified event model"), then the
 *    processor reads it once: `t_host = notificationLatencyUs + frameBytes / hostReadGBps`
 *    ("processor execution time adds latency", SYSTEM.md §1). With `hostOverlap` false (the
 *    calibration), frame n + 1 starts after the application has handled frame n, so
 *    `T_app = T_fpga + t_host`; with it true, `T_app = max(T_fpga, t_host)`.
 *
 * Rates are in Gb/s (10^9 bit/s), times in ns unless named `Us`; the link maximum is the rate
 * after line encoding (pcie.md §11.1; 16 Gb/s for Gen2 x4, the paper's reference).
 *
 * @example
 * ```ts
 * import { RASHPA_PCIE_CALIBRATIONS, rashpaPcieModel } from "@rashpa/emulator";
 * const m = rashpaPcieModel("gen2x4", RASHPA_PCIE_CALIBRATIONS["esrf-2013-gen2x4"].parameters);
 * m.fpgaFraction; // ≈ 0.68
 * m.applicationFraction; // ≈ 0.5115
 * ```
 *
 * @module
 */
import { PAGE_BYTES, PCIE_WIDTHS, SIZE_BYTES, pcieThroughput, planWrite } from "@rashpa/pcie";
import type { PcieThroughput } from "@rashpa/pcie";
import { MAX_BLOCKS_PER_FRAME } from "../blocks.js";

/** A PCIe link: generation 1–6 and width in lanes (pcie.md §11.1). */
export interface PcieLinkConfig {
  /** PCIe generation 1–6 (6 is modelled in flit mode, pcie.md §11.2.3). */
  readonly generation: number;
  /** Width in lanes: 1, 2, 4, 8, 12, 16 or 32. */
  readonly width: number;
}

/** A link with its name `gen<G>x<W>`. */
export interface NamedPcieLink extends PcieLinkConfig {
  /** The name, e.g. `gen2x4`. */
  readonly name: string;
}

/**
 * The parameters of the data-path model: link settings handed to {@link pcieThroughput}, FPGA
 * design figures, frame geometry and host costs. Each is documented with its unit; the values of
 * the named calibrations and the reasons for them are in `RASHPA_PCIE_CALIBRATIONS` and the
 * package README.
 */
export interface RashpaPcieParameters {
  /** Max_Payload_Size in bytes, 128–4096 (pcie.md §8.1). */
  readonly maxPayloadSize: number;
  /** 64-bit destination addresses: 4-DW MWr headers of 16 B instead of 12 B (pcie.md §11.2 H). */
  readonly address64: boolean;
  /** ECRC on every TLP, 4 B more per TLP (pcie.md §11.2 E). */
  readonly ecrc: boolean;
  /** Ack DLLPs per data TLP sharing the data direction, 8 B each (pcie.md §7). */
  readonly acksPerTlp: number;
  /** UpdateFC DLLPs per data TLP sharing the data direction, 8 B each (pcie.md §7). */
  readonly updateFcsPerTlp: number;
  /** Share of the link taken by SKP ordered sets, 0–0.5 (pcie.md §7, §11.2 s). */
  readonly skpShare: number;
  /** Clock of the BSU, CDMA and AXI datapath in MHz. */
  readonly fabricClockMHz: number;
  /** Width of the AXI datapath from DDR to the PCIe endpoint in bits (bits × MHz = Mb/s). */
  readonly datapathBits: number;
  /**
   * Largest CDMA transfer the BSU issues, in bytes: a power of two, 128 B – 4 MiB (the CDMA's BTT
   * field is 23–26 bits wide, PG034; the BSU `max-transfer` register of specs/rashpa/controller.yaml
   * resets to 4096).
   */
  readonly bsuMaxTransferBytes: number;
  /**
   * Physically contiguous extent of the destination buffers in bytes, a power of two ≥ 128: a CDMA
   * transfer never crosses it (4096 for buffers made of scattered 4 KiB pages; large when
   * librashpa's physical allocator hands out contiguous buffers, SYSTEM.md §1 "Memory management").
   */
  readonly destinationExtentBytes: number;
  /** AXI register accesses the BSU makes to program, start and retire one CDMA transfer. */
  readonly registerAccessesPerTransfer: number;
  /** Fabric cycles of one AXI4-Lite register access (address, data and response handshakes). */
  readonly cyclesPerRegisterAccess: number;
  /**
   * Fabric cycles per transfer outside the register accesses: DDR read latency before the first
   * beat, pipeline fill of the CDMA and PCIe bridge, wait for the last write response.
   */
  readonly transferLatencyCycles: number;
  /** Fabric cycles for the BSU to pop one 256-bit BTD and translate its destination in the ATU. */
  readonly btdCycles: number;
  /** Bytes of one frame (one image of the data channel). */
  readonly frameBytes: number;
  /** Bytes of one block (one BTD); the last block of a frame may be shorter. */
  readonly blockBytes: number;
  /** Per-frame notification latency in µs: MSI → driver → librashpa event → application callback. */
  readonly notificationLatencyUs: number;
  /** Rate at which the processor reads a received frame once, in GB/s (10^9 byte/s). */
  readonly hostReadGBps: number;
  /**
   * Whether the host's handling of frame n overlaps the transfer of frame n + 1 (`true`: a ring of
   * buffers) or follows it (`false`: frame-by-frame acquisition, the host time adds to each frame).
   */
  readonly hostOverlap: boolean;
}

/** The numeric parameters of {@link RashpaPcieParameters} (those a fit may free). */
export type RashpaPcieNumericParameter = {
  [K in keyof RashpaPcieParameters]: RashpaPcieParameters[K] extends number ? K : never;
}[keyof RashpaPcieParameters];

/** The continuous parameters a fit may vary: the costs, not the sizes fixed by the design. */
export const FITTABLE_PARAMETERS: readonly RashpaPcieNumericParameter[] = [
  "fabricClockMHz",
  "registerAccessesPerTransfer",
  "cyclesPerRegisterAccess",
  "transferLatencyCycles",
  "btdCycles",
  "notificationLatencyUs",
  "hostReadGBps",
  "skpShare",
  "acksPerTlp",
  "updateFcsPerTlp",
];

/** A parameter or link of the data-path model out of range; names it. */
export class RashpaModelError extends Error {
  /** The parameter (or `"link"`) at fault. */
  readonly parameter: string;
  /**
   * @param parameter - the parameter at fault
   * @param expected - what was expected
   * @param actual - what was given
   */
  constructor(parameter: string, expected: string, actual: string) {
    super(`"${parameter}" expected ${expected}, got ${actual}`);
    this.name = "RashpaModelError";
    this.parameter = parameter;
  }
}

/** The model's output for one link and parameter set. */
export interface RashpaPcieModelResult {
  /** The link, with its name (`gen2x4`). */
  readonly link: NamedPcieLink;
  /** Link maximum: the rate after line encoding in Gb/s (pcie.md §11.1; 16 for Gen2 x4). */
  readonly linkMaxGbps: number;
  /** Payload rate of the link with MPS-sized posted writes (pcieThroughput), Gb/s. */
  readonly linkPayloadGbps: number;
  /** Rate of the AXI datapath, `datapathBits · fabricClockMHz / 1000` Gb/s. */
  readonly datapathGbps: number;
  /** Wire bytes per TLP besides its payload (header, framing, ECRC, DLLP and SKP share). */
  readonly tlpOverheadBytes: number;
  /** Effective largest transfer: min(bsuMaxTransferBytes, destinationExtentBytes). */
  readonly transferBytes: number;
  /** Blocks (BTDs) per frame. */
  readonly blocksPerFrame: number;
  /** CDMA transfers per frame. */
  readonly transfersPerFrame: number;
  /** MWr TLPs per frame (planWrite, pcie.md §8.1). */
  readonly tlpsPerFrame: number;
  /** Programming time of one CDMA transfer, ns. */
  readonly setupNsPerTransfer: number;
  /** What paces the data phase of the transfers: the link or the AXI datapath. */
  readonly dataLimit: "link" | "datapath";
  /** Time the FPGA takes to send one frame (first BTD to last byte), ns: the FPGA-level latency. */
  readonly fpgaFrameNs: number;
  /** Host time per frame, notification + processor pass, ns. */
  readonly hostFrameNs: number;
  /** Time from the first BTD to the frame being available to the application, ns. */
  readonly applicationLatencyNs: number;
  /** Interval between frames at application level, ns. */
  readonly applicationFrameNs: number;
  /** FPGA-level throughput, Gb/s. */
  readonly fpgaGbps: number;
  /** FPGA-level throughput as a fraction of the link maximum. */
  readonly fpgaFraction: number;
  /** Application-level throughput, Gb/s. */
  readonly applicationGbps: number;
  /** Application-level throughput as a fraction of the link maximum. */
  readonly applicationFraction: number;
}

const LINK_RE = /^gen([1-6])x(\d+)$/i;

/**
 * Parses a link name `gen<G>x<W>` (e.g. `gen2x4`, `Gen3x8`).
 *
 * @throws {@link RashpaModelError} when the name is malformed or the width unknown
 */
export function parsePcieLink(name: string): PcieLinkConfig {
  const m = LINK_RE.exec(name.trim());
  const width = m ? Number(m[2]) : NaN;
  if (!m || !PCIE_WIDTHS.includes(width))
    throw new RashpaModelError(
      "link",
      `gen<1-6>x<${PCIE_WIDTHS.join("|")}> (e.g. gen2x4)`,
      JSON.stringify(name),
    );
  return { generation: Number(m[1]), width };
}

/** The name `gen<G>x<W>` of a link. */
export function pcieLinkName(link: PcieLinkConfig): string {
  return `gen${link.generation}x${link.width}`;
}

function isPow2(v: number): boolean {
  return Number.isInteger(v) && v > 0 && (v & (v - 1)) === 0;
}

function num(p: string, v: unknown, min: number, max: number, minOpen = false): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v > max || (minOpen ? v <= min : v < min))
    throw new RashpaModelError(
      p,
      `a number in ${minOpen ? "(" : "["}${min}, ${max}]`,
      JSON.stringify(v) ?? String(v),
    );
}

function pow2(p: string, v: unknown, min: number, max: number): void {
  if (typeof v !== "number" || !isPow2(v) || v < min || v > max)
    throw new RashpaModelError(p, `a power of two in [${min}, ${max}]`, String(v));
}

function bool(p: string, v: unknown): void {
  if (typeof v !== "boolean") throw new RashpaModelError(p, "a boolean", String(v));
}

/**
 * Checks every parameter's range.
 *
 * @throws {@link RashpaModelError} naming the first parameter out of range
 */
export function checkRashpaPcieParameters(p: RashpaPcieParameters): void {
  if (typeof p.maxPayloadSize !== "number" || !SIZE_BYTES.includes(p.maxPayloadSize))
    throw new RashpaModelError(
      "maxPayloadSize",
      `one of ${SIZE_BYTES.join(", ")}`,
      String(p.maxPayloadSize),
    );
  bool("address64", p.address64);
  bool("ecrc", p.ecrc);
  num("acksPerTlp", p.acksPerTlp, 0, 16);
  num("updateFcsPerTlp", p.updateFcsPerTlp, 0, 16);
  num("skpShare", p.skpShare, 0, 0.5);
  num("fabricClockMHz", p.fabricClockMHz, 0, 2000, true);
  pow2("datapathBits", p.datapathBits, 8, 1024);
  pow2("bsuMaxTransferBytes", p.bsuMaxTransferBytes, 128, 1 << 22);
  pow2("destinationExtentBytes", p.destinationExtentBytes, 128, 2 ** 40);
  num("registerAccessesPerTransfer", p.registerAccessesPerTransfer, 0, 1024);
  num("cyclesPerRegisterAccess", p.cyclesPerRegisterAccess, 0, 10_000);
  num("transferLatencyCycles", p.transferLatencyCycles, 0, 1e6);
  num("btdCycles", p.btdCycles, 0, 1e6);
  if (!Number.isSafeInteger(p.frameBytes) || p.frameBytes < 1 || p.frameBytes > 2 ** 40)
    throw new RashpaModelError("frameBytes", "an integer in [1, 2^40]", String(p.frameBytes));
  if (!Number.isSafeInteger(p.blockBytes) || p.blockBytes < 1 || p.blockBytes > 2 ** 40)
    throw new RashpaModelError("blockBytes", "an integer in [1, 2^40]", String(p.blockBytes));
  if (Math.ceil(p.frameBytes / p.blockBytes) > MAX_BLOCKS_PER_FRAME)
    throw new RashpaModelError(
      "blockBytes",
      `at most ${MAX_BLOCKS_PER_FRAME} blocks per frame`,
      String(p.blockBytes),
    );
  num("notificationLatencyUs", p.notificationLatencyUs, 0, 1e9);
  num("hostReadGBps", p.hostReadGBps, 0, 1e6, true);
  bool("hostOverlap", p.hostOverlap);
}

/** The link part of the model: {@link pcieThroughput} for posted writes with the link settings. */
function linkOf(link: PcieLinkConfig, p: RashpaPcieParameters): PcieThroughput {
  return pcieThroughput({
    generation: link.generation,
    width: link.width,
    maxPayloadSize: p.maxPayloadSize,
    address64: p.address64,
    ecrc: p.ecrc,
    acksPerTlp: p.acksPerTlp,
    updateFcsPerTlp: p.updateFcsPerTlp,
    skpShare: p.skpShare,
    direction: "write",
  });
}

/**
 * The data-path model for one link (see the module documentation for the formulas).
 *
 * @param link - a link, or its name `gen<G>x<W>`
 * @param parameters - the model parameters (e.g. a named calibration's)
 * @throws {@link RashpaModelError} when the link or a parameter is out of range
 */
export function rashpaPcieModel(
  link: PcieLinkConfig | string,
  parameters: RashpaPcieParameters,
): RashpaPcieModelResult {
  const l = typeof link === "string" ? parsePcieLink(link) : link;
  if (
    !Number.isInteger(l.generation) ||
    l.generation < 1 ||
    l.generation > 6 ||
    !PCIE_WIDTHS.includes(l.width)
  )
    throw new RashpaModelError(
      "link",
      `generation 1–6 and width ${PCIE_WIDTHS.join("|")}`,
      `gen${l.generation}x${l.width}`,
    );
  const p = parameters;
  checkRashpaPcieParameters(p);
  const t = linkOf(l, p);
  const mps = p.maxPayloadSize;
  // Encoded (post line-coding) rate B, the paper's link maximum (pcie.md §11.1).
  const B = t.encodedGbps;
  // Wire bytes of one full TLP, overheads included, such that a stream of full TLPs gives exactly
  // pcieThroughput's linkPayloadGbps: MPS · B / T_link; the overhead is what exceeds MPS.
  const tlpOverheadBytes = (mps * B) / t.linkPayloadGbps - mps;
  const datapathGbps = (p.datapathBits * p.fabricClockMHz) / 1000;
  const cycleNs = 1000 / p.fabricClockMHz;
  const setupNs =
    (p.registerAccessesPerTransfer * p.cyclesPerRegisterAccess + p.transferLatencyCycles) * cycleNs;
  const btdNs = p.btdCycles * cycleNs;
  const x = Math.min(p.bsuMaxTransferBytes, p.destinationExtentBytes);

  // Transfer time by (destination offset mod 4 KiB, size): TLP counts depend only on those
  // (planWrite, pcie.md §8.1: MPS cuts and 4 KiB boundaries).
  let datapathBound = false;
  const transferMemo = new Map<string, { ns: number; tlps: number }>();
  const transfer = (offset: number, size: number): { ns: number; tlps: number } => {
    const key = `${offset % PAGE_BYTES}:${size}`;
    let r = transferMemo.get(key);
    if (r === undefined) {
      const plan = planWrite(BigInt(offset % PAGE_BYTES), size, mps);
      const wireNs = ((plan.dataBytes + plan.count * tlpOverheadBytes) * 8) / B;
      const dpNs = (size * 8) / datapathGbps;
      if (dpNs > wireNs) datapathBound = true;
      r = { ns: setupNs + Math.max(wireNs, dpNs), tlps: plan.count };
      transferMemo.set(key, r);
    }
    return r;
  };
  // Block time by (frame offset mod max(x, 4 KiB), size): a block is cut at every multiple of x
  // of the destination (blocks are laid out back to back in a frame buffer aligned on its
  // extent), and TLP counts depend on the offset mod 4 KiB; both are powers of two.
  const period = Math.max(x, PAGE_BYTES);
  const blockMemo = new Map<string, { ns: number; tlps: number; transfers: number }>();
  const block = (offset: number, size: number): { ns: number; tlps: number; transfers: number } => {
    const key = `${offset % period}:${size}`;
    let r = blockMemo.get(key);
    if (r === undefined) {
      let ns = btdNs;
      let tlps = 0;
      let transfers = 0;
      let o = offset;
      const end = offset + size;
      while (o < end) {
        const n = Math.min(end, (Math.floor(o / x) + 1) * x) - o;
        const tr = transfer(o, n);
        ns += tr.ns;
        tlps += tr.tlps;
        transfers++;
        o += n;
      }
      r = { ns, tlps, transfers };
      blockMemo.set(key, r);
    }
    return r;
  };

  const blocksPerFrame = Math.ceil(p.frameBytes / p.blockBytes);
  let fpgaFrameNs = 0;
  let tlpsPerFrame = 0;
  let transfersPerFrame = 0;
  for (let i = 0; i < blocksPerFrame; i++) {
    const off = i * p.blockBytes;
    const b = block(off, Math.min(p.blockBytes, p.frameBytes - off));
    fpgaFrameNs += b.ns;
    tlpsPerFrame += b.tlps;
    transfersPerFrame += b.transfers;
  }
  const frameBits = p.frameBytes * 8;
  const hostFrameNs = p.notificationLatencyUs * 1000 + p.frameBytes / p.hostReadGBps;
  const applicationLatencyNs = fpgaFrameNs + hostFrameNs;
  const applicationFrameNs = p.hostOverlap
    ? Math.max(fpgaFrameNs, hostFrameNs)
    : applicationLatencyNs;
  const fpgaGbps = frameBits / fpgaFrameNs;
  const applicationGbps = frameBits / applicationFrameNs;
  return {
    link: { generation: l.generation, width: l.width, name: pcieLinkName(l) },
    linkMaxGbps: B,
    linkPayloadGbps: t.linkPayloadGbps,
    datapathGbps,
    tlpOverheadBytes,
    transferBytes: x,
    blocksPerFrame,
    transfersPerFrame,
    tlpsPerFrame,
    setupNsPerTransfer: setupNs,
    dataLimit: datapathBound ? "datapath" : "link",
    fpgaFrameNs,
    hostFrameNs,
    applicationLatencyNs,
    applicationFrameNs,
    fpgaGbps,
    fpgaFraction: fpgaGbps / B,
    applicationGbps,
    applicationFraction: applicationGbps / B,
  };
}
