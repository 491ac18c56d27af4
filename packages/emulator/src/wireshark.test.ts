/**
 * The generated Wireshark Lua dissectors (`src/gen/wireshark/rashpa.lua`, from
 * `@rashpa/codegen`) against the TypeScript codecs: emulator captures (a short acquisition's
 * TLPs and BTD/event records, a bridge run's RapidIO packets and TLPs), random valid packets
 * from the generated arbitraries, and malformed records are read with
 * `tshark -X lua_script:rashpa.lua -T json`; every field tshark prints must equal the codec's
 * value (or, for reserved fields, the spec's value 0), every value field of the codec must be
 * printed, valid packets must carry no expert info, and malformed ones must carry some.
 * Needs `tshark` (Debian package `tshark`); without it the checks are skipped with a message.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { AnyFormatInfo } from "@rashpa/bits";
import { toHex } from "@rashpa/bits";
import { BTD_FORMAT, EVENT_FORMAT, encodeInstruction } from "@rashpa/descriptors";
import type { Instruction } from "@rashpa/descriptors";
import { arbBtd, arbEvent } from "@rashpa/descriptors/arbitraries";
import { lawSeed, hasTool } from "@rashpa/laws";
import { TLP_FORMAT, decodeTlp, encodeTlp } from "@rashpa/pcie";
import { arbTlp } from "@rashpa/pcie/arbitraries";
import {
  STREAM_50_FORMAT,
  STREAM_66_FORMAT,
  STREAM_FORMAT,
  decodeSrioPacket,
  encodeSrioPacket,
  ftypeValue,
  srioFraming,
  srioHeaderBytes,
  transportTypeValue,
} from "@rashpa/srio";
import type { AnySrioPacket, SrioAddressSize } from "@rashpa/srio";
import { arbSrioPacket, arbSrioPacket50, arbSrioPacket66 } from "@rashpa/srio/arbitraries";
import { afterAll, describe, expect, it } from "vitest";
import { createBridgeSystem } from "./bridge/curve.js";
import { runDefaultAcquisition } from "./controller/acquisition.js";
import {
  LINKTYPE_SRIO,
  LINKTYPE_USER0,
  LINKTYPE_USER1,
  PcapFileWriter,
  decodePcieCaptureRecord,
  decodeRashpaCaptureRecord,
  encodePcieCaptureRecord,
  encodeRashpaCaptureRecord,
  readPcapFile,
} from "./index.js";

const LUA = fileURLToPath(new URL("./gen/wireshark/rashpa.lua", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "rashpa-wireshark-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasTshark = (): boolean => hasTool("tshark");
const tshark = hasTshark();
if (!tshark)
  console.log(
    "[wireshark] tshark not installed (Debian package `tshark`): skipping the Lua dissector checks",
  );

/** What tshark shows of one packet: the rashpa fields (abbreviation → value) and expert infos. */
interface Shown {
  readonly fields: Map<string, string>;
  readonly experts: string[];
  readonly messages: string[];
}

function collect(node: unknown, out: Shown, inExpert: boolean): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, out, inExpert);
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const expert = inExpert || k === "_ws.expert";
    if (expert && k.startsWith("rashpa.expert.")) out.experts.push(k);
    else if (expert && k === "_ws.expert.message") out.messages.push(String(v));
    else if (k === "_ws.lua.error" || k === "_ws.malformed") out.experts.push(k);
    else if (k.startsWith("rashpa.") && !expert && typeof v === "string") {
      expect(out.fields.has(k), `field ${k} shown twice`).toBe(false);
      out.fields.set(k, v);
    } else if (k.startsWith("rashpa.") && !expert && Array.isArray(v))
      throw new Error(`field ${k} shown ${v.length} times`);
    if (typeof v === "object") collect(v, out, expert);
  }
}

