/**
 * Named parameter sets of the RASHPA PCIe data-path model ({@link rashpaPcieModel}), each
 * calibrated on published measurements and then used unchanged to predict other links.
 *
 * @module
 */
import { rashpaPcieModel } from "./pcie-path.js";
import type { RashpaPcieModelResult, RashpaPcieParameters } from "./pcie-path.js";

/** One measured row a calibration was fitted to. */
export interface CalibrationMeasurement {
  /** Link name, e.g. `gen2x4`. */
  readonly link: string;
  /** FPGA-level throughput as a fraction of the link maximum. */
  readonly fpgaFraction: number;
  /** Application-level throughput as a fraction of the link maximum. */
  readonly applicationFraction: number;
}

/** A named calibration: the parameters and the measurements they were fitted to. */
export interface RashpaPcieCalibration {
  /** Its name, e.g. `esrf-2013-gen2x4`. */
  readonly name: string;
  /** One line saying what it stands for. */
  readonly description: string;
  /** Where the measurements come from. */
  readonly source: string;
  /** The parameters. */
  readonly parameters: RashpaPcieParameters;
  /** The measurements it reproduces: link name → fractions of the link maximum. */
  readonly measured: readonly CalibrationMeasurement[];
}

/**
 * `esrf-2013-gen2x4`: the RASHPA PCIe prototype (KC705 / PFPKX7, Xilinx 7-series PCIe endpoint,
 * AXI CDMA driven by the BSU) calibrated on its Gen2 x4 row, 68 % of the link maximum inside the
 * FPGA and 51.15 % at the application (SYSTEM.md §1 "Prototype and results"). Why each value:
 *
 * | parameter | value | reason |
 * |---|---|---|
 * | maxPayloadSize | 256 B | Intel root ports of the period advertise MPS 256; the link uses the smaller of the two ends |
 * | address64 | true | the detector PC has 64 GB of DDR: receive buffers sit above 4 GiB, so MWr use 4-DW headers (pcie.md §1.3) |
 * | ecrc | false | ECRC is optional and off unless both ends enable it (pcie.md §6) |
 * | acksPerTlp, updateFcsPerTlp | 0, 0 | a one-way push: Acks and UpdateFCs for the data travel the other way (pcie.md §11.2.1) |
 * | skpShare | 0 | the SKP interval is not quoted by pcie.md §7 ("typically < 1 %") |
 * | fabricClockMHz | 125 MHz | user clock of a Gen2 x4 7-series endpoint with a 128-bit interface |
 * | datapathBits | 128 bit | that interface's width: 16 Gb/s, above the 14.6 Gb/s link payload |
 * | bsuMaxTransferBytes | 4096 B | "the 4 KB limit on the PCIe packet size" (SYSTEM.md §1); BSU max-transfer reset value |
 * | destinationExtentBytes | 2 MiB | contiguous buffers from librashpa's physical allocator (one x86-64 huge page); not binding at 4 KiB transfers |
 * | registerAccessesPerTransfer | 7 | CDMA simple mode (PG034): SA, SA_MSB, DA, DA_MSB, BTT (which starts the transfer), CDMASR read for Idle/IOC, CDMASR write-1-to-clear of IOC |
 * | cyclesPerRegisterAccess | 8 cycles (64 ns) | an AXI4-Lite write or read through an interconnect: address, data and response handshakes with register slices |
 * | transferLatencyCycles | 40 cycles (320 ns) | DDR3 read latency before the first beat, CDMA and PCIe bridge pipeline fill, last write response |
 * | btdCycles | 16 cycles (128 ns) | pop one 256-bit BTD, one ATU BRAM read, compute the first transfer |
 * | frameBytes, blockBytes | 512 KiB, 512 KiB | a 512 × 512 frame of 16-bit pixels (2 × 2 Medipix3 chips of 256 × 256, the SMARTPIX sensor family), one block per frame (full-image channel); the paper gives no frame size |
 * | notificationLatencyUs | 20 µs | MSI → thin driver → librashpa event model → callback on Linux (SYSTEM.md §1 "Unified event model") |
 * | hostReadGBps | 4.9 GB/s | one core reading a frame once from DDR3 ("processor execution time adds latency", SYSTEM.md §1) |
 * | hostOverlap | false | frame-by-frame: the host time adds to each frame; only then can a 4.9 GB/s host lower a 1.36 GB/s stream |
 *
 * Fitted: cyclesPerRegisterAccess (FPGA row) and hostReadGBps (application row), then rounded;
 * everything else is fixed by the reasons above.
 */
