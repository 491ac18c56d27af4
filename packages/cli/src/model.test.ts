import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

describe("rashpa model pcie", () => {
  it("prints FPGA and application levels for gen2x4 with esrf-2013-gen2x4 (68 %, 51.15 %)", async () => {
    const r = await run(["model", "pcie", "--link", "gen2x4", "--calibration", "esrf-2013-gen2x4"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^link\s+Gen2 x4 \(gen2x4\)$/m);
    expect(r.out).toMatch(/^link maximum\s+16\.000 Gb\/s/m);
    expect(r.out).toMatch(/^FPGA level\s+10\.89\d Gb\/s = 68\.0\d % of the link maximum$/m);
    expect(r.out).toMatch(/^application level\s+8\.19\d Gb\/s = 51\.1\d % of the link maximum$/m);
    expect(r.out).toMatch(/^FPGA latency\s+385\.152 µs per frame$/m);
  });

  it("--json prints the stable shape; the calibration defaults to esrf-2013-gen2x4", async () => {
    const r = await run(["model", "pcie", "--link", "gen1x1", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual([
      "calibration",
      "parameters",
      "link",
      "linkMaxGbps",
      "linkPayloadGbps",
      "datapathGbps",
      "tlpOverheadBytes",
      "transferBytes",
      "blocksPerFrame",
      "transfersPerFrame",
      "tlpsPerFrame",
      "setupNsPerTransfer",
      "dataLimit",
      "fpgaFrameNs",
      "hostFrameNs",
      "applicationLatencyNs",
      "applicationFrameNs",
      "fpgaGbps",
      "fpgaFraction",
      "applicationGbps",
      "applicationFraction",
    ]);
    expect(j["calibration"]).toBe("esrf-2013-gen2x4");
    expect(j["link"]).toEqual({ generation: 1, width: 1, name: "gen1x1" });
    expect(j["linkMaxGbps"]).toBeCloseTo(2, 12);
    expect(j["fpgaFraction"]).toBeCloseTo(0.8767, 4);
    expect(j["applicationFraction"]).toBeCloseTo(0.8325, 4);
  });

  it("--set overrides a parameter", async () => {
    const a = await run(["model", "pcie", "--link", "gen3x8", "--json"]);
    const b = await run([
      "model",
      "pcie",
      "--link",
      "gen3x8",
      "--set",
      "datapathBits=512",
      "--set",
      "hostOverlap=true",
      "--json",
    ]);
    expect(b.code).toBe(0);
    const ja = JSON.parse(a.out) as { fpgaGbps: number; dataLimit: string };
    const jb = JSON.parse(b.out) as {
      fpgaGbps: number;
      dataLimit: string;
      parameters: { datapathBits: number; hostOverlap: boolean };
    };
    expect(ja.dataLimit).toBe("datapath");
    expect(jb.dataLimit).toBe("link");
    expect(jb.parameters.datapathBits).toBe(512);
    expect(jb.parameters.hostOverlap).toBe(true);
    expect(jb.fpgaGbps).toBeGreaterThan(ja.fpgaGbps);
  });

  it("--calibrations lists the sets with residuals and predictions", async () => {
    const r = await run(["model", "pcie", "--calibrations"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^esrf-2013-gen2x4 {2}/m);
    expect(r.out).toMatch(/gen2x4 fpga\s+measured 68\.00 %, model 68\.06 % \(\+0\.06\d pp\)/);
    expect(r.out).toMatch(
      /gen2x4 application\s+measured 51\.15 %, model 51\.19 % \(\+0\.03\d pp\)/,
    );
    expect(r.out).toMatch(/gen4x16 predicted/);
    const j = await run(["model", "pcie", "--calibrations", "--json"]);
    const list = JSON.parse(j.out) as {
      name: string;
      residuals: unknown[];
      predictions: { link: string }[];
    }[];
    expect(list.map((c) => c.name)).toEqual(["esrf-2013-gen2x4"]);
    expect(list[0]!.residuals).toHaveLength(2);
    expect(list[0]!.predictions.map((p) => p.link)).toEqual(["gen1x1", "gen3x8", "gen4x16"]);
  });

  it("unknown link, calibration, option or parameter: one line, status 1", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["model", "pcie", "--link", "gen2x3"],
        /^rashpa: "link" expected gen<1-6>x<1\|2\|4\|8\|12\|16\|32> \(e\.g\. gen2x4\), got "gen2x3"\n$/,
      ],
      [["model", "pcie", "--link", "pcie9"], /^rashpa: "link" expected/],
      [
        ["model", "pcie", "--link", "gen2x4", "--calibration", "nope"],
        /^rashpa: unknown calibration "nope" \(known: esrf-2013-gen2x4\)\n$/,
      ],
      [["model", "pcie"], /^rashpa: missing --link/],
      [["model", "pcie", "--link", "gen2x4", "--bogus"], /^rashpa: unknown option --bogus\n$/],
      [
        ["model", "pcie", "--link", "gen2x4", "--set", "foo=1"],
        /^rashpa: --set: unknown parameter "foo"/,
      ],
      [
        ["model", "pcie", "--link", "gen2x4", "--set", "maxPayloadSize=100"],
        /^rashpa: "maxPayloadSize" expected one of/,
      ],
      [
        ["model", "pcie", "--link", "gen2x4", "--set", "ecrc=1"],
        /^rashpa: --set ecrc expects true or false/,
      ],
      [["model", "wat"], /^rashpa: model: unknown model "wat"/],
      [["model"], /^rashpa: model: missing the model/],
    ];
    for (const [argv, re] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toMatch(re);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
  });
});

const GEN2X4_INPUT = {
  calibration: "esrf-2013-gen2x4",
  free: [
    { name: "cyclesPerRegisterAccess", min: 1, max: 64 },
    { name: "hostReadGBps", min: 0.5, max: 50 },
  ],
  points: [{ link: "gen2x4", fpgaFraction: 0.68, applicationFraction: 0.5115 }],
};

describe("rashpa model fit", () => {
  it("fits the Gen2 x4 row from standard input (JSON shape)", async () => {
    const r = await run(["model", "fit", "--json"], JSON.stringify(GEN2X4_INPUT));
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
      parameters: Record<string, unknown>;
      fitted: Record<string, number>;
      residuals: { link: string; quantity: string; residual: number }[];
      rms: number;
      evaluations: number;
      converged: boolean;
    };
    expect(Object.keys(j)).toEqual([
      "parameters",
      "fitted",
      "residuals",
      "rms",
      "evaluations",
      "converged",
    ]);
    expect(Object.keys(j.fitted)).toEqual(["cyclesPerRegisterAccess", "hostReadGBps"]);
    expect(j.fitted["cyclesPerRegisterAccess"]).toBeCloseTo(8, 0);
    expect(j.rms).toBeLessThan(1e-8);
    expect(j.residuals.map((x) => x.quantity)).toEqual(["fpga", "application"]);
    expect(j.parameters["transferLatencyCycles"]).toBe(40);
  });

  it("reads a file and prints a table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rashpa-fit-"));
    const file = join(dir, "points.json");
    writeFileSync(file, JSON.stringify({ ...GEN2X4_INPUT, calibration: undefined }));
    const r = await run(["model", "fit", file]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^cyclesPerRegisterAccess = 7\.9\d+|^cyclesPerRegisterAccess = 8\.0\d+/m);
    expect(r.out).toMatch(/^gen2x4 fpga\s+measured 68\.00 %, model 68\.00 % \([+−]0\.000 pp\)$/m);
    expect(r.out).toMatch(/^rms 0\.0000 pp, \d+ evaluations, converged$/m);
  });

  it("rejects bad input with one line", async () => {
    const cases: [string, RegExp][] = [
      ["", /^rashpa: missing fit input/],
      ["{", /^rashpa: the fit input is not JSON/],
      ["[]", /^rashpa: fit input: expected a JSON object/],
      [JSON.stringify({ ...GEN2X4_INPUT, extra: 1 }), /unknown key "extra"/],
      [
        JSON.stringify({ ...GEN2X4_INPUT, free: [{ name: "frameBytes", min: 1, max: 2 }] }),
        /is not fittable/,
      ],
      [
        JSON.stringify({ ...GEN2X4_INPUT, points: [{ link: "gen2x4" }] }),
        /at least one measured fraction/,
      ],
      [
        JSON.stringify({ ...GEN2X4_INPUT, points: [{ link: "gen2x4", fpgaFraction: 2 }] }),
        /"points\[0\]\.fpgaFraction" expected/,
      ],
      [JSON.stringify({ ...GEN2X4_INPUT, parameters: { ecrc: 1 } }), /"ecrc" expects a boolean/],
      [JSON.stringify({ ...GEN2X4_INPUT, calibration: "x" }), /unknown calibration "x"/],
    ];
    for (const [stdin, re] of cases) {
      const r = await run(["model", "fit"], stdin);
      expect(r.code, stdin).toBe(1);
      expect(r.err).toMatch(re);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    const missing = await run(["model", "fit", "/nonexistent/points.json"]);
    expect(missing.err).toBe("rashpa: cannot read /nonexistent/points.json: ENOENT\n");
  });
});
