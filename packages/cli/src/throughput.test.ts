import { describe, expect, it } from "vitest";
import { runCli } from "./index.js";

/** Runs the CLI in process and captures its output. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    stdin: () => Promise.resolve(""),
  });
  return { code, out, err };
}

describe("rashpa throughput pcie", () => {
  it("prints the table: Gen2 x4 MPS 256 writes (pcie.md §11.3: 0.9275)", async () => {
    const r = await run(["throughput", "pcie", "--gen", "2", "--width", "4", "--mps", "256"]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toContain("Gen2 x4, writes, MPS 256");
    expect(r.out).toMatch(/^raw\s+20\.000 Gb\/s$/m);
    expect(r.out).toMatch(/^after encoding\s+16\.000 Gb\/s/m);
    expect(r.out).toMatch(/^TLP efficiency\s+0\.9275$/m);
    expect(r.out).toMatch(/^payload\s+14\.841 Gb\/s = 1\.855 GB\/s$/m);
    expect(r.out).toMatch(/^limit\s+link$/m);
  });

  it("--json prints the stable shape", async () => {
    const r = await run([
      "throughput",
      "pcie",
      "--gen",
      "3",
      "--width",
      "8",
      "--read",
      "--mrrs",
      "512",
      "--rcb",
      "128",
      "--ecrc",
      "--addr64",
      "--tags",
      "8",
      "--rtt-ns",
      "2000",
      "--acks",
      "1",
      "--updatefcs",
      "1",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual([
      "options",
      "flitMode",
      "rawGbps",
      "encodingEfficiency",
      "encodedGbps",
      "tlpEfficiency",
      "dllpShare",
      "linkPayloadGbps",
      "outstandingLimitGbps",
      "payloadGbps",
      "payloadGBps",
      "limit",
    ]);
    expect(j["options"]).toEqual({
      generation: 3,
      width: 8,
      maxPayloadSize: 256,
      maxReadRequestSize: 512,
      readCompletionBoundary: 128,
      address64: true,
      ecrc: true,
      direction: "read",
      acksPerTlp: 1,
      updateFcsPerTlp: 1,
      skpShare: 0,
      outstandingReads: 8,
      roundTripNs: 2000,
    });
    expect(j["outstandingLimitGbps"]).toBeCloseTo(((8 * 512) / 2000) * 8, 9);
    expect(j["limit"]).toBe("outstanding-reads");
    expect(j["payloadGbps"]).toBe(j["outstandingLimitGbps"]);
  });

  it("writes have a null outstanding limit in JSON", async () => {
    const r = await run(["throughput", "pcie", "--gen", "6", "--width", "1", "--json"]);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(j["flitMode"]).toBe(true);
    expect(j["outstandingLimitGbps"]).toBeNull();
  });

  it.each([
    [["throughput"], "rashpa: throughput: missing the link (rashpa throughput pcie …)"],
    [["throughput", "srio"], 'rashpa: throughput: unknown link "srio" (known: pcie)'],
    [["throughput", "pcie", "--width", "4"], "rashpa: missing --gen <1-6>"],
    [["throughput", "pcie", "--gen", "2"], "rashpa: missing --width <lanes>"],
    [
      ["throughput", "pcie", "--gen", "7", "--width", "4"],
      "rashpa: --gen: expected one of 1, 2, 3, 4, 5, 6, got 7",
    ],
    [
      ["throughput", "pcie", "--gen", "2", "--width", "3"],
      "rashpa: --width: expected one of 1, 2, 4, 8, 12, 16, 32, got 3",
    ],
    [
      ["throughput", "pcie", "--gen", "2", "--width", "4", "--mps", "100"],
      "rashpa: --mps: expected one of 128, 256, 512, 1024, 2048, 4096, got 100",
    ],
    [
      ["throughput", "pcie", "--gen", "2", "--width", "4", "--rcb", "32"],
      "rashpa: --rcb: expected one of 64, 128, got 32",
    ],
    [
      ["throughput", "pcie", "--gen", "2", "--width", "4", "--mps", "x"],
      'rashpa: option --mps expects a number, got "x"',
    ],
    [["throughput", "pcie", "--gen", "2", "--width"], "rashpa: option --width needs a number"],
    [["throughput", "pcie", "--gen", "2", "--gen", "3"], "rashpa: option --gen given twice"],
    [
      ["throughput", "pcie", "--gen", "2", "--width", "4", "--fast"],
      "rashpa: unknown option --fast",
    ],
    [["throughput", "pcie", "--gen", "2", "--width", "4", "x"], 'rashpa: unexpected argument "x"'],
  ])("bad options → one line, exit 1: %j", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`${message}\n`);
  });

  it("is in the usage text", async () => {
    const r = await run(["help"]);
    expect(r.out).toContain("throughput pcie --gen <1-6> --width <lanes>");
  });
});