export const ESRF_2013_GEN2X4: RashpaPcieCalibration = {
  name: "esrf-2013-gen2x4",
  description:
    "RASHPA PCIe prototype (Xilinx 7-series endpoint, AXI CDMA driven by the BSU, 4 KiB transfers), calibrated on the Gen2 x4 row",
  source:
    "SYSTEM.md §1 Prototype and results: Gen2 x4, 10.88 Gb/s = 68 % (FPGA), 8.18 Gb/s = 51.15 % (application)",
  parameters: {
    maxPayloadSize: 256,
    address64: true,
    ecrc: false,
    acksPerTlp: 0,
    updateFcsPerTlp: 0,
    skpShare: 0,
    fabricClockMHz: 125,
    datapathBits: 128,
    bsuMaxTransferBytes: 4096,
    destinationExtentBytes: 2 * 1024 * 1024,
    registerAccessesPerTransfer: 7,
    cyclesPerRegisterAccess: 8,
    transferLatencyCycles: 40,
    btdCycles: 16,
    frameBytes: 512 * 512 * 2,
    blockBytes: 512 * 512 * 2,
    notificationLatencyUs: 20,
    hostReadGBps: 4.9,
    hostOverlap: false,
  },
  measured: [{ link: "gen2x4", fpgaFraction: 0.68, applicationFraction: 0.5115 }],
};

/** Every named calibration by name. */
export const RASHPA_PCIE_CALIBRATIONS: Readonly<Record<string, RashpaPcieCalibration>> = {
  [ESRF_2013_GEN2X4.name]: ESRF_2013_GEN2X4,
};

/** Links the README and `rashpa model pcie` predict with each calibration (not fitted to). */
export const PREDICTION_LINKS: readonly string[] = ["gen1x1", "gen3x8", "gen4x16"];

/**
 * A named calibration.
 *
 * @param name - e.g. `esrf-2013-gen2x4`
 * @returns the calibration, or `undefined` if the name is unknown
 */
export function findRashpaPcieCalibration(name: string): RashpaPcieCalibration | undefined {
  return Object.hasOwn(RASHPA_PCIE_CALIBRATIONS, name) ? RASHPA_PCIE_CALIBRATIONS[name] : undefined;
}

/** One measured point compared with the model. */
export interface CalibrationResidual {
  /** Link name. */
  readonly link: string;
  /** Measurement point. */
  readonly quantity: "fpga" | "application";
  /** Measured fraction of the link maximum. */
  readonly measured: number;
  /** Model fraction. */
  readonly model: number;
  /** model − measured, as a fraction (× 100 for percentage points). */
  readonly residual: number;
}

/**
 * The residuals of a calibration against the measurements it was calibrated on.
 *
 * @param calibration - a named calibration
 */
export function calibrationResiduals(calibration: RashpaPcieCalibration): CalibrationResidual[] {
  const out: CalibrationResidual[] = [];
  for (const m of calibration.measured) {
    const r: RashpaPcieModelResult = rashpaPcieModel(m.link, calibration.parameters);
    out.push(
      {
        link: m.link,
        quantity: "fpga",
        measured: m.fpgaFraction,
        model: r.fpgaFraction,
        residual: r.fpgaFraction - m.fpgaFraction,
      },
      {
        link: m.link,
        quantity: "application",
        measured: m.applicationFraction,
        model: r.applicationFraction,
        residual: r.applicationFraction - m.applicationFraction,
      },
    );
  }
  return out;
}