/** Runs tshark with the dissectors over a file and returns what it shows of each packet. */
function dissect(file: string, extra: readonly string[] = []): Shown[] {
  const json = execFileSync(
    "tshark",
    ["-r", file, "-X", `lua_script:${LUA}`, ...extra, "-T", "json", "--no-duplicate-keys"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 },
  );
  const packets = JSON.parse(json) as { _source: { layers: unknown } }[];
  return packets.map((p) => {
    const s: Shown = { fields: new Map(), experts: [], messages: [] };
    collect(p._source.layers, s, false);
    return s;
  });
}

function writeCapture(name: string, linkType: number, records: readonly Uint8Array[]): string {
  const file = join(tmp, name);
  const w = new PcapFileWriter(file, { linkType });
  records.forEach((r, i) => w.writePacket(i * 1000, r));
  w.close();
  return file;
}

/** tshark's value of a number field: decimal, or `0x` hexadecimal for base.HEX fields. */
const num = (s: string): bigint => BigInt(s);
const hexColons = (b: Uint8Array): string => (toHex(b).match(/../g) ?? []).join(":");

/** Variants seen by the comparisons, by format id (for the coverage assertions). */
const seen = new Map<string, Set<string>>();

/**
 * Checks the fields under `prefix` against a decoded value of `format`: every value field and
 * tag printed and equal, every other printed field a reserved field equal to 0. Returns the
 * number of fields compared.
 */
function expectFormat(shown: Shown, format: AnyFormatInfo, prefix: string, value: object): number {
  const v = value as Record<string, unknown>;
  const variant = format.variants[format.variantOf(value)]!;
  const set = seen.get(format.id) ?? new Set<string>();
  set.add(variant.name);
  seen.set(format.id, set);
  const expected = new Set<string>();
  let compared = 0;
  for (const f of variant.fields) {
    const key = `${prefix}.${f.name}`;
    expected.add(key);
    const got = shown.fields.get(key);
    expect(got, `${key} shown`).toBeDefined();
    const want = v[f.name];
    if (f.kind === "bool") expect(got, key).toBe(want ? "1" : "0");
    else if (f.kind === "enum") expect(num(got!), key).toBe(BigInt(f.enum![want as string]!));
    else if (f.kind === "bytes" || f.kind === "payload")
      expect(got, key).toBe(hexColons(want as Uint8Array));
    else expect(num(got!), key).toBe(BigInt(want as number | bigint));
    compared++;
  }
  for (const [tag, name] of Object.entries(variant.tags)) {
    const key = `${prefix}.${tag}`;
    expected.add(key);
    expect(shown.fields.get(key), key).toBe(name);
    compared++;
  }
  for (const [key, got] of shown.fields)
    if (key.startsWith(`${prefix}.`) && !expected.has(key)) {
      // not a value field: a reserved field of the variant, written as 0 by the encoders
      expect(num(got), `reserved ${key}`).toBe(0n);
      compared++;
    }
  return compared;
}

function expectClean(shown: Shown, what: string): void {
  expect(shown.experts, `${what}: ${shown.messages.join("; ")}`).toEqual([]);
}

/** Checks one LINKTYPE_USER0 record. */
function expectTlpRecord(shown: Shown, record: Uint8Array): number {
  const r = decodePcieCaptureRecord(record);
  expect(shown.fields.get("rashpa.pcie.capture.direction")).toBe(
    r.direction === "upstream" ? "1" : "0",
  );
  expect(shown.fields.get("rashpa.pcie.capture.port")).toBe(String(r.port));
  expectClean(shown, "TLP record");
  return 2 + expectFormat(shown, TLP_FORMAT, "rashpa.pcie.tlp", decodeTlp(r.tlp));
}

