/**
 * The emulated RoCEv2 link end to end: the paper's demonstration (512 × 512 16-bit reference
 * image, full frames to the detector PC, a 128 × 128 ROI to the industrial PC) with both
 * receivers reached over RoCEv2 on loopback UDP sockets, through the event model; then the
 * same through a lossy relay (seed printed); then a capture of a short acquisition decoded by
 * Wireshark's `infiniband` dissector (docs/reference/roce.md §7) when tshark is installed.
 * Every frame and ROI is checked byte for byte against the generator.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectChecked, intact } from "../frames.test-helpers.js";
import { lawSeed, hasTool } from "@rashpa/laws";
import {
  decodeRocePacket,
  opcodeValue,
  writeRocePcap,
  type RoceCaptureRecord,
  type RocePacket,
} from "@rashpa/roce";
import { afterAll, describe, expect, it } from "vitest";
import { Acquisition, type AcquisitionEvent, type FrameEvent } from "../acquisition.js";
import {
  DEFAULT_ACQUISITION,
  resolveAcquisitionConfig,
  type AcquisitionConfig,
} from "../config.js";
import type { DetectorInput } from "../codecs.js";
import {
  openEmulatedRoceLink,
  type EmulatedRoceLink,
  type EmulatedRoceOptions,
} from "./roce-emulator.js";

const QPN = [0x000d12, 0x000d13];
const RKEY = [0xabcd0001, 0xabcd0002];

/** The demo with both receivers on RoCE and back-pressure on every channel. */
function roceDemo(detector: Partial<DetectorInput> = {}): AcquisitionConfig {
  return resolveAcquisitionConfig({
    ...DEFAULT_ACQUISITION,
    receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
      ...r,
      link: { kind: "roce", ip: "127.0.0.1", qpn: QPN[i]!, rkey: RKEY[i]! },
    })),
    detector: { ...DEFAULT_ACQUISITION.detector, ...detector },
    channels: DEFAULT_ACQUISITION.channels.map((c) => ({ ...c, overflow: "back-pressure" })),
  });
}

/**
 * The data packets of a capture, each PSN once per queue pair (a retransmission after a local
 * ACK timeout repeats a PSN), by queue pair and PSN (no wrap: the PSNs start at 0).
 */
