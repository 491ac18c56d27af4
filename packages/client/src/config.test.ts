/**
 * The acquisition description: the example file parses to the default configuration, defaults
 * are filled in, shape errors name their path, what was expected and what was found and, for
 * text, the line and column of the node; cross-field checks (ROI inside the frame, block size,
 * receivers that exist, memory, ATU entries, unique names, overlapping PCIe windows).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AcquisitionConfigInputC, BusAddress, ByteCount } from "./codecs.js";
import { lawSeed } from "@rashpa/laws";
import { fc, test } from "@fast-check/vitest";
import {
  ATU_TABLE_ENTRIES,
  CONFIG_DEFAULTS,
  DATA_CHANNELS,
  DEFAULT_ACQUISITION,
  formatAcquisitionConfig,
  parseAcquisitionConfig,
  readAcquisitionConfigFile,
  resolveAcquisitionConfig,
} from "./config.js";
import { ConfigError, configIssueMessage, type ConfigIssue } from "./errors.js";

const seed = lawSeed();
const examplePath = fileURLToPath(new URL("../../../examples/acquisition.yaml", import.meta.url));

function issuesOf(f: () => unknown): readonly ConfigIssue[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error("no ConfigError thrown");
}

/** A small valid description to vary. */
function base(): Record<string, unknown> {
  return {
    receivers: [{ name: "pc", memory: "4 MiB", base: 0x1000_0000 }],
    detector: { width: 256, height: 128 },
    channels: [{ name: "full", receiver: "pc" }],
  };
}

