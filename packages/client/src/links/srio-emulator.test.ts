import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LINKTYPE_SRIO, pcapRecordTimePs, readPcapFile } from "@rashpa/emulator";
import { decodeSrioPacket, decodeSrioWrite } from "@rashpa/srio";
import { afterAll, describe, expect, it } from "vitest";
import { Acquisition, type AcquisitionEvent } from "../acquisition.js";
import {
  DEFAULT_ACQUISITION,
  resolveAcquisitionConfig,
  type AcquisitionConfig,
} from "../config.js";
import { collectChecked, expectedFrame } from "../frames.test-helpers.js";
import { openEmulatedLink, openEmulatedSrioLink } from "./srio-emulator.js";
import { LinkError } from "./link.js";

/** Runs an acquisition to its end, checking each frame; returns the events. */
async function acquire(
  config: AcquisitionConfig,
  link: Awaited<ReturnType<typeof openEmulatedSrioLink>>,
): Promise<{ events: AcquisitionEvent[]; bad: number; tally: number[] }> {
  const acq = await Acquisition.start(link, config);
  const { events, bad } = await collectChecked(acq, config);
  const tally = acq.tally.map((t) => t.frames);
  await acq.close();
  return { events, bad, tally };
}

const backPressure = DEFAULT_ACQUISITION.channels.map((c) => ({
  ...c,
  overflow: "back-pressure" as const,
}));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the emulated SRIO link (controller → PCIe–SRIO bridge → SRIO switch → processing nodes)", () => {
  it("runs the paper's demo with both receivers behind the bridge: all 32 + 32 frames and ROIs bit-exact, end of acquisition", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
        ...r,
        link: { kind: "srio", destinationId: i + 1 },
      })),
      channels: backPressure,
    });
    const link = await openEmulatedSrioLink(config);
    expect(link.kind).toBe("srio");
    const { events, bad, tally } = await acquire(config, link);
    await link.close();
    expect(bad).toBe(0);
    expect(events[0]).toMatchObject({ type: "device-added" });
    expect(events.filter((e) => e.type === "frame")).toHaveLength(32);
    expect(events.filter((e) => e.type === "roi")).toHaveLength(32);
    expect(events.at(-1)).toMatchObject({ type: "end-of-acquisition" });
    expect(tally).toEqual([32, 32]);
    const seq = events.flatMap((e) => ("sequence" in e ? [e.sequence] : []));
    expect(seq).toEqual(seq.map((_, i) => i));
  });

  it("serves a mixed configuration: full frames over PCIe to one receiver, the ROI over SRIO to another", async () => {
    const [pc, ipc] = DEFAULT_ACQUISITION.receivers;
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      receivers: [pc!, { ...ipc!, link: { kind: "srio", destinationId: 0x21 } }],
      channels: backPressure,
    });
    const link = await openEmulatedLink(config);
    expect(link.kind).toBe("srio");
    expect(link.name).toBe("emulated-pcie+srio gen2x4");
    const { events, bad, tally } = await acquire(config, link);
    await link.close();
    // The event ring is on the PCIe receiver: each record's interrupt waited for the ROI's
    // SWRITEs issued before it, so no ROI was read before it had landed.
    expect(bad).toBe(0);
    expect(tally).toEqual([32, 32]);
    expect(events.at(-1)).toMatchObject({ type: "end-of-acquisition" });
    expect(() => link.memory("nowhere")).toThrow(LinkError);
  });

  it("chooses the PCIe link when no receiver is on SRIO, and refuses an SRIO link without one", async () => {
    const pcie = await openEmulatedLink(DEFAULT_ACQUISITION);
    expect(pcie.kind).toBe("pcie");
    await pcie.close();
    await expect(openEmulatedSrioLink(DEFAULT_ACQUISITION)).rejects.toThrow(LinkError);
  });

  it("captures the SRIO packets: the capture decodes, and its SWRITE payloads rebuild the node memories and every frame", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rashpa-srio-"));
    dirs.push(dir);
    const file = join(dir, "srio.pcap");
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
        ...r,
        link: { kind: "srio", destinationId: 0x30 + i, deviceIdSize: "dev16" },
      })),
      detector: { ...DEFAULT_ACQUISITION.detector, frames: 4 },
      channels: backPressure,
    });
    const link = await openEmulatedSrioLink(config, { srioCapture: file });
    const seen: { receiver: string; offset: number; length: number; want: Uint8Array }[] = [];
    const acq = await Acquisition.start(link, config);
    let records = 0;
    for await (const e of acq) {
      if ("sequence" in e) records++;
      if (e.type === "frame" || e.type === "roi") {
        const receiver = config.channels.find((c) => c.name === e.name)!.receiver;
        seen.push({
          receiver,
          offset: e.bytes.byteOffset,
          length: e.bytes.length,
          want: expectedFrame(config, e.name, e.frame),
        });
      }
    }
    await acq.close();
    await link.close();
    expect(seen).toHaveLength(8);

    const pcap = readPcapFile(file);
    expect(pcap.header.linkType).toBe(LINKTYPE_SRIO);
    const images = new Map(config.receivers.map((r) => [r.name, new Uint8Array(r.memory)]));
    const byId = new Map(
      config.receivers.map((r) => [r.link.kind === "srio" ? r.link.destinationId : -1, r.name]),
    );
    let swrites = 0;
    let last = 0;
    const doorbells: number[] = [];
    let answers = 0;
    for (const record of pcap.records) {
      const p = decodeSrioPacket(record.data);
      expect(p.tt).toBe("dev16");
      // Each record is followed by a DOORBELL (info = ring slot) to the event ring's node,
      // which answers DONE.
      if (p.ftype === "doorbell") {
        expect(p.destinationId).toBe(0x30);
        doorbells.push((p as { info: number }).info);
      }
      if (p.ftype === "response" && p.sourceId === 0x30) {
        expect((p as { status: number }).status).toBe(0);
        answers++;
      }
      if (p.ftype !== "streaming-write" && p.ftype !== "write") continue;
      if (p.ftype === "streaming-write") swrites++;
      const w = decodeSrioWrite(p);
      expect(w.data.length).toBeLessThanOrEqual(256);
      images.get(byId.get(p.destinationId)!)!.set(w.data, Number(w.address));
      const t = pcapRecordTimePs(record);
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
    expect(doorbells).toEqual(Array.from({ length: records }, (_, i) => i));
    expect(answers).toBe(records);
    // 4 full frames of 512 KiB and 4 ROIs of 32 KiB, in 256-byte SWRITEs, and the records.
    expect(swrites).toBeGreaterThanOrEqual((4 * 512 * 1024 + 4 * 32 * 1024) / 256);
    for (const r of config.receivers)
      expect(
        Buffer.compare(Buffer.from(images.get(r.name)!), Buffer.from(link.memory(r.name))),
      ).toBe(0);
    for (const f of seen)
      expect(
        Buffer.compare(
          Buffer.from(images.get(f.receiver)!.subarray(f.offset, f.offset + f.length)),
          Buffer.from(f.want),
        ),
      ).toBe(0);
  });

  it("on the wire path (every TLP and control symbol encoded and decoded) delivers the same frames at the same simulated times", async () => {
    const config = resolveAcquisitionConfig({
      ...DEFAULT_ACQUISITION,
      receivers: DEFAULT_ACQUISITION.receivers.map((r, i) => ({
        ...r,
        link: { kind: "srio", destinationId: i + 1, deviceIdSize: "dev8" },
      })),
      detector: { ...DEFAULT_ACQUISITION.detector, frames: 4 },
      channels: backPressure,
    });
    const times = new Map<string, string[]>();
    for (const speed of ["fast", "wire"] as const) {
      const link = await openEmulatedSrioLink(config, { speed });
      const { events, bad } = await acquire(config, link);
      await link.close();
      expect(bad).toBe(0);
      times.set(
        speed,
        events.flatMap((e) => ("atPs" in e ? [`${e.type} ${e.frame} ${e.atPs}`] : [])),
      );
    }
    expect(times.get("wire")).toHaveLength(9);
    expect(times.get("wire")).toEqual(times.get("fast"));
  });
});
