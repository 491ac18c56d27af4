import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decode as decodePng } from "fast-png";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

describe("rashpa acquire", () => {
  it("runs the demo through librashpa, verifies every frame and writes PNG previews", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rashpa-acquire-"));
    try {
      const r = await run(["acquire", "--frames", "4", "--out", dir, "--json"]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as {
        verified: boolean;
        channels: { name: string; frames: number; bytes: number; simulatedGbps: number }[];
        previews: string[];
      };
      expect(j.verified).toBe(true);
      expect(j.channels.map((c) => [c.name, c.frames, c.bytes])).toEqual([
        ["full-frames", 4, 4 * 512 * 512 * 2],
        ["roi", 4, 4 * 128 * 128 * 2],
      ]);
      // Simulated throughput below the Gen2 x4 link's 16 Gb/s.
      for (const c of j.channels) expect(c.simulatedGbps).toBeGreaterThan(0);
      expect(j.channels[0]!.simulatedGbps).toBeLessThan(16);
      // The device never waits in simulated time for the application's releases: the full
      // frames run at the link's share left by the ROI channel (about 10 Gb/s on Gen2 x4).
      expect(j.channels[0]!.simulatedGbps).toBeGreaterThan(8);
      const png = decodePng(readFileSync(join(dir, "full-frames.png")));
      expect([png.width, png.height, png.channels]).toEqual([512, 512, 1]);
      const roi = decodePng(readFileSync(join(dir, "roi.png")));
      expect([roi.width, roi.height]).toEqual([128, 128]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints the table and a final progress line", async () => {
    const r = await run(["acquire", "--frames", "2", "--no-preview"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/full-frames\s+detector-pc\s+2\s+0/);
    expect(r.out).toMatch(/every frame verified bit-exactly: yes/);
    expect(r.err).toMatch(/\[#+\] 4\/4 frames/);
  });

  it.each(["srio", "roce"])(
    "runs examples/acquisition-%s.yaml over its link, every frame verified",
    async (kind) => {
      const file = fileURLToPath(
        new URL(`../../../examples/acquisition-${kind}.yaml`, import.meta.url),
      );
      const r = await run(["acquire", file, "--frames", "3", "--no-preview", "--json"]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.out) as {
        link: string;
        verified: boolean;
        channels: { frames: number }[];
      };
      expect(j.link).toMatch(new RegExp(`emulated-${kind}`));
      expect(j.verified).toBe(true);
      expect(j.channels.map((c) => c.frames)).toEqual([3, 3]);
    },
  );

  it("reads a configuration file and reports its errors with file:line:col", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rashpa-acquire-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(
        file,
        "receivers:\n  - { name: a, memory: 1 MiB, base: 0x1000_0000 }\ndetector: { width: 0, height: 4, frames: 1 }\nchannels:\n  - { name: c, receiver: a }\n",
      );
      const r = await run(["acquire", file]);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/bad\.yaml:3:\d+/);
      expect(r.err).toMatch(/detector\.width/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [["acquire", "--frames", "0"], /--frames: expected an integer 1..1000000, got "0"/],
    [["acquire", "--speed", "slow"], /--speed: expected fast or wire/],
    [["acquire", "no-such.yaml"], /no such file "no-such.yaml"/],
    [["acquire", "a.yaml", "b.yaml"], /unexpected argument "b.yaml"/],
    [["acquire", "--out"], /--out needs a value/],
  ])("refuses %j with one line", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });
});
