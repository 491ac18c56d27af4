import { fromHex, toHex, valueToJson } from "@rashpa/bits";
import { describe, expect, it } from "vitest";
import { run } from "../test/run-cli.js";
import { referenceDecode } from "./codec-io.js";
import { ALL_FORMATS, findFormat } from "./registry.js";
import { MAX_VECTORS } from "./vectors.js";

interface Vector {
  format: string;
  variant: string;
  edge: string | null;
  fields: unknown;
  hex: string;
}

interface InvalidVector {
  format: string;
  from: string;
  mutation: string;
  hex: string;
  error: { name: string; message: string; offset: number | null; field: string | null };
}

async function vectors<T = Vector>(args: string[]): Promise<T[]> {
  const r = await run(["vectors", ...args]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return r.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as T);
}

describe("rashpa vectors", () => {
  it("is reproducible by seed, and another seed gives other values", async () => {
    const a = await run(["vectors", "pcie.tlp", "--count", "200", "--seed", "42"]);
    const b = await run(["vectors", "pcie.tlp", "--count", "200", "--seed", "42"]);
    const c = await run(["vectors", "pcie.tlp", "--count", "200", "--seed", "43"]);
    expect(a.out).toBe(b.out);
    expect(c.out).not.toBe(a.out);
  });

  it("covers every variant of every format once --count reaches the number of variants", async () => {
    for (const f of ALL_FORMATS) {
      const lines = await vectors([f.id, "--count", String(f.variants.length)]);
      expect(lines).toHaveLength(f.variants.length);
      expect(new Set(lines.map((l) => l.variant))).toEqual(new Set(f.variants.map((v) => v.name)));
    }
  });

  it("prints fields in the shape rashpa decode prints, and hex that decodes to them", async () => {
    for (const id of [
      "rashpa.btd",
      "bridge.instruction",
      "pcie.tlp",
      "pcie.dllp",
      "srio.packet-66",
      "srio.cs48",
    ]) {
      const f = findFormat(id)!;
      for (const v of await vectors([id, "--count", "150", "--seed", "9"])) {
        expect(v.format).toBe(id);
        const ref = referenceDecode(f, fromHex(v.hex));
        expect(ref.ok).toBe(true);
        if (ref.ok) expect(v.fields).toEqual(ref.json);
        expect(f.variants[f.variantOf(f.fromJson(v.fields))]!.name).toBe(v.variant);
        expect(toHex(f.encode(f.fromJson(v.fields)))).toBe(v.hex);
      }
    }
  });

  it("gives each variant its fields at 0 and at their maximum width", async () => {
    const lines = await vectors(["rashpa.event", "--count", "2"]);
    expect(lines.map((l) => l.edge)).toEqual(["min", "max"]);
    expect(lines[0]!.fields).toMatchObject({ channel: 0, status: 0, frame: 0, timestamp: "0x0" });
    expect(lines[1]!.fields).toMatchObject({
      channel: 255,
      status: 65535,
      frame: 4294967295,
      timestamp: "0xffffffffffffffff",
    });
  });

  it("puts SRIO payloads on both sides of the 80-byte early-CRC boundary", async () => {
    const stream = findFormat("srio.stream")!;
    const packet = findFormat("srio.packet")!;
    const lines = await vectors([
      "srio.packet",
      "--variant",
      "dev8-streaming-write",
      "--count",
      "10",
    ]);
    const edges = new Map(lines.map((l) => [l.edge, l]));
    const below: unknown = packet.fromJson(edges.get("crc80-below")!.fields);
    const above: unknown = packet.fromJson(edges.get("crc80-above")!.fields);
    expect(stream.byteLength(below)).toBe(80); // a Dev8 SWRITE of 72 bytes is exactly 80 bytes
    expect(stream.byteLength(above)).toBe(88);
    expect(fromHex(edges.get("crc80-below")!.hex)).toHaveLength(84); // one CRC, pad
    expect(fromHex(edges.get("crc80-above")!.hex)).toHaveLength(92); // early CRC after byte 80
    expect(edges.has("payload-8") && edges.has("payload-256")).toBe(true);
  });

  it("gives PCIe memory requests 4096-byte payloads and 4 KiB boundary crossings", async () => {
    const lines = await vectors(["pcie.tlp", "--variant", "mwr-64-no-digest", "--count", "8"]);
    const edge = (name: string): Record<string, unknown> =>
      lines.find((l) => l.edge === name)!.fields as Record<string, unknown>;
    expect(edge("payload-4096")).toMatchObject({ length: 0 });
    expect((edge("payload-4096")["data"] as string).length).toBe(8192);
    const end = BigInt(edge("4k-end")["address"] as string) * 4n + 8n;
    const cross = BigInt(edge("4k-cross")["address"] as string) * 4n;
    expect(end % 4096n).toBe(0n);
    expect((cross % 4096n) + 8n).toBeGreaterThan(4096n);
  });

  it("--invalid gives bytes the reference decoder rejects, with its error", async () => {
    for (const id of ["rashpa.btd", "pcie.tlp", "srio.packet"]) {
      const f = findFormat(id)!;
      const lines = await vectors<InvalidVector>([id, "--invalid", "--count", "60", "--seed", "5"]);
      expect(lines).toHaveLength(60);
      for (const l of lines) {
        const ref = referenceDecode(f, fromHex(l.hex));
        expect(ref.ok).toBe(false);
        if (!ref.ok) {
          expect(l.error.name).toBe(ref.error.name);
          expect(l.error.message).toBe(ref.error.message);
          expect(l.error.offset).toBe(ref.error.offset ?? null);
        }
        expect(l.mutation).toMatch(/^(truncate|append|flip|random)-\d+$/);
      }
    }
  });

  it("rejects bad arguments with one line and status 1", async () => {
    const bad: [string[], RegExp][] = [
      [["pcie.tlp", "--count", "0"], /--count: expected an integer 1\.\.100000, got "0"/],
      [["pcie.tlp", "--count", String(MAX_VECTORS + 1)], /--count: expected an integer/],
      [["pcie.tlp", "--count", "1e3"], /--count: expected an integer/],
      [["pcie.tlp", "--seed", "x"], /--seed: expected an integer/],
      [["pcie.tlp", "--variant", "nope"], /unknown variant "nope" of pcie\.tlp \(one of mrd-32/],
      [["rashpa.event", "--variant", "x"], /rashpa\.event has no variants/],
      [["no.such"], /unknown format "no\.such"/],
      [[], /missing <format>/],
      [["pcie.tlp", "--count"], /--count needs a value/],
      [["pcie.tlp", "--frobnicate"], /unknown option --frobnicate/],
    ];
    for (const [args, message] of bad) {
      const r = await run(["vectors", ...args]);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err).toMatch(/^rashpa: [^\n]*\n$/);
      expect(r.err).toMatch(message);
    }
  });

  it("agrees with valueToJson for every line (the JSON shape of rashpa decode)", async () => {
    const f = findFormat("bridge.instruction")!;
    for (const v of await vectors(["bridge.instruction", "--count", "30"]))
      expect(v.fields).toEqual(valueToJson(f.decode(fromHex(v.hex))));
  });
});
