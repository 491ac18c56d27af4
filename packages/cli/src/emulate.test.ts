import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readPcap } from "@rashpa/emulator";
import { decodeTlp } from "@rashpa/pcie";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

describe("rashpa emulate", () => {
  it("runs the paper's demo and prints both measurement points beside the model", async () => {
    const r = await run(["emulate", "--frames", "4"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^ {2}detector-pc \(full frames\) +4 +2\.00 MiB +\d+\.\d{3} Gb\/s +\d+\.\d{2} % +\d+\.\d{3} Gb\/s +5\d\.\d{2} %$/m,
    );
    expect(r.out).toMatch(
      /^ {2}analytic model \(full frames\) +10\.890 Gb\/s +68\.06 % +8\.190 Gb\/s +51\.19 %$/m,
    );
    expect(r.out).toContain("8 frames received and verified bit-exactly: all good");
  });

  it("--json prints the summary; fast and wire paths agree", async () => {
    const fast = JSON.parse((await run(["emulate", "--frames", "2", "--json"])).out) as Record<
      string,
      unknown
    >;
    const wire = JSON.parse(
      (await run(["emulate", "--frames", "2", "--speed", "wire", "--json"])).out,
    ) as Record<string, unknown>;
    expect(fast["verified"]).toBe(true);
    expect({ ...wire, speed: "fast" }).toEqual(fast);
  });

  it("writes TLP and record captures on the wire path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rashpa-emulate-"));
    try {
      const file = join(dir, "demo.pcap");
      const r = await run(["emulate", "--frames", "1", "--speed", "wire", "--pcap", file]);
      expect(r.code).toBe(0);
      const cap = readPcap(readFileSync(file));
      expect(cap.header.linkType).toBe(147);
      expect(cap.records.length).toBeGreaterThan(100);
      // Pseudo-header byte, then the TLP as @rashpa/pcie encodes it.
      expect(decodeTlp(cap.records[0]!.data.subarray(1)).tlpType).toMatch(/^mwr-/);
      expect(readPcap(readFileSync(join(dir, "demo.records.pcap"))).header.linkType).toBe(148);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["emulate", "--frames", "0"], /--frames: expected an integer 1..100000, got "0"/],
    [["emulate", "--link", "gen9x4"], /"link" expected gen<1-6>x/],
    [["emulate", "--speed", "slow"], /--speed: expected fast or wire/],
    [["emulate", "--pcap", "x.pcap"], /--pcap needs --speed wire/],
    [["emulate", "--frames"], /--frames needs a value/],
    [["emulate", "--bogus"], /unknown option --bogus/],
  ])("rejects %j with one line", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
