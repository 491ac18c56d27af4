/**
 * Parameters of the PCIe–SRIO bridge emulator and the named set that reproduces the published
 * throughput curve (SYSTEM.md §2, "Results": 700–800 MB/s once the transfer reaches 16 kB, a
 * steady 1 GB/s beyond 1 MB). The SRIO link rate comes from `srioThroughput` (srio.md §10); the
 * PCIe link is simulated TLP by TLP at its lane rate (pcie.md §11.1) with the sizes, Read
 * Completion Boundary and outstanding reads that `pcieThroughput` (pcie.md §11) models, so its
 * steady payload rates are `pcieThroughput`'s; the bridge's own figures are its clock, datapath
 * width and per-packet cycles.
 *
 * @module
 */
import { pcieThroughput } from "@rashpa/pcie";
import type { PcieThroughput } from "@rashpa/pcie";
import { srioThroughput } from "@rashpa/srio";
import type { SrioThroughput } from "@rashpa/srio";
import { cyclesToPs, nsToPs } from "../sim/time.js";
import type { SimTime } from "../sim/time.js";

/** The emulator's physical parameters (see {@link BRIDGE_2017_GEN2X4_SRIO5G} for a named set). */
export interface BridgeParameters {
  /** PCIe generation of the host link (1–6). */
  readonly pcieGeneration: number;
  /** PCIe lanes of the host link. */
  readonly pcieWidth: number;
  /** Max_Payload_Size in bytes (upload TLPs). */
  readonly pcieMaxPayloadSize: number;
  /** Max_Read_Request_Size in bytes (download requests). */
  readonly pcieMaxReadRequestSize: number;
  /** Fixed cost of one RIFFA DMA transfer before its first byte moves, in ns. */
  readonly dmaSetupNs: number;
  /** Time from a memory read request's arrival at the root complex to its first completion leaving, in ns. */
  readonly pcieReadLatencyNs: number;
  /** SRIO lane rate in Gbaud. */
  readonly srioBaudGbaud: number;
  /** SRIO lanes. */
  readonly srioWidth: number;
  /** SRIO control symbol: 24 (CS24) or 48 (CS48) on 8b/10b lanes. */
  readonly srioControlSymbol: 24 | 48;
  /** Bridge clock in MHz. */
  readonly clockMhz: number;
  /** Cycles of the instruction-to-packet conversion pipeline. */
  readonly pipelineCycles: number;
  /** Width of the bridge's AXI-Stream datapath in bits. */
  readonly datapathBits: number;
  /** Cycles per packet besides its data beats: HELLO header beat and arbitration. */
  readonly packetOverheadCycles: number;
  /** The switch's cut-through latency in ns. */
  readonly switchLatencyNs: number;
  /** A processing node's time from request to response, in ns. */
  readonly nodeLatencyNs: number;
}

/** A parameter set with the reason for each value. */
export interface BridgeParameterSet {
  /** Its name. */
  readonly name: string;
  /** The values. */
  readonly parameters: BridgeParameters;
  /** One reason per parameter. */
  readonly reasons: Readonly<Record<keyof BridgeParameters, string>>;
}

/**
 * The named set `bridge-2017-gen2x4-srio5g`: the hardware of the bridge paper (SYSTEM.md §2)
 * with the period's usual parts. The steady rate is set by the bridge datapath (64 bits × 150 MHz
 * less 6 cycles per 256-byte packet ≈ 1.01 GB/s), below both links; the 16 kB point by the
 * per-transfer DMA setup and the pipeline fill.
 */