/** Checks one LINKTYPE_USER1 record. */
function expectRashpaRecord(shown: Shown, record: Uint8Array): number {
  const r = decodeRashpaCaptureRecord(record);
  expect(shown.fields.get("rashpa.record.kind")).toBe(r.kind === "btd" ? "1" : "2");
  expectClean(shown, "RASHPA record");
  const [format, prefix] =
    r.kind === "btd" ? [BTD_FORMAT, "rashpa.btd"] : [EVENT_FORMAT, "rashpa.event"];
  return 1 + expectFormat(shown, format, prefix, format.decode(r.body));
}

const STREAMS: Readonly<Record<SrioAddressSize, [AnyFormatInfo, string]>> = {
  34: [STREAM_FORMAT, "rashpa.srio.stream"],
  50: [STREAM_50_FORMAT, "rashpa.srio.stream-50"],
  66: [STREAM_66_FORMAT, "rashpa.srio.stream-66"],
};

/** Checks one LINKTYPE_USER2 packet: CRCs and pad from the framing, then the stream. */
function expectSrioPacket(shown: Shown, bytes: Uint8Array, addressSize: SrioAddressSize): number {
  const p = decodeSrioPacket(bytes, 0, { addressSize }) as unknown as Record<string, unknown>;
  const h = srioHeaderBytes(transportTypeValue(p["tt"]), ftypeValue(p["ftype"]), addressSize)!;
  const payload = p["payload"] instanceof Uint8Array ? p["payload"].length : 0;
  const framing = srioFraming(h + payload);
  expect(framing.packetBytes).toBe(bytes.length);
  const u16 = (at: number): string => `0x${toHex(bytes.subarray(at, at + 2))}`;
  const f = shown.fields;
  expect(f.get("rashpa.srio.packet.earlyCrc")).toBe(
    framing.earlyCrcOffset === undefined ? undefined : u16(framing.earlyCrcOffset),
  );
  expect(f.get("rashpa.srio.packet.crc")).toBe(u16(framing.crcOffset));
  expect(f.get("rashpa.srio.packet.pad")).toBe(
    framing.padded ? u16(framing.crcOffset + 2) : undefined,
  );
  expectClean(shown, "RapidIO packet");
  const [format, prefix] = STREAMS[addressSize];
  return 3 + expectFormat(shown, format, prefix, p);
}

