/**
 * The plots of the throughput guide, computed from the model code itself: the PCIe write
 * efficiency against Max_Payload_Size for each generation (`pcieThroughput` of
 * `@rashpa/pcie`, shared PCIe reference `docs/reference/pcie.md` §11) and the PCIe–SRIO
 * bridge's stream throughput against the transfer length (`bridgeThroughputCurve` of
 * `@rashpa/emulator`, measured in simulated time on the emulator), with the bridge paper's
 * measured ranges drawn over it (SYSTEM.md §2 "Results").
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BRIDGE_CURVE_LENGTHS, bridgeThroughputCurve } from "@rashpa/emulator";
import type { BridgeCurvePoint } from "@rashpa/emulator";
import { SIZE_BYTES, pcieThroughput } from "@rashpa/pcie";
import { lineChartSvg } from "./chart.js";
import type { ChartSeries } from "./chart.js";

/** One generated plot: its file name and SVG text. */
export interface Plot {
  /** File name, e.g. `pcie-efficiency.svg`. */
  readonly file: string;
  /** The SVG document. */
  readonly svg: string;
}

const size = (b: number): string =>
  b >= 1 << 20 ? `${b / (1 << 20)} MiB` : b >= 1024 ? `${b / 1024} KiB` : `${b} B`;

/**
 * Payload share of the raw signalling rate of posted writes (32-bit addresses, no ECRC, one-way
 * traffic) for each Max_Payload_Size 128–4096 B, by PCIe generation 1–6: the `payloadGbps /
 * rawGbps` of `pcieThroughput` on an x1 link (the share does not depend on the width).
 */
export function pcieEfficiencySeries(): ChartSeries[] {
  // Line coding of each generation (pcie.md §11.1): Gen1/2 and Gen3–5 share a curve.
  const CODING: Record<number, string> = {
    1: "8b/10b",
    2: "8b/10b",
    3: "128b/130b",
    4: "128b/130b",
    5: "128b/130b",
    6: "flit",
  };
  const dashes = ["", "6 4", "", "6 4", "2 3", ""];
  return [1, 2, 3, 4, 5, 6].map((generation, i) => ({
    name: `Gen${generation} (${CODING[generation]!})`,
    dash: dashes[i]!,
    points: SIZE_BYTES.map((mps) => {
      const t = pcieThroughput({ generation, width: 1, maxPayloadSize: mps });
      return { x: mps, y: (100 * t.payloadGbps) / t.rawGbps };
    }),
  }));
}

/** The PCIe efficiency plot: {@link pcieEfficiencySeries} as an SVG line chart. */
export function pcieEfficiencyPlot(): Plot {
  return {
    file: "pcie-efficiency.svg",
    svg: lineChartSvg(pcieEfficiencySeries(), {
      title: "PCIe posted-write efficiency vs Max_Payload_Size (pcieThroughput)",
      xLabel: "Max_Payload_Size (bytes per TLP)",
      yLabel: "payload / raw signalling rate (%)",
      xScale: "log2",
      xTicks: SIZE_BYTES,
      xTickLabel: (x) => String(x),
      yMin: 60,
      yMax: 100,
      yTicks: [60, 65, 70, 75, 80, 85, 90, 95, 100],
      yTickLabel: (y) => `${y}`,
    }),
  };
}

/**
 * The bridge plot: stream write (host → node) and stream read (node → host) throughput in
 * MB/s against the transfer length, from the emulator, with the paper's ranges (700–800 MB/s
 * at 16 kB, a steady 1 GB/s beyond 1 MB).
 *
 * @param points - the curve (default: {@link bridgeThroughputCurve} over 1 KiB–16 MiB)
 */
export function bridgeCurvePlot(
  points: readonly BridgeCurvePoint[] = bridgeThroughputCurve(BRIDGE_CURVE_LENGTHS),
): Plot {
  return {
    file: "bridge-curve.svg",
    svg: lineChartSvg(
      [
        {
          name: "stream write (down)",
          points: points.map((p) => ({ x: p.bytes, y: p.downMBps })),
        },
        {
          name: "stream read (up)",
          dash: "6 4",
          points: points.map((p) => ({ x: p.bytes, y: p.upMBps })),
        },
      ],
      {
        title: "PCIe–SRIO bridge: stream throughput vs transfer length (emulator)",
        xLabel: "transfer length",
        yLabel: "MB/s (10^6 B/s), submission to completion",
        xScale: "log2",
        xTicks: points.filter((_, i) => i % 2 === 0).map((p) => p.bytes),
        xTickLabel: size,
        yMin: 0,
        yMax: 1200,
        yTicks: [0, 200, 400, 600, 800, 1000, 1200],
        yTickLabel: (y) => String(y),
        ranges: [
          { x: 16384, yLow: 700, yHigh: 800, label: "paper: 700–800 MB/s at 16 kB" },
          { x: 4 << 20, yLow: 990, yHigh: 1010, label: "paper: 1 GB/s beyond 1 MB" },
        ],
      },
    ),
  };
}

/**
 * Computes every plot and writes it into `dir`.
 *
 * @param dir - output directory (created if needed)
 * @returns the plots written
 */
export function writePlots(dir: string): Plot[] {
  mkdirSync(dir, { recursive: true });
  const plots = [pcieEfficiencyPlot(), bridgeCurvePlot()];
  for (const p of plots) writeFileSync(join(dir, p.file), p.svg);
  return plots;
}