export const BRIDGE_2017_GEN2X4_SRIO5G: BridgeParameterSet = {
  name: "bridge-2017-gen2x4-srio5g",
  parameters: {
    pcieGeneration: 2,
    pcieWidth: 4,
    pcieMaxPayloadSize: 256,
    pcieMaxReadRequestSize: 512,
    dmaSetupNs: 4000,
    pcieReadLatencyNs: 1000,
    srioBaudGbaud: 5,
    srioWidth: 4,
    srioControlSymbol: 24,
    clockMhz: 150,
    pipelineCycles: 9,
    datapathBits: 64,
    packetOverheadCycles: 6,
    switchLatencyNs: 100,
    nodeLatencyNs: 200,
  },
  reasons: {
    pcieGeneration:
      "RIFFA 2 on a 7-series FPGA: PCIe Gen2 endpoint (the Gen2 x4 of the period's boards)",
    pcieWidth: "x4 (16 Gb/s after 8b/10b), the width RIFFA's 7-series Gen2 designs ship with",
    pcieMaxPayloadSize: "256 B, what the period's Intel root ports advertise",
    pcieMaxReadRequestSize: "512 B, the Linux default MRRS",
    dmaSetupNs:
      "4 µs per RIFFA transfer: driver ioctl, channel length/offset/scatter-gather register writes over PCIe, the transfer-start handshake and the completion interrupt (a few µs)",
    pcieReadLatencyNs:
      "1 µs from a memory read request reaching the root complex to its first completion leaving it (root complex and DRAM latency; the request's and completion's own link times come on top)",
    srioBaudGbaud: "5 Gbaud, the top rate of the 4x SRIO Gen2 links of the period's switch boards",
    srioWidth: "4x, the paper's link to the switch board",
    srioControlSymbol: "CS24: 5 Gbaud is Baud Rate Class 1 (srio.md §5)",
    clockMhz: "150 MHz, the paper's bridge clock (9 cycles = 60 ns)",
    pipelineCycles: "9 cycles, the paper's fixed conversion latency",
    datapathBits:
      "64-bit AXI-Stream, the width of the Xilinx SRIO core's HELLO interface (srio.md §7)",
    packetOverheadCycles:
      "1 HELLO header beat per packet plus 5 cycles for the arbiter to check the pending DOORBELL/NWRITE_R/NREAD queues and select the next packet (SYSTEM.md §2 Priority arbitration)",
    switchLatencyNs: "100 ns cut-through, typical of RapidIO Gen2 switches",
    nodeLatencyNs: "200 ns for a node's FPGA logic to turn a request into a response",
  },
};

/** The resolved timing of a parameter set, in simulated picoseconds and bit rates. */
export interface BridgeTiming {
  /** The parameters. */
  readonly parameters: BridgeParameters;
  /** PCIe upload (bridge → host, memory writes) from `pcieThroughput`: the steady rate the simulated MWr TLPs reach. */
  readonly pcieUpload: PcieThroughput;
  /**
   * PCIe download (host → bridge, memory reads) from `pcieThroughput`: its Read Completion
   * Boundary (completion size) and outstanding reads are those of the simulated MRd/CplD
   * exchange, whose steady rate it is.
   */
  readonly pcieDownload: PcieThroughput;
  /** The SRIO link from `srioThroughput` (256-byte SWRITEs). */
  readonly srio: SrioThroughput;
  /** SRIO link bit rate after coding and clock compensation. */
  readonly srioBitsPerSecond: number;
  /** Datapath bit rate (width × clock). */
  readonly datapathBitsPerSecond: number;
  /** Datapath bytes charged per packet besides its payload (overhead cycles × width). */
  readonly datapathOverheadBytes: number;
  /** The conversion pipeline latency. */
  readonly pipelinePs: SimTime;
  /** DMA setup per transfer. */
  readonly dmaSetupPs: SimTime;
  /** First-completion latency of a download. */
  readonly pcieReadLatencyPs: SimTime;
  /** Switch latency. */
  readonly switchLatencyPs: SimTime;
  /** Node latency. */
  readonly nodeLatencyPs: SimTime;
}

/** Resolves a parameter set into rates and simulated times. */
export function bridgeTiming(p: BridgeParameters): BridgeTiming {
  const pcie = {
    generation: p.pcieGeneration,
    width: p.pcieWidth,
    maxPayloadSize: p.pcieMaxPayloadSize,
    maxReadRequestSize: p.pcieMaxReadRequestSize,
  };
  const srio = srioThroughput({
    baudGbaud: p.srioBaudGbaud,
    width: p.srioWidth,
    controlSymbol: p.srioControlSymbol,
  });
  const hz = p.clockMhz * 1e6;
  return {
    parameters: p,
    pcieUpload: pcieThroughput({ ...pcie, direction: "write" }),
    pcieDownload: pcieThroughput({ ...pcie, direction: "read" }),
    srio,
    srioBitsPerSecond: srio.encodedGbps * srio.clockCompensationFactor * 1e9,
    datapathBitsPerSecond: p.datapathBits * hz,
    datapathOverheadBytes: (p.packetOverheadCycles * p.datapathBits) / 8,
    pipelinePs: cyclesToPs(p.pipelineCycles, hz),
    dmaSetupPs: nsToPs(p.dmaSetupNs),
    pcieReadLatencyPs: nsToPs(p.pcieReadLatencyNs),
    switchLatencyPs: nsToPs(p.switchLatencyNs),
    nodeLatencyPs: nsToPs(p.nodeLatencyNs),
  };
}
