import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";

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
    [["throughput"], "rashpa: throughput: missing the link (rashpa throughput pcie|srio …)"],
    [["throughput", "sata"], 'rashpa: throughput: unknown link "sata" (known: pcie, srio)'],
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

describe("rashpa throughput srio", () => {
  it("prints the table: 5 Gbaud x4 CS24 SWRITE 256 B Dev8 (srio.md §10: 0.7523, 15.05 Gb/s)", async () => {
    const r = await run([
      "throughput",
      "srio",
      "--baud",
      "5",
      "--width",
      "4",
      "--cs",
      "24",
      "--packet",
      "swrite",
      "--payload",
      "256",
      "--ids",
      "8",
    ]);
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^link\s+4x 5 Gbaud \(Baud Rate Class 1\), 8b\/10b, CS24$/m);
    expect(r.out).toMatch(/^packet bytes\s+268 \(header 8 \+ payload 256 \+ CRC 4 \+ pad 0\)/m);
    expect(r.out).toMatch(/^efficiency\s+0\.7523 of line baud$/m);
    expect(r.out).toMatch(/^goodput\s+15\.047 Gb\/s = 1\.881 GB\/s$/m);
  });

  it("--json prints the stable shape, with a transfer", async () => {
    const r = await run([
      "throughput",
      "srio",
      "--baud",
      "10.3125",
      "--width",
      "1",
      "--packet",
      "nwrite",
      "--ids",
      "16",
      "--transfer",
      "48",
      "--address",
      "0x1005",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual([
      "options",
      "baudRateClass",
      "encoding",
      "rawGbps",
      "encodedGbps",
      "clockCompensationFactor",
      "size",
      "packetBytes",
      "controlSymbolBytes",
      "packetEfficiency",
      "efficiency",
      "goodputGbps",
      "goodputGBps",
      "packetsPerUs",
      "transfer",
    ]);
    expect(j["options"]).toEqual({
      baudGbaud: 10.3125,
      width: 1,
      controlSymbol: 64,
      packet: "nwrite",
      payloadBytes: 256,
      idBits: 16,
      addressBits: 34,
    });
    expect(j["encoding"]).toBe("64b/67b");
    expect(j["packetBytes"]).toBe(280);
    expect(j["efficiency"]).toBeCloseTo((64 / 67) * (256 / 288), 12);
    const t = j["transfer"] as Record<string, unknown>;
    expect(Object.keys(t)).toEqual([
      "address",
      "byteLength",
      "packets",
      "swrites",
      "nwrites",
      "linkBytes",
      "timeNs",
      "goodputGbps",
      "efficiency",
    ]);
    // Part 1 Figure 3-9: NWRITE 3 B + SWRITE 40 B + NWRITE 5 B; 64b/67b sizes 32, 56, 32 + 8 each.
    expect(t).toMatchObject({
      address: "0x1005",
      byteLength: 48,
      packets: 3,
      swrites: 1,
      nwrites: 2,
    });
    expect(t["linkBytes"]).toBe(32 + 8 + 56 + 8 + 32 + 8);
  });

  it("without --transfer, transfer is null in JSON", async () => {
    const r = await run(["throughput", "srio", "--baud", "2.5", "--width", "1", "--json"]);
    expect((JSON.parse(r.out) as Record<string, unknown>)["transfer"]).toBeNull();
  });

  it.each([
    [["throughput", "srio", "--width", "4"], "rashpa: missing --baud <Gbaud>"],
    [["throughput", "srio", "--baud", "5"], "rashpa: missing --width <lanes>"],
    [
      ["throughput", "srio", "--baud", "4", "--width", "1"],
      "rashpa: --baud: expected one of 1.25, 2.5, 3.125, 5, 6.25, 10.3125, 12.5, 25.78125, got 4",
    ],
    [
      ["throughput", "srio", "--baud", "6.25", "--width", "1", "--cs", "24"],
      "rashpa: --cs: expected 48 or 64 at 6.25 Gbaud (Baud Rate Class 2, Part 6 Table 1-1), got 24",
    ],
    [
      ["throughput", "srio", "--baud", "5", "--width", "1", "--payload", "12"],
      "rashpa: --payload: expected a multiple of 8 in [8, 256] (whole double-words, Part 1 §4.1.8, Part 2 §4.2.5), got 12",
    ],
    [
      ["throughput", "srio", "--baud", "5", "--width", "1", "--packet", "nread"],
      "rashpa: --packet: expected one of swrite, nwrite, nwrite-r, nread-response, message, maintenance-write, maintenance-read-response, got nread",
    ],
    [
      ["throughput", "srio", "--baud", "5", "--width", "1", "--transfer", "-1"],
      'rashpa: option --transfer expects a byte count, got "-1"',
    ],
    [
      ["throughput", "srio", "--baud", "5", "--width", "1", "--address", "0x10"],
      "rashpa: option --address needs --transfer <bytes>",
    ],
    [
      [
        "throughput",
        "srio",
        "--baud",
        "5",
        "--width",
        "1",
        "--transfer",
        "16",
        "--address",
        "0x3fffffff8",
      ],
      "rashpa: --transfer: expected a stream ending at or below 2^34, got 16 bytes at 0x3fffffff8",
    ],
    [
      ["throughput", "srio", "--baud", "5", "--width", "1", "--fast"],
      "rashpa: unknown option --fast",
    ],
  ])("bad options → one line, exit 1: %j", async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe(`${message}\n`);
  });

  it("is in the usage text", async () => {
    const r = await run(["help"]);
    expect(r.out).toContain("throughput srio --baud <Gbaud> --width <lanes>");
  });
});