describe.skipIf(!tshark)("Wireshark Lua dissectors on emulator captures", () => {
  it("shows every field of a short acquisition's TLPs and BTD/event records as the codecs decode them", () => {
    const tlpFile = join(tmp, "acquisition-tlps.pcap");
    const recFile = join(tmp, "acquisition-records.pcap");
    const tlpCapture = new PcapFileWriter(tlpFile, { linkType: LINKTYPE_USER0 });
    const recordCapture = new PcapFileWriter(recFile, { linkType: LINKTYPE_USER1 });
    const summary = runDefaultAcquisition({
      frames: 2,
      speed: "wire",
      geometry: { width: 320, height: 320 },
      tlpCapture,
      recordCapture,
    });
    tlpCapture.close();
    recordCapture.close();
    expect(summary.verified).toBe(true);
    for (const [file, check] of [
      [tlpFile, expectTlpRecord],
      [recFile, expectRashpaRecord],
    ] as const) {
      const records = readPcapFile(file).records;
      const shown = dissect(file);
      expect(shown.length).toBe(records.length);
      expect(records.length).toBeGreaterThan(2);
      let compared = 0;
      records.forEach((r, i) => (compared += check(shown[i]!, r.data)));
      expect(compared).toBeGreaterThan(records.length * 5);
    }
    expect(seen.get("rashpa.btd")?.size).toBeGreaterThanOrEqual(1);
    expect(seen.get("rashpa.event")?.size).toBe(1);
  });

  it("shows every field of a bridge run's RapidIO packets and TLPs as the codecs decode them", () => {
    const srioFile = join(tmp, "bridge-srio.pcap");
    const tlpFile = join(tmp, "bridge-tlps.pcap");
    const pcap = new PcapFileWriter(srioFile, { linkType: LINKTYPE_SRIO });
    const tlpCapture = new PcapFileWriter(tlpFile, { linkType: LINKTYPE_USER0 });
    const sys = createBridgeSystem({ speed: "wire", pcap, tlpCapture });
    const head = { priority: 1, dev16: false } as const;
    const ins: [Instruction, Uint8Array?][] = [
      [
        {
          ...head,
          opcode: "register-read",
          operands: "register-read",
          tag: 1,
          destId: 2,
          address: 0x2_0000_0000n,
        },
      ],
      [
        {
          ...head,
          opcode: "register-write",
          operands: "register-write",
          tag: 2,
          destId: 3,
          address: 0x104n,
          data: 0x1234_5678,
        },
      ],
      [
        {
          ...head,
          opcode: "stream-write",
          operands: "stream",
          tag: 3,
          destId: 1,
          address: 0x400n,
          length: 600,
          priority: 0,
        },
        new Uint8Array(600).map((_, i) => i),
      ],
      [
        {
          ...head,
          opcode: "stream-read",
          operands: "stream",
          tag: 4,
          destId: 1,
          address: 0x400n,
          length: 300,
          priority: 0,
        },
      ],
      [{ ...head, opcode: "doorbell", operands: "doorbell", tag: 5, destId: 2, info: 0xbeef }],
    ];
    for (const [i, data] of ins) {
      sys.bridge.submit(encodeInstruction(i), data);
      sys.sim.run();
    }
    pcap.close();
    tlpCapture.close();
    // every instruction but the doorbell (fire and forget) completes
    expect(sys.bridge.completions.map((c) => c.status)).toEqual(["done", "done", "done", "done"]);

    const packets = readPcapFile(srioFile).records;
    const shown = dissect(srioFile);
    expect(shown.length).toBe(packets.length);
    packets.forEach((r, i) => expectSrioPacket(shown[i]!, r.data, 34));
    const srio = [...(seen.get("srio.stream") ?? [])];
    // NREAD/NWRITE_R to registers, SWRITE and NREAD of memory, DOORBELL, and their responses
    expect(srio.some((v) => v.endsWith("streaming-write"))).toBe(true);
    expect(srio.some((v) => v.endsWith("doorbell"))).toBe(true);
    expect(srio.some((v) => v.includes("response"))).toBe(true);

    const tlps = readPcapFile(tlpFile).records;
    const tlpShown = dissect(tlpFile);
    expect(tlpShown.length).toBe(tlps.length);
    tlps.forEach((r, i) => expectTlpRecord(tlpShown[i]!, r.data));
    expect(seen.get("pcie.tlp")?.size).toBeGreaterThanOrEqual(2);
  });
});

const seed = lawSeed();

/**
 * Up to `per` values of each variant of `format` among `draws` seeded samples of `arb`; asserts
 * that every variant was drawn.
 */
function everyVariant<T extends object>(
  arb: fc.Arbitrary<T>,
  format: AnyFormatInfo,
  per: number,
  draws: number,
): T[] {
  const byVariant = new Map<number, T[]>();
  for (const v of fc.sample(arb, { seed, numRuns: draws })) {
    const k = format.variantOf(v);
    const list = byVariant.get(k) ?? [];
    if (list.length < per) list.push(v);
    byVariant.set(k, list);
  }
  expect(
    [...byVariant.keys()].sort((a, b) => a - b),
    `${format.id}: every variant drawn`,
  ).toEqual(format.variants.map((_, i) => i));
  return [...byVariant.values()].flat();
}

