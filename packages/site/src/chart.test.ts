/**
 * The SVG line chart and the plots of the throughput guide: points land where the axes put
 * them, bad data is refused with a named error, and the plotted values are the model's.
 */
import { describe, expect, it } from "vitest";
import { ChartError, lineChartSvg } from "./chart.js";
import type { ChartOptions } from "./chart.js";
import { pcieEfficiencySeries } from "./plots.js";

const axes: ChartOptions = {
  title: "t",
  xLabel: "x",
  yLabel: "y",
  xScale: "log2",
  xTicks: [1, 1024],
  xTickLabel: String,
  yMin: 0,
  yMax: 100,
  yTicks: [0, 50, 100],
  yTickLabel: String,
};

describe("lineChartSvg", () => {
  it("places points on a log2 x axis and a linear y axis", () => {
    const svg = lineChartSvg(
      [
        {
          name: "s",
          points: [
            { x: 1, y: 0 },
            { x: 32, y: 50 },
            { x: 1024, y: 100 },
          ],
        },
      ],
      axes,
    );
    const pts = /<polyline points="([^"]+)"/
      .exec(svg)![1]!
      .split(" ")
      .map((p) => p.split(",").map(Number));
    // Plot area: x from 64 to 530 (720 − 190), y from 348 (400 − 52) up to 36.
    expect(pts).toEqual([
      [64, 348],
      [297, 192],
      [530, 36],
    ]);
    expect(svg).toContain('data-name="s"');
  });

  it("refuses points outside the y range and non-positive x on a log axis", () => {
    expect(() => lineChartSvg([{ name: "s", points: [{ x: 2, y: 101 }] }], axes)).toThrow(
      ChartError,
    );
    expect(() => lineChartSvg([{ name: "s", points: [{ x: 0, y: 1 }] }], axes)).toThrow(
      /"x" expected values > 0 on a log axis, got 0/,
    );
  });
});

describe("pcieEfficiencySeries", () => {
  it("plots pcieThroughput's payload share of the raw rate: Gen2 MPS 256 = 0.8 · 256 / 276", () => {
    const gen2 = pcieEfficiencySeries()[1]!;
    expect(gen2.name).toBe("Gen2 (8b/10b)");
    expect(gen2.points.find((p) => p.x === 256)!.y).toBeCloseTo((100 * 0.8 * 256) / 276, 9);
  });

  it("gives Gen6 the flit share: 236/256 of the flit, then P / (P + 12)", () => {
    const gen6 = pcieEfficiencySeries()[5]!;
    expect(gen6.points.find((p) => p.x === 4096)!.y).toBeCloseTo(
      100 * (236 / 256) * (4096 / 4108),
      9,
    );
  });
});
