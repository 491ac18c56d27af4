/**
 * The named calibration reproduces the paper's Gen2 x4 row (SYSTEM.md §1) and its predictions
 * for other links are pinned (they are predictions, not fits: a change shows up here).
 */
import { describe, expect, it } from "vitest";
import {
  ESRF_2013_GEN2X4,
  PREDICTION_LINKS,
  RASHPA_PCIE_CALIBRATIONS,
  calibrationResiduals,
  findRashpaPcieCalibration,
  rashpaPcieModel,
} from "../index.js";

describe("esrf-2013-gen2x4", () => {
  it("is listed and found by name", () => {
    expect(Object.keys(RASHPA_PCIE_CALIBRATIONS)).toEqual(["esrf-2013-gen2x4"]);
    expect(findRashpaPcieCalibration("esrf-2013-gen2x4")).toBe(ESRF_2013_GEN2X4);
    expect(findRashpaPcieCalibration("toString")).toBeUndefined();
    expect(findRashpaPcieCalibration("nope")).toBeUndefined();
  });

  it("reproduces 68 % and 51.15 % of 16 Gb/s within 0.1 percentage point", () => {
    const res = calibrationResiduals(ESRF_2013_GEN2X4);
    expect(res.map((r) => [r.quantity, r.measured])).toEqual([
      ["fpga", 0.68],
      ["application", 0.5115],
    ]);
    for (const r of res) expect(Math.abs(r.residual)).toBeLessThan(0.001);
    const m = rashpaPcieModel("gen2x4", ESRF_2013_GEN2X4.parameters);
    expect(m.linkMaxGbps).toBeCloseTo(16, 12);
    expect(m.fpgaGbps).toBeCloseTo(10.88, 1);
    expect(m.applicationGbps).toBeCloseTo(8.18, 1);
    expect(m.dataLimit).toBe("link");
  });

  it("pins its predictions for Gen1 x1, Gen3 x8 and Gen4 x16", () => {
    expect(PREDICTION_LINKS).toEqual(["gen1x1", "gen3x8", "gen4x16"]);
    const got = PREDICTION_LINKS.map((l) => {
      const m = rashpaPcieModel(l, ESRF_2013_GEN2X4.parameters);
      return [l, +m.fpgaFraction.toFixed(4), +m.applicationFraction.toFixed(4), m.dataLimit];
    });
    expect(got).toEqual([
      ["gen1x1", 0.8767, 0.8325, "link"],
      ["gen3x8", 0.1846, 0.1365, "datapath"],
      ["gen4x16", 0.0461, 0.0341, "datapath"],
    ]);
  });
});