describe.skipIf(!tshark)(`Wireshark Lua dissectors on random valid packets (seed ${seed})`, () => {
  it("shows every field of random TLPs, BTDs and events as the codecs decode them", () => {
    const tlps = everyVariant(arbTlp, TLP_FORMAT, 8, 4000);
    const tlpRecords = tlps.map((t, i) =>
      encodePcieCaptureRecord({
        direction: i % 2 ? "upstream" : "downstream",
        port: i % 128,
        tlp: encodeTlp(t),
      }),
    );
    const tlpShown = dissect(writeCapture("random-tlps.pcap", LINKTYPE_USER0, tlpRecords));
    expect(tlpShown.length).toBe(tlpRecords.length);
    tlpRecords.forEach((r, i) => expectTlpRecord(tlpShown[i]!, r));

    const records = [
      ...everyVariant(arbBtd, BTD_FORMAT, 40, 300).map((b) =>
        encodeRashpaCaptureRecord({ kind: "btd", body: BTD_FORMAT.encode(b) }),
      ),
      ...everyVariant(arbEvent, EVENT_FORMAT, 60, 60).map((e) =>
        encodeRashpaCaptureRecord({ kind: "event", body: EVENT_FORMAT.encode(e) }),
      ),
    ];
    const recShown = dissect(writeCapture("random-records.pcap", LINKTYPE_USER1, records));
    expect(recShown.length).toBe(records.length);
    records.forEach((r, i) => expectRashpaRecord(recShown[i]!, r));
  });

  it("shows every field of random RapidIO packets of each address size (preference rashpa.srio.address_size)", () => {
    const sizes: [SrioAddressSize, fc.Arbitrary<AnySrioPacket>][] = [
      [34, arbSrioPacket],
      [50, arbSrioPacket50],
      [66, arbSrioPacket66],
    ];
    for (const [size, arb] of sizes) {
      const packets = everyVariant(arb, STREAMS[size][0], 8, 3000).map((p) =>
        encodeSrioPacket(p, { addressSize: size }),
      );
      const file = writeCapture(`random-srio-${size}.pcap`, LINKTYPE_SRIO, packets);
      const shown = dissect(file, ["-o", `rashpa.srio.address_size:${size}-bit`]);
      expect(shown.length).toBe(packets.length);
      packets.forEach((b, i) => expectSrioPacket(shown[i]!, b, size));
    }
  });
});