describe("acquisition description", () => {
  it("parses examples/acquisition.yaml into the default configuration", () => {
    const config = parseAcquisitionConfig(readFileSync(examplePath, "utf8"), {
      source: "examples/acquisition.yaml",
    });
    expect(config).toEqual(DEFAULT_ACQUISITION);
    expect(config.channels[1]).toMatchObject({
      roi: { x: 192, y: 192, width: 128, height: 128 },
      blockSize: 128 * 128 * 2,
      framesPerBuffer: 2,
    });
    expect(config.receivers[0]!.base).toBe(0x1_0000_0000n);
  });

  it("reads a file, naming it in problems", () => {
    expect(readAcquisitionConfigFile(examplePath)).toEqual(DEFAULT_ACQUISITION);
  });

  it("writes YAML that reads back to the same configuration", () => {
    const text = formatAcquisitionConfig(DEFAULT_ACQUISITION);
    expect(text).toMatch(/base: "0x100000000"/);
    expect(parseAcquisitionConfig(text)).toEqual(DEFAULT_ACQUISITION);
  });

  test.prop(
    [
      fc.record({
        memory: fc.integer({ min: 1024, max: 4096 }),
        base: fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
        link: fc.oneof(
          fc.constant({ kind: "pcie" as const }),
          fc.record({
            kind: fc.constant("srio" as const),
            destinationId: fc.integer({ min: 0, max: 255 }),
          }),
          fc.record({
            kind: fc.constant("roce" as const),
            ip: fc.ipV4(),
            qpn: fc.integer({ min: 0, max: 0xff_ffff }),
          }),
        ),
        fit: fc.constantFrom("first" as const, "best" as const),
        pattern: fc.constantFrom("zeros" as const, "ramp" as const, "checkerboard" as const),
        frames: fc.integer({ min: 0, max: 0xffff_ffff }),
        roi: fc.option(
          fc.record({
            x: fc.nat(32),
            y: fc.nat(32),
            width: fc.integer({ min: 1, max: 32 }),
            height: fc.integer({ min: 1, max: 32 }),
          }),
          { nil: undefined },
        ),
        overflow: fc.constantFrom("drop" as const, "back-pressure" as const),
        notify: fc.boolean(),
        events: fc.option(fc.integer({ min: 1, max: 0xffff }), { nil: undefined }),
      }),
    ],
    { seed },
  )(`format then parse gives the configuration back (seed ${seed})`, (d) => {
    const config = resolveAcquisitionConfig({
      receivers: [
        { name: "pc", memory: d.memory * 4096, base: d.base * 4096n, link: d.link, fit: d.fit },
      ],
      detector: { width: 64, height: 64, pattern: d.pattern, frames: d.frames },
      channels: [
        {
          name: "c",
          receiver: "pc",
          overflow: d.overflow,
          notify: d.notify,
          ...(d.roi === undefined ? {} : { roi: d.roi }),
        },
      ],
      ...(d.events === undefined ? {} : { events: { receiver: "pc", records: d.events } }),
    });
    expect(parseAcquisitionConfig(formatAcquisitionConfig(config))).toEqual(config);
  });

  it("parses JSON text too, and fills in every default", () => {
    const config = parseAcquisitionConfig(
      JSON.stringify({
        ...base(),
        receivers: [{ name: "pc", memory: 4194304, base: "0x10000000" }],
      }),
      { source: "acq.json" },
    );
    expect(config).toEqual({
      receivers: [
        {
          name: "pc",
          memory: 4 << 20,
          base: 0x1000_0000n,
          link: { kind: "pcie" },
          pageSize: 4096,
          fit: "first",
        },
      ],
      detector: {
        width: 256,
        height: 128,
        depth: CONFIG_DEFAULTS.depth,
        pattern: CONFIG_DEFAULTS.pattern,
        source: CONFIG_DEFAULTS.source,
        frames: 0,
        framePeriodUs: 1000,
        ringSlots: 8,
      },
      channels: [
        {
          name: "full",
          receiver: "pc",
          blockSize: 256 * 128 * 2,
          decimation: 0,
          ringFrames: 4,
          framesPerBuffer: 1,
          overflow: "drop",
          notify: true,
        },
      ],
      link: "gen2x4",
      maxTransfer: 4096,
      irqEnable: 0xff,
    });
  });

  it("reports a shape error with its path, expectation, finding and line:col", () => {
    const text = [
      "receivers:",
      "  - name: pc",
      "    memory: 4 MiB",
      "    base: 0x10000000",
      "detector: { width: 256, height: 128 }",
      "channels:",
      "  - name: full",
      "    receiver: pc",
      "  - name: roi",
      "    receiver: pc",
      "    roi: { x: 0, y: 0, width: 0, height: 8 }",
    ].join("\n");
    const issues = issuesOf(() => parseAcquisitionConfig(text, { source: "acq.yaml" }));
    expect(issues).toEqual([
      {
        path: "channels[1].roi.width",
        expected: "an integer in 1..65535",
        found: "0 (0x0)",
        source: "acq.yaml",
        line: 11,
        col: 31,
      },
    ]);
    expect(configIssueMessage(issues[0]!)).toBe(
      'acq.yaml:11:31: "channels[1].roi.width" expected an integer in 1..65535, got 0 (0x0)',
    );
  });

  it("locates problems in JSON text as well", () => {
    const json = JSON.stringify({ ...base(), detector: { width: 256, height: -1 } }, null, 2);
    const issues = issuesOf(() => parseAcquisitionConfig(json, { source: "acq.json" }));
    const line = json.split("\n").findIndex((l) => l.includes('"height": -1')) + 1;
    expect(issues).toEqual([
      {
        path: "detector.height",
        expected: "an integer in 1..65535",
        found: "-1 (-0x1)",
        source: "acq.json",
        line,
        col: 15,
      },
    ]);
  });

  it("reports missing keys, unknown keys, wrong kinds and bad enum values together", () => {
    const text = [
      "receivers:",
      "  - name: pc",
      "    memry: 4 MiB",
      "    base: 0x10000000",
      "    link: { kind: pci }",
      "detector: { width: 256, height: 128, depth: bits12 }",
      "channels: []",
    ].join("\n");
    const issues = issuesOf(() => parseAcquisitionConfig(text, { source: "a.yaml" }));
    expect(issues.map((i) => [i.path, i.expected, i.found, i.line, i.col])).toEqual([
      ["receivers[0].memory", expect.stringMatching(/^a byte count/), 'no "memory" key', 2, 5],
      [
        "receivers[0].memry",
        "one of the keys name, memory, base, link, pageSize, fit",
        'unknown key "memry"',
        3,
        12,
      ],
      ["receivers[0].link.kind", "one of pcie, srio, roce", '"pci"', 5, 19],
      ["detector.depth", "one of bits8, bits16, bits32", '"bits12"', 6, 45],
      ["channels", "a list of 1..16 data channels", "array(0)", 7, 11],
    ]);
  });

  it("reports YAML syntax errors at their line", () => {
    const issues = issuesOf(() =>
      parseAcquisitionConfig("receivers:\n  - name: pc\n   bad: [\n", { source: "s.yaml" }),
    );
    expect(issues[0]).toMatchObject({ path: "", expected: "valid YAML or JSON", source: "s.yaml" });
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("checks the ROI against the frame and the block size against an ROI line", () => {
    const v = base();
    v["channels"] = [
      { name: "a", receiver: "pc", roi: { x: 200, y: 0, width: 100, height: 16 } },
      { name: "b", receiver: "pc", roi: { x: 0, y: 100, width: 64, height: 16 }, blockSize: 100 },
    ];
    const issues = issuesOf(() => resolveAcquisitionConfig(v, { source: "obj" }));
    expect(issues).toEqual([
      {
        path: "channels[0].roi.width",
        expected: "at most 56 (x + width inside the 256 × 128 frame)",
        found: "100 (0x64)",
        source: "obj",
      },
      {
        path: "channels[1].blockSize",
        expected: "at least one ROI line (64 × 2 = 128 bytes)",
        found: "100 (0x64)",
        source: "obj",
      },
    ]);
  });

  it("checks receivers that exist, unique names and overlapping PCIe windows", () => {
    const v = base();
    v["receivers"] = [
      { name: "pc", memory: "4 MiB", base: 0x1000_0000 },
      { name: "pc", memory: "4 MiB", base: 0x1020_0000 },
    ];
    v["channels"] = [
      { name: "full", receiver: "pc" },
      { name: "full", receiver: "nas" },
    ];
    v["events"] = { receiver: "gpu" };
    const issues = issuesOf(() => resolveAcquisitionConfig(v));
    expect(issues.map((i) => [i.path, i.expected])).toEqual([
      ["receivers[1].name", "a name not used by receivers[0]"],
      [
        "receivers[1].base",
        "an address window not overlapping receivers[0] (0x10000000 + 4194304; PCIe routes by address)",
      ],
      ["channels[1].name", "a name not used by channels[0]"],
      ["channels[1].receiver", "the name of a receiver (pc)"],
      ["events.receiver", "the name of a receiver (pc)"],
    ]);
  });

  it("checks that memory suffices for every ring and the event ring", () => {
    const v = base();
    v["receivers"] = [{ name: "pc", memory: "256 KiB", base: 0x1000_0000 }];
    v["events"] = { receiver: "pc", records: 200 };
    // 4 frames of 64 KiB + 6400 bytes of events (2 pages).
    const issues = issuesOf(() => resolveAcquisitionConfig(v));
    expect(issues).toEqual([
      {
        path: "receivers[0].memory",
        expected: "at least 270336 bytes (channels[0] full, the event ring, in pages of 4096)",
        found: "262144 (0x40000)",
      },
    ]);
  });

  it("counts ATU entries against the controller map's table", () => {
    expect(ATU_TABLE_ENTRIES).toBe(1024);
    expect(DATA_CHANNELS).toBe(16);
    const v = base();
    v["receivers"] = [{ name: "pc", memory: "1 GiB", base: 0x1000_0000 }];
    v["detector"] = { width: 64, height: 32 };
    v["channels"] = [
      { name: "a", receiver: "pc", ringFrames: 600 },
      { name: "b", receiver: "pc", ringFrames: 424 },
    ];
    v["events"] = { receiver: "pc" };
    const issues = issuesOf(() => resolveAcquisitionConfig(v));
    expect(issues).toEqual([
      {
        path: "channels",
        expected:
          "at most 1024 ATU entries in all (atu.entries), one per receiver buffer and one for the event ring",
        found: "1025 entries",
      },
    ]);
    (v["channels"] as { ringFrames: number }[])[1]!.ringFrames = 423;
    expect(resolveAcquisitionConfig(v).channels[1]!.ringFrames).toBe(423);
  });

  it("checks ring depth against frames per buffer, and SRIO 8-bit IDs", () => {
    const v = base();
    v["receivers"] = [
      {
        name: "pc",
        memory: "4 MiB",
        base: 0,
        link: { kind: "srio", destinationId: 300, deviceIdSize: "dev8" },
      },
    ];
    v["channels"] = [{ name: "full", receiver: "pc", ringFrames: 5, framesPerBuffer: 2 }];
    const issues = issuesOf(() => resolveAcquisitionConfig(v));
    expect(issues.map((i) => [i.path, i.expected, i.found])).toEqual([
      ["receivers[0].link.destinationId", "0..255 (8-bit device IDs)", "300 (0x12c)"],
      ["channels[0].ringFrames", "a multiple of framesPerBuffer (2)", "5 (0x5)"],
    ]);
  });

  it("gives the ConfigError a stable name and the first issue's fields", () => {
    let error: unknown;
    try {
      resolveAcquisitionConfig({ ...base(), maxTransfer: 4 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      name: "ConfigError",
      path: "maxTransfer",
      expected: "an integer in 8..67108863",
      found: "4 (0x4)",
    });
    expect((error as Error).message).toBe(
      '"maxTransfer" expected an integer in 8..67108863, got 4 (0x4)',
    );
  });

  it("decodes byte counts and bus addresses, and encodes back to text", () => {
    expect(ByteCount.decode("64 MiB")).toEqual({ _tag: "Right", right: 64 << 20 });
    expect(ByteCount.decode("3 PiB")._tag).toBe("Left");
    expect(BusAddress.decode("0x1_0000_0000")).toEqual({ _tag: "Right", right: 0x1_0000_0000n });
    expect(BusAddress.decode("0x1_0000_0000_0000_0000")._tag).toBe("Left");
    const input = AcquisitionConfigInputC.decode(base());
    expect(input._tag).toBe("Right");
    if (input._tag === "Right")
      expect(AcquisitionConfigInputC.encode(input.right)).toMatchObject({
        receivers: [{ name: "pc", memory: 4 << 20, base: "0x10000000" }],
      });
  });
});