function uniqueDataPackets(capture: readonly RoceCaptureRecord[]): RocePacket[] {
  const seen = new Set<string>();
  return capture
    .map((c) => decodeRocePacket(c.packet, c.path))
    .filter((p) => {
      const key = `${p.bth.destQp} ${p.bth.psn}`;
      if (p.bth.opcode === "rc-acknowledge" || seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.bth.destQp - b.bth.destQp || a.bth.psn - b.bth.psn);
}

/** Runs an acquisition to its end over a RoCE link and checks every event. */
async function acquire(
  config: AcquisitionConfig,
  options: EmulatedRoceOptions,
): Promise<{ link: EmulatedRoceLink; events: AcquisitionEvent[]; bad: number; acq: Acquisition }> {
  const link = await openEmulatedRoceLink(config, options);
  const acq = await Acquisition.start(link, config);
  let checked: Awaited<ReturnType<typeof collectChecked>>;
  try {
    checked = await collectChecked(acq, config);
  } finally {
    await acq.close();
  }
  const { events, bad } = checked;
  return { link, events, bad, acq };
}

function checkDemo(config: AcquisitionConfig, r: Awaited<ReturnType<typeof acquire>>): void {
  const { events, bad, acq } = r;
  expect(bad).toBe(0);
  expect(events[0]).toMatchObject({ type: "device-added" });
  expect(events.filter((e) => e.type === "frame")).toHaveLength(config.detector.frames);
  expect(events.filter((e) => e.type === "roi")).toHaveLength(config.detector.frames);
  expect(events.filter((e) => e.type === "overrun" || e.type === "error")).toHaveLength(0);
  expect(events.at(-1)).toMatchObject({ type: "end-of-acquisition" });
  expect(acq.tally.map((t) => t.frames)).toEqual([config.detector.frames, config.detector.frames]);
  const seq = events.flatMap((e) => ("sequence" in e ? [e.sequence] : []));
  expect(seq).toEqual(seq.map((_, i) => i));
}

describe("the emulated RoCEv2 link (controller in a worker, RDMA WRITEs over UDP loopback)", () => {
  it("runs the paper's demo with back-pressure: all 32 + 32 frames bit-exact, in order, then end-of-acquisition", async () => {
    const config = roceDemo();
    const r = await acquire(config, {});
    checkDemo(config, r);
    const stats = await r.link.stats();
    // Every record came as a completion (immediate data), every frame as RDMA WRITEs.
    const records = r.events.filter((e) => "sequence" in e).length;
    expect(stats.receivers.reduce((n, s) => n + s.completions, 0)).toBe(records);
    expect(stats.receivers.every((s) => s.badPackets === 0)).toBe(true);
    const frameBytes = 512 * 512 * 2 * 32 + 128 * 128 * 2 * 32;
    expect(stats.receivers.reduce((n, s) => n + s.bytes, 0)).toBe(frameBytes + records * 32);
  });

  it("… and with the receivers in a worker thread of their own, interrupts posted back", async () => {
    const config = roceDemo();
    const r = await acquire(config, { receiverThread: "worker", pmtu: 2048, capture: true });
    checkDemo(config, r);
    const stats = await r.link.stats();
    const records = r.events.filter((e) => "sequence" in e).length;
    // The worker's capture comes back when the link closes: one immediate per record.
    const immediates = uniqueDataPackets(r.link.capture!).flatMap((p) =>
      p.immdt === undefined ? [] : [p.immdt.immediate],
    );
    expect(immediates).toEqual(Array.from({ length: records }, (_, k) => k));
    expect(stats.receivers.reduce((n, s) => n + s.completions, 0)).toBe(records);
    expect(stats.senders.reduce((n, s) => n + s.packets, 0)).toBe(
      stats.receivers.reduce((n, s) => n + s.packets, 0),
    );
  });

  const loss = { seed: lawSeed(), drop: 0.02, duplicate: 0.02, reorder: 0.02 };
  it(`… and through a lossy relay (seed ${loss.seed}, drop ${loss.drop}, duplicate ${loss.duplicate}, reorder ${loss.reorder}): nothing lost`, async () => {
    const config = roceDemo();
    const r = await acquire(config, { relay: loss, pmtu: 1024, window: 64 });
    const stats = await r.link.stats();
    console.log(
      `[roce-link] relay seed ${loss.seed} drop ${loss.drop} duplicate ${loss.duplicate} reorder ${loss.reorder}: ` +
        `relays ${JSON.stringify(stats.relays)}; senders ${JSON.stringify(stats.senders)}; receivers ${JSON.stringify(stats.receivers)}`,
    );
    checkDemo(config, r);
    expect(stats.relays!.reduce((n, s) => n + s.dropped, 0)).toBeGreaterThan(0);
    expect(stats.senders.reduce((n, s) => n + s.retransmitted, 0)).toBeGreaterThan(0);
  });
});

describe("the RoCE link's idle report", () => {
  it("comes once every write is acknowledged: a consumer holding frames makes the controller drop later ones, each reported", async () => {
    const base = roceDemo({ frames: 24 });
    const config = resolveAcquisitionConfig({
      ...base,
      channels: [{ ...base.channels[0]!, overflow: "drop" }],
    });
    const link = await openEmulatedRoceLink(config);
    const acq = await Acquisition.start(link, config);
    const held: FrameEvent[] = [];
    const types: string[] = [];
    let overruns = 0;
    acq.on((e) => {
      types.push(e.type);
      if (e.type === "frame") held.push(e);
      if (e.type === "overrun") overruns++;
    });
    // Nobody iterates: frames are never released, the ring (4 frames) fills.
    await new Promise<void>((resolve) => link.onIdle(() => resolve()));
    expect(held).toHaveLength(4);
    expect(overruns).toBe(20);
    for (const f of held) expect(intact(config, f)).toBe(true);
    await acq.close();
    expect(types.at(-1)).toBe("device-removed");
  });
});

const hasTshark = (): boolean => hasTool("tshark");

const tmp = mkdtempSync(join(tmpdir(), "roce-link-"));
afterAll(() => {
  if (!process.env["KEEP"]) rmSync(tmp, { recursive: true, force: true });
});

describe("a capture of the RoCE link", () => {
  const tshark = hasTshark();
  if (!tshark)
    console.log("[roce-link] tshark not installed: skipping the `tshark -e infiniband.*` check");

  it("holds RDMA WRITEs First/Middle/Last into each region and Only with Immediate records", async () => {
    const config = roceDemo({ frames: 2 });
    const r = await acquire(config, { pmtu: 1024, capture: true });
    checkDemo(config, r);
    const capture = r.link.capture!;
    const data = uniqueDataPackets(capture);
    const byQp = (qp: number): RocePacket[] => data.filter((p) => p.bth.destQp === qp);
    for (const [i, qp] of QPN.entries()) {
      const packets = byQp(qp);
      // Every PSN from 0 on, none missing.
      expect(packets.map((p) => p.bth.psn)).toEqual(packets.map((_, k) => k));
      for (const p of packets)
        if (p.reth !== undefined) {
          expect(p.reth.rKey).toBe(RKEY[i]);
          const base = config.receivers[i]!.base;
          expect(p.reth.va >= base).toBe(true);
          expect(
            p.reth.va + BigInt(p.reth.dmaLength) <= base + BigInt(config.receivers[i]!.memory),
          ).toBe(true);
        }
    }
    const ops = new Set(data.map((p) => p.bth.opcode));
    for (const op of [
      "rc-rdma-write-first",
      "rc-rdma-write-middle",
      "rc-rdma-write-last",
      "rc-rdma-write-only-with-immediate",
    ])
      expect(ops.has(op as RocePacket["bth"]["opcode"]), op).toBe(true);
    const records = r.events.filter((e) => "sequence" in e).length;
    // One RDMA WRITE with Immediate per event record, immediate = its ring slot.
    const immediates = data.flatMap((p) => (p.immdt === undefined ? [] : [p.immdt.immediate]));
    expect(immediates).toEqual(Array.from({ length: records }, (_, k) => k));
  });

  it.skipIf(!tshark)(
    "tshark decodes opcode, PSN, DestQP, RETH and ImmDt of every packet as sent",
    async () => {
      const config = roceDemo({ frames: 2 });
      const r = await acquire(config, { pmtu: 1024, capture: true });
      const capture = r.link.capture!;
      const file = join(tmp, "roce-link.pcap");
      writeFileSync(file, writeRocePcap(capture));
      const fields = [
        "infiniband.bth.opcode",
        "infiniband.bth.psn",
        "infiniband.bth.destqp",
        "infiniband.reth.va",
        "infiniband.reth.r_key",
        "infiniband.reth.dmalen",
        "infiniband.immdt",
        "frame.protocols",
      ];
      const out = execFileSync(
        "tshark",
        ["-r", file, "-T", "fields", "-E", "separator=|", ...fields.flatMap((f) => ["-e", f])],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 28 },
      );
      const rows = out
        .trimEnd()
        .split("\n")
        .map((l) => l.split("|"));
      expect(rows.length).toBe(capture.length);
      const num = (s: string | undefined): number | undefined =>
        s === undefined || s === "" ? undefined : Number(s);
      rows.forEach((row, i) => {
        const c = capture[i]!;
        const p = decodeRocePacket(c.packet, c.path);
        expect(num(row[0]), `opcode of packet ${i}`).toBe(opcodeValue(p.bth.opcode));
        expect(num(row[1])).toBe(p.bth.psn);
        expect(num(row[2])).toBe(p.bth.destQp);
        expect(row[3] === "" ? undefined : BigInt(row[3]!)).toBe(p.reth?.va);
        expect(num(row[4])).toBe(p.reth?.rKey);
        expect(num(row[5])).toBe(p.reth?.dmaLength);
        const imm = p.immdt?.immediate;
        // Wireshark 4.0 lists the ImmDt bytes twice (the header item and its value).
        const shownImm = row[6] === "" ? [] : [...new Set(row[6]!.split(","))];
        expect(shownImm).toEqual(imm === undefined ? [] : [imm.toString(16).padStart(8, "0")]);
        expect(row[7]).toMatch(/^eth:ethertype:ip:udp:infiniband/);
      });
    },
  );
});

describe("tshark availability", () => {
  it("is reported rather than silently skipped", () => {
    if (process.env["CI"]) expect(hasTshark()).toBe(true);
    else expect(typeof hasTshark()).toBe("boolean");
  });
});