describe.skipIf(!tshark)("Wireshark Lua dissectors on malformed records", () => {
  it("reports expert info, and no Lua error, where the codecs throw", () => {
    const mwr = encodeTlp(
      decodeTlp(Uint8Array.of(0x40, 0, 0, 2, 0, 1, 2, 0xff, 0, 0, 0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8)),
    );
    const tlp = (b: Uint8Array): Uint8Array =>
      encodePcieCaptureRecord({ direction: "upstream", port: 0, tlp: b });
    const tlpCases: [string, Uint8Array][] = [
      ["pseudo-header only", Uint8Array.of(0x80)],
      ["empty record", new Uint8Array(0)],
      ["header cut", tlp(mwr.subarray(0, 6))],
      ["payload cut", tlp(mwr.subarray(0, mwr.length - 3))],
      ["TLP prefix: no variant", tlp(Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 0))],
      ["reserved type", tlp(Uint8Array.of(0x03, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0))],
      [
        "reserved bits set (IORd)",
        tlp(Uint8Array.of(0x02, 0, 0, 1, 0, 0, 0, 0x0f, 0, 0, 0x10, 0x03)),
      ],
    ];
    const badTlps = dissect(
      writeCapture(
        "bad-tlps.pcap",
        LINKTYPE_USER0,
        tlpCases.map((c) => c[1]),
      ),
    );
    tlpCases.forEach(([what, record], i) => {
      expect(() => decodeTlp(decodePcieCaptureRecord(record).tlp), what).toThrow();
      expectReported(badTlps[i]!, what);
    });

    const event = EVENT_FORMAT.encode(fc.sample(arbEvent, { seed, numRuns: 1 })[0]!);
    const rsvd = event.slice();
    rsvd[13] = 1; // rsvd0 of the event record
    const btdBadKind = BTD_FORMAT.encode(fc.sample(arbBtd, { seed, numRuns: 1 })[0]!);
    btdBadKind[4] = (btdBadKind[4]! & 0x0f) | 0x70; // kind 7: not a BtdKind
    const recCases: [string, Uint8Array][] = [
      ["unknown kind", Uint8Array.of(9, ...event)],
      ["kind only", Uint8Array.of(2)],
      ["event cut", encodeRashpaCaptureRecord({ kind: "event", body: event.subarray(0, 20) })],
      ["event reserved bits", encodeRashpaCaptureRecord({ kind: "event", body: rsvd })],
      ["BTD of unknown kind", encodeRashpaCaptureRecord({ kind: "btd", body: btdBadKind })],
    ];
    const badRecs = dissect(
      writeCapture(
        "bad-records.pcap",
        LINKTYPE_USER1,
        recCases.map((c) => c[1]),
      ),
    );
    recCases.forEach(([what, record], i) => {
      expect(() => {
        const r = decodeRashpaCaptureRecord(record);
        (r.kind === "btd" ? BTD_FORMAT : EVENT_FORMAT).decode(r.body);
      }, what).toThrow();
      expectReported(badRecs[i]!, what);
    });

    const swrite = encodeSrioPacket(fc.sample(arbSrioPacket, { seed, numRuns: 1 })[0]!);
    const long = encodeSrioPacket({
      ackId: 3,
      vc: 0,
      crf: 0,
      prio: 0,
      tt: "dev16",
      ftype: "streaming-write",
      destinationId: 1,
      sourceId: 2,
      address: 0x40,
      xamsbs: 0,
      payload: new Uint8Array(128).fill(0x5a),
    });
    const badCrc = flip(long, long.length - 5, 1);
    const badEarly = flip(long, 40, 0x80);
    const badPad = encodeSrioPacket({
      ackId: 0,
      vc: 0,
      crf: 0,
      prio: 0,
      tt: "dev8",
      ftype: "doorbell",
      destinationId: 1,
      sourceId: 2,
      srcTid: 7,
      info: 9,
    });
    const padded = flip(badPad, badPad.length - 1, 1);
    const srioCases: [string, Uint8Array][] = [
      ["one byte", swrite.subarray(0, 1)],
      ["reserved tt", Uint8Array.of(0, 0x36, 0, 0, 0, 0, 0, 0)],
      ["unknown ftype", Uint8Array.of(0, 0x03, 0, 0, 0, 0, 0, 0)],
      ["cut to a multiple of 4", long.subarray(0, long.length - 8)],
      ["not a multiple of 4", long.subarray(0, long.length - 2)],
      ["final CRC", badCrc],
      ["early CRC", badEarly],
      ["pad", padded],
      ["header cut", long.subarray(0, 4)],
    ];
    const badSrio = dissect(
      writeCapture(
        "bad-srio.pcap",
        LINKTYPE_SRIO,
        srioCases.map((c) => c[1]),
      ),
    );
    srioCases.forEach(([what, bytes], i) => {
      expect(() => decodeSrioPacket(bytes), what).toThrow();
      expectReported(badSrio[i]!, what);
    });
  });
});

/** A copy of `bytes` with bits `mask` of byte `at` inverted. */
function flip(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[at] = out[at]! ^ mask;
  return out;
}

function expectReported(shown: Shown, what: string): void {
  const ours = shown.experts.filter((e) => e.startsWith("rashpa.expert."));
  expect(ours.length, `${what}: expert info`).toBeGreaterThan(0);
  expect(ours, `${what}: no Lua error`).not.toContain("rashpa.expert.error");
  expect(shown.experts, `${what}: no Lua error`).not.toContain("_ws.lua.error");
}

describe("tshark availability", () => {
  it("is reported rather than silently skipped", () => {
    // .ci/run installs tshark; this asserts the dissector checks above really ran there.
    if (process.env["CI"]) expect(tshark).toBe(true);
    else expect(typeof tshark).toBe("boolean");
  });
});
